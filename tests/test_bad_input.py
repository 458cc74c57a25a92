"""Bad input: a clear Chinese message naming the place, exit status 2, nothing written."""

from __future__ import annotations

import zipfile

import pytest

from kaohe.scheme import load_scheme

from .builders import (
    ANNEX_XLSX,
    LONG_CSV,
    OTHER11,
    annex_sheets,
    kaohe,
    long_rows,
    synthetic_long_rows,
    write_csv,
    write_long_csv,
    write_xlsx,
)

FIRST_DATA = 5


def fails(tmp_path, *files, extra=()) -> str:
    """Score the files with every output switched on; it must refuse and write nothing."""
    out, out_dir = tmp_path / "out" / "排名.csv", tmp_path / "results"
    result = kaohe(
        "score", *files, "--scheme", "daye-2023", "-o", out, "--out-dir", out_dir, *extra
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "错误" in result.output
    assert not out.exists() and not out_dir.exists()
    return result.output


def long_with(tmp_path, edits: dict[tuple[int, int], str], name="数据.csv", encoding="utf-8"):
    rows = long_rows()
    for (r, c), value in edits.items():
        rows[r][c] = value
    return write_csv(tmp_path / name, rows, encoding)


def annex_with(tmp_path, edit, name="附件.xlsx"):
    sheets = annex_sheets()
    edit(sheets)
    return write_xlsx(tmp_path / name, sheets)


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "typo", "expected"),
    [
        ((23, 0), "陈桂镇", "未知单位“陈桂镇”，是否为“陈贵镇”？"),
        ((8, 1), "规上企业研发投人", "未知指标“规上企业研发投人”，是否为“规上企业研发投入”？"),
        ((9, 1), "规上企业研发人员数量", "未知指标“规上企业研发人员数量”"),
        ((23, 0), "大冶市科技局", "未知单位“大冶市科技局”"),
    ],
)
def test_an_unknown_name_in_a_long_table_is_named_with_its_row_column_and_a_suggestion(
    tmp_path, cell, typo, expected
):
    path = long_with(tmp_path, {cell: typo})
    output = fails(tmp_path, path)
    assert expected in output
    assert f"文件 {path}" in output
    assert f"第 {cell[0] + 1} 行" in output
    assert ("A 列（单位）" if cell[1] == 0 else "B 列（指标）") in output


def test_an_unknown_township_in_an_attachment_names_the_sheet_row_and_column(tmp_path):
    def edit(sheets):
        sheets["附件1"][FIRST_DATA + 2][1] = "陈桂镇"

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "工作表“附件1”，第 8 行，B 列（单位）：未知单位“陈桂镇”，是否为“陈贵镇”？" in output


def test_an_unknown_indicator_in_an_attachment_header_is_named_with_a_suggestion(tmp_path):
    def edit(sheets):
        sheets["附件1"][1][0] = "各乡镇 2023 年规上企业研发投人完成情况表"
        sheets["附件1"][3][2] = "规上企业研发投人（万元）"

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "工作表“附件1”，第 4 行，C 列" in output
    assert "是否为“规上企业研发投入”？" in output


def test_a_unit_of_measure_that_cannot_be_converted_is_an_error(tmp_path):
    def edit(sheets):
        sheets["附件2"][3][2] = "规上企业研发人员（万元）"

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "工作表“附件2”，第 4 行" in output
    assert "计量单位是“人”，文件中为“万元”，无法换算" in output


# --- missing data ---------------------------------------------------------------------------------


def test_a_missing_township_is_named(tmp_path):
    rows = [row for row in long_rows() if row[0] != "茗山乡"]
    output = fails(tmp_path, write_csv(tmp_path / "long.csv", rows))
    assert "缺少单位“茗山乡”" in output


def test_the_five_annex_indicators_are_missing_without_the_annexes(tmp_path):
    output = fails(tmp_path, OTHER11)
    for name in ("规上企业研发投入", "规上企业研发人员", "登记技术合同成交额"):
        assert f"缺少指标“{name}”的数据" in output


def test_one_missing_figure_names_the_township_and_indicator(tmp_path):
    rows = [row for row in long_rows() if row[:2] != ["陈贵镇", "规上企业研发投入"]]
    output = fails(tmp_path, write_csv(tmp_path / "long.csv", rows))
    assert "缺少指标“规上企业研发投入”的数据：陈贵镇" in output


def test_a_row_with_both_figures_blank_counts_as_missing(tmp_path):
    output = fails(tmp_path, long_with(tmp_path, {(23, 2): "", (23, 3): ""}))
    assert "缺少指标“规上企业研发投入”的数据：陈贵镇" in output


# --- figures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (2, "十二", "“十二”不是有效数字"),
        (3, "abc", "“abc”不是有效数字"),
        (3, "12O", "“12O”不是有效数字"),
        (2, "50%", "“50%”不是有效数字"),
        (3, "-5", "数值不能为负：-5"),
        (2, "－3", "数值不能为负"),
        (3, "2023-03-31", "不是有效数字"),
    ],
)
def test_a_bad_figure_in_a_long_table_names_row_and_column(tmp_path, column, value, expected):
    output = fails(tmp_path, long_with(tmp_path, {(6, column): value}))
    heading = {2: "C 列（任务数）", 3: "D 列（实绩数）"}[column]
    assert f"第 7 行，{heading}" in output
    assert expected in output


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "“abc”不是有效数字"), (-5, "数值不能为负"), ("-7319", "数值不能为负：-7319")],
)
def test_a_bad_figure_in_an_attachment_names_sheet_row_and_column(tmp_path, value, expected):
    def edit(sheets):
        sheets["附件5"][FIRST_DATA + 2][2] = value

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "工作表“附件5”，第 8 行，C 列（实绩数）" in output
    assert expected in output


def test_a_bad_figure_in_the_entry_template_names_sheet_row_and_column(tmp_path):
    book = tmp_path / "填报.xlsx"
    assert kaohe("template", "--prefill", LONG_CSV, "-o", book).exit_code == 0
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(book))
    name = wb.sheet_names[0]
    rows = [[None if c == "" else c for c in r] for r in wb.get_sheet_by_name(name).to_python()]
    rows[5][3] = "二十"
    output = fails(tmp_path, write_xlsx(tmp_path / "filled.xlsx", {name: rows}))
    assert f"工作表“{name}”，第 6 行，D 列（实绩数）：“二十”不是有效数字" in output


# --- totals and rates -----------------------------------------------------------------------------


def _drop_row_from_total(name, column):
    def edit(sheets):
        rows = sheets[name]
        rows[-1][column] = round(rows[-1][column] - rows[-2][column], 6)

    return edit


@pytest.mark.parametrize(
    ("sheet", "column", "heading"),
    [
        ("附件1", 2, "C 列（实绩数）"),
        ("附件2", 3, "D 列（任务数）"),
        ("附件5", 2, "C 列（实绩数）"),
    ],
)
def test_a_total_off_by_a_whole_row_is_an_error(tmp_path, sheet, column, heading):
    output = fails(tmp_path, annex_with(tmp_path, _drop_row_from_total(sheet, column)), OTHER11)
    assert f"工作表“{sheet}”，第 20 行，{heading}" in output
    assert "合计行" in output and "与各单位之和" in output and "不符" in output


def test_a_pdf_style_total_off_by_its_smallest_row_is_an_error(tmp_path):
    def edit(sheets):
        rows = sheets["附件3"]
        for row in rows[FIRST_DATA:-1]:
            row[2] = f"{row[2]:.2f}"
        rows[-1][2] = "360.16"  # 360.36 without 东风农场's 0.20

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "合计行的实绩数 360.16 与各单位之和 360.37 不符" in output


def test_a_wrong_completion_rate_is_an_error(tmp_path):
    def edit(sheets):
        sheets["附件1"][FIRST_DATA][4] = "110.99%"

    output = fails(tmp_path, annex_with(tmp_path, edit), OTHER11)
    assert "工作表“附件1”，第 6 行，E 列（完成率）：完成率 110.99%" in output
    assert "101.99%" in output


def test_a_wrong_total_in_a_long_table_is_an_error(tmp_path):
    rows = long_rows() + [["合计", "规上企业研发投入", "245850", "257051.3", ""]]
    output = fails(tmp_path, write_csv(tmp_path / "long.csv", rows))
    assert "第 226 行，D 列（实绩数）" in output
    assert "合计 实绩数 257051.3 与各单位之和 257255.4 不符" in output


# --- conflicts ------------------------------------------------------------------------------------


def test_conflicting_figures_in_two_files_name_both_places(tmp_path):
    first = long_with(tmp_path, {}, name="一月.csv")
    second = long_with(tmp_path, {(23, 3): "20060"}, name="二月.csv")
    output = fails(tmp_path, first, second)
    assert "单位“陈贵镇”的指标“规上企业研发投入”出现两次且数值不同" in output
    assert f"文件 {first}，第 24 行" in output and f"文件 {second}，第 24 行" in output
    assert "20059.9" in output and "20060" in output


def test_an_annex_that_disagrees_with_the_long_table_names_both_places(tmp_path):
    def edit(sheets):
        sheets["附件1"][FIRST_DATA + 4][2] = 20060.0
        sheets["附件1"][-1][2] = 257255.5
        sheets["附件1"][FIRST_DATA + 4][4] = None
        sheets["附件1"][-1][4] = None

    annex = annex_with(tmp_path, edit)
    output = fails(tmp_path, LONG_CSV, annex)
    assert f"文件 {LONG_CSV}，第 24 行" in output
    assert f"文件 {annex}，工作表“附件1”，第 10 行" in output


def test_conflicting_rows_in_one_file_are_an_error(tmp_path):
    rows = long_rows() + [["陈贵镇", "规上企业研发投入", "20000", "20000", ""]]
    output = fails(tmp_path, write_csv(tmp_path / "long.csv", rows))
    assert "第 24 行" in output and "第 226 行" in output


# --- files that are not data ----------------------------------------------------------------------


def _zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return path


FILES = [
    ("报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF 文件"),
    ("截图.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG 图片"),
    ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG 图片"),
    ("空.csv", b"", "文件是空的"),
    ("空.xlsx", b"", "文件是空的"),
    ("空白.csv", b"\xef\xbb\xbf\n  \n\n", "文件是空的"),
    ("坏.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "无法作为 Excel 工作簿打开"),
    ("改名.xlsx", "单位,指标\n".encode(), "扩展名是 Excel，但内容不是 Excel 工作簿"),
    ("随机.bin", bytes(range(256)) * 4, "不是 CSV 或 Excel 文件"),
    ("说明.txt", "这是一份说明，不是数据。\n".encode(), "不是可识别的考核数据"),
    ("表头.csv", "名称,数值\n陈贵镇,1\n".encode("gbk"), "CSV 第一行应为表头"),
    ("缺列.csv", "单位,指标,任务数\n陈贵镇,规上企业研发投入,1\n".encode(), "表头缺少列：实绩数"),
]


@pytest.mark.parametrize(("name", "content", "expected"), FILES, ids=[f[0] for f in FILES])
def test_a_file_that_is_not_data_is_refused_with_its_name(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    output = fails(tmp_path, path)
    assert f"文件 {path}" in output
    assert expected in output


def test_a_truncated_workbook_is_refused(tmp_path):
    path = tmp_path / "截断.xlsx"
    path.write_bytes(ANNEX_XLSX.read_bytes()[:3000])
    assert "无法作为 Excel 工作簿打开" in fails(tmp_path, path)


def test_a_word_document_renamed_to_xlsx_is_refused(tmp_path):
    assert "无法作为 Excel 工作簿打开" in fails(tmp_path, _zip(tmp_path / "通报.xlsx"))


def test_a_workbook_without_any_table_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "说明.xlsx", {"说明": [["本表无数据"]], "Sheet2": []})
    assert "没有找到可识别的考核数据表" in fails(tmp_path, path)


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "数据"
    folder.mkdir()
    assert f"文件 {folder}：这是一个文件夹" in fails(tmp_path, folder)


def test_a_missing_path_is_refused(tmp_path):
    assert "文件不存在" in fails(tmp_path, tmp_path / "没有这个文件.csv")


def test_one_bad_file_among_good_ones_writes_nothing(tmp_path):
    bad = tmp_path / "报告.pdf"
    bad.write_bytes(b"%PDF-1.7\n")
    output = fails(tmp_path, ANNEX_XLSX, OTHER11, bad)
    assert "PDF 文件" in output


def test_a_gbk_csv_is_read_not_refused(tmp_path):
    path = long_with(tmp_path, {}, encoding="gbk")
    result = kaohe("score", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "大冶湖高新区,85.06" in result.output


def test_a_gbk_csv_with_a_typo_reports_it_in_chinese(tmp_path):
    path = long_with(tmp_path, {(23, 0): "陈桂镇"}, encoding="gbk")
    assert "未知单位“陈桂镇”，是否为“陈贵镇”？" in fails(tmp_path, path)


def test_a_bad_prefill_file_writes_no_template(tmp_path):
    out = tmp_path / "填报.xlsx"
    result = kaohe("template", "--prefill", tmp_path / "没有.csv", "-o", out)
    assert result.exit_code == 2
    assert "文件不存在" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_an_unknown_scheme_is_a_clear_error(tmp_path):
    result = kaohe("score", LONG_CSV, "--scheme", "no-such-scheme")
    assert result.exit_code == 2
    assert "没有名为“no-such-scheme”的内置方案" in result.output
    assert "Traceback" not in result.output


def test_a_blank_target_beside_an_actual_is_an_error_not_a_free_pass(tmp_path):
    path = tmp_path / "blank_target.csv"
    text = LONG_CSV.read_text(encoding="utf-8").replace(
        "陈贵镇,登记技术合同成交额,0.5,", "陈贵镇,登记技术合同成交额,,"
    )
    path.write_text(text, encoding="utf-8")
    result = kaohe("score", path)
    assert result.exit_code == 2
    assert "任务数为空" in result.output and "第 20 行" in result.output


@pytest.mark.parametrize("row", [1, 100])
@pytest.mark.parametrize("value", ["nan", "NaN", "sNaN", "inf", "-Infinity"])
def test_nan_or_infinity_is_not_a_number_in_any_row(tmp_path, row, value):
    """Row 100's unit and indicator were both seen in earlier rows (once a fast path's case)."""
    output = fails(tmp_path, long_with(tmp_path, {(row, 3): value}))
    assert f"第 {row + 1} 行，D 列（实绩数）：“{value}”不是有效数字" in output
    assert "内部错误" not in output


def test_a_bad_cell_deep_in_a_large_file_is_named_by_row_and_column(tmp_path):
    rows = list(synthetic_long_rows(load_scheme("daye-2023"), 200, seed=7))
    rows[2500][3] = "十二"
    output = fails(
        tmp_path, write_long_csv(tmp_path / "big.csv", rows), extra=["--units-from-data"]
    )
    assert "第 2502 行，D 列（实绩数）：“十二”不是有效数字" in output


def test_a_csv_cell_beyond_the_csv_module_s_limit_is_named_by_its_row_in_chinese(tmp_path):
    path = tmp_path / "长表.csv"
    path.write_text('单位,指标,任务数,实绩数,备注\n陈贵镇,"' + "x" * 200_000 + "\n", "utf-8")
    output = fails(tmp_path, path)
    assert "第 2 行：CSV 格式错误：有一格内容过长" in output and "field" not in output
