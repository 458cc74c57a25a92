"""Ways to write a scoring result: terminal table, JSON, CSV and Excel.

Every exporter reads the same rows from `iterate_units` (one per unit, best first, each with one
`Entry` per indicator, explanation included) and differs only in how it writes them, like
pretix's `ListExporter.iterate_list`. `EXPORTERS` is the one place they are registered.
"""

from __future__ import annotations

import csv
import io
import json.encoder
import math
from collections.abc import Iterator
from decimal import Decimal
from itertools import repeat
from typing import NamedTuple

from .engine import GroupResult, Result, explain
from .errors import KaoheError
from .numbers import fixed, plain
from .scheme import Indicator

JSON_VERSION = 1


class Entry(NamedTuple):
    """One unit's result on one indicator; the fields are the keys of the JSON contract (see
    README, "JSON 结果约定"). A tuple, not a dict: there is one per cell (640,000 at 40,000 units)."""

    indicator: str
    target: Decimal | None
    actual: Decimal | None
    rate: Decimal | None
    rank_actual: int | None
    rank_rate: int | None
    points: Decimal
    max: Decimal
    status: str
    note: str
    explain: str


class UnitRow(NamedTuple):
    """One unit's result. `entries` are its indicators in scheme order, one `Entry` each;
    `indicators` are the matching scheme indicators (for category and unit of measure)."""

    rank: int
    unit: str
    total: Decimal
    raw: Decimal
    entries: list[Entry]
    indicators: list[Indicator]
    class_name: str = ""  # the unit's class (一类 / 二类), when the group has classes
    grade: str = ""  # the unit's grade, when the scheme has grades
    veto: str = ""  # why the unit was vetoed (一票否决), if it was
    notes: str = ""  # how category caps, the scale or a veto changed the total


def iterate_units(g: GroupResult) -> Iterator[UnitRow]:
    """The group's units, best first, each with its indicators in scheme order."""
    indicators = [c.indicator for c in g.columns]
    # Each indicator's entries are made in one pass down its column (map over the column's
    # lists), then picked out per unit: 640,000 entries at 40,000 units. Measured against one
    # Entry made per unit and indicator: writing 15-25 % less CPU, about 100 MB more memory.
    columns = [_column_entries(c) for c in g.columns]
    for i in g.order:
        entries = [column[i] for column in columns]
        grade = g.grades[i]
        yield UnitRow(
            g.rank[i],
            g.unit_names[i],
            g.total[i],
            g.raw[i],
            entries,
            indicators,
            g.class_name,
            grade.name if grade else "",
            "；".join(g.standings.vetoes[i]),
            "；".join(g.standings.totals[i].notes),
        )


def _column_entries(c) -> list[Entry]:
    """One indicator's Entry for every unit, in stored order."""
    n = len(c.status)
    ind = c.indicator
    return list(
        map(
            Entry,
            repeat(ind.name, n),
            c.target,
            c.actual,
            c.rate,
            c.rank_actual,
            c.rank_rate,
            c.points,
            repeat(ind.max_points, n),
            c.status,
            c.note,
            map(explain, repeat(c, n), range(n)),
        )
    )


class Exporter:
    identifier = ""
    name = ""
    extension = ""
    binary = False

    def render(self, result: Result):
        raise NotImplementedError


# --- JSON ------------------------------------------------------------------------


class JsonExporter(Exporter):
    identifier = "json"
    name = "JSON（供其他系统读取）"
    extension = ".json"

    def render(self, result: Result) -> str:
        out = io.BytesIO()
        self.write(result, out)
        return out.getvalue().decode("utf-8")

    def write(self, result: Result, fh) -> None:
        """Write the JSON to a binary file, a unit at a time (the text is never held whole)."""
        first = result.groups[0]
        head = {
            "version": JSON_VERSION,
            "scheme": result.scheme.key,
            "scheme_name": result.scheme.name,
            "group": first.group.name,
            **({"class": first.class_name} if first.class_name else {}),
            "max_points": first.max_points,
        }
        fh.write(f'{json_open(head)}, "units": '.encode())
        _write_units(first, fh)
        if len(result.groups) > 1:
            fh.write(b', "groups": [')
            for n, g in enumerate(result.groups):
                lead = ", " if n else ""
                head = {"group": g.group.name, "max_points": g.max_points}
                if g.class_name:
                    head = {
                        "group": g.group.name,
                        "class": g.class_name,
                        "max_points": g.max_points,
                    }
                head = json_open(head)
                fh.write(f'{lead}{head}, "units": '.encode())
                _write_units(g, fh)
                fh.write(b"}")
            fh.write(b"]")
        fh.write(b"}\n")


def _write_units(g: GroupResult, fh) -> None:
    fh.write(b"[")
    for n, row in enumerate(iterate_units(g)):
        unit = {
            "unit": row.unit,
            "rank": row.rank,
            "raw": row.raw,
            "total": row.total,
            "grade": row.grade or None,
            "veto": row.veto or None,
            "notes": row.notes or None,
        }
        entries = ", ".join(map(_json_entry, row.entries))
        lead = ",\n" if n else ""
        fh.write(f'{lead}{json_open(unit)}, "indicators": [{entries}]}}'.encode())
    fh.write(b"]")


# The JSON writer: stdlib's C string encoder, Decimals exactly as str() prints them (never
# through a float). Measured 3 × faster per entry than simplejson's use_decimal=True.
_string = json.encoder.encode_basestring


def json_value(value) -> str:
    if value is None:
        return "null"
    if value.__class__ is str:
        return _string(value)
    return str(value)  # Decimal or int (the data holds no floats, bools or NaN)


def json_open(mapping: dict) -> str:
    """A JSON object of strings, numbers and nulls, without its closing brace."""
    return "{" + ", ".join(f"{_string(k)}: {json_value(v)}" for k, v in mapping.items())


def _json_entry(e: Entry) -> str:
    """One Entry as a JSON object, written out for the one object there are hundreds of
    thousands of."""
    v, s = json_value, _string
    name, target, actual, rate, rank_actual, rank_rate, points, top, status, note, why = e
    return (
        f'{{"indicator": {s(name)}, "target": {v(target)}, '
        f'"actual": {v(actual)}, "rate": {v(rate)}, '
        f'"rank_actual": {v(rank_actual)}, "rank_rate": {v(rank_rate)}, '
        f'"points": {points}, "max": {top}, "status": {s(status)}, '
        f'"note": {s(note)}, "explain": {s(why)}}}'
    )


# --- CSV and the Excel detail sheet -------------------------------------------------

DETAIL_HEADER = [
    "排名",
    "单位",
    "总得分",
    "原始得分",
    "指标",
    "类别",
    "计量单位",
    "任务数",
    "实绩数",
    "完成率",
    "实绩排名",
    "完成率排名",
    "得分",
    "满分",
    "状态",
    "备注",
    "得分说明",
]
CSV_HEADER = DETAIL_HEADER


def unit_columns(result: Result) -> list[tuple[str, str]]:
    """(heading, UnitRow field) of the columns a scheme's rules add after 原始得分: the class,
    the grade and the veto, each only when the scheme has them."""
    scheme = result.scheme
    columns = []
    if any(g.class_name for g in result.groups):
        columns.append(("分类", "class_name"))
    if scheme.grading is not None:
        columns.append(("等次", "grade"))
    if any(i.veto for g in scheme.groups for i in g.indicators):
        columns.append(("一票否决", "veto"))
    if any(c.cap is not None for c in scheme.categories.values()) or any(
        c.extra for c in scheme.categories.values()
    ):
        columns.append(("总分说明", "notes"))
    return columns


def detail_header(result: Result) -> list[str]:
    extra = [heading for heading, _ in unit_columns(result)]
    return DETAIL_HEADER[:4] + extra + DETAIL_HEADER[4:]


# A spreadsheet treats text starting with these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CsvExporter(Exporter):
    identifier = "csv"
    name = "CSV 明细（每个单位每项指标一行）"
    extension = ".csv"

    def render(self, result: Result) -> str:
        out = io.BytesIO()
        self.write(result, out)
        return out.getvalue().decode("utf-8")

    def write(self, result: Result, fh) -> None:
        """Write the CSV to a binary file as the rows come (the text is never held whole)."""
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(detail_header(result))
        fields = [name for _, name in unit_columns(result)]
        for g in result.groups:
            # The indicator's own columns are the same on every unit's row: made once.
            names = [
                [
                    safe_text(c.indicator.name),
                    safe_text(c.indicator.category),
                    safe_text(c.indicator.unit),
                ]
                for c in g.columns
            ]
            for row in iterate_units(g):
                head = [row.rank, safe_text(row.unit), fixed(row.total, 2), plain(row.raw)]
                head += [safe_text(getattr(row, name)) for name in fields]
                writer.writerows(
                    head + name + _csv_entry(e) for name, e in zip(names, row.entries, strict=True)
                )
        text.flush()
        text.detach()  # the caller owns `fh`


def _csv_entry(e: Entry) -> list:
    """The columns after 计量单位 (see DETAIL_HEADER)."""
    _, target, actual, rate, rank_actual, rank_rate, points, top, status, note, why = e
    # plain() prints an int (a rank) as str() does.
    return [
        "" if target is None else plain(target),
        "" if actual is None else plain(actual),
        "" if rate is None else plain(rate),
        "" if rank_actual is None else plain(rank_actual),
        "" if rank_rate is None else plain(rank_rate),
        plain(points),
        plain(top),
        status,
        safe_text(note),
        safe_text(why),
    ]


#: Rows in one Excel sheet; a detail longer than this goes on in 明细(2), 明细(3) … (tests lower it).
XLSX_MAX_ROWS = 1_048_576
#: Significant digits Excel keeps of a number typed in. A figure with more is written only when it
#: is exactly a double (as every figure read from an Excel file is: what Excel held); any other
#: would change silently in the file.
XLSX_DIGITS = 15


class XlsxExporter(Exporter):
    identifier = "xlsx"
    name = "Excel（排名表与明细表）"
    extension = ".xlsx"
    binary = True

    def render(self, result: Result) -> bytes:
        import xlsxwriter

        buffer = io.BytesIO()
        # Text is written with write_string; no string is ever read as a formula or a number.
        wb = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        fm = _formats(wb)
        for g in result.groups:
            suffix = f"（{g.class_name or g.group.name}）" if len(result.groups) > 1 else ""
            rows = list(iterate_units(g))
            if len(rows) + 3 > XLSX_MAX_ROWS:
                raise KaoheError(
                    f"{g.title or g.group.name}有 {len(rows)} 个单位，排名表超过 Excel 每个工作表 "
                    f"{XLSX_MAX_ROWS:,} 行的上限：请改用 --format csv 或 json"
                )
            _ranking_sheet(wb.add_worksheet(f"排名{suffix}"[:31]), fm, result, g, rows)
            _detail_sheets(wb, suffix, fm, rows, result)
        wb.close()
        return buffer.getvalue()


def excel_number(value: Decimal, unit: str, indicator: str, what: str) -> float:
    """A figure as the double Excel stores, or a KaoheError naming it when Excel cannot hold it
    (beyond its range, or more digits than a double gives back)."""
    number = float(value)
    if not math.isfinite(number) or abs(number) > 9.99e307 or (value and not number):
        raise KaoheError(
            f"单位“{unit}”的指标“{indicator}”{what} {plain(value)} 超出 Excel 能保存的数值范围："
            "请核对数据，或改用 --format csv 或 json"
        )
    digits = len(value.as_tuple().digits)
    if digits > XLSX_DIGITS and Decimal(repr(number)) != value:
        raise KaoheError(
            f"单位“{unit}”的指标“{indicator}”{what} {plain(value)} 有 {digits} 位有效数字，"
            f"Excel 只能准确保存 {XLSX_DIGITS} 位：请核对数据，或改用 --format csv 或 json"
        )
    return number


def _formats(wb) -> dict:
    head = {"bold": True, "align": "center", "valign": "vcenter", "border": 1}
    return {
        "head": wb.add_format(dict(head, text_wrap=True, bg_color="#EFEFEF")),
        "cell": wb.add_format({"border": 1, "valign": "vcenter"}),
        "num2": wb.add_format({"border": 1, "num_format": "0.00", "valign": "vcenter"}),
        "pct": wb.add_format({"border": 1, "num_format": "0.00%", "valign": "vcenter"}),
        "title": wb.add_format({"bold": True, "font_size": 16, "align": "center"}),
    }


def _ranking_sheet(ws, fm, result: Result, g: GroupResult, rows: list[UnitRow]) -> None:
    graded = result.scheme.grading is not None
    lead = ["排名", "单位", "总得分", "原始得分"] + (["等次"] if graded else [])
    headers = lead + [c.indicator.name for c in g.columns]
    title = f"{result.scheme.name}{g.title}考核排名"
    ws.merge_range(0, 0, 0, len(headers) - 1, title, fm["title"])
    for k, text in enumerate(headers):
        ws.write_string(1, k, text, fm["head"])
    ws.write_blank(2, 0, None, fm["head"])
    ws.write_string(2, 1, "满分", fm["head"])
    for k, value in ((2, result.scheme.total_scale), (3, g.max_points)):
        ws.write_number(2, k, float(value), fm["head"])
    if graded:
        ws.write_blank(2, 4, None, fm["head"])
    for k, c in enumerate(g.columns, start=len(lead)):
        ws.write_number(2, k, float(c.indicator.max_points), fm["head"])
    for r, row in enumerate(rows, start=3):
        ws.write_number(r, 0, row.rank, fm["cell"])
        ws.write_string(r, 1, row.unit, fm["cell"])
        ws.write_number(r, 2, float(row.total), fm["num2"])
        ws.write_number(r, 3, float(row.raw), fm["num2"])
        if graded:
            ws.write_string(r, 4, row.grade, fm["cell"])
        for k, e in enumerate(row.entries, start=len(lead)):
            ws.write_number(r, k, float(e.points), fm["num2"])
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 18)
    ws.set_column(2, len(headers), 12)
    ws.freeze_panes(3, 2)


def _detail_sheets(wb, suffix: str, fm, rows: list[UnitRow], result: Result) -> None:
    """The detail, one row per unit and indicator, on as many sheets as Excel's rows need:
    明细, 明细(2) …, each with its heading row. Nothing is left out."""
    cell, per_sheet = fm["cell"], XLSX_MAX_ROWS - 1
    fields = [name for _, name in unit_columns(result)]
    x = len(fields)  # the entry's columns move right by the unit columns the rules add
    ws, r, sheets = None, XLSX_MAX_ROWS, 0
    for row in rows:
        # The unit's own columns repeat on each of its rows: converted once per unit.
        total, raw = float(row.total), float(row.raw)
        extra = [(k, getattr(row, name)) for k, name in enumerate(fields, start=4)]
        for e, ind in zip(row.entries, row.indicators, strict=True):
            if r > per_sheet:
                sheets += 1
                name = f"明细{suffix}" if sheets == 1 else f"明细({sheets}){suffix}"
                ws, r = _detail_sheet(wb.add_worksheet(name[:31]), fm, result, x), 1
            text = ws.write_string
            ws.write_number(r, 0, row.rank, cell)
            text(r, 1, row.unit, cell)
            ws.write_number(r, 2, total, cell)
            ws.write_number(r, 3, raw, cell)
            for k, value in extra:
                text(r, k, value, cell)
            text(r, x + 4, e.indicator, cell)
            text(r, x + 5, ind.category, cell)
            text(r, x + 6, ind.unit, cell)
            for k, v, what in ((x + 7, e.target, "任务数"), (x + 8, e.actual, "实绩数")):
                if v is None:
                    text(r, k, "/", cell)
                else:
                    ws.write_number(r, k, excel_number(v, row.unit, e.indicator, what), cell)
            if e.rate is None:
                ws.write_blank(r, x + 9, None, cell)
            else:
                ws.write_number(r, x + 9, float(e.rate), fm["pct"])
            for k, v in ((x + 10, e.rank_actual), (x + 11, e.rank_rate)):
                if v is None:
                    ws.write_blank(r, k, None, cell)
                else:
                    ws.write_number(r, k, v, cell)
            ws.write_number(r, x + 12, float(e.points), fm["num2"])
            ws.write_number(r, x + 13, float(e.max), cell)
            text(r, x + 14, e.status, cell)
            text(r, x + 15, e.note, cell)
            text(r, x + 16, e.explain, cell)
            r += 1
    if ws is None:  # a group without units still gets its (empty) detail sheet
        _detail_sheet(wb.add_worksheet(f"明细{suffix}"[:31]), fm, result, x)


def _detail_sheet(ws, fm, result: Result, x: int):
    """One detail sheet's heading row and column widths."""
    for k, heading in enumerate(detail_header(result)):
        ws.write_string(0, k, heading, fm["head"])
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 16)
    ws.set_column(x + 4, x + 4, 30)
    ws.set_column(x + 16, x + 16, 60)
    ws.freeze_panes(1, 2)
    return ws


class TableExporter(Exporter):
    identifier = "table"
    name = "终端排名表"
    extension = ".txt"

    def __init__(self, detail: bool = False):
        self.detail = detail

    def tables(self, result: Result):
        from rich import box
        from rich.table import Table

        for g in result.groups:
            table = Table(
                title=f"{result.scheme.name} · {g.title}考核排名（满分 {plain(g.max_points)} 分，折算为百分制）",
                box=box.SIMPLE_HEAVY,
            )
            table.add_column("排名", justify="right")
            table.add_column("单位")
            table.add_column("总得分", justify="right")
            table.add_column("原始得分", justify="right")
            graded = result.scheme.grading is not None
            if graded:
                table.add_column("等次")
            categories = list(dict.fromkeys(c.indicator.category for c in g.columns))
            for cat in categories:
                cat_max = sum(
                    (c.indicator.max_points for c in g.columns if c.indicator.category == cat),
                    Decimal(0),
                )
                table.add_column(f"{cat}（{plain(cat_max)}）", justify="right")
            rows = list(iterate_units(g))
            for row in rows:
                subtotals = [
                    sum(
                        (
                            e.points
                            for e, ind in zip(row.entries, row.indicators, strict=True)
                            if ind.category == cat
                        ),
                        Decimal(0),
                    )
                    for cat in categories
                ]
                table.add_row(
                    str(row.rank),
                    row.unit,
                    fixed(row.total, 2),
                    fixed(row.raw, 2),
                    *([row.grade + ("（否决）" if row.veto else "")] if graded else []),
                    *(fixed(v, 2) for v in subtotals),
                )
            yield table
            if self.detail:
                for row in rows:
                    yield _detail_table(row)

    def render(self, result: Result) -> str:
        from rich.console import Console

        console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
        for table in self.tables(result):
            console.print(table)
        return console.export_text()


def _detail_table(row: UnitRow):
    from rich import box
    from rich.table import Table

    sub = Table(
        title=f"{row.rank}. {row.unit}  总得分 {fixed(row.total, 2)}"
        + (f"  等次 {row.grade}" if row.grade else "")
        + (f"\n{row.notes}" if row.notes else ""),
        box=box.MINIMAL,
        show_header=True,
    )
    sub.add_column("指标")
    sub.add_column("得分", justify="right")
    sub.add_column("满分", justify="right")
    sub.add_column("说明")
    for e in row.entries:
        sub.add_row(e.indicator, fixed(e.points, 2), plain(e.max), e.explain)
    return sub


EXPORTERS: dict[str, type[Exporter]] = {
    e.identifier: e for e in (TableExporter, JsonExporter, CsvExporter, XlsxExporter)
}
