"""The bulletin as the clerk sends it: the county's wording from the scheme, sentences that never
contradict the data, 版头/版记, type that keeps together, and charts that read in Chinese."""

from __future__ import annotations

import re
import warnings
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from kaohe.engine import PENDING
from kaohe.errors import SchemeError
from kaohe.report import build_facts, write_report
from kaohe.report.charts import FONT_FAMILY, font_path, heat_value, heatmap_chart, ranking_chart
from kaohe.report.facts import annex_tables, short_names, standings
from kaohe.scheme import parse_scheme

from .report_data import CUTOFF, NARRATIVE, UNITS_30, result_30, scheme_30, seed_result

SEED_TITLE = "关于大冶市2023年科技创新行动一季度“开门红”工作进展情况的通报"


@pytest.fixture(scope="module")
def seed():
    return seed_result()


@pytest.fixture(scope="module")
def thirty(tmp_path_factory):
    return result_30(tmp_path_factory.mktemp("thirty"))


@pytest.fixture(scope="module")
def seed_docx(seed, tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    return write_report(
        seed,
        out,
        doc_date="2023-04-21",
        cutoff=CUTOFF,
        narrative=NARRATIVE,
        theme="开门红",
        masthead="大冶市科学技术局文件",
        doc_number="大冶科技〔2023〕5号",
        copy_to="市委办公室，市政府办公室",
        printer="大冶市科学技术局办公室",
        charts=True,
    )["docx"]


def _xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


# --- wording from the scheme -------------------------------------------------------------


def test_the_theme_goes_into_the_title_and_the_opening_follows_the_title(seed):
    facts = build_facts(seed, cutoff=CUTOFF, theme="开门红")
    assert facts.title == SEED_TITLE
    assert facts.intro == "现将2023年科技创新行动一季度“开门红”工作进展情况通报如下："
    own = build_facts(seed, title="关于大冶市科技创新专项督查情况的通报")
    assert own.intro == "现将科技创新专项督查情况通报如下："


def test_a_county_changes_its_sentences_in_the_scheme_without_code(thirty):
    extra = (
        'theme = "双过半"\n'
        'templates = { top = "{indicator}排名靠前的是{names}", intro = "现就{matter}通报如下：" }\n'
    )
    scheme = scheme_30(extra)
    thirty.scheme = scheme  # the same figures, the county's wording
    facts = build_facts(thirty, cutoff=CUTOFF)
    assert "“双过半”" in facts.title
    assert facts.intro.startswith("现就")
    assert "排名靠前的是" in facts.sections[2].text and "完成较高" not in facts.sections[2].text
    thirty.scheme = scheme_30()


@pytest.mark.parametrize(
    ("bulletin", "message"),
    [
        ('[bulletin]\ncolour = "red"\n', "colour"),
        ('[bulletin.templates]\ntitel = "x"\n', "titel"),
        ('[bulletin.templates]\ntop = "{indicator}{unit_list}"\n', "unit_list"),
        ('[bulletin.templates]\ntop = "{indicator"\n', "写法有误：花括号不配对"),
        ('[bulletin]\nclauses = [["no_such"]]\n', "no_such"),
        ("[bulletin]\nlist_limit = 0\n", "list_limit"),
    ],
)
def test_a_wrong_bulletin_table_is_refused_with_a_message_naming_it(bulletin, message):
    text = (
        'name = "某县考核"\n'
        + bulletin
        + '[[groups]]\nkey = "t"\nunits = ["甲"]\n'
        + '[[groups.indicators]]\nkey = "a"\nname = "甲指标"\nmax = 5\nmethod = "ratio"\n'
    )
    with pytest.raises(SchemeError, match=message):
        parse_scheme(text, source="bad.toml")


def test_the_seeds_first_clause_joins_the_three_indicators_the_scheme_puts_together(seed):
    text = build_facts(seed, cutoff=CUTOFF).sections[2].text
    assert text.startswith(
        "（二）各乡镇指标完成情况。一是规上企业研发投入、规上企业研发人员和规上企业新产品销售收入，"
        "14个乡镇（场）全部完成目标任务，其中规上企业研发投入完成较高的为高新区、临空区·还地桥镇和灵乡镇"
    )
    assert (
        "二是科技型中小企业入库，14个乡镇（场）全部完成目标任务，完成较高的为高新区、临空区·还地桥镇和陈贵镇"
        in text
    )
    assert "三是技术合同成交额" in text and "四是" not in text


def test_units_are_listed_in_the_counties_order_as_the_seed_lists_them(seed):
    text = build_facts(seed, cutoff=CUTOFF).sections[2].text
    assert (
        "高新区、临空区·还地桥镇、灵乡镇、陈贵镇、金湖街道、保安镇、大箕铺镇、金山店镇、金牛镇、"
        "刘仁八镇、殷祖镇、茗山乡和东风农场等13个乡镇（场）完成该目标任务" in text
    )


# --- 30 units: the sentences never contradict themselves -------------------------------------


def _clauses(text: str) -> list[str]:
    return re.split(r"[一二三四五六七八九十]+是", text.split("。", 1)[1])[1:]


def _names_in(part: str) -> list[str]:
    return re.findall(r"第\d\d片区", part)


def test_thirty_units_completed_highest_names_only_units_that_met_the_target(thirty):
    text = build_facts(thirty, cutoff=CUTOFF).sections[2].text
    clauses = _clauses(text)
    assert len(clauses) == 5
    for clause in clauses:
        missed = (
            _names_in(clause.split("完成该目标任务")[1].split("未完成")[0])
            if "未完成" in clause
            else []
        )
        top = _names_in(clause.split("完成较高的为")[1])
        assert len(top) == 3
        assert not set(top) & set(missed), clause


def test_thirty_units_every_count_counts_exactly_the_names_before_it(thirty):
    facts = build_facts(thirty, cutoff=CUTOFF)
    text = facts.sections[2].text + facts.sections[3].text
    for m in re.finditer(r"((?:第\d\d片区[、和]?)+)等(\d+)个", text):
        assert len(_names_in(m[1])) == int(m[2]), m[0]
    # every assessed unit of a clause is told: the named, the counted rest and those that missed
    g = thirty.groups[0]
    found = standings(g, annex_tables(g, 2023))
    for clause, s in zip(_clauses(facts.sections[2].text), found, strict=True):
        named = len(_names_in(clause.split("完成较高")[0]))
        rest = re.search(r"其余(\d+)个", clause)
        assert named + (int(rest[1]) if rest else 0) == len(s.assessed)


def test_thirty_units_are_named_in_the_schemes_order(thirty):
    text = build_facts(thirty, cutoff=CUTOFF).sections[3].text
    named = _names_in(text.split("全面完成")[0])
    assert named == [u for u in UNITS_30 if u in named]


# --- §一（三）: the departments --------------------------------------------------------------


def test_a_departments_section_of_the_narrative_becomes_section_one_three(seed_docx):
    texts = [p.text for p in Document(str(seed_docx)).paragraphs]
    three = next(t for t in texts if t.startswith("（三）各部门"))
    assert three.startswith(
        "（三）各部门科技创新行动工作完成情况。根据大冶市2023年科技创新行动实施方案"
    )
    assert three.endswith("完成较好部门为市科技局、市经信局和市市场监管局。")
    assert (
        "二、工作进展情况" in texts and "三、存在的问题" in texts and "四、下一步工作建议" in texts
    )


def test_a_departments_group_writes_section_one_three_from_its_results(tmp_path):
    text = (
        'name = "某县2023年科技创新行动考核"\nregion = "某县"\n'
        '[[groups]]\nkey = "t"\nname = "乡镇"\nunits = ["甲镇", "乙镇"]\n'
        '[[groups.indicators]]\nkey = "a"\nname = "研发投入"\nunit = "万元"\nmax = 5\n'
        'method = "ratio"\nannex = { number = 1 }\n'
        '[[groups]]\nkey = "d"\nname = "部门"\nunits = ["县科技局", "县经信局", "县财政局", "县教育局"]\n'
        '[[groups.indicators]]\nkey = "plan"\nname = "制订工作计划"\nmax = 5\nmethod = "ratio"\n'
        '[[groups.indicators]]\nkey = "brief"\nname = "报送简报"\nmax = 5\nmethod = "ratio"\n'
    )
    from kaohe.engine import score
    from kaohe.readers import read_files

    data = tmp_path / "d.csv"
    rows = ["单位,指标,任务数,实绩数,备注", "甲镇,研发投入,10,12,", "乙镇,研发投入,10,9,"]
    for unit, plan, brief in (
        ("县科技局", 1, 3),
        ("县经信局", 1, 3),
        ("县财政局", 1, 2),
        ("县教育局", 0, 3),
    ):
        rows += [f"{unit},制订工作计划,1,{plan},", f"{unit},报送简报,3,{brief},"]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    scheme = parse_scheme(text, source="d.toml")
    facts = build_facts(score(scheme, read_files([data], scheme)))
    three = next(p.text for p in facts.sections if p.text.startswith("（三）"))
    assert three.startswith(
        "（三）各部门科技创新行动工作完成情况。根据某县2023年科技创新行动考核办法"
    )
    assert "各部门考核制订工作计划和报送简报" in three
    assert "完成较好部门为县科技局、县经信局和" in three
    assert three.endswith("县财政局和县教育局未全面完成。")


# --- the .docx: type, 版头, 版记, the charts' attachment ----------------------------------------------


def test_punctuation_hangs_and_never_starts_a_line_in_every_paragraph_style(seed_docx):
    styles = _xml(seed_docx, "word/styles.xml")
    for style in ("Normal", "KHHeading1", "KHPlain"):
        block = re.search(rf'w:styleId="{style}".*?</w:style>', styles, re.S)[0]
        assert '<w:kinsoku w:val="1"/>' in block and '<w:overflowPunct w:val="1"/>' in block


def test_headings_keep_with_their_next_paragraph(seed_docx):
    doc = Document(str(seed_docx))
    assert doc.styles["KH Heading 1"].paragraph_format.keep_with_next
    assert doc.styles["KH Annex Label"].paragraph_format.keep_with_next


def test_the_issuer_and_date_keep_with_the_bodys_last_lines(seed_docx):
    paras = Document(str(seed_docx)).paragraphs
    issuer = next(k for k, p in enumerate(paras) if p.text == "大冶市科学技术局")
    assert paras[issuer + 1].text == "2023年4月21日"
    last_body = next(
        k for k in range(issuer, 0, -1) if paras[k].text.startswith("（三）推进创新型乡镇")
    )
    assert all(p.paragraph_format.keep_with_next for p in paras[last_body : issuer + 1])


def test_the_masthead_is_red_over_a_red_rule_with_the_document_number(seed_docx):
    doc = Document(str(seed_docx))
    first = doc.paragraphs[0]
    assert first.text == "大冶市科学技术局文件" and first.style.font.color.rgb == (0xFF, 0, 0)
    number = next(p for p in doc.paragraphs[:5] if p.text == "大冶科技〔2023〕5号")
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    titles = [p.text for p in doc.paragraphs if p.style.name == "KH Title"]
    assert titles == [SEED_TITLE]


def test_the_record_sits_on_an_even_page_at_the_end(seed_docx):
    doc = Document(str(seed_docx))
    last = doc.sections[-1]._sectPr
    assert last.find(qn("w:type")).get(qn("w:val")) == "evenPage"
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[-2:] == [
        "抄送：市委办公室，市政府办公室。",
        "大冶市科学技术局办公室\t2023年4月21日印发",
    ]


def test_the_charts_are_the_last_attachment_listed_with_the_others(seed_docx):
    doc = Document(str(seed_docx))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.endswith("7.各乡镇考核总得分排名和各项指标完成率图") for t in texts)
    label = next(p for p in doc.paragraphs if p.text == "附件7")
    picture = label._p.getnext()
    assert label.paragraph_format.keep_with_next
    assert picture.find(".//" + qn("w:drawing")) is not None
    assert picture.find(qn("w:pPr")).find(qn("w:keepNext")) is not None


def test_without_the_charts_option_there_are_no_charts_and_no_seventh_attachment(seed, tmp_path):
    files = write_report(seed, tmp_path, cutoff=CUTOFF, charts=False)
    assert set(files) == {"docx", "xlsx"}
    assert "附件7" not in [p.text for p in Document(str(files["docx"])).paragraphs]


# --- charts that read in Chinese -----------------------------------------------------------------


def test_matplotlib_finds_the_packaged_chinese_font_without_system_fonts():
    from matplotlib import font_manager

    from kaohe.report.charts import cjk_font

    assert cjk_font() == FONT_FAMILY
    found = font_manager.findfont(
        font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
    )
    assert found == str(font_path())


@pytest.mark.parametrize("which", ["seed", "thirty"])
def test_every_chart_glyph_comes_from_a_font_no_box_drawn(which, seed, thirty, tmp_path):
    result = {"seed": seed, "thirty": thirty}[which]
    g = result.groups[0]
    short = short_names(g)
    names = [short[i] for i in g.order]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        warnings.filterwarnings("error", message=".*findfont.*")
        ranking_chart(g, names, tmp_path / "r.png", "各乡镇考核总得分")
        heatmap_chart(g, names, tmp_path / "h.png", "各乡镇各项指标完成率")


def test_a_missing_glyph_fails_the_chart_test(tmp_path):
    # the check above can fail: a sign no font has raises as the test expects
    from kaohe.report.charts import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots()
    ax.set_title("\U0001f600\u0e01\u10d0")  # emoji, Thai, Georgian: in neither font
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.filterwarnings("error", message=".*missing from font.*")
        fig.savefig(tmp_path / "x.png")
    plt.close(fig)


def test_cells_without_a_task_or_a_figure_are_grey_in_the_heat_map(thirty):
    g = thirty.groups[0]
    pending = [
        (c, i) for c in g.columns for i in range(len(g.unit_names)) if c.status[i] == PENDING
    ]
    assert pending  # the 30-unit data declares some figures not out yet
    for col, i in pending:
        assert heat_value(col, i) != heat_value(col, i)  # NaN: drawn grey


# --- 附件.xlsx ----------------------------------------------------------------------------------


def test_workbook_rows_are_tall_enough_for_their_wrapped_notes(seed, tmp_path):
    files = write_report(seed, tmp_path, cutoff=CUTOFF, charts=False)
    with zipfile.ZipFile(files["xlsx"]) as z:
        sheet = z.read("xl/worksheets/sheet6.xml").decode("utf-8")
    heights = {
        int(r): float(h) for r, h in re.findall(r'<row r="(\d+)"[^>]*? ht="([\d.]+)"', sheet)
    }
    # row 4 is the first unit's first row: the note of 高新技术产业产值 wraps to two lines
    assert heights[4] >= 2 * 9 * 1.3
    # the rank-scored notes (about 80 characters, 26 to a line of the 备注 column) need three
    assert max(heights.values()) >= 3 * 9 * 1.3
    assert min(heights.values()) >= 15.75  # never below Excel's one line
