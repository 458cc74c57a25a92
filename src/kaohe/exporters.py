"""Ways to write a scoring result: terminal table, JSON, CSV and Excel.

Each exporter is a small class with an identifier, a Chinese name, a file extension and a render
method; `EXPORTERS` is the one place they are registered.
"""

from __future__ import annotations

import csv
import io
import json
import json.encoder
import os
import tempfile
from decimal import Decimal
from itertools import compress, repeat
from operator import is_

from .engine import GroupResult, Result, _pick, explain, explain_many
from .numbers import fixed, plain

JSON_VERSION = 1


def _num(value) -> str:
    """A Decimal as a JSON number literal; None as null."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return plain(value) if isinstance(value, Decimal) else json.dumps(value)


class Exporter:
    identifier = ""
    name = ""
    extension = ""
    binary = False

    def render(self, result: Result):
        raise NotImplementedError


class JsonExporter(Exporter):
    identifier = "json"
    name = "JSON（供其他系统读取）"
    extension = ".json"

    def render(self, result: Result) -> str:
        out = io.BytesIO()
        self.write(result, out)
        return out.getvalue().decode("utf-8")

    def write(self, result: Result, fh, *, parallel: bool = False) -> None:
        """Write the JSON to a binary file; `parallel` lets a second process render half of
        a large group (POSIX only; the output is the same byte for byte)."""
        first = result.groups[0]
        fh.write(json_head(result.scheme, first.group))
        _write_units(first, fh, parallel)
        if len(result.groups) > 1:
            fh.write(b', "groups": [')
            for n, g in enumerate(result.groups):
                lead = f'{", " if n else ""}{{"group": {_text(g.group.name)}, '
                fh.write(f'{lead}"max_points": {_num(g.max_points)}, "units": '.encode())
                _write_units(g, fh, parallel)
                fh.write(b"}")
            fh.write(b"]")
        fh.write(b"}\n")


def json_head(scheme, group) -> bytes:
    """The JSON up to the first group's list of units."""
    return (
        f'{{"version": {JSON_VERSION}, "scheme": {_text(scheme.key)}, '
        f'"scheme_name": {_text(scheme.name)}, "group": {_text(group.name)}, '
        f'"max_points": {_num(group.max_points)}, "units": '
    ).encode()


PARALLEL_MIN_ENTRIES = 100_000  # below this a second process costs more than it saves
CHUNK_UNITS = 2048  # rendered a slice at a time: bounded memory, reused pages


def _write_units(g: GroupResult, fh, parallel: bool) -> None:
    """The group's units, best first, as a JSON list."""
    n = len(g.unit_names)
    if parallel and hasattr(os, "fork") and n * len(g.columns) >= PARALLEL_MIN_ENTRIES:
        half = n // 2
        with tempfile.TemporaryFile() as spill:
            child = _fork_render(g, range(half, n), spill)
            units = _rendered(g, range(half))
            _, status = os.waitpid(child, 0)
            if status != 0:
                raise RuntimeError(f"JSON 输出的子进程异常退出（状态 {status}）")
            spill.seek(0)
            units += spill.read().split(b"\n")  # a unit's JSON has no raw line break
    else:
        units = _rendered(g, range(n))
    order = g.order
    fh.write(b"[")
    for start in range(0, n, CHUNK_UNITS):
        lead = b",\n" if start else b""
        fh.write(lead + b",\n".join(_pick(units, order[start : start + CHUNK_UNITS])))
    fh.write(b"]")


def _rendered(g: GroupResult, span: range) -> list[bytes]:
    """Each unit's JSON in stored order (memory order: slices, no scattered reads)."""
    out: list[bytes] = []
    for start in range(span.start, span.stop, CHUNK_UNITS):
        chunk = range(start, min(start + CHUNK_UNITS, span.stop))
        out.extend(map(str.encode, _json_units(g, chunk)))
    return out


def _fork_render(g: GroupResult, span: range, spill) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        spill.write(b"\n".join(_rendered(g, span)))
        spill.flush()
        code = 0
    finally:
        os._exit(code)  # never return into the parent's code


_text = json.encoder.encode_basestring  # the C encoder: a quoted, escaped JSON string


def _json_units(g: GroupResult, indices: list[int]) -> list[str]:
    return list(map(unit_json, *unit_fields(g, indices), json_entries(g.columns, indices)))


def unit_fields(g, indices) -> tuple:
    """Name, rank, raw and total of the given units, as JSON text."""
    names = map(_text, _pick(g.unit_names, indices))
    return (names, *(map(str, _pick(v, indices)) for v in (g.rank, g.raw, g.total)))


def unit_open(name: str, rank: str, raw: str, total: str) -> str:
    """A unit's JSON object up to the inside of its "indicators" list."""
    return f'{{"unit": {name}, "rank": {rank}, "raw": {raw}, "total": {total}, "indicators": ['


def unit_json(name: str, rank: str, raw: str, total: str, entries: str) -> str:
    return f"{unit_open(name, rank, raw, total)}{entries}]}}"


def json_entries(columns: list, indices) -> list[str]:
    """Each unit's indicator objects for these columns, joined (the inside of "indicators")."""
    return list(map(", ".join, zip(*[_json_column(c, indices) for c in columns], strict=True)))


def _json_column(c, indices: list[int]) -> list[str]:
    """One indicator's JSON objects for the given units."""
    head = f'{{"indicator": {_text(c.indicator.name)}, "target": '
    max_text = str(c.indicator.max_points)

    def texts(values):
        if values is c.nothing:  # the shared all-None column of an unranked indicator
            return nulls
        picked = _pick(values, indices)
        out = list(map(str, picked))
        for p in compress(range(len(out)), map(is_, picked, repeat(None))):
            out[p] = "null"
        return out

    nulls = ["null"] * len(indices)
    targets, actuals = texts(c.target), texts(c.actual)
    notes = list(map(_text, _pick(c.note, indices)))
    explains = list(map(_text, explain_many(c, indices, (targets, actuals))))
    status = _pick(c.status, indices)
    return [
        f'{head}{t}, "actual": {a}, "rate": {r}, "rank_actual": {ra}, "rank_rate": {rr}, '
        f'"points": {p}, "max": {max_text}, "status": "{st}", "note": {n}, "explain": {e}}}'
        for t, a, r, ra, rr, p, st, n, e in zip(
            targets,
            actuals,
            texts(c.rate),
            texts(c.rank_actual),
            texts(c.rank_rate),
            texts(c.points),
            status,
            notes,
            explains,
            strict=True,
        )
    ]


CSV_HEADER = [
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


class CsvExporter(Exporter):
    identifier = "csv"
    name = "CSV 明细（每个单位每项指标一行）"
    extension = ".csv"

    def render(self, result: Result) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for g in result.groups:
            for i in g.order:
                head = [g.rank[i], g.unit_names[i], fixed(g.total[i], 2), plain(g.raw[i])]
                for c in g.columns:
                    ind = c.indicator
                    writer.writerow(
                        head
                        + [
                            ind.name,
                            ind.category,
                            ind.unit,
                            _cell(c.target[i]),
                            _cell(c.actual[i]),
                            _cell(c.rate[i]),
                            _cell(c.rank_actual[i]),
                            _cell(c.rank_rate[i]),
                            plain(c.points[i]),
                            plain(ind.max_points),
                            c.status[i],
                            c.note[i],
                            explain(c, i),
                        ]
                    )
        return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


class XlsxExporter(Exporter):
    identifier = "xlsx"
    name = "Excel（排名表与明细表）"
    extension = ".xlsx"
    binary = True

    def render(self, result: Result) -> bytes:
        import xlsxwriter

        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        bold = wb.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "text_wrap": True,
                "bg_color": "#EFEFEF",
            }
        )
        cell = wb.add_format({"border": 1, "valign": "vcenter"})
        num2 = wb.add_format({"border": 1, "num_format": "0.00", "valign": "vcenter"})
        pct = wb.add_format({"border": 1, "num_format": "0.00%", "valign": "vcenter"})
        title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
        for g in result.groups:
            suffix = f"（{g.group.name}）" if len(result.groups) > 1 else ""
            ws = wb.add_worksheet(f"排名{suffix}"[:31])
            headers = ["排名", "单位", "总得分", "原始得分"] + [c.indicator.name for c in g.columns]
            ws.merge_range(
                0, 0, 0, len(headers) - 1, f"{result.scheme.name}{g.group.name}考核排名", title
            )
            ws.write_row(1, 0, headers, bold)
            ws.write(2, 0, "", bold)
            ws.write(2, 1, "满分", bold)
            ws.write(2, 2, float(result.scheme.total_scale), bold)
            ws.write(2, 3, float(g.max_points), bold)
            for k, c in enumerate(g.columns):
                ws.write(2, 4 + k, float(c.indicator.max_points), bold)
            for r, i in enumerate(g.order, start=3):
                ws.write(r, 0, g.rank[i], cell)
                ws.write(r, 1, g.unit_names[i], cell)
                ws.write_number(r, 2, float(g.total[i]), num2)
                ws.write_number(r, 3, float(g.raw[i]), num2)
                for k, c in enumerate(g.columns):
                    ws.write_number(r, 4 + k, float(c.points[i]), num2)
            ws.set_column(0, 0, 6)
            ws.set_column(1, 1, 18)
            ws.set_column(2, len(headers), 12)
            ws.freeze_panes(3, 2)

            ws = wb.add_worksheet(f"明细{suffix}"[:31])
            ws.write_row(0, 0, CSV_HEADER, bold)
            r = 1
            for i in g.order:
                for c in g.columns:
                    ind = c.indicator
                    values = [
                        g.rank[i],
                        g.unit_names[i],
                        float(g.total[i]),
                        float(g.raw[i]),
                        ind.name,
                        ind.category,
                        ind.unit,
                    ]
                    ws.write_row(r, 0, values, cell)
                    for k, v in enumerate((c.target[i], c.actual[i])):
                        if v is None:
                            ws.write(r, 7 + k, "/", cell)
                        else:
                            ws.write_number(r, 7 + k, float(v), cell)
                    if c.rate[i] is None:
                        ws.write(r, 9, "", cell)
                    else:
                        ws.write_number(r, 9, float(c.rate[i]), pct)
                    ws.write(r, 10, c.rank_actual[i] if c.rank_actual[i] is not None else "", cell)
                    ws.write(r, 11, c.rank_rate[i] if c.rank_rate[i] is not None else "", cell)
                    ws.write_number(r, 12, float(c.points[i]), num2)
                    ws.write_number(r, 13, float(ind.max_points), cell)
                    ws.write(r, 14, c.status[i], cell)
                    ws.write(r, 15, c.note[i], cell)
                    ws.write(r, 16, explain(c, i), cell)
                    r += 1
            ws.set_column(0, 0, 6)
            ws.set_column(1, 1, 16)
            ws.set_column(4, 4, 30)
            ws.set_column(16, 16, 60)
            ws.freeze_panes(1, 2)
        wb.close()
        return buffer.getvalue()


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
            for i in g.order:
                subtotals = [
                    sum((c.points[i] for c in g.columns if c.indicator.category == cat), Decimal(0))
                    for cat in categories
                ]
                table.add_row(
                    str(g.rank[i]),
                    g.unit_names[i],
                    fixed(g.total[i], 2),
                    fixed(g.raw[i], 2),
                    *(fixed(v, 2) for v in subtotals),
                )
            yield table
            if self.detail:
                for i in g.order:
                    sub = Table(
                        title=f"{g.rank[i]}. {g.unit_names[i]}  总得分 {fixed(g.total[i], 2)}",
                        box=box.MINIMAL,
                        show_header=True,
                    )
                    sub.add_column("指标")
                    sub.add_column("得分", justify="right")
                    sub.add_column("满分", justify="right")
                    sub.add_column("说明")
                    for c in g.columns:
                        sub.add_row(
                            c.indicator.name,
                            fixed(c.points[i], 2),
                            plain(c.indicator.max_points),
                            explain(c, i),
                        )
                    yield sub

    def render(self, result: Result) -> str:
        from rich.console import Console

        console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
        for table in self.tables(result):
            console.print(table)
        return console.export_text()


EXPORTERS: dict[str, type[Exporter]] = {
    e.identifier: e for e in (TableExporter, JsonExporter, CsvExporter, XlsxExporter)
}
