"""The scoring engine: pure Python and Decimal, no web framework.

Results are kept column by column (one column per indicator, one slot per unit) so that tens of
thousands of units score fast; `GroupResult.units` gives the familiar per-unit view.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from itertools import chain, compress, repeat
from operator import add, and_, eq, ge, gt, itemgetter, ne, not_, sub, truediv

from .dataset import Column, Dataset, GroupData
from .numbers import ONE, ZERO, percents, plain, plains, round_half_up, rounded
from .scheme import Group, Indicator, Scheme

SCORED = "scored"  # ranked / compared against its target
NO_TASK = "no_task"  # target '/' (or 0): full points, not ranked
PENDING = "pending"  # actual blank: statistics not released, completion taken as the target
LATE = "late"  # note says the material was late: recorded as 0 done, 0 points

STATUS_LABELS = {SCORED: "已计分", NO_TASK: "未下达任务", PENDING: "数据未出", LATE: "迟报"}


class IndicatorColumn:
    """One indicator's results for every unit of a group."""

    def __init__(self, indicator: Indicator, figures: Column, nothing: tuple):
        """`nothing`: a tuple of None, one per unit, shared by columns without ranks."""
        n = len(figures.target)
        self.indicator = indicator
        self.status: list[str] = [SCORED] * n
        self.target: list[Decimal | None] = list(figures.target)
        self.actual: list[Decimal | None] = list(figures.actual)
        self.given_actual: list = figures.actual
        self.note: list[str] = figures.note
        self._rate: list[Decimal | None] | None = None  # exact rates of ranked units, if computed
        self._rate_done = False
        self.nothing = nothing
        self.rank_actual: list[int | None] | tuple = nothing
        self.rank_rate: list[int | None] | tuple = nothing
        self.points_actual: list[Decimal | None] | tuple = nothing
        self.points_rate: list[Decimal | None] | tuple = nothing
        self.points: list[Decimal] = [ZERO] * n

    @property
    def rate(self) -> list[Decimal | None]:
        """Completion rates, computed on first use (scoring itself needs them only for ranks)."""
        if not self._rate_done:
            status = self.status
            others = list(compress(range(len(status)), map(ne, status, repeat(SCORED))))
            rate = self._rate
            if rate is None:
                t, a = list(self.target), list(self.actual)
                for i in others:
                    t[i] = a[i] = ONE  # placeholders, replaced below
                rate = list(map(truediv, a, t))
            for i in others:
                st = status[i]
                if st == PENDING:
                    rate[i] = ONE
                elif st == LATE and self.target[i]:
                    rate[i] = ZERO
                else:
                    rate[i] = None
            self._rate = rate
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
        # Unrounded points added in indicator order, starting from 0, for each unit.
        raw = add_points(columns) if columns else [ZERO] * n
        self.raw = raw
        self.total, self.order, self.rank = totals_and_ranks(scheme, group, raw)

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
    with gc_paused():
        return Result(scheme, [score_group(scheme, data) for data in dataset.groups])


@contextmanager
def gc_paused():
    """Scoring makes millions of small acyclic objects; cycle collection would only rescan them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def score_group(scheme: Scheme, data: GroupData) -> GroupResult:
    nothing = (None,) * len(data.units)
    columns = [
        _score_indicator(scheme, ind, data.columns[ind.key], nothing)
        for ind in data.group.indicators
    ]
    return GroupResult(data.group, list(data.units), columns, scheme)


# --- one indicator ------------------------------------------------------------


def _score_indicator(scheme: Scheme, ind: Indicator, figures: Column, nothing) -> IndicatorColumn:
    col = IndicatorColumn(ind, figures, nothing)
    targets, actuals, notes = col.target, col.actual, figures.note
    max_points = ind.max_points
    status = col.status
    fixed_points: dict[int, Decimal] = {}
    for i in figures.special:
        t, a, note = targets[i], actuals[i], notes[i]
        if note and scheme.is_late(note):
            status[i] = LATE
            targets[i] = t if t.__class__ is Decimal else None
            actuals[i] = ZERO
            fixed_points[i] = ZERO
        elif t.__class__ is not Decimal or not t:
            status[i] = NO_TASK
            targets[i] = t if t.__class__ is Decimal else None
            actuals[i] = a if a.__class__ is Decimal else None
            fixed_points[i] = max_points
        elif a.__class__ is not Decimal:
            status[i] = PENDING  # completion taken as the target: full points, not ranked
            actuals[i] = t
            fixed_points[i] = max_points
    if ind.method == "rank":
        _rank_points(col, fixed_points, figures.actual_shadow(), figures.target_floats())
    else:
        _compare_points(col, fixed_points)
    points = col.points
    for i, p in fixed_points.items():
        points[i] = p
    return col


def _compare_points(col: IndicatorColumn, excluded) -> None:
    """ratio: max × min(actual ÷ target, 1); threshold: max when the target is met, else 0."""
    mp = col.indicator.max_points
    t, a = col.target, col.actual
    if excluded:
        t, a = list(t), list(a)  # placeholders where the caller fixes the points itself
        for i in excluded:
            t[i] = a[i] = ONE
    if col.indicator.method == "ratio":
        col.points = [mp if y >= x else mp * y / x for x, y in zip(t, a, strict=True)]
    else:
        col.points = [mp if y >= x else ZERO for x, y in zip(t, a, strict=True)]


# Float rates are within a few ulps (about 1e-16, relative) of the exact rates; rates closer than
# this are compared exactly.
_CLOSE = 1e-12
# Floats of figures inside this range keep that accuracy (no overflow, no subnormals).
_SAFE_LOW, _SAFE_HIGH = 1e-150, 1e150


def _rank_points(col: IndicatorColumn, excluded, actual_floats, target_floats) -> None:
    """Rank points on actual and on rate for every unit not in `excluded`.

    Units are sorted by float copies of the figures (fast); every pair of neighbours whose floats
    do not settle their order for certain is then compared on the exact Decimals. If that shows
    the float order was wrong anywhere, the whole ranking is redone exactly.
    Excluded units get a key of -1, below every real figure, so they never change a rank.
    """
    params = col.indicator.params
    top, step, tie, parts = params["top"], params["step"], params["tie"], params["parts"]
    n = len(col.target)
    k = n - len(excluded)
    if not k:
        return
    a = col.actual
    fa, ft = list(actual_floats), list(target_floats)
    for i in excluded:
        fa[i] = ft[i] = 1.0
    keys = None  # figures too large or too small for floats: rank on the Decimals alone
    if (
        min(ft) >= _SAFE_LOW
        and max(ft) <= _SAFE_HIGH
        and max(fa) <= _SAFE_HIGH
        and min(filter(None, fa), default=1.0) >= _SAFE_LOW
    ):
        for i in excluded:
            fa[i] = -1.0
        fr = [x / y for x, y in zip(fa, ft, strict=True)]
        rates = _ExactRates(col, excluded)
        actuals = lambda: a  # noqa: E731
        keys = {
            "actual": (fa, actuals, True, rates),
            "rate": (fr, rates, False, actuals),
        }
    table = _points_table(top, step, n)
    totals = None
    for part in parts:
        if keys is not None:
            ranks = _rank_fast(*keys[part], k, tie)
        else:
            ranks = _rank_exact_part(col, excluded, part, tie)
        pts = list(map(table.__getitem__, ranks))
        totals = pts[:] if totals is None else list(map(add, totals, pts))
        for i in excluded:
            ranks[i] = pts[i] = None
        if part == "actual":
            col.rank_actual, col.points_actual = ranks, pts
        else:
            col.rank_rate, col.points_rate = ranks, pts
    col.points = totals


class _ExactRates:
    """actual ÷ target for every ranked unit, computed once and only if floats are not enough."""

    def __init__(self, col: IndicatorColumn, excluded):
        self.col, self.excluded = col, excluded

    def __call__(self) -> list:
        col = self.col
        if col._rate is not None:
            return col._rate
        t, a = col.target, col.actual
        if self.excluded:
            t, a = list(t), list(a)
            for i in self.excluded:
                t[i] = a[i] = ONE
        rates = list(map(truediv, a, t))
        for i in self.excluded:
            rates[i] = None
        col._rate = rates
        return rates


def _rank_fast(fkeys, exact_of, floats_exact, esec_of, k: int, tie: str) -> list[int]:
    """Ranks (0 for excluded units): float order, settled exactly where floats are too close.

    `floats_exact`: the float keys are correctly rounded copies, so different floats mean
    different values; otherwise (rates) only floats further apart than _CLOSE settle an order.
    Each run of neighbours too close to call is re-sorted on the exact values (`exact_of()`,
    `esec_of()` give them); a run cannot overlap in exact value with what lies above or below it.
    """
    n = len(fkeys)
    cross = tie == "cross"
    # Ties on the first key are put in order by the second one in the exact pass below.
    top = sorted(range(n), key=fkeys.__getitem__, reverse=True)[:k]
    fv = _pick(fkeys, top)
    if floats_exact:
        close = list(map(eq, fv[1:], fv[:-1]))
    else:
        close = [x - y <= x * _CLOSE for x, y in zip(fv, fv[1:], strict=False)]
    ties = [False] * (k - 1)
    if True in close:
        exact = exact_of()
        second = esec_of() if cross else None
        for first, last in _runs(close):
            if last == first + 1:  # the common case: a pair
                u, w = top[first], top[last]
                hi, lo = exact[u], exact[w]
                if hi == lo and second is not None:
                    hi, lo = second[u], second[w]
                if hi < lo:
                    top[first], top[last] = w, u
                ties[first] = hi == lo
                continue
            members = top[first : last + 1]
            if second is not None:
                members.sort(key=second.__getitem__, reverse=True)
            members.sort(key=exact.__getitem__, reverse=True)
            top[first : last + 1] = members
            same = list(map(eq, _pick(exact, members[1:]), _pick(exact, members[:-1])))
            if second is not None:
                same = list(
                    map(
                        and_, same, map(eq, _pick(second, members[1:]), _pick(second, members[:-1]))
                    )
                )
            ties[first:last] = same
    ranks = [0] * n
    for i, r in zip(top, _along(ties, tie == "dense"), strict=True):
        ranks[i] = r
    return ranks


def _runs(close: list[bool]):
    """(first, last) positions of each run of neighbours joined by `close[p]` (p with p + 1)."""
    p, end = 0, len(close)
    while True:
        try:
            first = close.index(True, p)
        except ValueError:
            return
        try:
            last = close.index(False, first)
        except ValueError:
            last = end
        yield first, last
        p = last


def _rank_exact_part(col: IndicatorColumn, excluded, part: str, tie: str) -> list[int]:
    """The same ranks from the exact Decimals alone (slow, always right)."""
    n = len(col.target)
    members = [i for i in range(n) if i not in excluded]
    rates = {i: col.actual[i] / col.target[i] for i in members}
    rate_list = [rates.get(i) for i in range(n)]
    first, second = (col.actual, rate_list) if part == "actual" else (rate_list, col.actual)
    return _rank_exact(members, first, second if tie == "cross" else None, n, tie)


def _pick(values: list, indices) -> list:
    if indices.__class__ is range and indices.step == 1:
        return values[indices.start : indices.stop]
    if not indices:
        return []
    if len(indices) == 1:
        return [values[indices[0]]]
    return list(itemgetter(*indices)(values))


def _rank_exact(members, exact, esec, n, tie) -> list:
    values = [exact[i] for i in members]
    seconds = None if esec is None else [esec[i] for i in members]
    ranks = [0] * n
    for i, r in zip(members, rank_values(values, seconds, dense=tie == "dense"), strict=True):
        ranks[i] = r
    return ranks


def _along(ties: list[bool], dense: bool):
    """Ranks along an ordered list, given which entries tie with the one before."""
    n = len(ties) + 1
    if True not in ties:
        return range(1, n + 1)
    firsts = [True, *map(not_, ties)]  # where a run of equal entries starts
    starts = list(compress(range(1, n + 1), firsts))
    lengths = list(map(sub, [*starts[1:], n + 1], starts))
    shown = range(1, len(starts) + 1) if dense else starts
    return chain.from_iterable(map(repeat, shown, lengths))


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
    order = sorted(range(n), key=values.__getitem__, reverse=True)
    ordered = [values[i] for i in order]
    ties = list(map(eq, ordered[1:], ordered[:-1]))
    if seconds is not None and True in ties:
        order = sorted(range(n), key=seconds.__getitem__, reverse=True)
        order.sort(key=values.__getitem__, reverse=True)  # stable: equal values by seconds
        ordered = [values[i] for i in order]
        second = [seconds[i] for i in order]
        ties = [
            a and b
            for a, b in zip(
                map(eq, ordered[1:], ordered[:-1]), map(eq, second[1:], second[:-1]), strict=True
            )
        ]
    ranks = [0] * n
    for i, r in zip(order, _along(ties, dense), strict=True):
        ranks[i] = r
    return ranks


def _competition(ordered: list) -> list[int]:
    """Competition ranks (1, 2, 2, 4) for values already in order."""
    return list(_along(list(map(eq, ordered[1:], ordered[:-1])), dense=False))


def totals_and_ranks(scheme: Scheme, group: Group, raw: list[Decimal]):
    """(total, order best first, rank) from each unit's unrounded points."""
    scale, mp = scheme.total_scale, group.max_points
    quantum = Decimal(1).scaleb(-scheme.total_decimals)
    total = [(r * scale / mp).quantize(quantum, ROUND_HALF_UP) for r in raw]
    return (total, *_rank_totals(total, raw))


def add_points(columns: list, start: list[Decimal] | None = None) -> list[Decimal]:
    """Each unit's points added in column order, from `start` (0 by default)."""
    points = [c.points for c in columns]
    return list(map(sum, zip(*points, strict=True), start or repeat(ZERO)))


def _rank_totals(total: list[Decimal], raw: list[Decimal]) -> tuple[list[int], list[int]]:
    """Order best first (by total, then raw, then input order); equal totals share a rank."""
    n = len(total)
    # The total grows with raw, so one stable sort on raw orders both (input order on ties).
    order = sorted(range(n), key=raw.__getitem__, reverse=True)
    ranks = [0] * n
    for i, r in zip(order, _competition([total[i] for i in order]), strict=True):
        ranks[i] = r
    return order, ranks


# --- explanations ---------------------------------------------------------------


def explain(col: IndicatorColumn, i: int) -> str:
    """Why unit i got its points on this indicator, in Chinese."""
    return explain_many(col, [i])[0]


def explain_many(col: IndicatorColumn, indices, texts=None) -> list[str]:
    """Explanations for many units at once (each column-wide step is done in one pass).

    `texts`: (targets, actuals) of these units as str() gives them, when the caller has them."""
    if indices.__class__ is not range:
        indices = list(indices)
    status = _pick(col.status, indices)
    out: list = [None] * len(indices)
    scored = list(compress(range(len(indices)), map(eq, status, repeat(SCORED))))
    sfx, max_text = _suffix(col), plain(col.indicator.max_points)
    for p in compress(range(len(indices)), map(ne, status, repeat(SCORED))):
        out[p] = _explain_special(col, indices[p], status[p], sfx, max_text)
    if scored:
        units = _pick(indices, scored)
        if texts is not None and len(scored) < len(out):
            texts = [_pick(t, scored) for t in texts]
        if col.indicator.method == "rank":
            texts = _explain_ranked(col, units, texts)
        else:
            texts = _explain_compared(col, units, texts)
        if len(scored) == len(out):
            return texts
        for p, text in zip(scored, texts, strict=True):
            out[p] = text
    return out


def _suffix(col: IndicatorColumn) -> str:
    unit = col.indicator.unit
    return f" {unit}" if unit else ""


def _points_texts(values: list[Decimal]) -> list[str]:
    """Points shown to 2 decimals; rank points take few values, so each is printed once."""
    shown = {v: plain(round_half_up(v, 2)) for v in set(values)}
    return list(map(shown.__getitem__, values))


def _explain_ranked(col: IndicatorColumn, units: list[int], texts=None) -> list[str]:
    parts = []
    if col.rank_actual[units[0]] is not None:
        given = None if texts is None else texts[1]
        shown = list(map(add, plains(_pick(col.actual, units), given), repeat(_suffix(col))))
        parts.append(_rank_part("实绩数", shown, col.rank_actual, col.points_actual, units))
    if col.rank_rate[units[0]] is not None:
        shown = percents(_pick(col.rate, units))
        parts.append(_rank_part("完成率", shown, col.rank_rate, col.points_rate, units))
    if len(parts) > 1:
        totals = _points_texts(_pick(col.points, units))
        return [f"{x}；{y}；合计 {z} 分" for x, y, z in zip(*parts, totals, strict=True)]
    return parts[0]


def _rank_part(label: str, shown: list[str], ranks, points, units: list[int]) -> list[str]:
    ranks, points = _pick(ranks, units), _points_texts(_pick(points, units))
    return [
        f"{label} {x}，排第 {r} 名，得 {p} 分" for x, r, p in zip(shown, ranks, points, strict=True)
    ]


def _explain_compared(col: IndicatorColumn, units: list[int], texts=None) -> list[str]:
    ind = col.indicator
    sfx = _suffix(col)
    max_text = plain(ind.max_points)
    t, a = _pick(col.target, units), _pick(col.actual, units)
    given_t, given_a = texts or (None, None)
    tt, at = plains(t, given_t), plains(a, given_a)
    rt = percents(_pick(col.rate, units))
    met = list(map(ge, a, t))
    if ind.method == "threshold":
        done, failed = f"，完成任务，得 {max_text} 分", "，未完成任务，得 0 分"
        tails = [done if m else failed for m in met]
    else:
        full = f"，得满分 {max_text} 分"
        over = f"，超过 100% 按 100% 计{full}"
        tails = [over if more else full for more in map(gt, a, t)]
        short = list(compress(range(len(met)), map(not_, met)))
        if short:
            points = _pick(_pick(col.points, units), short)
            shown = rounded(points, 2)
            for p, xa, ya, st, e in zip(
                short,
                _pick(tt, short),
                _pick(at, short),
                plains(shown),
                map(eq, shown, points),
                strict=True,
            ):
                tails[p] = f"，得 {max_text} × {ya} ÷ {xa} {'=' if e else '≈'} {st} 分"
    return [
        f"任务数 {x}{sfx}，实绩数 {y}{sfx}，完成率 {r}{tail}"
        for x, y, r, tail in zip(tt, at, rt, tails, strict=True)
    ]


def _explain_special(col: IndicatorColumn, i: int, status: str, sfx: str, max_text: str) -> str:
    if status == NO_TASK:
        if col.target[i] is None:
            return f"未下达任务（任务数为“/”），得满分 {max_text} 分，不参与排名"
        return f"任务数为 0，视为未下达任务，得满分 {max_text} 分，不参与排名"
    if status == PENDING:
        return (
            f"实绩数据未出，完成任务数暂取目标任务数 {plain(col.target[i])}{sfx}，"
            f"得满分 {max_text} 分，不参与排名"
        )
    return f"{col.note[i]}：完成任务数记为 0，得 0 分，不参与排名"
