"""Reading long tables, bulletin attachments (附件1–5) and the entry template."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from kaohe.numbers import split_unit, to_decimal

from .builders import (
    ANNEX_XLSX,
    LONG_CSV,
    OTHER11,
    annex_sheets,
    cell,
    expected_totals,
    kaohe,
    long_rows,
    read,
    totals,
    write_csv,
    write_xlsx,
)

FIRST_DATA = 5  # 0-based row of 大冶湖高新区 in each sample annex sheet
RATE = 4  # 0-based column of 完成率


def _data_rows(rows):
    return [row for row in rows[FIRST_DATA:] if row[1] is not None]


# --- variants of the sample annex workbook ------------------------------------------------


def numbers_as_text(sheets):
    for rows in sheets.values():
        for row in rows[FIRST_DATA:]:
            row[:] = [str(to_decimal(c)) if isinstance(c, float) else c for c in row]
    return sheets


def percent_strings(sheets):
    for rows in sheets.values():
        for row in rows[FIRST_DATA:]:
            row[RATE] = f"{Decimal(str(row[RATE])) * 100:.2f}%"
    return sheets


def blank_rows(sheets):
    for name, rows in sheets.items():
        out = rows[:FIRST_DATA] + [[None] * 5]
        for row in rows[FIRST_DATA:]:
            out += [row, [None] * 5]
        sheets[name] = out
    return sheets


def note_lines(sheets):
    for rows in sheets.values():
        rows.append([None] * 5)
        rows.append(["注：1. 数据来源于市统计局，截至 3 月 31 日。", None, None, None, None])
        rows.append(["说明", "完成率 = 实绩数 ÷ 任务数", None, None, None])
        rows.append(["各乡镇请于每月 5 日前报送上月数据，逾期按迟报处理。", None, None, None, None])
        rows.append([None, "填报人：张三", None, "审核人：李四", None])
    return sheets


def reversed_sheets(sheets):
    return dict(reversed(sheets.items()))


def bullet_spelling(sheets):
    for rows in sheets.values():
        for row in rows:
            if row[1] == "临空区·还地桥镇":
                row[1] = "临空区•还地桥镇"
    return sheets


def header_without_unit(sheets):
    for rows in sheets.values():
        rows[3][2] = rows[3][2].split("（")[0]
    return sheets


def note_column(sheets):
    for rows in sheets.values():
        rows[4].append("备注")
        for row in rows[FIRST_DATA:]:
            row.append(None)
        rows[FIRST_DATA][5] = "含高新区本级"
    return sheets


def title_in_one_cell(sheets):
    for rows in sheets.values():
        rows[0][0] = f"{rows[0][0]}  {rows[1][0]}"
        del rows[1]
    return sheets


VARIANTS = [
    numbers_as_text,
    percent_strings,
    blank_rows,
    note_lines,
    reversed_sheets,
    bullet_spelling,
    header_without_unit,
    note_column,
    title_in_one_cell,
]


def test_the_sample_annexes_with_the_other_eleven_indicators_give_the_bulletin_totals():
    expected = expected_totals()
    assert totals(ANNEX_XLSX, OTHER11) == expected
    assert totals(LONG_CSV) == expected
    assert expected["大冶湖高新区"] == "85.06" and expected["茗山乡"] == "68.06"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda f: f.__name__)
def test_an_annex_variant_gives_the_same_totals_as_the_long_table(tmp_path, variant):
    path = write_xlsx(tmp_path / "annex.xlsx", variant(annex_sheets()))
    assert totals(path, OTHER11) == expected_totals()


def test_all_variants_at_once_still_read_the_same(tmp_path):
    sheets = annex_sheets()
    for variant in VARIANTS:
        sheets = variant(sheets)
    path = write_xlsx(tmp_path / "annex.xlsx", sheets)
    assert totals(path, OTHER11) == expected_totals()


def test_one_sheet_per_file_merges_like_one_workbook(tmp_path):
    paths = [
        write_xlsx(tmp_path / f"{name}.xlsx", {name: rows}) for name, rows in annex_sheets().items()
    ]
    assert totals(*paths, OTHER11) == expected_totals()


def test_an_annex_sheet_saved_as_csv_is_read(tmp_path):
    sheets = annex_sheets()
    paths = []
    for name, rows in sheets.items():
        text_rows = [
            ["" if c is None else str(to_decimal(c)) if isinstance(c, float) else c for c in r]
            for r in rows
        ]
        paths.append(write_csv(tmp_path / f"{name}.csv", text_rows))
    assert totals(*paths, OTHER11) == expected_totals()


# --- units of measure -----------------------------------------------------------------------


def _contracts_in_yi(sheets):
    rows = sheets["附件5"]
    rows[3][2] = "技术合同成交额（亿元）"
    for row in rows[FIRST_DATA:]:
        row[2:4] = [Decimal(repr(v)) / 10000 for v in row[2:4]]
        row[2:4] = [str(v) for v in row[2:4]]
    return sheets


def test_a_sheet_in_yi_yuan_and_one_in_wan_yuan_give_exactly_the_same_figures(tmp_path):
    wan = read(write_xlsx(tmp_path / "wan.xlsx", annex_sheets()), OTHER11)
    yi = read(write_xlsx(tmp_path / "yi.xlsx", _contracts_in_yi(annex_sheets())), OTHER11)
    for dataset in (wan, yi):
        chen = cell(dataset, "陈贵镇", "tech_contracts")
        assert (chen.target, chen.actual) == (Decimal("0.5"), Decimal("0.73194"))
        assert cell(dataset, "大冶湖高新区", "tech_contracts").actual == Decimal("4.563")


def test_the_attachment6_names_and_units_are_understood(tmp_path):
    sheets = annex_sheets()
    sheets["附件4"][1][0] = "各乡镇 2023 年科技型中小企业入库数完成情况表"
    sheets["附件4"][3][2] = "科技型中小企业入库数（家）"
    sheets = _contracts_in_yi(sheets)
    sheets["附件5"][3][2] = "登记技术合同成交额（亿元）"
    path = write_xlsx(tmp_path / "annex.xlsx", sheets)
    assert totals(path, OTHER11) == expected_totals()


# --- printed rounding -------------------------------------------------------------------------


def _pdf_style(sheets, name, places):
    """Rows and 合计 as the PDF prints them: each figure rounded, but 完成率 from the figures before
    rounding (so 32.04 ÷ 26 = 123.23% is printed as 123.22%)."""
    rows = sheets[name]
    for row in rows[FIRST_DATA:]:
        actual, target = (Decimal(repr(v)) for v in row[2:4])
        row[4] = f"{actual / target * 100:.2f}%"
        row[2] = f"{actual:.{places}f}"
        row[3] = f"{target:.{places}f}" if target != target.to_integral() else str(int(target))
    return sheets


def test_pdf_style_rounded_rows_with_their_printed_total_pass(tmp_path):
    sheets = _pdf_style(annex_sheets(), "附件3", 2)
    rows = sheets["附件3"]
    assert rows[FIRST_DATA][2] == "248.05" and rows[-1][2] == "360.36"
    dataset = read(write_xlsx(tmp_path / "pdf.xlsx", sheets), OTHER11)
    assert cell(dataset, "大冶湖高新区", "new_product_sales").actual == Decimal("248.05")


def test_the_pdf_totals_of_every_attachment_pass_when_typed_in_as_printed(tmp_path):
    printed = {"附件1": 1, "附件2": 0, "附件3": 2, "附件4": 0, "附件5": 0}
    sheets = annex_sheets()
    for name, places in printed.items():
        sheets = _pdf_style(sheets, name, places)
    read(write_xlsx(tmp_path / "pdf.xlsx", sheets), OTHER11)


@pytest.mark.parametrize(
    "printed",
    [1.0199, 101.99, "101.99%", "1.0199", "101.99", "101.99 %", "１０１.９９％", 1.019886153846154],
)
def test_a_completion_rate_may_be_printed_as_fraction_percent_number_or_percent_text(
    tmp_path, printed
):
    sheets = annex_sheets()
    sheets["附件1"][FIRST_DATA][RATE] = printed
    read(write_xlsx(tmp_path / "rate.xlsx", sheets), OTHER11)


def test_a_blank_completion_rate_is_not_checked(tmp_path):
    sheets = annex_sheets()
    for row in sheets["附件1"][FIRST_DATA:]:
        row[RATE] = None
    read(write_xlsx(tmp_path / "rate.xlsx", sheets), OTHER11)


def test_a_total_without_figures_is_ignored(tmp_path):
    sheets = annex_sheets()
    sheets["附件2"][-1][2:] = [None, None, None]
    read(write_xlsx(tmp_path / "total.xlsx", sheets), OTHER11)


# --- long tables ------------------------------------------------------------------------------


def test_the_long_table_as_xlsx_gives_the_bulletin_totals(tmp_path):
    rows = [[_num(c) for c in row] for row in long_rows()]
    path = write_xlsx(tmp_path / "long.xlsx", {"数据": rows})
    assert totals(path) == expected_totals()


def _num(text):
    try:
        return float(text)
    except ValueError:
        return text or None


def test_the_long_table_with_an_english_header_gives_the_bulletin_totals(tmp_path):
    rows = long_rows()
    rows[0] = ["unit", "indicator", "target", "actual", "note"]
    assert totals(write_csv(tmp_path / "long.csv", rows)) == expected_totals()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_a_csv_in_a_chinese_windows_encoding_is_read(tmp_path, encoding):
    path = write_csv(tmp_path / "long.csv", long_rows(), encoding)
    assert totals(path) == expected_totals()


def test_a_tab_separated_long_table_is_read(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("\n".join("\t".join(r) for r in long_rows()), encoding="utf-8")
    assert totals(path) == expected_totals()


def test_correct_total_rows_in_a_long_table_are_checked_and_skipped(tmp_path):
    rows = long_rows()
    rows.append(["合计", "规上企业研发投入", "245850", "257255.4", ""])
    rows.append(["全市", "科技型中小企业入库数", "250", "332", ""])
    assert totals(write_csv(tmp_path / "long.csv", rows)) == expected_totals()


def test_an_identical_row_given_twice_is_not_a_conflict(tmp_path):
    rows = long_rows()
    rows += rows[1:4]
    first = write_csv(tmp_path / "long.csv", rows)
    second = write_csv(tmp_path / "again.csv", long_rows())
    assert totals(first, second) == expected_totals()


def test_the_same_figure_in_two_units_of_measure_is_not_a_conflict(tmp_path):
    rows = [long_rows()[0], ["陈贵镇", "技术合同成交额（万元）", "5000", "7319.4", ""]]
    extra = write_csv(tmp_path / "extra.csv", rows)
    assert totals(LONG_CSV, extra) == expected_totals()


def test_a_measure_column_in_the_long_table_converts_figures(tmp_path):
    rows = [row + ["亿元"] for row in long_rows()]
    rows[0][-1] = "计量单位"
    for row in rows[1:]:
        if row[1] == "规上企业研发投入":
            row[2:4] = [str(Decimal(v) / 10000) for v in row[2:4]]
        elif row[1] != "规上企业新产品销售收入" and "亿元" not in row[1]:
            row[-1] = ""
    dataset = read(write_csv(tmp_path / "long.csv", rows))
    assert cell(dataset, "大冶湖高新区", "rd_spending").actual == Decimal("132585.2")


def test_a_unit_alias_and_a_bullet_spelling_map_to_the_scheme_name(tmp_path):
    rows = long_rows()
    for row in rows:
        row[0] = {"临空区·还地桥镇": "临空区•还地桥镇", "大冶湖高新区": "高新区"}.get(
            row[0], row[0]
        )
    dataset = read(write_csv(tmp_path / "long.csv", rows))
    assert "临空区·还地桥镇" in dataset.groups[0].units
    assert "大冶湖高新区" in dataset.groups[0].units


# --- the entry template -----------------------------------------------------------------------


def test_a_prefilled_template_scores_like_the_long_table(tmp_path):
    book = tmp_path / "填报.xlsx"
    result = kaohe("template", "--scheme", "daye-2023", "--prefill", LONG_CSV, "-o", book)
    assert result.exit_code == 0, result.output
    assert totals(book) == expected_totals()
    scored = kaohe("score", book, "--scheme", "daye-2023", "--format", "csv")
    assert scored.exit_code == 0, scored.output
    assert "大冶湖高新区,85.06" in scored.output


def test_a_blank_template_is_not_scored_as_full_marks(tmp_path):
    book = tmp_path / "填报.xlsx"
    assert kaohe("template", "-o", book).exit_code == 0
    result = kaohe("score", book)
    assert result.exit_code == 2
    assert "缺少指标“规上企业研发投入”的数据" in result.output
    assert "Traceback" not in result.output


def test_a_half_filled_template_merges_with_a_file_holding_the_rest(tmp_path):
    half = write_csv(tmp_path / "half.csv", long_rows()[:113])
    rest = write_csv(tmp_path / "rest.csv", long_rows()[:1] + long_rows()[113:])
    book = tmp_path / "填报.xlsx"
    assert kaohe("template", "--prefill", half, "-o", book).exit_code == 0
    assert totals(book, rest) == expected_totals()


def test_a_template_filled_in_by_hand_scores_like_the_long_table(tmp_path):
    from python_calamine import CalamineWorkbook

    book = tmp_path / "填报.xlsx"
    assert kaohe("template", "-o", book).exit_code == 0
    wb = CalamineWorkbook.from_path(str(book))
    name = wb.sheet_names[0]
    rows = [[None if c == "" else c for c in r] for r in wb.get_sheet_by_name(name).to_python()]
    headers = {split_unit(str(c))[0]: k for k, c in enumerate(rows[2]) if c}
    units = {r[1]: i for i, r in enumerate(rows) if i >= 4}
    for unit, key_name, target, actual, note in long_rows()[1:]:
        col = headers[key_name]
        r = rows[units[unit]]
        r[col : col + 3] = [_num(target), _num(actual), note or None]
    filled = write_xlsx(tmp_path / "filled.xlsx", {name: copy.deepcopy(rows)})
    assert totals(filled) == expected_totals()


def test_a_long_table_total_computed_by_excel_sum_passes_despite_float_noise(tmp_path):
    rows = [[_num(c) for c in row] for row in long_rows()]
    spending = [row for row in rows[1:] if row[1] == "规上企业研发投入"]
    actual = 0.0
    for row in spending:
        actual += row[3]
    assert repr(actual) != "257255.4"
    rows.append(["合计", "规上企业研发投入", sum(row[2] for row in spending), actual, None])
    assert totals(write_xlsx(tmp_path / "long.xlsx", {"数据": rows})) == expected_totals()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_title_line_above_the_long_table_header_is_skipped(tmp_path, suffix):
    rows = [["大冶市2023年一季度科技创新行动考核数据"], [""]] + long_rows()
    if suffix == "csv":
        path = write_csv(tmp_path / "long.csv", rows)
    else:
        path = write_xlsx(tmp_path / "long.xlsx", {"数据": [[_num(c) for c in r] for r in rows]})
    assert totals(path) == expected_totals()


def test_a_single_row_header_takes_the_indicator_from_the_title(tmp_path):
    sheets = annex_sheets()
    for rows in sheets.values():
        rows[3] = ["序号", "乡镇", "实绩数", "任务数", "完成率"]
        del rows[4]
    assert totals(write_xlsx(tmp_path / "annex.xlsx", sheets), OTHER11) == expected_totals()


def test_a_caption_without_figures_between_the_rows_and_the_total_is_skipped(tmp_path):
    sheets = annex_sheets()
    sheets["附件1"].insert(-1, [None, "数据截至3月31日", None, None, None])
    assert totals(write_xlsx(tmp_path / "annex.xlsx", sheets), OTHER11) == expected_totals()


# --- names that end in a bracketed word (issue 9) ------------------------------------------

BRACKETED = """key = "t"
name = "测试"
[[groups]]
key = "g"
name = "乡镇"
units = ["甲镇"]
[[groups.indicators]]
key = "demo"
name = "报送简报（示例）"
unit = "篇"
max = 5
method = "ratio"
[[groups.indicators]]
key = "plain"
name = "报送简报"
unit = "篇"
max = 5
method = "ratio"
[[groups.indicators]]
key = "money"
name = "研发投入(试点)"
unit = "万元"
max = 5
method = "ratio"
"""


@pytest.mark.parametrize(
    "written, key, factor",
    [
        ("报送简报（示例）", "demo", "1"),  # exactly the scheme's name: never split
        ("报送简报(示例)", "demo", "1"),  # half-width brackets are the same name
        ("报送简报（示例）（篇）", "demo", "1"),  # with the unit of measure after it
        ("报送简报", "plain", "1"),
        ("报送简报（篇）", "plain", "1"),
        ("研发投入(试点)", "money", "1"),
        ("研发投入(试点)（亿元）", "money", "10000"),
    ],
)
def test_an_indicator_name_ending_in_brackets_is_matched_as_the_scheme_writes_it(
    written, key, factor
):
    from kaohe.errors import Location
    from kaohe.readers.resolve import Resolver
    from kaohe.scheme import parse_scheme

    scheme = parse_scheme(BRACKETED, "t.toml")
    group, ind, measure = Resolver(scheme, False).indicator_for(written, None, Location())
    assert ind.key == key
    assert Resolver.factor(ind, measure, Location()) == Decimal(factor)


def test_a_long_table_with_bracketed_names_scores_each_indicator(tmp_path):
    from kaohe.engine import score
    from kaohe.readers import read_files
    from kaohe.scheme import parse_scheme

    scheme = parse_scheme(BRACKETED, "t.toml")
    rows = [
        ["单位", "指标", "任务数", "实绩数", "备注"],
        ["甲镇", "报送简报（示例）", "4", "2", ""],
        ["甲镇", "报送简报", "4", "4", ""],
        ["甲镇", "研发投入(试点)", "10", "5", ""],
    ]
    data = read_files([write_csv(tmp_path / "d.csv", rows)], scheme)
    unit = score(scheme, data).groups[0]
    points = {c.indicator.key: c.points[0] for c in unit.columns}
    assert points == {"demo": Decimal("2.5"), "plain": Decimal(5), "money": Decimal("2.5")}


@pytest.mark.parametrize(
    "heading, title, key, actual",
    [
        ("报送简报（示例）", "各乡镇报送简报（示例）完成情况表", "demo", Decimal(2)),
        ("报送简报（示例）（篇）", "各乡镇报送简报完成情况表", "demo", Decimal(2)),
        ("研发投入(试点)", "各乡镇研发投入(试点)完成情况表（亿元）", "money", Decimal(20000)),
    ],
)
def test_an_attachment_sheet_headed_by_a_bracketed_name_is_that_indicator(
    tmp_path, heading, title, key, actual
):
    from kaohe.readers import read_files
    from kaohe.scheme import parse_scheme

    scheme = parse_scheme(BRACKETED, "t.toml")
    rows = [
        ["附件1", None, None, None, None],
        [title, None, None, None, None],
        ["序号", "乡镇", heading, None, None],
        [None, None, "实绩数", "任务数", "完成率"],
        [1, "甲镇", 2, 4, 0.5],
    ]
    data = read_files([write_xlsx(tmp_path / "附件.xlsx", {"附件1": rows})], scheme)
    group = scheme.groups[0]
    assert data.group_data(group).cell(key, "甲镇").actual == actual


@pytest.mark.parametrize(
    "unit, whole",
    [
        ("家", True),
        ("人", True),
        ("名", True),
        ("人次", True),
        ("个", True),
        ("项", True),
        ("件", True),
        ("篇", True),
        ("份", True),
        ("次", True),
        ("场", True),
        ("万元", False),
        ("亿元", False),
        ("%", False),
        ("万人", False),
        ("", False),
    ],
)
def test_every_count_unit_takes_whole_numbers_and_amounts_do_not(unit, whole):
    from kaohe.numbers import is_count_unit

    assert is_count_unit(unit) is whole
