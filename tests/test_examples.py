"""The two example schemes score their example data to hand-checked totals, grades and vetoes;
classes rank within themselves; the results reach JSON, CSV, Excel and `kaohe schemes`."""

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kaohe.cli import main
from kaohe.engine import score
from kaohe.errors import InputErrors
from kaohe.readers import read_files
from kaohe.scheme import load_scheme, parse_scheme

from .conftest import SAMPLES

D = Decimal
WUJIN = SAMPLES / "example_wujin_long.csv"
EFFICACY = SAMPLES / "example_efficacy_long.csv"


def scored(key, path):
    scheme = load_scheme(key)
    return score(scheme, read_files([path], scheme))


def table(result):
    """{class: [(rank, unit, total, grade, vetoed)]} best first."""
    return {
        g.class_name: [(u.rank, u.unit, u.total, u.grade.name, bool(u.vetoes)) for u in g.units]
        for g in result.groups
    }


# Hand-checked, indicator by indicator, in the scheme files' notes' terms. For example 东城镇:
# 产值 30 + 超额 25% → 2.5 = 32.5; 研发投入 110% vs 平均 100% → 20 + 0.5 × 2 = 21;
# 专利 15 × 19 ÷ 20 = 14.25; 能耗 0.45 ≤ 0.5 → 15; 台账 10; 迟报 1 次 → 4: base 96.75;
# 载体 3 × 2 = 6 → 4 (cap 4): 100.75 → 100 (capped at the scale).
WUJIN_TABLE = {
    "一类镇（街道）": [
        (1, "东城镇", D("100.00"), "优秀", False),
        (2, "西湖镇", D("78.50"), "合格", False),  # 27 + 19.5 + 15 + 12 + 0 + 5; +2 − 2
        (3, "青石街道", D("0.00"), "不合格", True),  # 102.5 → 100, vetoed to 0
    ],
    "二类镇（乡）": [
        (1, "南山镇", D("90.00"), "优秀", False),  # 31 + 19 + 12 + 15 + 10 + 3; 90 is 优秀
        (2, "北岭镇", D("84.00"), "良好", False),  # 24 + 21 + 15 (no task) + 12 + 10 + 0; +2
        (3, "白沙乡", D("76.50"), "合格", False),  # 30 + 20 + 7.5 + 15 + 0 + 4
    ],
}

# 临江区: 功效 100 → 30; 合同 130% → 20; 高企 100% → 10; 能耗第 1 → 15; 国家级 7; 工作 18:
# 100 + 奖励 2 → 102 → 100. 云山县: 60 + 40 × 0.4 ÷ 1.2 → 30 × 73.33 ÷ 100 = 22; 110% → 16 + 4 ×
# 0.1 ÷ 0.2 = 18; 90% → 8; 能耗 0.42 tie goes to the lower rate → 2nd, 12; 省级 5; 18 × 3 ÷ 4 = 13.5.
# 清河县 is vetoed to 不合格, so the shares count 2 units: 前 30% → 1, 前 70% → 1 (四舍五入).
EFFICACY_TABLE = {
    "一类县（区）": [
        (1, "临江区", D("100.00"), "优秀", False),
        (2, "云山县", D("78.50"), "合格", False),
        (3, "清河县", D("68.00"), "不合格", True),  # 18 + 13 + 6 + 9 + 3 + 18; +1
    ],
    "二类县": [
        (1, "石门县", D("94.00"), "优秀", False),  # 30 + 20 + 10 + 12 + 3 + 18; +1
        (2, "安平县", D("87.00"), "良好", False),  # 24 + 16 + 6 + 15 + 5 + 18; +3
        (3, "长乐县", D("39.00"), "不合格", False),  # 18 + 0 + 0 + 9 + 0 + 12
    ],
}


@pytest.mark.parametrize(
    "key, path, expected",
    [("example-wujin", WUJIN, WUJIN_TABLE), ("example-efficacy", EFFICACY, EFFICACY_TABLE)],
)
def test_each_example_scores_its_data_to_the_hand_checked_table(key, path, expected):
    assert table(scored(key, path)) == expected


@pytest.mark.parametrize(
    "key, path, unit, indicator, points, fragment",
    [
        (
            "example-wujin",
            WUJIN,
            "东城镇",
            "hitech_output",
            "32.5",
            "超出任务 25.00%，每超出 10% 加 1 分",
        ),
        (
            "example-wujin",
            WUJIN,
            "东城镇",
            "rd_spending",
            "21",
            "组内平均 100.00%，高于平均 10 个百分点",
        ),
        ("example-wujin", WUJIN, "西湖镇", "energy", "12", "得 15 × 0.6 ÷ 0.75 = 12 分"),
        ("example-wujin", WUJIN, "北岭镇", "materials", "0", "最低 0 分，记 0 分"),
        ("example-wujin", WUJIN, "西湖镇", "criticized", "2", "得 2 分（扣分项：从总分中扣除）"),
        (
            "example-wujin",
            WUJIN,
            "青石街道",
            "integrity",
            "0",
            "一票否决：科研诚信失信事件实绩数 1 起",
        ),
        (
            "example-efficacy",
            EFFICACY,
            "云山县",
            "rd_intensity",
            "22",
            "功效系数 60 + 40 × (2.4% − 2%)",
        ),
        ("example-efficacy", EFFICACY, "云山县", "contracts", "18", "档间按比例计"),
        ("example-efficacy", EFFICACY, "云山县", "hitech_firms", "8", "达到 90.00% 档，得 8 分"),
        (
            "example-efficacy",
            EFFICACY,
            "云山县",
            "energy",
            "12",
            "越低越好：实绩数 0.42 吨标准煤，排第 2 名",
        ),
        (
            "example-efficacy",
            EFFICACY,
            "云山县",
            "projects",
            "5",
            "省级 1 项、市级 3 项，只计最高一档",
        ),
    ],
)
def test_example_points_explain_their_arithmetic(key, path, unit, indicator, points, fragment):
    result = scored(key, path)
    found = next(g.unit(unit) for g in result.groups if unit in g.unit_names)
    entry = found.indicator(indicator)
    assert entry.points == D(points)
    assert fragment in entry.explain


def test_a_vetoed_unit_carries_its_reason_and_the_caps_their_notes():
    result = scored("example-wujin", WUJIN)
    qingshi = result.groups[0].unit("青石街道")
    assert qingshi.vetoes == ["一票否决：科研诚信失信事件实绩数 1 起，高于任务数 0 起，总分记为 0"]
    assert "一票否决，总分 100.00 记为 0" in qingshi.notes
    assert result.groups[0].unit("东城镇").notes == ("总分 100.75 超过满分 100，按满分计",)


def _without_classes(key: str, units: list[str]):
    """The example scheme with its classes removed and only `units` listed."""
    scheme = load_scheme(key)
    text = (SAMPLES.parent / "schemes" / f"{key}.toml").read_text(encoding="utf-8")
    head, rest = text.split("units = [", 1)
    _, rest = rest.split("]\n", 1)
    rest = rest.split("]\n", 1)[1] if rest.lstrip().startswith("classes") else rest
    listed = ", ".join(f'"{u}"' for u in units)
    assert scheme.groups[0].classes
    return parse_scheme(f"{head}units = [{listed}]\n{rest}", source="test")


@pytest.mark.parametrize("key, path", [("example-wujin", WUJIN), ("example-efficacy", EFFICACY)])
def test_the_class_split_scores_each_class_as_its_own_group(key, path, tmp_path):
    together = scored(key, path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for g in together.groups:
        units = list(g.group.classes[[c.name for c in g.group.classes].index(g.class_name)].units)
        alone_scheme = _without_classes(key, units)
        part = tmp_path / f"{g.class_name}.csv"
        with part.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([rows[0], *[r for r in rows[1:] if r[0] in units]])
        alone = score(alone_scheme, read_files([part], alone_scheme)).groups[0]
        assert not alone.class_name
        assert [(u.unit, u.rank, u.total, u.grade) for u in alone.units] == [
            (u.unit, u.rank, u.total, u.grade) for u in g.units
        ]
        for a, b in zip(alone.units, g.units, strict=True):
            assert [(x.points, x.explain) for x in a.indicators] == [
                (x.points, x.explain) for x in b.indicators
            ]


def test_a_tier_missing_from_the_data_is_reported_by_name(tmp_path):
    scheme = load_scheme("example-efficacy")
    lines = EFFICACY.read_text(encoding="utf-8").splitlines()
    part = tmp_path / "缺档.csv"
    part.write_text(
        "\n".join(line for line in lines if not line.startswith("临江区,承担科技项目·省级")) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors, match="缺少指标“承担科技项目·省级”的数据：临江区"):
        score(scheme, read_files([part], scheme))


def test_a_blank_count_is_an_error_not_full_points(tmp_path):
    scheme = load_scheme("example-wujin")
    text = WUJIN.read_text(encoding="utf-8").replace(
        "北岭镇,按时报送材料,/,6,", "北岭镇,按时报送材料,/,,"
    )
    part = tmp_path / "空白.csv"
    part.write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors, match="单位“北岭镇”的指标“按时报送材料”实绩数为空"):
        score(scheme, read_files([part], scheme))


# --- outputs ---------------------------------------------------------------------------


@pytest.fixture
def runner():
    return CliRunner()


def test_json_gives_each_class_its_units_with_grade_and_veto(runner):
    done = runner.invoke(
        main, ["score", str(WUJIN), "--scheme", "example-wujin", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout, parse_float=Decimal)
    assert data["class"] == "一类镇（街道）"
    assert [g["class"] for g in data["groups"]] == ["一类镇（街道）", "二类镇（乡）"]
    second = data["groups"][1]["units"][0]
    assert (second["unit"], second["total"], second["grade"], second["veto"]) == (
        "南山镇",
        D("90.00"),
        "优秀",
        None,
    )
    vetoed = data["units"][2]
    assert vetoed["grade"] == "不合格" and vetoed["veto"].startswith("一票否决：科研诚信失信事件")


def test_the_seed_json_has_no_grade_and_no_class(runner):
    done = runner.invoke(main, ["score", str(SAMPLES / "daye_2023q1_long.csv"), "--format", "json"])
    data = json.loads(done.stdout)
    assert "class" not in data and data["units"][0]["grade"] is None


def test_csv_and_xlsx_show_class_grade_and_veto(runner, tmp_path):
    done = runner.invoke(
        main, ["score", str(EFFICACY), "--scheme", "example-efficacy", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    qinghe = next(r for r in rows if r["单位"] == "清河县")
    assert (qinghe["分类"], qinghe["等次"], qinghe["总得分"]) == ("一类县（区）", "不合格", "68.00")
    assert qinghe["一票否决"].startswith("一票否决：重大安全生产事故")
    out = tmp_path / "r.xlsx"
    done = runner.invoke(
        main,
        [
            "score",
            str(EFFICACY),
            "--scheme",
            "example-efficacy",
            "--format",
            "xlsx",
            "-o",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names[:2] == ["排名（一类县（区））", "明细（一类县（区））"]
    ranking = book.get_sheet_by_name("排名（二类县）").to_python()
    assert ranking[1][:5] == ["排名", "单位", "总得分", "原始得分", "等次"]
    assert ranking[3][1] == "石门县" and ranking[3][4] == "优秀"


def test_the_examples_are_listed_by_kaohe_schemes(runner):
    done = runner.invoke(main, ["schemes"])
    assert done.exit_code == 0
    for key in ("daye-2023", "example-wujin", "example-efficacy"):
        assert key in done.output
    assert "分类排名：一类县（区）、二类县" in done.output
    assert "等次：优秀、良好、合格、不合格" in done.output


def test_check_scheme_lists_categories_classes_and_grades(runner):
    path = SAMPLES.parent / "schemes" / "example-wujin.toml"
    done = runner.invoke(main, ["check-scheme", str(path)])
    assert done.exit_code == 0, done.output
    assert "integrity\t科研诚信失信事件（起）\tthreshold\t0 分\t目标任务\t一票否决" in done.output
    assert "分类“一类镇（街道）”：东城镇、西湖镇、青石街道" in done.output
    assert "类别“加分项”：基础满分之外另加，至多 4 分" in done.output
    assert "类别“扣分项”：从总分中扣除，至多 5 分" in done.output
    assert "等次：优秀、良好、合格、不合格" in done.output


def test_a_template_for_the_tiered_example_reads_back_to_the_same_scores(runner, tmp_path):
    out = tmp_path / "t.xlsx"
    done = runner.invoke(
        main,
        ["template", "--scheme", "example-efficacy", "-o", str(out), "--prefill", str(EFFICACY)],
    )
    assert done.exit_code == 0, done.output
    args = ["--scheme", "example-efficacy", "--format", "csv"]
    direct = runner.invoke(main, ["score", str(EFFICACY), *args]).stdout
    again = runner.invoke(main, ["score", str(out), *args]).stdout
    assert again == direct


def test_the_bulletin_ranks_each_class_with_grades_and_the_veto_reason():
    from kaohe.report.facts import ranking_paragraph

    result = scored("example-wujin", WUJIN)
    text = ranking_paragraph(result.groups, result.scheme, "一").text
    assert text.startswith(
        "（一）考核得分排名情况。按照示例：乡镇科技创新考核（仿武进区做法）办法，"
    )
    first, second = text.split("二类镇（乡）")
    second = "二类镇（乡）" + second
    assert (
        "一类镇（街道）考核得分排名依次为：第一名东城镇（100.00分，优秀），第二名西湖镇（78.50分，合格）"
        in first
    )
    assert "。青石街道一票否决：科研诚信失信事件实绩数 1 起，高于任务数 0 起，总分记为 0。" in first
    assert "二类镇（乡）考核得分排名依次为：第一名南山镇（90.00分，优秀）" in second


def test_the_bulletin_of_an_example_numbers_its_sections_and_grades_its_score_tables():
    from kaohe.report.facts import build_facts

    result = scored("example-efficacy", EFFICACY)
    facts = build_facts(result, doc_date="2024-04-10")
    headed = [p.text for p in facts.sections if p.text.startswith("（")]
    # no annex tables: the ranking is （一）, one paragraph with each class in turn
    assert len(headed) == 1 and headed[0].startswith("（一）考核得分排名情况。")
    assert headed[0].index("一类县（区）") < headed[0].index("二类县")
    first, second = facts.scores
    totals = {u.unit: u.total for u in first.units + second.units}
    assert totals["临江区"] == "100.00\n优秀" and totals["清河县"] == "68.00\n不合格"
    qinghe = next(u for u in first.units if u.unit == "清河县")
    assert qinghe.rows[-1].note == (
        "一票否决：重大安全生产事故实绩数 1 起，高于任务数 0 起，等次定为最低一等"
    )
    notes = {u.unit: u.rows[3].note for u in first.units}  # 能耗: lower is better
    assert notes["云山县"] == "" and notes["清河县"] == "规上工业万元增加值能耗高于目标0.02吨标准煤"


def test_a_graded_total_in_the_bulletins_workbook_wraps_onto_its_two_lines(tmp_path):
    import re
    import zipfile

    from kaohe.report import write_report

    files = write_report(scored("example-wujin", WUJIN), tmp_path, charts=False)
    with zipfile.ZipFile(files["xlsx"]) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
        strings = re.findall(r"<si><t[^>]*>(.*?)</t></si>", shared, re.S)
        styles = z.read("xl/styles.xml").decode()
        xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", styles.split("<cellXfs")[1], re.S)
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    graded = {str(i) for i, s in enumerate(strings) if re.fullmatch(r"[\d.]+\n优秀", s)}
    assert graded, "no total with its grade under it"
    cells = [
        style
        for sheet in sheets
        for style, value in re.findall(r'<c r="H\d+" s="(\d+)" t="s"><v>(\d+)</v>', sheet)
        if value in graded
    ]
    assert cells and all('wrapText="1"' in xfs[int(s)] for s in cells)
