"""From indicator points to a unit's total, veto, rank and grade: small pure functions.

- Category caps: a category's subtotal counts at most its cap. Categories marked extra (加分项,
  扣分项) are outside the base full points: base points are scaled to the total scale
  (base × scale ÷ base full points, as 大冶 does), then extra points are added (or taken off).
  The total is capped at the scale unless the scheme allows more, and is never below 0.
- Veto (一票否决): missing a veto indicator's target sets the total to 0, or the grade to the
  lowest one, as the indicator says.
- Grades: the best level whose conditions a unit meets: its total at least `min`, its rank within
  the first `share` of the units (share × units rounded as the scheme says; shares are
  cumulative), and room left under `max_count`. Units with equal totals share a rank and so
  a grade (同分同等次); a tie that would overflow `max_count` goes down together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from .methods import Figure, misses_target, to_decimal
from .numbers import fraction_half_up, plain, round_half_up
from .scheme import VETO_EFFECTS, Grading, Group, Indicator, Scheme

ZERO = Decimal(0)
_ROUNDING = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}


@dataclass(frozen=True)
class Total:
    base: Decimal  # base points after category caps, unscaled
    extra: Decimal  # extra points after caps, signed
    # base × scale ÷ base full points + extra, before rounding and capping: a Fraction when a
    # point was a quotient Decimal cannot hold (10 × 1 ÷ 3), else a Decimal
    exact: Decimal | Fraction
    total: Decimal  # as published: rounded, within [0, scale] unless the scheme allows more
    notes: tuple[str, ...] = ()  # how caps changed the sum, in Chinese


def unit_total(
    scheme: Scheme,
    group: Group,
    points: Sequence[Decimal],
    vetoed: bool = False,
    exact: dict[int, Fraction] | None = None,
) -> Total:
    """`points`: the unit's points on each of group.indicators, in order; `vetoed`: a veto
    indicator with veto = "total" failed, so the total is 0; `exact`: the exact fraction of the
    points (by indicator position) that are rounded quotients.

    Base points are added in indicator order from 0 (as the published totals were), then each
    capped category gives back what lies over its cap. With quotients the same sums are taken
    again in fractions, so nothing is rounded before the total is (65.625 gives 65.63)."""
    base, extra, notes = _capped(group, points, ZERO)
    if not exact:  # finite decimals only: the Decimal sums are exact
        return _scaled(scheme, group, base, extra, notes, vetoed)
    fractions = [exact.get(k, Fraction(p)) for k, p in enumerate(points)]
    base_f, extra_f, _ = _capped(group, fractions, Fraction(0))
    return _scaled(scheme, group, base, extra, notes, vetoed, (base_f, extra_f))


def _capped(group: Group, points: Sequence, zero):
    """(base, extra, notes) after category caps, in the number type of `zero`."""
    num = type(zero)
    if not group.categories:  # every indicator counts in the base, uncapped
        return sum(points, zero), zero, []
    base = zero
    subtotals: dict = {}
    for ind, p in zip(group.indicators, points, strict=True):
        if not group.is_extra(ind):
            base += p
        if ind.category in group.categories:
            subtotals[ind.category] = subtotals.get(ind.category, zero) + p
    extra, notes = zero, []
    for name, subtotal in subtotals.items():
        category = group.categories[name]
        counted = subtotal
        if category.cap is not None and subtotal > category.cap:
            counted = num(category.cap)
            notes.append(
                f"{name}合计 {_pts(subtotal)} 分，上限 {plain(category.cap)} 分，计 {plain(counted)} 分"
            )
        if category.extra:
            extra += -counted if category.subtract else counted
        elif counted != subtotal:
            base -= subtotal - counted
    return base, extra, notes


def _scaled(
    scheme, group, base: Decimal, extra: Decimal, notes: list, vetoed: bool, fractions=None
) -> Total:
    """base × scale ÷ base full points + extra, rounded, kept within its bounds, or vetoed."""
    quantum = Decimal(1).scaleb(-scheme.total_decimals)
    if fractions is None:
        exact = base * scheme.total_scale / group.max_points + extra
        total = exact.quantize(quantum, ROUND_HALF_UP)
    else:
        base_f, extra_f = fractions
        exact = base_f * Fraction(scheme.total_scale) / Fraction(group.max_points) + extra_f
        total = fraction_half_up(exact, scheme.total_decimals)
    if total > scheme.total_scale and not scheme.allow_over:
        notes.append(f"总分 {total:f} 超过满分 {plain(scheme.total_scale)}，按满分计")
        total = scheme.total_scale.quantize(quantum)
    if total < 0:
        notes.append(f"总分 {total:f} 低于 0，按 0 计")
        total = ZERO.quantize(quantum)
    if vetoed:
        notes.append(f"一票否决，总分 {total:f} 记为 0")
        total, exact = ZERO.quantize(quantum), ZERO
    return Total(base, extra, exact, total, tuple(notes))


@dataclass
class Standings:
    """A group's (or class's) totals, ranks and grades, one slot per unit in stored order."""

    totals: list[Total]
    vetoes: list[list[str]]  # each unit's veto reasons
    order: list[int]  # best first
    rank: list[int]
    grades: list[Grade | None]  # None when the scheme has no grades

    @property
    def total(self) -> list[Decimal]:
        return [t.total for t in self.totals]

    @property
    def raw(self) -> list[Decimal]:
        """Base plus extra points, unscaled and unrounded."""
        return [t.base + t.extra for t in self.totals]


def standings(
    scheme: Scheme,
    group: Group,
    points: Sequence[Sequence[Decimal]],
    vetoes: Sequence[Sequence[tuple[str, str]]],
    exact: Sequence[dict[int, Fraction]] = (),
) -> Standings:
    """`points[k][i]`: unit i's points on group.indicators[k]; `vetoes[i]`: unit i's failed
    veto indicators as (effect, reason); `exact[k]`: {unit i: the exact fraction} of the points
    on indicator k that are rounded quotients."""
    n = len(vetoes)
    with_quotients = {i for column in exact for i in column}
    totals = [
        unit_total(
            scheme,
            group,
            [column[i] for column in points],
            vetoed=any(effect == "total" for effect, _ in vetoes[i]),
            exact={k: c[i] for k, c in enumerate(exact) if i in c} if i in with_quotients else None,
        )
        for i in range(n)
    ]
    values = [t.total for t in totals]
    order, rank = rank_totals(values, [t.exact for t in totals])
    grades: list[Grade | None] = [None] * n
    if scheme.grading is not None:
        graded_out = [any(effect == "grade" for effect, _ in vetoes[i]) for i in range(n)]
        grades = list(assign_grades(scheme.grading, values, rank, graded_out))
    return Standings(totals, [[r for _, r in v] for v in vetoes], order, rank, grades)


def split_by_class(group: Group, unit_names: Sequence[str]) -> list[tuple[str, list[int]]]:
    """(class name, positions of its units) for each class in scheme order; one ("", all) when
    the group has no classes. Raises ValueError naming units in no class."""
    if not group.classes:
        return [("", list(range(len(unit_names))))]
    where = {u: c.name for c in group.classes for u in c.units}
    stray = [u for u in unit_names if u not in where]
    if stray:
        raise ValueError(f"单位 {'、'.join(stray)} 不属于分组“{group.name}”的任何一类")
    return [
        (c.name, [i for i, u in enumerate(unit_names) if where[u] == c.name]) for c in group.classes
    ]


def _pts(value: Decimal | Fraction) -> str:
    return plain(round_half_up(to_decimal(value), 2))


def veto_reason(ind: Indicator, figure: Figure) -> str:
    """Why the unit is vetoed by this indicator, or "" when it is not."""
    if not ind.veto or not misses_target(ind.direction, figure):
        return ""
    unit = f" {ind.unit}" if ind.unit else ""
    word = "高于" if ind.direction == "lower" else "未达到"
    return (
        f"一票否决：{ind.name}实绩数 {plain(figure.actual)}{unit}，{word}任务数 "
        f"{plain(figure.target)}{unit}，{VETO_EFFECTS[ind.veto]}"
    )


def unreported_veto_reason(ind: Indicator) -> str:
    """Why a unit that did not report a veto indicator's figure is vetoed (未报送 is no pass)."""
    return f"一票否决：{ind.name}未报送，{VETO_EFFECTS[ind.veto]}"


def rank_totals(totals: Sequence[Decimal], exact: Sequence[Decimal]) -> tuple[list[int], list[int]]:
    """(order best first, rank): by exact total, input order on ties; equal published totals
    share a rank (1, 2, 2, 4)."""
    n = len(totals)
    order = sorted(range(n), key=lambda i: (totals[i], exact[i]), reverse=True)
    ranks = [0] * n
    for pos, i in enumerate(order):
        tied = pos and totals[i] == totals[order[pos - 1]]
        ranks[i] = ranks[order[pos - 1]] if tied else pos + 1
    return order, ranks


def share_count(share: Decimal, n: int, rounding: str) -> int:
    """How many units a share of n covers: 0.3 of 14 is 4.2 → 4 (half_up, down) or 5 (up)."""
    return int((share * n).quantize(Decimal(1), _ROUNDING[rounding]))


@dataclass(frozen=True)
class Grade:
    name: str
    reason: str


def assign_grades(
    grading: Grading,
    totals: Sequence[Decimal],
    ranks: Sequence[int],
    vetoed: Sequence[bool] = (),
) -> list[Grade]:
    """Each unit's grade, walking the units best first (see the module's notes). Units vetoed
    to the lowest grade take no place: shares count and rank the other units only."""
    n = len(totals)
    vetoed = list(vetoed) or [False] * n
    out: list[Grade] = [Grade(grading.lowest, "一票否决，定为最低等次")] * n
    graded = sorted((i for i in range(n) if not vetoed[i]), key=ranks.__getitem__)
    own = dict(zip(graded, _competition([totals[i] for i in graded]), strict=True))
    levels = grading.levels
    cutoffs = [
        None if lv.share is None else share_count(lv.share, len(graded), grading.rounding)
        for lv in levels
    ]
    note = "除否决单位外" if len(graded) < n else ""
    taken = [0] * len(levels)
    pos = 0
    while pos < len(graded):
        end = pos + 1
        while end < len(graded) and own[graded[end]] == own[graded[pos]]:
            end += 1
        block, pos = graded[pos:end], end
        first = block[0]
        for k, level in enumerate(levels):
            fits, why = _fits(
                level, cutoffs[k], taken[k], len(block), totals[first], own[first], note
            )
            if fits:
                taken[k] += len(block)
                for i in block:
                    out[i] = Grade(level.name, why)
                break
    return out


def _competition(ordered: list[Decimal]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of values already best first."""
    ranks = []
    for pos, value in enumerate(ordered):
        ranks.append(ranks[-1] if pos and value == ordered[pos - 1] else pos + 1)
    return ranks


def _fits(level, cutoff, taken, size, total, rank, note) -> tuple[bool, str]:
    reasons = []
    if level.min is not None:
        if total < level.min:
            return False, ""
        reasons.append(f"总分 {plain(total)} 不低于 {plain(level.min)}")
    if cutoff is not None:
        if rank > cutoff:
            return False, ""
        reasons.append(
            f"{note}排第 {rank} 名，在前 {plain(level.share * 100)}%（前 {cutoff} 名）内"
        )
    if level.max_count is not None:
        if taken + size > level.max_count:
            return False, ""
        reasons.append(f"未超过名额 {level.max_count} 个")
    if not reasons:
        reasons.append("其余单位")
    return True, "，".join(reasons) + f"，定为{level.name}"
