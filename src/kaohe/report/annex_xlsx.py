"""The attachments as one Excel workbook (附件1…附件6), readable again by `kaohe score`.

Figures are written exactly (the reader checks 合计 and 完成率 against them); number formats only
change how they look. 合计 and 完成率 are numbers, not formulas, so they carry a value.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ..exporters import excel_number
from .errors import ReportError
from .facts import DASH, SCORE_HEADINGS, AnnexTable, Facts, ScoreTable

MAX_SHEET_ROWS = 1_048_576


def _number(value: Decimal | None):
    return DASH if value is None else float(value)


def _shown(text: str):
    """A figure printed as text, as a number when it is one (so Excel can sum it)."""
    try:
        return float(Decimal(text))
    except ArithmeticError:
        return text


def _figure_format(decimals: int | None) -> str:
    if decimals is None:
        return "General"
    return "0" if decimals == 0 else "0." + "0" * decimals


class Formats:
    def __init__(self, book):
        base = {"font_name": "仿宋_GB2312", "font_size": 12, "valign": "vcenter", "align": "center"}
        boxed = dict(base, border=1)
        self.label = book.add_format(dict(base, font_name="黑体", align="left", font_size=14))
        self.title = book.add_format(dict(base, font_name="方正小标宋简体", font_size=18))
        self.line = book.add_format(dict(base, font_size=12))
        self.head = book.add_format(dict(boxed, font_name="黑体", text_wrap=True))
        self.cell = book.add_format(boxed)
        self.wrap = book.add_format(dict(boxed, text_wrap=True))
        self.note = book.add_format(dict(boxed, text_wrap=True, align="left", font_size=9))
        self.rate = book.add_format(dict(boxed, num_format="0.00%"))
        self.total = book.add_format(dict(boxed, num_format="0.00"))
        self._book = book
        self._figures: dict[str, object] = {}

    def figure(self, decimals: int | None):
        fmt = _figure_format(decimals)
        if fmt not in self._figures:
            self._figures[fmt] = self._book.add_format(
                {
                    "font_name": "仿宋_GB2312",
                    "font_size": 12,
                    "valign": "vcenter",
                    "align": "center",
                    "border": 1,
                    "num_format": fmt,
                }
            )
        return self._figures[fmt]


def _print_setup(sheet, header_rows: tuple[int, int], landscape: bool = True) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
    sheet.center_horizontally()
    sheet.repeat_rows(*header_rows)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C— &P —")


def write_annex_sheet(book, fm: Formats, table: AnnexTable, cutoff: str) -> None:
    sheet = book.add_worksheet(f"附件{table.number}")
    ncols = 6 if table.has_notes else 5
    last = ncols - 1
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 4, 15)
    if table.has_notes:
        sheet.set_column(5, 5, 20)
    sheet.write(0, 0, f"附件{table.number}", fm.label)
    sheet.merge_range(1, 0, 1, last, table.title, fm.title)
    sheet.set_row(1, 30)
    row = 2
    if cutoff:
        sheet.merge_range(2, 0, 2, last, cutoff, fm.line)
        row = 3
    head = row
    sheet.merge_range(head, 0, head + 1, 0, "序号", fm.head)
    sheet.merge_range(head, 1, head + 1, 1, table.group_name, fm.head)
    sheet.merge_range(head, 2, head, last, table.heading, fm.head)
    subs = ["实绩数", "任务数", "完成率"] + (["备注"] if table.has_notes else [])
    for k, text in enumerate(subs):
        sheet.write(head + 1, 2 + k, text, fm.head)
    figure = fm.figure(table.decimals)
    general = fm.figure(None)
    row = head + 2
    if row + len(table.rows) + 1 > MAX_SHEET_ROWS:  # 合计 is the last row
        raise ReportError(
            f"附件{table.number}有 {len(table.rows)} 个单位，超过 Excel 每个工作表 "
            f"{MAX_SHEET_ROWS:,} 行的上限"
        )
    for r in table.rows:
        sheet.write_number(row, 0, r.seq, fm.cell)
        sheet.write_string(row, 1, r.unit, fm.cell)
        for k, value, what, fmt in (
            (2, r.actual, "实绩数", figure),
            (3, r.target, "任务数", general),
        ):
            if value is None:
                sheet.write(row, k, DASH, fmt)
            else:  # a figure Excel cannot hold is refused, naming it, never rounded silently
                sheet.write_number(row, k, excel_number(value, r.unit, table.title, what), fmt)
        sheet.write(row, 4, _number(r.rate), fm.rate)
        if table.has_notes:
            sheet.write(row, 5, r.note, fm.note)
            sheet.set_row(row, fitted_height((r.note, 20, 9)))
        row += 1
    sheet.merge_range(row, 0, row, 1, "合计", fm.head)
    sheet.write(row, 2, _number(table.total_actual), figure)
    sheet.write(row, 3, _number(table.total_target), general)
    sheet.write(row, 4, _number(table.total_rate), fm.rate)
    if table.has_notes:
        sheet.write_blank(row, 5, None, fm.cell)
    _print_setup(sheet, (head, head + 1), landscape=False)


SCORE_WIDTHS = (6, 18, 38, 11, 11, 9, 9, 9, 48)
ROW_PT = 15.75  # Excel's own row height for one line of 12 pt text


def lines_in(text: str, width: float, pt: float) -> int:
    """Lines wrapped text takes in a column `width` characters wide (Excel's unit: a digit of
    11 pt Calibri, about 7 px); a CJK character of `pt` points is about pt / 11 × 2 such units."""
    per_char = pt / 11 * 2 * 1.1  # a little wider than two digits, to be safe
    used = sum(per_char / 2 if ch.isascii() else per_char for ch in text)
    return max(1, -int(-used // (width - 1)))


def fitted_height(*cells: tuple[str, float, float]) -> float:
    """A row height (points) that shows every wrapped cell whole: (text, width, font pt)."""
    return max(
        ROW_PT, *(lines_in(text, width, pt) * pt * 1.3 + 3 for text, width, pt in cells if text)
    )


def _score_sheet(book, fm: Formats, table: ScoreTable, part: int):
    """One sheet of the score table with its title and heading: (sheet, first free row)."""
    name = f"附件{table.number}" + (f"({part})" if part > 1 else "")
    sheet = book.add_worksheet(name)
    for k, width in enumerate(SCORE_WIDTHS):
        sheet.set_column(k, k, width)
    last = len(SCORE_HEADINGS) - 1
    sheet.write(0, 0, f"附件{table.number}" + ("（续）" if part > 1 else ""), fm.label)
    sheet.merge_range(1, 0, 1, last, table.title, fm.title)
    sheet.set_row(1, 30)
    head = 2
    for k, text in enumerate(SCORE_HEADINGS):
        sheet.write(head, k, table.group_name if k == 1 else text, fm.head)
    _print_setup(sheet, (head, head))
    return sheet, head + 1


def write_score_sheet(book, fm: Formats, table: ScoreTable) -> None:
    """The score table; one longer than an Excel sheet goes on in 附件N(2) …, a unit never split."""
    part = 1
    sheet, row = _score_sheet(book, fm, table, part)
    heights: dict[tuple[str, str], float] = {}  # the same label and note recur in every unit
    for unit in table.units:
        n = len(unit.rows)
        if row + n > MAX_SHEET_ROWS:
            part += 1
            sheet, row = _score_sheet(book, fm, table, part)
        total = _shown(unit.total)
        for k, value, fmt in (
            (0, unit.seq, fm.cell),
            (1, unit.unit, fm.wrap),
            # a total with its grade under it ("85.06\n优秀") is text on two lines
            (7, total, fm.total if isinstance(total, float) else fm.wrap),
        ):
            if n > 1:
                sheet.merge_range(row, k, row + n - 1, k, value, fmt)
            else:
                sheet.write(row, k, value, fmt)
        for r in unit.rows:
            sheet.write_string(row, 2, r.label, fm.wrap)
            for k, text in ((3, r.target), (4, r.actual), (5, r.max_points), (6, r.points)):
                value = _shown(text)
                if isinstance(value, float):
                    sheet.write_number(row, k, value, fm.cell)
                else:
                    sheet.write_string(row, k, value, fm.cell)
            if r.note:
                sheet.write_string(row, 8, r.note, fm.note)
            else:
                sheet.write_blank(row, 8, None, fm.note)
            key = (r.label, r.note)
            if key not in heights:
                heights[key] = fitted_height(
                    (r.label, SCORE_WIDTHS[2], 12), (r.note, SCORE_WIDTHS[8], 9)
                )
            sheet.set_row(row, heights[key])
            row += 1


def write_annex_xlsx(facts: Facts, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    fm = Formats(book)
    for table in facts.annexes:
        write_annex_sheet(book, fm, table, facts.cutoff)
    for table in facts.scores:
        write_score_sheet(book, fm, table)
    book.close()
    return path
