"""The scoring engine: pure Python and Decimal, no web framework.

Reading top to bottom: `score` takes a checked Dataset; `score_indicator` sorts each cell into a
status (no task, pending, late, scored) and hands the scored ones to the indicator's method; the
methods (rank, ratio, threshold) are small functions registered in METHODS, each with the function
that explains its points in Chinese; `score_group` adds the points up into totals and ranks.

Results are kept per indicator as one list per field, one slot per unit (`IndicatorColumn`);
`GroupResult.units` gives the per-unit view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache

from .dataset import Cell, Dataset, GroupData
from .numbers import DECLARED_PENDING, ONE, ZERO, percent, plain, round_half_up
from .scheme import Group, Indicator, Scheme

SCORED = "scored"  # ranked / compared against its target
NO_TASK = "no_task"  # target '/' (or 0): full points, not ranked
PENDING = "pending"  # declared 数据未出: completion taken as the target, full points, not ranked
LATE = "late"  # note says the material was late: recorded as 0 done, 0 points
MISSING = "missing"  # no actual and no declaration: 未报送, 0 points, not ranked

STATUS_LABELS = {
    SCORED: "已计分",
    NO_TASK: "未下达任务",
    PENDING: "数据未出",
    LATE: "迟报",
    MISSING: "未报送",
}


class IndicatorColumn:
    """One indicator's results for every unit of a group: one list per field, one slot per unit.

    target / actual are as scored (a pending actual is the target, a late actual is 0);
    `given_actual` is the actual as the file gave it.
    """

    def __init__(self, indicator: Indicator, n: int):
        self.indicator = indicator
        self.status: list[str] = [SCORED] * n
        self.target: list[Decimal | None] = [None] * n
        self.actual: list[Decimal | None] = [None] * n
        self.given_actual: list = [None] * n
        self.note: list[str] = [""] * n
        self.rate: list[Decimal | None] = [None] * n
        self.rank_actual: list[int | None] = [None] * n
        self.rank_rate: list[int | None] = [None] * n
        self.points_actual: list[Decimal | None] = [None] * n
        self.points_rate: list[Decimal | None] = [None] * n
        self.points: list[Decimal] = [ZERO] * n
        # points that are a quotient (ratio below target), kept exact for the total
        self.exact: dict[int, Fraction] = {}

    def explain(self, i: int) -> str:
        return explain(self, i)


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
    """One group's results: `columns` per indicator; `raw`, `total`, `rank` per unit in stored
    order; `order` lists the units best first."""

    def __init__(self, group: Group, units: list[str], columns: list[IndicatorColumn], scheme):
        self.group = group
        self.unit_names = units
        self.columns = columns
        self.max_points = group.max_points
        # Unrounded points added in indicator order for each unit.
        self.raw = [
            sum(points, ZERO) for points in zip(*(c.points for c in columns), strict=True)
        ] or [ZERO] * len(units)
        # The total from the exact points (fractions.Fraction): a quotient such as 10 × 1 ÷ 3
        # is never rounded before the total is, so a total of exactly x.xx5 rounds half-up.
        # Points without a quotient are exact Decimals already: their sum is too.
        exact = [Fraction(r) for r in self.raw]
        with_quotients = sorted({i for c in columns for i in c.exact})
        for i in with_quotients:
            exact[i] = sum(
                (c.exact[i] if i in c.exact else Fraction(c.points[i]) for c in columns),
                Fraction(0),
            )
        scale = Fraction(scheme.total_scale) / Fraction(self.max_points)
        self.total = [fraction_half_up(e * scale, scheme.total_decimals) for e in exact]
        # The total grows with the exact raw points, so one stable sort orders both (input
        # order on ties); equal totals share a rank.
        self.order = sorted(range(len(units)), key=exact.__getitem__, reverse=True)
        self.rank = [0] * len(units)
        totals = [self.total[i] for i in self.order]
        for i, r in zip(self.order, rank_values(totals), strict=True):
            self.rank[i] = r

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
    columns = [score_indicator(scheme, ind, data.cells[ind.key]) for ind in data.group.indicators]
    return GroupResult(data.group, list(data.units), columns, scheme)


# --- one indicator ------------------------------------------------------------


def score_indicator(scheme: Scheme, ind: Indicator, cells: list[Cell]) -> IndicatorColumn:
    """Each cell's status and the points of those outside the method; then the method."""
    col = IndicatorColumn(ind, len(cells))
    scored = []
    for i, cell in enumerate(cells):
        t, given, note = cell.target, cell.actual, cell.note
        t = t if isinstance(t, Decimal) else None
        a = given if isinstance(given, Decimal) else None
        col.note[i], col.given_actual[i] = note, a
        if note and scheme.is_late(note):
            col.status[i], col.target[i], col.actual[i] = LATE, t, ZERO
            col.rate[i] = ZERO if t else None
        elif not t:  # '/', or a zero target: nothing was asked of the unit
            col.status[i], col.target[i], col.actual[i] = NO_TASK, t, a
            col.points[i] = ind.max_points
        elif a is None and _declared_pending(scheme, given, note):
            # completion taken as the target: full points, not ranked
            col.status[i], col.target[i], col.actual[i], col.rate[i] = PENDING, t, t, ONE
            col.points[i] = ind.max_points
        elif a is None:  # nothing scores without evidence: 未报送, 0 points
            col.status[i], col.target[i] = MISSING, t
        else:
            col.target[i], col.actual[i], col.rate[i] = t, a, a / t
            scored.append(i)
    if scored:
        METHODS[ind.method].score(col, scored)
    return col


def _declared_pending(scheme: Scheme, actual, note: str) -> bool:
    """数据未出 only when declared: the actual says so, or the 备注 has the scheme's words."""
    return actual is DECLARED_PENDING or (actual is None and scheme.is_pending(note))


@dataclass(frozen=True)
class Method:
    """A scoring method: `score(col, scored)` sets the points (and ranks) of the scored units;
    `explain(col, i)` says in Chinese how unit i got its points."""

    score: Callable[[IndicatorColumn, list[int]], None]
    explain: Callable[[IndicatorColumn, int], str]


def score_rank(col: IndicatorColumn, scored: list[int]) -> None:
    """rank: for each part (actual, rate) top − step × (rank − 1), never below 0, summed."""
    params = col.indicator.params
    top, step, tie = params["top"], params["step"], params["tie"]
    actual = [col.actual[i] for i in scored]
    rate = [col.rate[i] for i in scored]
    cross = tie == "cross"  # ties on one key go to the other
    for part in params["parts"]:
        first, second = (actual, rate) if part == "actual" else (rate, actual)
        ranks = rank_values(first, second if cross else None, dense=tie == "dense")
        points = [_rank_points(top, step, r) for r in ranks]
        rank_list, points_list = (
            (col.rank_actual, col.points_actual)
            if part == "actual"
            else (col.rank_rate, col.points_rate)
        )
        for i, r, p in zip(scored, ranks, points, strict=True):
            rank_list[i], points_list[i] = r, p
    for i in scored:
        col.points[i] = sum(
            (p[i] for p in (col.points_actual, col.points_rate) if p[i] is not None), ZERO
        )


def _rank_points(top: Decimal, step: Decimal, rank: int) -> Decimal:
    points = top - step * (rank - 1)
    return points if points > 0 else ZERO


def explain_rank(col: IndicatorColumn, i: int) -> str:
    parts = []
    if col.rank_actual[i] is not None:
        shown = f"{plain(col.actual[i])}{_suffix(col)}"
        parts.append(_rank_text("实绩数", shown, col.rank_actual[i], col.points_actual[i]))
    if col.rank_rate[i] is not None:
        parts.append(
            _rank_text("完成率", percent(col.rate[i]), col.rank_rate[i], col.points_rate[i])
        )
    if len(parts) > 1:
        parts.append(f"合计 {_points_text(col.points[i])} 分")
    return "；".join(parts)


def _rank_text(label: str, shown: str, rank: int, points: Decimal) -> str:
    return f"{label} {shown}，排第 {rank} 名，得 {_rank_points_text(points)} 分"


def score_ratio(col: IndicatorColumn, scored: list[int]) -> None:
    """ratio: max × min(actual ÷ target, 1)."""
    mp = col.indicator.max_points
    for i in scored:
        t, a = col.target[i], col.actual[i]
        col.points[i] = mp if a >= t else mp * a / t
        if a < t:
            col.exact[i] = Fraction(mp) * Fraction(a) / Fraction(t)


def explain_ratio(col: IndicatorColumn, i: int) -> str:
    t, a, max_text = col.target[i], col.actual[i], plain(col.indicator.max_points)
    if a > t:
        tail = f"，超过 100% 按 100% 计，得满分 {max_text} 分"
    elif a == t:
        tail = f"，得满分 {max_text} 分"
    else:
        points = col.points[i]
        shown = round_half_up(points, 2)
        sign = "=" if shown == points else "≈"
        tail = f"，得 {max_text} × {plain(a)} ÷ {plain(t)} {sign} {plain(shown)} 分"
    return _compared_text(col, i) + tail


def score_threshold(col: IndicatorColumn, scored: list[int]) -> None:
    """threshold: max when the target is met, else 0."""
    mp = col.indicator.max_points
    for i in scored:
        col.points[i] = mp if col.actual[i] >= col.target[i] else ZERO


def explain_threshold(col: IndicatorColumn, i: int) -> str:
    if col.actual[i] >= col.target[i]:
        tail = f"，完成任务，得 {plain(col.indicator.max_points)} 分"
    else:
        tail = "，未完成任务，得 0 分"
    return _compared_text(col, i) + tail


def _compared_text(col: IndicatorColumn, i: int) -> str:
    sfx = _suffix(col)
    return (
        f"任务数 {plain(col.target[i])}{sfx}，实绩数 {plain(col.actual[i])}{sfx}，"
        f"完成率 {percent(col.rate[i])}"
    )


METHODS: dict[str, Method] = {
    "rank": Method(score_rank, explain_rank),
    "ratio": Method(score_ratio, explain_ratio),
    "threshold": Method(score_threshold, explain_threshold),
}


def fraction_half_up(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half-up (away from zero) to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    return (
        Decimal(whole if value >= 0 else -whole)
        .scaleb(-places)
        .quantize(Decimal(1).scaleb(-places))
    )


def rank_values(
    values: list[Decimal], seconds: list[Decimal] | None = None, dense=False
) -> list[int]:
    """Ranks, largest first, compared exactly. Ties on `values` go to the larger `seconds`;
    equal on both share the better rank (1, 2, 2, 4), or with dense=True (1, 2, 2, 3)."""
    key = values.__getitem__ if seconds is None else lambda i: (values[i], seconds[i])
    order = sorted(range(len(values)), key=key, reverse=True)
    ranks = [0] * len(values)
    previous, shown, distinct = None, 0, 0
    for position, i in enumerate(order, start=1):
        k = key(i)
        if k != previous:
            distinct += 1
            shown = distinct if dense else position
            previous = k
        ranks[i] = shown
    return ranks


# --- explanations ---------------------------------------------------------------


def explain(col: IndicatorColumn, i: int) -> str:
    """Why unit i got its points on this indicator, in Chinese."""
    status = col.status[i]
    if status == SCORED:
        return METHODS[col.indicator.method].explain(col, i)
    max_text = plain(col.indicator.max_points)
    if status == NO_TASK:
        if col.target[i] is None:
            return f"未下达任务（任务数为“/”），得满分 {max_text} 分，不参与排名"
        return f"任务数为 0，视为未下达任务，得满分 {max_text} 分，不参与排名"
    if status == PENDING:
        return (
            f"实绩数据未出，完成任务数暂取目标任务数 {plain(col.target[i])}{_suffix(col)}，"
            f"得满分 {max_text} 分，不参与排名"
        )
    if status == MISSING:
        return "未报送实绩数，得 0 分"
    return f"{col.note[i]}：完成任务数记为 0，得 0 分，不参与排名"


def _suffix(col: IndicatorColumn) -> str:
    unit = col.indicator.unit
    return f" {unit}" if unit else ""


def _points_text(points: Decimal) -> str:
    return plain(round_half_up(points, 2))


# Rank points take a few dozen values (top − step × k), so each is printed once.
_rank_points_text = lru_cache(maxsize=1024)(_points_text)
