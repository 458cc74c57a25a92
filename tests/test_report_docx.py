"""The bulletin .docx read back: GB/T 9704 page set-up, fonts, page numbers, text and tables."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.report import write_report
from kaohe.report.facts import points_text
from kaohe.scheme import load_scheme

SEED = Path(__file__).parents[1] / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"
NARRATIVE = "# 工作进展情况\n\n## 着力推进国家创新型县（市）建设\n一是组织申报创新型乡镇。\n\n# 存在的问题\n少数单位重视不够。\n"


@pytest.fixture(scope="module")
def seed_result():
    scheme = load_scheme("daye-2023")
    return score(scheme, read_files([SEED], scheme))


@pytest.fixture(scope="module")
def written(seed_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return write_report(
        seed_result,
        out,
        doc_date="2023-04-21",
        cutoff="2023 年 3 月 31 日下午 17：00",
        narrative=NARRATIVE,
        charts=True,
    )


@pytest.fixture(scope="module")
def doc(written):
    return Document(str(written["docx"]))


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_the_report_writes_a_docx_an_xlsx_and_two_charts(written):
    assert {"docx", "xlsx", "chart_ranking", "chart_heatmap"} <= set(written)
    assert all(p.exists() and p.stat().st_size > 0 for p in written.values())
    assert written["chart_ranking"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_first_section_is_a4_with_22_lines_of_28_characters_and_no_character_grid(doc):
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin)] == [37, 35]
    # within GB/T 9704's 28 ± 1 mm: the 2 mm that 28 characters of 16 pt need beyond 156 mm
    assert 27 <= round(s.left_margin.mm, 1) <= 28 and 24.5 <= s.right_margin.mm <= 26
    grid = s._sectPr.find(qn("w:docGrid"))
    # a character grid is read by LibreOffice as two cells a character: 14 to a line
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    pitch = int(grid.get(qn("w:linePitch")))
    assert 22 * pitch <= (297 - 37 - 35) / 25.4 * 1440 < 23 * pitch
    line = (s.page_width - s.left_margin - s.right_margin) / 12700  # EMU a point
    assert 28 * 16 <= line < 29 * 16


def test_body_paragraphs_are_not_justified_so_no_line_is_stretched(doc):
    normal = doc.styles["Normal"].paragraph_format
    assert normal.alignment == 0  # left: a line that breaks before a number stays as set


def _fonts(style) -> dict:
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    return {k: rfonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia")}


def test_styles_set_the_chinese_fonts_through_east_asia_font_names(doc):
    styles = doc.styles
    assert _fonts(styles["Normal"]) == dict.fromkeys(("ascii", "hAnsi", "eastAsia"), "仿宋_GB2312")
    assert styles["Normal"].font.size.pt == 16
    assert _fonts(styles["KH Title"])["eastAsia"] == "方正小标宋简体"
    assert styles["KH Title"].font.size.pt == 22
    assert _fonts(styles["KH Heading 1"])["eastAsia"] == "黑体"
    assert _fonts(styles["KH Page Number"])["eastAsia"] == "宋体"
    assert styles["KH Page Number"].font.size.pt == 14
    assert styles["Normal"].paragraph_format.first_line_indent == Mm(0) + 2 * 16 * 12700


def test_body_paragraphs_use_the_intended_styles_and_kai_run_in_headings(doc):
    title = doc.paragraphs[0]
    assert title.style.name == "KH Title" and title.style.paragraph_format.alignment == 1
    heading = next(p for p in doc.paragraphs if p.text == "一、目标任务进展情况")
    assert heading.style.name == "KH Heading 1"
    overall = next(p for p in doc.paragraphs if p.text.startswith("（一）全市指标整体完成情况"))
    kai = overall.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert kai == "楷体_GB2312"


def test_the_footer_carries_a_page_field_between_dashes_on_odd_and_even_pages(doc, written):
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    for footer, align in ((s.footer, 2), (s.even_page_footer, 0)):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align


def test_every_section_is_portrait_the_score_table_too_as_in_the_seed(doc):
    assert {s.orientation for s in doc.sections} == {WD_ORIENT.PORTRAIT}


def test_the_generated_sentences_state_the_seed_facts(doc):
    text = "\n".join(p.text for p in doc.paragraphs)
    for fact in (
        "规上企业研发投入实绩数为257255.4万元，完成任务数104.64%",
        "规上企业研发人员实绩数为8340人，完成任务数105.72%",
        "规上企业新产品销售收入实绩数为360.36亿元，完成任务数115.54%",
        "科技型中小企业入库实绩数为332家，完成任务数132.8%",
        "技术合同成交额实绩数为94087万元，完成任务数117.61%",
        "规上企业研发投入完成较高的为高新区、临空区·还地桥镇和灵乡镇",
        "规上企业研发人员完成较高的为高新区、金湖街道和临空区·还地桥镇",
        "等13个乡镇（场）全面完成5项指标的目标任务",
        "茗山乡和东风农场等13个乡镇（场）完成该目标任务，完成较高的为高新区、灵乡镇和陈贵镇",
    ):
        assert fact in text


def test_the_narrative_fills_sections_two_and_three(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "二、工作进展情况" in texts and "三、存在的问题" in texts
    assert "（一）着力推进国家创新型县（市）建设。一是组织申报创新型乡镇。" in texts
    assert not any("待填写" in t for t in texts)


def test_the_attachment_list_aligns_names_and_the_date_follows_the_issuer(doc):
    texts = [p.text for p in doc.paragraphs]
    first = texts.index("附件：1.各乡镇2023年规上企业研发投入完成情况表")
    assert texts[first + 1] == "2.各乡镇2023年规上企业研发人员完成情况表"
    assert texts[first + 5] == "6.大冶市2023年科技创新行动一季度考核得分（乡镇）"
    one, two = (doc.paragraphs[first + k].paragraph_format for k in (0, 1))
    assert one.left_indent == two.left_indent
    assert one.left_indent - one.first_line_indent * -1 < two.left_indent + two.first_line_indent
    issuer = texts.index("大冶市科学技术局")
    assert texts[issuer + 1] == "2023年4月21日"
    assert doc.paragraphs[issuer + 1].alignment == 2


def test_attachments_start_on_new_pages_headed_in_hei(doc):
    labels = [p for p in doc.paragraphs if p.text.startswith("附件") and p.text[2:].isdigit()]
    assert [p.text for p in labels] == [f"附件{n}" for n in range(1, 8)]  # 附件7: the charts
    assert all(p.style.name == "KH Annex Label" for p in labels)
    assert all(p.paragraph_format.page_break_before for p in labels[:5])


def test_every_table_sets_grid_columns_and_cell_widths(doc):
    assert len(doc.tables) >= 6  # 附件1–5 and 附件6 as one table a page
    for table in doc.tables:
        tbl = table._tbl
        grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
        assert all(w > 0 for w in grid)
        for tc in tbl.iter(qn("w:tc")):
            assert int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w"))) > 0
        assert tbl.tblPr.find(qn("w:tblBorders")) is not None


def _cell_texts(table) -> list[list[str]]:
    rows = []
    for tr in table._tbl.findall(qn("w:tr")):
        rows.append(["".join(t.text for t in tc.iter(qn("w:t"))) for tc in tr.findall(qn("w:tc"))])
    return rows


def test_annex_tables_show_the_seed_rows_and_totals(doc):
    first = _cell_texts(doc.tables[0])
    assert first[0][:3] == ["序号", "乡镇", "规上企业研发投入（万元）"]
    assert first[1][2:] == ["实绩数", "任务数", "完成率"]
    assert first[2] == ["1", "大冶湖高新区", "132585.2", "130000", "101.99%"]
    assert first[-1] == ["合计", "257255.4", "245850", "104.64%"]
    assert _cell_texts(doc.tables[3])[-1] == ["合计", "332", "250", "132.80%"]
    assert _cell_texts(doc.tables[4])[-2] == ["14", "东岳街道", "960", "1500", "64.00%"]


def _score_pages(doc) -> list[list[list[str]]]:
    """附件6's tables (one a page), each without its header row."""
    return [_cell_texts(t)[1:] for t in doc.tables[5:]]


def test_the_score_table_figures_equal_the_engines(doc, seed_result):
    rows = [row for page in _score_pages(doc) for row in page]
    group = seed_result.groups[0]
    k = 0
    for unit in group.units:
        for score_ in unit.indicators:
            row = rows[k]
            points = row[6]  # merged cells stay as empty w:tc (vMerge continue)
            assert points == points_text(score_.points)
            k += 1
    assert k == len(rows)


def test_every_score_page_starts_each_block_with_the_units_number_name_and_total(doc, seed_result):
    totals = {u.unit: f"{u.total:.2f}" for u in seed_result.groups[0].units}
    pages = _score_pages(doc)
    assert len(pages) <= 5  # the seed prints its 14 units on 5 pages
    for page in pages:
        # the page's first row names its unit, whether the block starts here or goes on
        assert page[0][1] in totals and page[0][7] == totals[page[0][1]]
        for row in page:
            if row[1]:
                assert row[7] == totals[row[1]]


def test_score_table_headings_break_where_the_seed_breaks_them_and_cells_have_padding(doc):
    table = doc.tables[5]
    head = table._tbl.findall(qn("w:tr"))[0]
    cells = ["\n".join(t.text for t in tc.iter(qn("w:t"))) for tc in head.findall(qn("w:tc"))]
    assert cells[3:8] == ["目标\n任务数", "完成\n任务数", "目标\n分值", "考核\n得分", "总得分"]
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert all(int(margins.find(qn(f"w:{side}")).get(qn("w:w"))) > 0 for side in ("top", "left"))


def test_unit_names_labels_and_figures_fit_their_columns_on_one_line(seed_result):
    from kaohe.report.docx_writer import SCORE_PT, score_widths, text_lines
    from kaohe.report.facts import score_table

    table = score_table(seed_result.groups[0], seed_result.scheme, 6, "附件6")
    widths = score_widths(table)
    assert sum(widths) <= 28 * 320 + 2 and widths[8] >= 10 * 130  # 备注: ten characters a line
    for unit in table.units:
        assert text_lines(unit.unit, widths[1], SCORE_PT) == 1
        for row in unit.rows:
            for k, text in ((2, row.label), (3, row.target), (4, row.actual), (6, row.points)):
                assert text_lines(text, widths[k], SCORE_PT) == 1, text


def test_the_document_xml_holds_no_leftover_placeholders(written):
    assert "KAOHE-TABLE" not in _xml(written["docx"], "word/document.xml")
