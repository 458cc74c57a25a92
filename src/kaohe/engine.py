"""The scoring engine: pure Python and Decimal, no web framework.

Results are kept column by column (one column per indicator, one slot per unit) so that tens of
thousands of units score fast; `GroupResult.units` gives the familiar per-unit view.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from .dataset import Cell, Dataset, GroupData
from .numbers import NOT_APPLICABLE, ZERO, percent, plain, round_half_up
from .scheme import Group, Indicator, Scheme

SCORED = "scored"  # ranked / compared against its target
NO_TASK = "no_task"  # target '/' (or 0): full points, not ranked
PENDING = "pending"  # actual blank: statistics not released, completion taken as the target
LATE = "late"  # note says the material was late: recorded as 0 done, 0 points

STATUS_LABELS = {SCORED: "已计分", NO_TASK: "未下达任务", PENDING: "数据未出", LATE: "迟报"}


class IndicatorColumn:
    """One indicator's results for every unit of a group."""

    def __init__(self, indicator: Indicator, n: int):
        self.indicator = indicator
        self.status: list[str] = [SCORED] * n
        self.target: list[Decimal | None] = [None] * n
        self.actual: list[Decimal | None] = [None] * n
        self.given_actual: list = [None] * n
        self.rate: list[Decimal | None] = [None] * n
        self.rank_actual: list[int | None] = [None] * n
        self.rank_rate: list[int | None] = [None] * n
        self.points_actual: list[Decimal | None] = [None] * n
        self.points_rate: list[Decimal | None] = [None] * n
        self.points: list[Decimal] = [ZERO] * n
        self.note: list[str] = [""] * n


class IndicatorScore:
    """A view of one unit's result on one indicator."""

    __slots__ = ("column", "i")

    def __init__(self, column: IndicatorColumn, i: int):
        self.column = column
        self.i = i

    indicator = property(lambda self: self.column.indicator)
    status = property(lambda self: self.column.status[self.i])
    target = property(lambda self: self.column.target[self.i])
    actual = property(lambda self: self.column.actual[self.i])
    rate = property(lambda self: self.column.rate[self.i])
    rank_actual = property(lambda self: self.column.rank_actual[self.i])
    rank_rate = property(lambda self: self.column.rank_rate[self.i])
    points_actual = property(lambda self: self.column.points_actual[self.i])
    points_rate = property(lambda self: self.column.points_rate[self.i])
    points = property(lambda self: self.column.points[self.i])
    note = property(lambda self: self.column.note[self.i])
    max = property(lambda self: self.column.indicator.max_points)

    @property
    def explain(self) -> str:
        return explain(self.column, self.i)


@dataclass
class UnitScore:
    unit: str
    rank: int
    raw: Decimal
    total: Decimal
    indicators: list[IndicatorScore]

    def indicator(self, key: str) -> IndicatorScore:
        for score in self.indicators:
            if score.indicator.key == key:
                return score
        raise KeyError(key)


class GroupResult:
    def __init__(self, group: Group, units: list[str], columns: list[IndicatorColumn], scheme):
        self.group = group
        self.unit_names = units
        self.columns = columns
        self.max_points = group.max_points
        n = len(units)
        raw = [ZERO] * n
        for column in columns:
            raw = [a + b for a, b in zip(raw, column.points, strict=True)]
        scale = scheme.total_scale
        places = scheme.total_decimals
        mp = self.max_points
        self.raw = raw
        self.total = [round_half_up(r * scale / mp, places) for r in raw]
        self.order, self.rank = _rank_totals(self.total, raw)

    @cached_property
    def units(self) -> list[UnitScore]:
        """Per-unit results, best first."""
        return [
            UnitScore(
                self.unit_names[i],
                self.rank[i],
                self.raw[i],
                self.total[i],
                [IndicatorScore(c, i) for c in self.columns],
            )
            for i in self.order
        ]

    def unit(self, name: str) -> UnitScore:
        for u in self.units:
            if u.unit == name:
                return u
        raise KeyError(name)

    def column(self, key: str) -> IndicatorColumn:
        for c in self.columns:
            if c.indicator.key == key:
                return c
        raise KeyError(key)


@dataclass
class Result:
    scheme: Scheme
    groups: list[GroupResult]

    @property
    def units(self) -> list[UnitScore]:
        return self.groups[0].units


def score(scheme: Scheme, dataset: Dataset) -> Result:
    """Score every group present in the dataset. The dataset must be complete."""
    dataset.check_complete()
    return Result(scheme, [score_group(scheme, data) for data in dataset.groups])


def score_group(scheme: Scheme, data: GroupData) -> GroupResult:
    columns = [_score_indicator(scheme, ind, data.cells[ind.key]) for ind in data.group.indicators]
    return GroupResult(data.group, list(data.units), columns, scheme)


# --- one indicator ------------------------------------------------------------


def _score_indicator(scheme: Scheme, ind: Indicator, cells: list[Cell]) -> IndicatorColumn:
    n = len(cells)
    col = IndicatorColumn(ind, n)
    status, target, actual, points, notes = col.status, col.target, col.actual, col.points, col.note
    max_points = ind.max_points
    late_notes = scheme.late_notes
    is_ratio = ind.method == "ratio"
    scored: list[int] = []
    for i, cell in enumerate(cells):
        t, a, note = cell.target, cell.actual, cell.note
        col.given_actual[i] = a
        if note:
            notes[i] = note
            if any(mark in note for mark in late_notes):
                status[i] = LATE
                target[i] = t if t is not NOT_APPLICABLE else None
                actual[i] = ZERO
                if target[i]:
                    col.rate[i] = ZERO
                continue
        if t is NOT_APPLICABLE or t is None or not t:
            status[i] = NO_TASK
            target[i] = None if t is NOT_APPLICABLE or t is None else t
            actual[i] = a if isinstance(a, Decimal) else None
            points[i] = max_points
            continue
        target[i] = t
        if a is None or a is NOT_APPLICABLE:
            status[i] = PENDING
            actual[i] = t
            col.rate[i] = Decimal(1)
            points[i] = max_points
            continue
        actual[i] = a
        if is_ratio:
            col.rate[i] = a / t
            points[i] = max_points if a >= t else max_points * a / t
        else:
            scored.append(i)
    if ind.method == "rank":
        for i in scored:
            col.rate[i] = actual[i] / target[i]
        _rank_points(col, scored)
    elif ind.method == "threshold":
        for i in scored:
            col.rate[i] = actual[i] / target[i]
            points[i] = max_points if actual[i] >= target[i] else ZERO
    return col


def _rank_points(col: IndicatorColumn, members: list[int]) -> None:
    params = col.indicator.params
    top, step, tie, parts = params["top"], params["step"], params["tie"], params["parts"]
    if not members:
        return
    actuals = [col.actual[i] for i in members]
    rates = [col.rate[i] for i in members]
    by_actual = by_rate = None
    if "actual" in parts:
        by_actual = rank_values(actuals, rates if tie == "cross" else None, dense=tie == "dense")
    if "rate" in parts:
        by_rate = rank_values(rates, actuals if tie == "cross" else None, dense=tie == "dense")
    cache: dict[int, Decimal] = {}

    def pts(rank: int) -> Decimal:
        value = cache.get(rank)
        if value is None:
            value = top - step * (rank - 1)
            if value < 0:
                value = ZERO
            cache[rank] = value
        return value

    for k, i in enumerate(members):
        total = ZERO
        if by_actual is not None:
            r = by_actual[k]
            col.rank_actual[i] = r
            col.points_actual[i] = p = pts(r)
            total += p
        if by_rate is not None:
            r = by_rate[k]
            col.rank_rate[i] = r
            col.points_rate[i] = p = pts(r)
            total += p
        col.points[i] = total


def rank_values(
    values: list[Decimal], seconds: list[Decimal] | None = None, dense=False
) -> list[int]:
    """Ranks, largest first. Ties on `values` go to the larger `seconds`; equal on both share
    the better rank (1, 2, 2, 4), or with dense=True (1, 2, 2, 3)."""
    n = len(values)
    keys = [values] if seconds is None else [values, seconds]
    floats = [[float(v) for v in k] for k in keys]
    if all(_float_order_is_exact(k, f) for k, f in zip(keys, floats, strict=True)):
        order = list(range(n))
        for f in reversed(floats):  # stable sorts, least significant key first
            order.sort(key=f.__getitem__, reverse=True)
        cmp = floats
    else:
        order = sorted(range(n), key=lambda i: tuple(k[i] for k in keys), reverse=True)
        cmp = keys
    ranks = [0] * n
    prev = None
    rank = 0
    for pos, i in enumerate(order):
        key = tuple(c[i] for c in cmp)
        if key != prev:
            rank = rank + 1 if dense else pos + 1
            prev = key
        ranks[i] = rank
    return ranks


def _float_order_is_exact(values: list[Decimal], floats: list[float]) -> bool:
    """True when no two different values became the same float, so floats order them exactly."""
    seen: dict[float, Decimal] = {}
    for f, v in zip(floats, values, strict=True):
        other = seen.setdefault(f, v)
        if other is not v and other != v:
            return False
    return True


def _rank_totals(total: list[Decimal], raw: list[Decimal]) -> tuple[list[int], list[int]]:
    n = len(total)
    order = sorted(range(n), key=lambda i: (-total[i], -raw[i], i))
    ranks = [0] * n
    prev = None
    for pos, i in enumerate(order):
        if total[i] != prev:
            rank = pos + 1
            prev = total[i]
        ranks[i] = rank
    return order, ranks


# --- explanations ---------------------------------------------------------------


def _amount(value: Decimal, unit: str) -> str:
    return f"{plain(value)} {unit}".rstrip() if unit else plain(value)


def _pts(value: Decimal) -> str:
    shown = round_half_up(value, 2)
    return plain(shown) if shown == value else f"{plain(shown)}"


def explain(col: IndicatorColumn, i: int) -> str:
    ind = col.indicator
    status = col.status[i]
    unit = ind.unit
    max_text = plain(ind.max_points)
    if status == NO_TASK:
        if col.target[i] is None:
            return f"未下达任务（任务数为“/”），得满分 {max_text} 分，不参与排名"
        return f"任务数为 0，视为未下达任务，得满分 {max_text} 分，不参与排名"
    if status == PENDING:
        return (
            f"实绩数据未出，完成任务数暂取目标任务数 {_amount(col.target[i], unit)}，"
            f"得满分 {max_text} 分，不参与排名"
        )
    if status == LATE:
        return f"{col.note[i]}：完成任务数记为 0，得 0 分，不参与排名"
    t, a, rate, points = col.target[i], col.actual[i], col.rate[i], col.points[i]
    if ind.method == "rank":
        parts = []
        if col.rank_actual[i] is not None:
            parts.append(
                f"实绩数 {_amount(a, unit)}，排第 {col.rank_actual[i]} 名，"
                f"得 {_pts(col.points_actual[i])} 分"
            )
        if col.rank_rate[i] is not None:
            parts.append(
                f"完成率 {percent(rate)}，排第 {col.rank_rate[i]} 名，得 {_pts(col.points_rate[i])} 分"
            )
        text = "；".join(parts)
        if len(parts) > 1:
            text += f"；合计 {_pts(points)} 分"
        return text
    head = f"任务数 {_amount(t, unit)}，实绩数 {_amount(a, unit)}，完成率 {percent(rate)}"
    if ind.method == "threshold":
        if a >= t:
            return f"{head}，完成任务，得 {max_text} 分"
        return f"{head}，未完成任务，得 0 分"
    if a >= t:
        over = "，超过 100% 按 100% 计" if a > t else ""
        return f"{head}{over}，得满分 {max_text} 分"
    shown = round_half_up(points, 2)
    sign = "=" if shown == points else "≈"
    return f"{head}，得 {max_text} × {plain(a)} ÷ {plain(t)} {sign} {plain(shown)} 分"
