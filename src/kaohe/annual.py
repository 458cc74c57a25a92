"""A year's result from its periods, as the scheme's [annual] says.

- average: the period totals weighted by `weights` (equal by default), averaged;
- sum: the period totals added up (each period worth part of the year);
- last: the last period's result, its figures being the year's cumulative ones.

Each period is scored on its own first (a Result per period, classes included); the year's total
is ranked within each group or class, and graded by the scheme's grades. A unit vetoed to the
lowest grade in any period keeps the lowest grade for the year.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .engine import GroupResult, Result
from .errors import InputError, InputErrors
from .numbers import plain
from .scheme import ANNUAL_METHODS as ANNUAL_WORDS
from .scheme import Group, Scheme
from .totals import Grade, assign_grades, rank_totals


@dataclass(frozen=True)
class AnnualUnit:
    unit: str
    periods: tuple[Decimal, ...]  # each period's total
    total: Decimal
    rank: int
    grade: Grade | None
    explain: str


@dataclass(frozen=True)
class AnnualGroup:
    group: Group
    class_name: str
    units: list[AnnualUnit]  # best first


def period_names(scheme: Scheme, count: int) -> list[str]:
    named = list(scheme.annual.periods)
    if named and len(named) != count:
        raise InputErrors(
            [
                InputError(
                    f"方案的 [annual] 列出 {len(named)} 期（{'、'.join(named)}），实际给出 {count} 期数据"
                )
            ]
        )
    return named or [f"第 {k} 期" for k in range(1, count + 1)]


def combine(
    scheme: Scheme, results: list[Result], names: list[str] | None = None
) -> list[AnnualGroup]:
    """The year's result per group (or class) from each period's Result, in period order;
    `names`: the periods' names when the scheme's [annual] names none (the web's 一季度 …)."""
    if names is None or scheme.annual.periods:
        names = period_names(scheme, len(results))
    weights = list(scheme.annual.weights) or [Decimal(1)] * len(results)
    if len(weights) != len(results):
        raise InputErrors(
            [
                InputError(
                    f"方案的 [annual] 有 {len(weights)} 个权重，实际给出 {len(results)} 期数据"
                )
            ]
        )
    out = []
    for first in results[0].groups:
        periods = [_same_group(r, first, name) for r, name in zip(results, names, strict=True)]
        out.append(_combine_group(scheme, periods, names, weights))
    return out


def _same_group(result: Result, like: GroupResult, name: str) -> GroupResult:
    for g in result.groups:
        if g.group.key == like.group.key and g.class_name == like.class_name:
            if sorted(g.unit_names) != sorted(like.unit_names):
                missing = sorted(set(like.unit_names) ^ set(g.unit_names))
                raise InputErrors(
                    [InputError(f"{name}的单位与第一期不同：{'、'.join(missing)}（{like.title}）")]
                )
            return g
    raise InputErrors([InputError(f"{name}没有“{like.title}”的数据")])


def _combine_group(scheme, periods: list[GroupResult], names, weights) -> AnnualGroup:
    units = periods[0].unit_names
    quantum = Decimal(1).scaleb(-scheme.total_decimals)
    totals, exact, texts, graded_out = [], [], [], []
    for unit in units:
        pos = [g.unit_names.index(unit) for g in periods]
        values = [g.total[p] for g, p in zip(periods, pos, strict=True)]
        value, text = _annual_value(scheme.annual.method, values, names, weights)
        exact.append(value)
        totals.append(value.quantize(quantum, ROUND_HALF_UP))
        texts.append(text)
        graded_out.append(
            any(
                any(c.indicator.veto == "grade" and c.veto[p] for c in g.columns)
                for g, p in zip(periods, pos, strict=True)
            )
        )
    order, rank = rank_totals(totals, exact)
    grades = (
        assign_grades(scheme.grading, totals, rank, graded_out)
        if scheme.grading is not None
        else [None] * len(units)
    )
    period_totals = [tuple(g.total[g.unit_names.index(u)] for g in periods) for u in units]
    return AnnualGroup(
        periods[0].group,
        periods[0].class_name,
        [
            AnnualUnit(units[i], period_totals[i], totals[i], rank[i], grades[i], texts[i])
            for i in order
        ],
    )


def _annual_value(method: str, values, names, weights) -> tuple[Decimal, str]:
    shown = [f"{v:f}" for v in values]
    if method == "last":
        return values[-1], f"取{names[-1]}（累计）结果 {shown[-1]}"
    if method == "sum":
        total = sum(values, Decimal(0))
        return total, f"各期相加：{' + '.join(shown)} = {plain(total)}"
    weight_sum = sum(weights, Decimal(0))
    value = sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / weight_sum
    if len(set(weights)) == 1:
        text = f"各期平均：({' + '.join(shown)}) ÷ {len(values)}"
    else:
        terms = " + ".join(f"{s} × {plain(w)}" for s, w in zip(shown, weights, strict=True))
        text = f"各期加权平均：({terms}) ÷ {plain(weight_sum)}"
    return value, text


# --- one row generator, three writers ------------------------------------------------


def annual_rows(groups: list[AnnualGroup]):
    """(AnnualGroup, AnnualUnit) pairs, best first within each group or class."""
    for g in groups:
        for u in g.units:
            yield g, u


def render_json(scheme: Scheme, groups: list[AnnualGroup], names: list[str]) -> str:
    data = {
        "version": 1,
        "scheme": scheme.key,
        "annual": scheme.annual.method,
        "periods": names,
        "groups": [
            {
                "group": g.group.name,
                **({"class": g.class_name} if g.class_name else {}),
                "units": [
                    {
                        "unit": u.unit,
                        "rank": u.rank,
                        "total": str(u.total),
                        "periods": [str(t) for t in u.periods],
                        "grade": u.grade.name if u.grade else None,
                        "explain": u.explain,
                    }
                    for u in g.units
                ],
            }
            for g in groups
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def render_csv(groups: list[AnnualGroup], names: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(annual_header(names))
    for g, u in annual_rows(groups):
        writer.writerow(
            [
                g.group.name,
                g.class_name,
                u.rank,
                u.unit,
                *(f"{t:f}" for t in u.periods),
                f"{u.total:f}",
                u.grade.name if u.grade else "",
                u.explain,
            ]
        )
    return out.getvalue()


def annual_header(names: list[str]) -> list[str]:
    return ["分组", "分类", "排名", "单位", *names, "年度总得分", "等次", "说明"]


def render_xlsx(scheme: Scheme, groups: list[AnnualGroup], names: list[str]) -> bytes:
    """One sheet, the rows of render_csv: figures as numbers, text never read as a formula."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#EFEFEF", "text_wrap": True})
    cell = wb.add_format({"border": 1})
    num2 = wb.add_format({"border": 1, "num_format": "0.00"})
    title = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("年度排名")
    header = annual_header(names)
    ws.write_string(
        0, 0, f"{scheme.name}年度考核排名（{ANNUAL_WORDS[scheme.annual.method]}）", title
    )
    for k, text in enumerate(header):
        ws.write_string(1, k, text, head)
    for r, (g, u) in enumerate(annual_rows(groups), start=2):
        ws.write_string(r, 0, g.group.name, cell)
        ws.write_string(r, 1, g.class_name, cell)
        ws.write_number(r, 2, u.rank, cell)
        ws.write_string(r, 3, u.unit, cell)
        for k, value in enumerate((*u.periods, u.total), start=4):
            ws.write_number(r, k, float(value), num2)
        ws.write_string(r, 5 + len(names), u.grade.name if u.grade else "", cell)
        ws.write_string(r, 6 + len(names), u.explain, cell)
    ws.set_column(0, 1, 16)
    ws.set_column(3, 3, 16)
    ws.set_column(6 + len(names), 6 + len(names), 50)
    ws.freeze_panes(2, 4)
    wb.close()
    return buffer.getvalue()


def render_table(scheme: Scheme, groups: list[AnnualGroup], names: list[str]) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    for g in groups:
        title = f"{g.group.name}·{g.class_name}" if g.class_name else g.group.name
        table = Table(title=f"{scheme.name} · {title}年度考核排名", box=box.SIMPLE_HEAVY)
        for heading in ("排名", "单位", *names, "年度总得分"):
            table.add_column(heading, justify="left" if heading == "单位" else "right")
        if scheme.grading is not None:
            table.add_column("等次")
        for _, u in annual_rows([g]):
            grade = [u.grade.name] if scheme.grading is not None else []
            table.add_row(
                str(u.rank), u.unit, *(f"{t:f}" for t in u.periods), f"{u.total:f}", *grade
            )
        console.print(table)
    return console.export_text()
