"""The scoring engine: pure Python and Decimal, no web framework.

Results are kept column by column (one column per indicator, one slot per unit) so that tens of
thousands of units score fast; `GroupResult.units` gives the familiar per-unit view.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from .dataset import Column, Dataset, GroupData
from .numbers import ZERO, percent, plain, round_half_up
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
        self._rate: list[Decimal | None] = [None] * n
        self._rate_done = False
        self.rank_actual: list[int | None] = [None] * n
        self.rank_rate: list[int | None] = [None] * n
        self.points_actual: list[Decimal | None] = [None] * n
        self.points_rate: list[Decimal | None] = [None] * n
        self.points: list[Decimal] = [ZERO] * n
        self.note: list[str] = [""] * n

    @property
    def rate(self) -> list[Decimal | None]:
        """Completion rates, computed on first use (scoring itself needs them only for ranks)."""
        if not self._rate_done:
            rate, one = self._rate, Decimal(1)
            for i, (st, t, a) in enumerate(zip(self.status, self.target, self.actual, strict=True)):
                if rate[i] is not None:
                    continue
                if st == SCORED:
                    rate[i] = a / t
                elif st == PENDING:
                    rate[i] = one
                elif st == LATE and t:
                    rate[i] = ZERO
            self._rate_done = True
        return self._rate


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
    columns = [
        _score_indicator(scheme, ind, data.columns[ind.key]) for ind in data.group.indicators
    ]
    return GroupResult(data.group, list(data.units), columns, scheme)


# --- one indicator ------------------------------------------------------------


def _score_indicator(scheme: Scheme, ind: Indicator, figures: Column) -> IndicatorColumn:
    n = len(figures.target)
    col = IndicatorColumn(ind, n)
    targets = list(figures.target)
    actuals = list(figures.actual)
    col.given_actual = figures.actual
    col.note = figures.note
    max_points = ind.max_points
    status = col.status
    fixed_points: dict[int, Decimal] = {}
    for i in figures.special:
        t, a, note = targets[i], actuals[i], figures.note[i]
        if note and scheme.is_late(note):
            status[i] = LATE
            targets[i] = t if isinstance(t, Decimal) else None
            actuals[i] = ZERO
            fixed_points[i] = ZERO
        elif not isinstance(t, Decimal) or not t:
            status[i] = NO_TASK
            targets[i] = t if isinstance(t, Decimal) else None
            actuals[i] = a if isinstance(a, Decimal) else None
            fixed_points[i] = max_points
        elif not isinstance(a, Decimal):
            status[i] = PENDING  # completion taken as the target: full points, not ranked
            actuals[i] = t
            fixed_points[i] = max_points
    col.target, col.actual = targets, actuals
    members = None  # None: every unit is compared
    if fixed_points:
        members = [i for i in range(n) if i not in fixed_points]
    if ind.method == "rank":
        _rank_points(col, members)
    else:
        _compare_points(col, members)
    points = col.points
    for i, p in fixed_points.items():
        points[i] = p
    return col


def _compare_points(col: IndicatorColumn, members: list[int] | None) -> None:
    """ratio: max × min(actual ÷ target, 1); threshold: max when the target is met, else 0."""
    mp = col.indicator.max_points
    t, a = col.target, col.actual
    if members is not None:
        t, a = [t[i] for i in members], [a[i] for i in members]
    if col.indicator.method == "ratio":
        values = [mp if y >= x else mp * y / x for x, y in zip(t, a, strict=True)]
    else:
        values = [mp if y >= x else ZERO for x, y in zip(t, a, strict=True)]
    if members is None:
        col.points = values
    else:
        for i, v in zip(members, values, strict=True):
            col.points[i] = v


def _rank_points(col: IndicatorColumn, members: list[int] | None) -> None:
    params = col.indicator.params
    top, step, tie, parts = params["top"], params["step"], params["tie"], params["parts"]
    t, a = col.target, col.actual
    if members is not None:
        t, a = [t[i] for i in members], [a[i] for i in members]
    actuals = a
    rates = [y / x for x, y in zip(t, a, strict=True)]
    if not actuals:
        return
    dense = tie == "dense"
    table = _points_table(top, step, len(actuals))
    totals = [ZERO] * len(actuals)
    for part, values, seconds in (("actual", actuals, rates), ("rate", rates, actuals)):
        if part not in parts:
            continue
        ranks = rank_values(values, seconds if tie == "cross" else None, dense=dense)
        pts = [table[r] for r in ranks]
        totals = [x + y for x, y in zip(totals, pts, strict=True)]
        _scatter(col.rank_actual if part == "actual" else col.rank_rate, members, ranks)
        _scatter(col.points_actual if part == "actual" else col.points_rate, members, pts)
    _scatter(col.points, members, totals)
    _scatter(col._rate, members, rates)


def _scatter(target: list, members: list[int] | None, values: list) -> None:
    if members is None:
        target[:] = values
    else:
        for i, v in zip(members, values, strict=True):
            target[i] = v


def _points_table(top: Decimal, step: Decimal, n: int) -> list[Decimal]:
    """Points for rank r at index r: top − step × (r − 1), never below zero."""
    table = [ZERO]
    for r in range(1, n + 1):
        value = top - step * (r - 1)
        if value <= 0:
            table.extend([ZERO] * (n + 1 - r))
            break
        table.append(value)
    return table


def rank_values(
    values: list[Decimal], seconds: list[Decimal] | None = None, dense=False
) -> list[int]:
    """Ranks, largest first. Ties on `values` go to the larger `seconds`; equal on both share
    the better rank (1, 2, 2, 4), or with dense=True (1, 2, 2, 3)."""
    n = len(values)
    if seconds is not None and len(set(values)) < n:
        keys = list(zip(values, seconds, strict=True))
    else:
        keys = values
    order = sorted(range(n), key=keys.__getitem__, reverse=True)
    ordered = [keys[i] for i in order]
    if dense:
        distinct = sorted(set(keys), reverse=True)
        rank_of = dict(zip(distinct, range(1, len(distinct) + 1), strict=True))
    else:
        # Walking from the end leaves each key mapped to its first (best) position.
        rank_of = dict(zip(reversed(ordered), range(n, 0, -1), strict=True))
    return [rank_of[k] for k in keys]


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
