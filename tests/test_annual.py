"""A year's result from its periods: weighted average, sum or the last period, ranked and
graded within each class; `kaohe score --year` writes it."""

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from kaohe.annual import combine
from kaohe.cli import main
from kaohe.engine import score
from kaohe.errors import InputErrors
from kaohe.readers import read_files
from kaohe.scheme import parse_scheme

from .conftest import SAMPLES

D = Decimal
WUJIN = SAMPLES / "example_wujin_long.csv"
TEXT = (SAMPLES.parent / "schemes" / "example-wujin.toml").read_text(encoding="utf-8")


def scheme_with(annual: str):
    head, rest = TEXT.split("[[groups]]", 1)
    return parse_scheme(f"{head}[annual]\n{annual}\n\n[[groups]]{rest}", source="年度.toml")


@pytest.fixture
def periods(tmp_path):
    """Q1 is the example; in Q2 西湖镇 keeps its ledger (78.50 → 88.50)."""
    q2 = tmp_path / "q2.csv"
    q2.write_text(
        WUJIN.read_text(encoding="utf-8").replace(
            "西湖镇,建立科技工作台账,4,3,", "西湖镇,建立科技工作台账,4,4,"
        ),
        encoding="utf-8",
    )
    return [WUJIN, q2]


def year(scheme, paths):
    return combine(scheme, [score(scheme, read_files([p], scheme)) for p in paths])


def first_class(groups):
    return [(u.unit, u.periods, u.total, u.rank, u.grade.name) for u in groups[0].units]


@pytest.mark.parametrize(
    "annual, xihu_total, xihu_grade, explain",
    [
        ("", "83.50", "良好", "各期平均：(78.50 + 88.50) ÷ 2"),
        ("weights = [1, 3]", "86.00", "良好", "各期加权平均：(78.50 × 1 + 88.50 × 3) ÷ 4"),
        ('method = "sum"', "167.00", "优秀", "各期相加：78.50 + 88.50 = 167"),
        ('method = "last"', "88.50", "良好", "取第 2 期（累计）结果 88.50"),
    ],
)
def test_the_year_combines_the_periods_as_the_scheme_says(
    periods, annual, xihu_total, xihu_grade, explain
):
    groups = year(scheme_with(annual), periods)
    xihu = next(u for u in groups[0].units if u.unit == "西湖镇")
    assert xihu.periods == (D("78.50"), D("88.50"))
    assert xihu.total == D(xihu_total) and xihu.grade.name == xihu_grade
    assert xihu.explain == explain


def test_a_unit_vetoed_in_a_period_keeps_its_veto_for_the_year(periods):
    groups = year(scheme_with(""), periods)
    assert first_class(groups) == [
        ("东城镇", (D("100.00"), D("100.00")), D("100.00"), 1, "优秀"),
        ("西湖镇", (D("78.50"), D("88.50")), D("83.50"), 2, "良好"),
        ("青石街道", (D("0.00"), D("0.00")), D("0.00"), 3, "不合格"),
    ]
    assert [g.class_name for g in groups] == ["一类镇（街道）", "二类镇（乡）"]


def test_periods_with_different_units_are_refused(tmp_path):
    q2 = tmp_path / "q2.csv"
    q2.write_text(
        "\n".join(
            x for x in WUJIN.read_text(encoding="utf-8").splitlines() if not x.startswith("白沙乡")
        )
        + "\n",
        encoding="utf-8",
    )
    s = parse_scheme(TEXT, source="t")
    results = [
        score(s, read_files([WUJIN], s)),
        score(s, read_files([q2], s, units_from_data=True)),
    ]
    with pytest.raises(InputErrors, match="第 2 期的单位与第一期不同：白沙乡"):
        combine(s, results)


def test_named_periods_must_match_the_files(periods):
    s = scheme_with('periods = ["一季度", "二季度", "三季度"]')
    with pytest.raises(InputErrors, match="列出 3 期（一季度、二季度、三季度），实际给出 2 期"):
        year(s, periods)


def test_score_year_writes_json_csv_and_a_table(periods, tmp_path):
    toml = tmp_path / "年度.toml"
    toml.write_text(
        TEXT.replace("[[groups]]", '[annual]\nperiods = ["一季度", "二季度"]\n\n[[groups]]', 1),
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["score", "--year", "--scheme", str(toml), *map(str, periods)]
    done = runner.invoke(main, [*args, "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["periods"] == ["一季度", "二季度"]
    xihu = data["groups"][0]["units"][1]
    assert (xihu["unit"], xihu["periods"], xihu["total"], xihu["grade"]) == (
        "西湖镇",
        ["78.50", "88.50"],
        "83.50",
        "良好",
    )
    csv_text = runner.invoke(main, [*args, "--format", "csv"]).stdout
    assert csv_text.splitlines()[0] == "分组,分类,排名,单位,一季度,二季度,年度总得分,等次,说明"
    assert "镇（街道）,一类镇（街道）,2,西湖镇,78.50,88.50,83.50,良好," in csv_text
    table = runner.invoke(main, args).stdout
    assert "一类镇（街道）年度考核排名" in table and "83.50" in table


def _sheet(path):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("年度排名").to_python()


def test_score_year_writes_an_excel_sheet_with_the_year_and_each_period(periods, tmp_path):
    out = tmp_path / "年度.xlsx"
    args = ["score", "--year", "--scheme", "example-wujin", *map(str, periods)]
    done = CliRunner().invoke(main, [*args, "--format", "xlsx", "-o", str(out)])
    assert done.exit_code == 0, done.output
    rows = _sheet(out)
    assert rows[1] == [
        "分组",
        "分类",
        "排名",
        "单位",
        "第 1 期",
        "第 2 期",
        "年度总得分",
        "等次",
        "说明",
    ]
    xihu = next(r for r in rows if r[3] == "西湖镇")
    assert xihu[:8] == ["镇（街道）", "一类镇（街道）", 2, "西湖镇", 78.5, 88.5, 83.5, "良好"]
    assert xihu[8] == "各期平均：(78.50 + 88.50) ÷ 2"
    qingshi = next(r for r in rows if r[3] == "青石街道")  # vetoed in both periods
    assert (qingshi[6], qingshi[7]) == (0.0, "不合格")


def test_score_year_without_output_refuses_excel_to_the_terminal(periods):
    args = ["score", "--year", "--scheme", "example-wujin", *map(str, periods)]
    refused = CliRunner().invoke(main, [*args, "--format", "xlsx"])
    assert refused.exit_code == 2 and "需要用 -o 指定输出文件" in refused.output


def test_score_year_out_dir_writes_json_csv_and_excel_that_agree(periods, tmp_path):
    folder = tmp_path / "年度结果"
    args = ["score", "--year", "--scheme", "example-wujin", *map(str, periods)]
    done = CliRunner().invoke(main, [*args, "--out-dir", str(folder)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in folder.iterdir()) == ["annual.csv", "annual.json", "annual.xlsx"]
    data = json.loads((folder / "annual.json").read_text(encoding="utf-8"))
    from_json = [(u["unit"], u["total"]) for g in data["groups"] for u in g["units"]]
    csv_rows = (folder / "annual.csv").read_text(encoding="utf-8").splitlines()[1:]
    from_csv = [(r.split(",")[3], r.split(",")[6]) for r in csv_rows]
    from_xlsx = [(r[3], f"{r[6]:.2f}") for r in _sheet(folder / "annual.xlsx")[2:]]
    assert from_json == from_csv == from_xlsx
    assert "年度考核排名" in done.stdout  # the table still goes to the terminal
