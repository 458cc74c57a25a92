"""Ways to write a scoring result: terminal table, JSON, CSV and Excel.

Every exporter reads the same rows from `iterate_units` (one per unit, best first, each with one
`Entry` per indicator, explanation included) and differs only in how it writes them, like
pretix's `ListExporter.iterate_list`. `EXPORTERS` is the one place they are registered.
"""

from __future__ import annotations

import csv
import io
import json.encoder
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from .engine import GroupResult, Result, explain
from .numbers import fixed, plain
from .scheme import Indicator

JSON_VERSION = 1


class UnitRow(NamedTuple):
    """One unit's result. `entries` are its indicators in scheme order, each a dict with the
    keys of the JSON contract (see README, "JSON 结果约定"); `indicators` are the matching
    scheme indicators (for category and unit of measure)."""

    rank: int
    unit: str
    total: Decimal
    raw: Decimal
    entries: list[dict]
    indicators: list[Indicator]


def iterate_units(g: GroupResult) -> Iterator[UnitRow]:
    """The group's units, best first, each with its indicators in scheme order."""
    indicators = [c.indicator for c in g.columns]
    for i in g.order:
        entries = [
            {
                "indicator": c.indicator.name,
                "target": c.target[i],
                "actual": c.actual[i],
                "rate": c.rate[i],
                "rank_actual": c.rank_actual[i],
                "rank_rate": c.rank_rate[i],
                "points": c.points[i],
                "max": c.indicator.max_points,
                "status": c.status[i],
                "note": c.note[i],
                "explain": explain(c, i),
            }
            for c in g.columns
        ]
        yield UnitRow(g.rank[i], g.unit_names[i], g.total[i], g.raw[i], entries, indicators)


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
        """Write the JSON to a binary file, a unit at a time (memory stays bounded)."""
        first = result.groups[0]
        head = {
            "version": JSON_VERSION,
            "scheme": result.scheme.key,
            "scheme_name": result.scheme.name,
            "group": first.group.name,
            "max_points": first.max_points,
        }
        fh.write(f'{json_open(head)}, "units": '.encode())
        _write_units(first, fh)
        if len(result.groups) > 1:
            fh.write(b', "groups": [')
            for n, g in enumerate(result.groups):
                lead = ", " if n else ""
                head = json_open({"group": g.group.name, "max_points": g.max_points})
                fh.write(f'{lead}{head}, "units": '.encode())
                _write_units(g, fh)
                fh.write(b"}")
            fh.write(b"]")
        fh.write(b"}\n")


def _write_units(g: GroupResult, fh) -> None:
    fh.write(b"[")
    for n, row in enumerate(iterate_units(g)):
        unit = {"unit": row.unit, "rank": row.rank, "raw": row.raw, "total": row.total}
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


def _json_entry(e: dict) -> str:
    """json_open(e) + "}", written out for the one object there are hundreds of thousands of."""
    v, s = json_value, _string
    return (
        f'{{"indicator": {s(e["indicator"])}, "target": {v(e["target"])}, '
        f'"actual": {v(e["actual"])}, "rate": {v(e["rate"])}, '
        f'"rank_actual": {v(e["rank_actual"])}, "rank_rate": {v(e["rank_rate"])}, '
        f'"points": {e["points"]}, "max": {e["max"]}, "status": {s(e["status"])}, '
        f'"note": {s(e["note"])}, "explain": {s(e["explain"])}}}'
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
        """Write the CSV to a binary file as the rows come (memory stays bounded)."""
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(DETAIL_HEADER)
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
                writer.writerows(
                    head + name + _csv_entry(e) for name, e in zip(names, row.entries, strict=True)
                )
        text.flush()
        text.detach()  # the caller owns `fh`


def _csv_entry(e: dict) -> list:
    """The columns after 计量单位 (see DETAIL_HEADER)."""
    return [
        _csv_value(e["target"]),
        _csv_value(e["actual"]),
        _csv_value(e["rate"]),
        _csv_value(e["rank_actual"]),
        _csv_value(e["rank_rate"]),
        plain(e["points"]),
        plain(e["max"]),
        e["status"],
        safe_text(e["note"]),
        safe_text(e["explain"]),
    ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    return plain(value) if isinstance(value, Decimal) else str(value)


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
            suffix = f"（{g.group.name}）" if len(result.groups) > 1 else ""
            rows = list(iterate_units(g))
            _ranking_sheet(wb.add_worksheet(f"排名{suffix}"[:31]), fm, result, g, rows)
            _detail_sheet(wb.add_worksheet(f"明细{suffix}"[:31]), fm, rows)
        wb.close()
        return buffer.getvalue()


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
    headers = ["排名", "单位", "总得分", "原始得分"] + [c.indicator.name for c in g.columns]
    title = f"{result.scheme.name}{g.group.name}考核排名"
    ws.merge_range(0, 0, 0, len(headers) - 1, title, fm["title"])
    for k, text in enumerate(headers):
        ws.write_string(1, k, text, fm["head"])
    ws.write_blank(2, 0, None, fm["head"])
    ws.write_string(2, 1, "满分", fm["head"])
    maxima = [result.scheme.total_scale, g.max_points] + [c.indicator.max_points for c in g.columns]
    for k, value in enumerate(maxima, start=2):
        ws.write_number(2, k, float(value), fm["head"])
    for r, row in enumerate(rows, start=3):
        ws.write_number(r, 0, row.rank, fm["cell"])
        ws.write_string(r, 1, row.unit, fm["cell"])
        ws.write_number(r, 2, float(row.total), fm["num2"])
        ws.write_number(r, 3, float(row.raw), fm["num2"])
        for k, e in enumerate(row.entries, start=4):
            ws.write_number(r, k, float(e["points"]), fm["num2"])
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 18)
    ws.set_column(2, len(headers), 12)
    ws.freeze_panes(3, 2)


def _detail_sheet(ws, fm, rows: list[UnitRow]) -> None:
    cell, text = fm["cell"], ws.write_string
    for k, heading in enumerate(DETAIL_HEADER):
        text(0, k, heading, fm["head"])
    r = 1
    for row in rows:
        for e, ind in zip(row.entries, row.indicators, strict=True):
            ws.write_number(r, 0, row.rank, cell)
            text(r, 1, row.unit, cell)
            ws.write_number(r, 2, float(row.total), cell)
            ws.write_number(r, 3, float(row.raw), cell)
            text(r, 4, e["indicator"], cell)
            text(r, 5, ind.category, cell)
            text(r, 6, ind.unit, cell)
            for k, v in ((7, e["target"]), (8, e["actual"])):
                if v is None:
                    text(r, k, "/", cell)
                else:
                    ws.write_number(r, k, float(v), cell)
            if e["rate"] is None:
                ws.write_blank(r, 9, None, cell)
            else:
                ws.write_number(r, 9, float(e["rate"]), fm["pct"])
            for k, v in ((10, e["rank_actual"]), (11, e["rank_rate"])):
                if v is None:
                    ws.write_blank(r, k, None, cell)
                else:
                    ws.write_number(r, k, v, cell)
            ws.write_number(r, 12, float(e["points"]), fm["num2"])
            ws.write_number(r, 13, float(e["max"]), cell)
            text(r, 14, e["status"], cell)
            text(r, 15, e["note"], cell)
            text(r, 16, e["explain"], cell)
            r += 1
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 16)
    ws.set_column(4, 4, 30)
    ws.set_column(16, 16, 60)
    ws.freeze_panes(1, 2)


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
                title=f"{result.scheme.name} · {g.group.name}考核排名（满分 {plain(g.max_points)} 分，折算为百分制）",
                box=box.SIMPLE_HEAVY,
            )
            table.add_column("排名", justify="right")
            table.add_column("单位")
            table.add_column("总得分", justify="right")
            table.add_column("原始得分", justify="right")
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
                            e["points"]
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
        title=f"{row.rank}. {row.unit}  总得分 {fixed(row.total, 2)}",
        box=box.MINIMAL,
        show_header=True,
    )
    sub.add_column("指标")
    sub.add_column("得分", justify="right")
    sub.add_column("满分", justify="right")
    sub.add_column("说明")
    for e in row.entries:
        sub.add_row(e["indicator"], fixed(e["points"], 2), plain(e["max"]), e["explain"])
    return sub


EXPORTERS: dict[str, type[Exporter]] = {
    e.identifier: e for e in (TableExporter, JsonExporter, CsvExporter, XlsxExporter)
}
