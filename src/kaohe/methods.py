"""Scoring methods: small pure functions, each with its explanation.

Every method takes the indicator's checked parameters (see scheme.py), its full points and the
group's figures, one `Figure(target, actual)` per unit, and returns one `Mark` per unit, in the
same order: the unit's exact points and a Chinese sentence with the arithmetic behind them.

A target of None means no task was set: methods that compare with the target give full points
and leave the unit out of the group's ranking, best, worst and average. Methods that only count
(items, deduct) and methods on the actual figure alone ignore the target.

Arithmetic is exact: rank and ratio (which score the most figures) in Decimal, whose one final
quotient is correctly rounded to 28 significant digits as it always was here, and rates are
ranked exactly; the other methods on fractions, turned into Decimals at the end (exact whenever
a Decimal can hold them, else to the same 28 digits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from math import floor
from typing import NamedTuple

from .numbers import percent, plain, round_half_up

HIGHER, LOWER = "higher", "lower"


class Figure(NamedTuple):
    target: Decimal | None
    actual: Decimal | dict | None  # a dict of counts per tier for tiered `items`


class Mark(NamedTuple):
    points: Decimal
    text: str
    ranks: tuple[int, ...] = ()  # rank on each ranked part (rank only)
    parts: tuple[Decimal, ...] = ()  # points on each ranked part (rank only)
    # the points as an exact fraction when `points` had to round a quotient (10 × 1 ÷ 3):
    # the total is taken from it, so nothing is rounded before the total is
    exact: Fraction | None = None


Method = Callable[[dict, Decimal, Sequence[Figure]], list[Mark]]


# --- shared pieces ---------------------------------------------------------------


def to_decimal(value: Fraction | Decimal | int) -> Decimal:
    """Exact when the fraction has a finite decimal expansion, else 28 significant digits."""
    if isinstance(value, Decimal):
        return value
    value = Fraction(value)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:
        digits = max(twos, fives)
        return Decimal(value.numerator * 10**digits // value.denominator).scaleb(-digits)
    return Decimal(value.numerator) / Decimal(value.denominator)


def _mark(value: Fraction | Decimal, text: str) -> Mark:
    """A mark from a computed value, keeping the exact fraction when Decimal cannot hold it."""
    points = to_decimal(value)
    return Mark(points, text, exact=None if Fraction(points) == value else Fraction(value))


def _figure(value: Fraction) -> str:
    """A computed figure: exact when it has at most 4 decimals, else '≈' and 2 decimals."""
    exact = to_decimal(value)
    if Fraction(round_half_up(exact, 4)) == value:
        return plain(exact)
    return f"≈{plain(round_half_up(exact, 2))}"


def _f(value) -> Fraction:
    return Fraction(value)


def points_text(value: Decimal) -> str:
    """Points as printed: 2 decimals at most."""
    return plain(round_half_up(value, 2))


def _approx(value: Fraction | Decimal) -> str:
    """'= 4.5' when 2 decimals show the value exactly, else '≈ 4.71'."""
    shown = round_half_up(to_decimal(value), 2)
    exact = shown == value if isinstance(value, Decimal) else Fraction(shown) == value
    return f"{'=' if exact else '≈'} {plain(shown)}"


def _num(value) -> str:
    return plain(to_decimal(value))


def _meets(direction: str, target, actual) -> bool:
    return actual >= target if direction == HIGHER else actual <= target


def misses_target(direction: str, figure: Figure) -> bool:
    """A veto indicator fails when a set target is missed (never when no task was set)."""
    if figure.target is None or not isinstance(figure.actual, Decimal):
        return False
    return not _meets(direction, figure.target, figure.actual)


def _clamp(value: Fraction, low, high) -> Fraction:
    return max(_f(low), min(_f(high), value))


def _no_task(max_points: Decimal) -> Mark:
    return Mark(max_points, f"未下达任务，得满分 {plain(max_points)} 分，不参与比较")


def _lower_note(direction: str) -> str:
    return "（越低越好）" if direction == LOWER else ""


class _On:
    """The figure a method looks at: the actual or the completion rate (actual ÷ target)."""

    def __init__(self, on: str, unit: str):
        self.on, self.unit = on, unit

    def needs_target(self) -> bool:
        return self.on == "rate"

    def value(self, figure: Figure) -> Fraction:
        if self.on == "rate":
            return _f(figure.actual) / _f(figure.target)
        return _f(figure.actual)

    def show(self, value: Fraction) -> str:
        if self.on == "rate":
            return percent(to_decimal(value))
        return f"{_num(value)}{self.unit}"

    @property
    def label(self) -> str:
        return "完成率" if self.on == "rate" else "实绩数"


def _unit(params: dict) -> str:
    unit = params.get("unit", "")
    return f" {unit}" if unit and unit != "%" else unit


def _scored(on: _On, figures: Sequence[Figure]) -> list[int]:
    """Units the group comparison counts: all, or those with a (non-zero) target on rates."""
    if not on.needs_target():
        return list(range(len(figures)))
    return [i for i, f in enumerate(figures) if f.target]


def _by_value(params: dict, max_points: Decimal, figures: Sequence[Figure], mark) -> list[Mark]:
    """Apply `mark(value, i)` to every counted unit; no-task units on rates get full points."""
    on = _On(params.get("on", "actual"), _unit(params))
    counted = set(_scored(on, figures))
    return [
        mark(on, on.value(f)) if i in counted else _no_task(max_points)
        for i, f in enumerate(figures)
    ]


# --- ratio and threshold ------------------------------------------------------------


def ratio(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """Full points at the target, proportional below it; `over` rewards the excess, capped."""
    # What every unit's text shares is worked out once: ratio scores the most figures by far.
    direction = params.get("direction", HIGHER)
    shared = (direction, _unit(params), _lower_note(direction), plain(max_points))
    return [_ratio_one(params, max_points, f, shared) for f in figures]


def _ratio_one(params: dict, max_points: Decimal, f: Figure, shared: tuple) -> Mark:
    # Decimal here (one correctly rounded quotient), not fractions.
    direction, sfx, lower, m = shared
    if f.target is None or (direction == HIGHER and not f.target):
        return _no_task(max_points)
    t, a, mp = f.target, f.actual, max_points
    head = _head(sfx, lower, t, a)
    if not _meets(direction, t, a):
        x, y = (a, t) if direction == HIGHER else (t, a)
        points, exact = mp * x / y, _product_quotient(mp, x, y)
        text = f"{head}，得 {m} × {plain(x)} ÷ {plain(y)} {_approx(points)} 分"
        held = points.as_integer_ratio() == (exact.numerator, exact.denominator)
        return Mark(points, text, exact=None if held else exact)
    beyond = a != t
    over = params.get("over")
    if over is None or not beyond or not t:
        if beyond and direction == HIGHER:
            return Mark(max_points, f"{head}，超过 100% 按 100% 计，得满分 {m} 分")
        if beyond:
            return Mark(max_points, f"{head}，不高于任务数，得满分 {m} 分")
        return Mark(max_points, f"{head}，得满分 {m} 分")
    t, a, mp = _f(t), _f(a), _f(mp)
    excess = (a - t) / t if direction == HIGHER else (t - a) / t
    steps = excess / _f(over["per"])
    if over.get("whole"):
        steps = Fraction(floor(steps))
    bonus = min(_f(over["cap"]), steps * _f(over["points"]))
    word = "超出" if direction == HIGHER else "低于"
    per = f"{plain(over['per'] * 100)}%"
    whole = "（满一档计）" if over.get("whole") else ""
    text = (
        f"{head}，得满分 {m} 分；{word}任务 {percent(to_decimal(excess))}，每{word} {per} 加 "
        f"{plain(over['points'])} 分{whole}，加 {points_text(to_decimal(bonus))} 分"
        f"（至多 {plain(over['cap'])} 分），共得 {points_text(to_decimal(mp + bonus))} 分"
    )
    return _mark(mp + bonus, text)


def _product_quotient(x: Decimal, y: Decimal, z: Decimal) -> Fraction:
    """x × y ÷ z exactly, as one fraction (the most frequent exact quotient: a ratio below its
    target; one reduction instead of one per operation)."""
    (xn, xd), (yn, yd), (zn, zd) = x.as_integer_ratio(), y.as_integer_ratio(), z.as_integer_ratio()
    return Fraction(xn * yn * zd, xd * yd * zn)


def _compared_head(params: dict, direction: str, t: Decimal, a: Decimal) -> str:
    return _head(_unit(params), _lower_note(direction), t, a)


def _head(sfx: str, lower: str, t: Decimal, a: Decimal) -> str:
    rate = percent(a / t) if t else "—"
    return f"任务数 {plain(t)}{sfx}，实绩数 {plain(a)}{sfx}{lower}，完成率 {rate}"


def threshold(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """Full points when the target is met, else 0."""
    direction = params.get("direction", HIGHER)
    out = []
    for f in figures:
        if f.target is None or (direction == HIGHER and not f.target):
            out.append(_no_task(max_points))
            continue
        head = _compared_head(params, direction, f.target, f.actual)
        if _meets(direction, f.target, f.actual):
            out.append(Mark(max_points, f"{head}，完成任务，得 {plain(max_points)} 分"))
        else:
            out.append(Mark(Decimal(0), f"{head}，未完成任务，得 0 分"))
    return out


# --- rank ---------------------------------------------------------------------------


def rank_order(
    values: Sequence, seconds: Sequence | None, direction: str, dense: bool
) -> list[int]:
    """Ranks, best first (largest, or smallest for `lower`). Ties on `values` go to the better
    `seconds`; equal on both share the better rank (1, 2, 2, 4), or with dense (1, 2, 2, 3)."""
    keys = values if seconds is None else list(zip(values, seconds, strict=True))
    order = sorted(range(len(values)), key=keys.__getitem__, reverse=direction == HIGHER)
    ranks = [0] * len(values)
    shown = 0
    for pos, i in enumerate(order):
        if pos == 0 or keys[i] != keys[order[pos - 1]]:
            shown = shown + 1 if dense else pos + 1
        ranks[i] = shown
    return ranks


def rate_keys(figures: Sequence[Figure]) -> list[Decimal]:
    """Completion rates to rank on, exactly: quotients correctly rounded to enough digits that
    different rates stay different and equal ones (2 ÷ 6, 1 ÷ 3) equal.

    With every figure an integer times 10^e, two different quotients N1/M1 and N2/M2 differ by
    a share of at least 1/(N·M), about 10^-(digits of N + digits of M); rounding to more digits
    than that cannot make them meet. For everyday figures that is within the usual 28 digits.
    """
    values = [v for f in figures for v in (f.actual, f.target) if v]
    if not values:
        return [Decimal(0)] * len(figures)
    shapes = [v.as_tuple() for v in values]
    exponents = [t.exponent for t in shapes]
    spread = max(exponents) - min(exponents)
    digits = max(len(t.digits) for t in shapes)
    with localcontext() as ctx:
        ctx.prec = max(28, 2 * (digits + spread) + 2)
        return [f.actual / f.target for f in figures]


def rank(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """top − step × (rank − 1) on each part (actual, rate), never below 0; ranks within the group."""
    direction = params.get("direction", HIGHER)
    top, step, tie = params["top"], params["step"], params.get("tie", "cross")
    parts = tuple(params.get("parts", ("actual", "rate")))
    members = [i for i, f in enumerate(figures) if f.target]
    actual = [figures[i].actual for i in members]
    rate = rate_keys([figures[i] for i in members])
    values = {"actual": (actual, rate), "rate": (rate, actual)}
    ranks_by_part = []
    for part in parts:
        first, second = values[part]
        ranks_by_part.append(
            rank_order(first, second if tie == "cross" else None, direction, tie == "dense")
        )
    out: list[Mark] = [_no_task(max_points)] * len(figures)
    sfx = _unit(params)
    zero = Decimal(0)
    by_rank: dict[int, tuple[Decimal, str]] = {}  # a rank's points and how they print
    for r in {r for ranks in ranks_by_part for r in ranks}:
        p = max(zero, top - step * (r - 1))
        by_rank[r] = (p, f"排第 {r} 名，得 {points_text(p)} 分")
    lead = "越低越好：" if direction == LOWER else ""
    tails: dict[Decimal, str] = {}  # a total's text: totals take few values
    for i, a, q, ranks in zip(members, actual, rate, zip(*ranks_by_part, strict=True), strict=True):
        pts = tuple(by_rank[r][0] for r in ranks)
        total = sum(pts, zero)
        if total not in tails:
            tails[total] = f"；合计 {points_text(total)} 分" if len(parts) > 1 else ""
        tail = tails[total]
        texts = [
            f"实绩数 {plain(a)}{sfx}，{by_rank[r][1]}"
            if part == "actual"
            else f"完成率 {percent(q)}，{by_rank[r][1]}"
            for part, r in zip(parts, ranks, strict=True)
        ]
        out[i] = Mark(total, lead + "；".join(texts) + tail, ranks, pts)
    return out


# --- efficacy coefficient -------------------------------------------------------------


def efficacy(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """功效系数法: coefficient = base + span × (x − worst) ÷ (best − worst), kept within
    [base, base + span]; points = full points × coefficient ÷ (base + span)."""
    direction = params.get("direction", HIGHER)
    base, span = _f(params.get("base", 60)), _f(params.get("span", 40))
    on = _On(params.get("on", "actual"), _unit(params))
    counted = _scored(on, figures)
    xs = [on.value(figures[i]) for i in counted]
    fixed = "best" in params
    if fixed:
        best, worst = _f(params["best"]), _f(params["worst"])
    elif xs:
        best = max(xs) if direction == HIGHER else min(xs)
        worst = min(xs) if direction == HIGHER else max(xs)
    out: list[Mark] = [_no_task(max_points)] * len(figures)
    source = "规定" if fixed else "组内"
    mp, full = _f(max_points), base + span
    for i, x in zip(counted, xs, strict=True):
        head = (
            f"{on.label} {on.show(x)}{_lower_note(direction)}，{source}最优 {on.show(best)}、"
            f"最差 {on.show(worst)}，功效系数 "
        )
        if best == worst:
            coefficient = full
            formula = f"{_num(full)}（最优等于最差，按最优计）"
        else:
            coefficient = _clamp(base + span * (x - worst) / (best - worst), base, full)
            formula = (
                f"{_num(base)} + {_num(span)} × ({on.show(x)} − {on.show(worst)}) ÷ "
                f"({on.show(best)} − {on.show(worst)}) {_approx(coefficient)}"
            )
            if coefficient in (base, full) and coefficient != base + span * (x - worst) / (
                best - worst
            ):
                formula += f"，超出范围按 {_num(coefficient)} 计"
        points = mp * coefficient / full
        text = (
            f"{head}{formula}，得 {plain(max_points)} × {plain(round_half_up(to_decimal(coefficient), 2))} ÷ {_num(full)} "
            f"{_approx(points)} 分"
        )
        out[i] = _mark(points, text)
    return out


# --- relative to the group average ----------------------------------------------------


def average(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """base points at the group average, ± `points` per ± `step` away from it (per `step` share
    of the average with relative = true), kept within [floor, cap]."""
    direction = params.get("direction", HIGHER)
    on = _On(params.get("on", "rate"), _unit(params))
    counted = _scored(on, figures)
    xs = [on.value(figures[i]) for i in counted]
    mean = sum(xs, Fraction(0)) / len(xs) if xs else Fraction(0)
    base, step, per = _f(params["base"]), _f(params["step"]), _f(params["points"])
    low, high = _f(params.get("floor", 0)), _f(params.get("cap", max_points))
    relative, whole = bool(params.get("relative")), bool(params.get("whole"))
    out: list[Mark] = [_no_task(max_points)] * len(figures)
    for i, x in zip(counted, xs, strict=True):
        gap = x - mean if direction == HIGHER else mean - x
        if relative:
            gap = gap / mean if mean else Fraction(0)
        steps = gap / step
        if whole:
            steps = Fraction(int(steps))  # whole steps only, toward the average
        raw = base + per * steps
        points = _clamp(raw, low, high)
        word = "高于" if x >= mean else "低于"
        if relative or on.on == "rate":
            size = abs(x - mean) / mean if relative else abs(x - mean)
            gap_text, step_text, label = (
                _figure(size * 100),
                _num(step * 100),
                "%" if relative else " 个百分点",
            )
        else:
            gap_text, step_text, label = _figure(abs(x - mean)), _num(step), _unit(params)
        arithmetic = (
            f"{_num(abs(steps))}（满 {step_text}{label}计一档）"
            if whole
            else f"{gap_text} ÷ {step_text}"
        )
        text = (
            f"{on.label} {on.show(x)}{_lower_note(direction)}，组内平均 {on.show(mean)}，"
            f"{word}平均 {gap_text}{label}，每 {step_text}{label} ±{_num(per)} 分，"
            f"得 {_num(base)} {'+' if steps >= 0 else '−'} {_num(per)} × {arithmetic} {_approx(raw)} 分"
        )
        if points != raw:
            text += f"，{'不低于' if points == low else '不超过'} {_num(points)} 分，记 {_num(points)} 分"
        out[i] = _mark(points, text)
    return out


# --- graded bands ---------------------------------------------------------------------


def bands(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """Ordered thresholds: a figure at or beyond a band's `at` earns its points; with
    interpolate = true, points rise linearly from one band's edge to the next one up."""
    direction = params.get("direction", HIGHER)
    table = [(_f(b["at"]), _f(b["points"])) for b in params["bands"]]  # best band first
    below = _f(params.get("below", 0))
    interpolate = bool(params.get("interpolate"))

    def mark(on: _On, x: Fraction) -> Mark:
        head = f"{on.label} {on.show(x)}{_lower_note(direction)}"
        n = next((n for n, (at, _) in enumerate(table) if _meets(direction, at, x)), None)
        if n is None:
            low_at = on.show(table[-1][0])
            word = "未达到" if direction == HIGHER else "超过"
            return _mark(below, f"{head}，{word}最低档 {low_at}，得 {_num(below)} 分")
        at, pts = table[n]
        if n == 0 or not interpolate or x == at:
            return _mark(pts, f"{head}，达到 {on.show(at)} 档，得 {_num(pts)} 分")
        up_at, up_pts = table[n - 1]
        value = pts + (up_pts - pts) * (x - at) / (up_at - at)
        text = (
            f"{head}，在 {on.show(at)}～{on.show(up_at)} 档间按比例计，得 {_num(pts)} + "
            f"({_num(up_pts)} − {_num(pts)}) × ({on.show(x)} − {on.show(at)}) ÷ "
            f"({on.show(up_at)} − {on.show(at)}) {_approx(value)} 分"
        )
        return _mark(value, text)

    return _by_value(params, max_points, figures, mark)


# --- counting methods -----------------------------------------------------------------


def items(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """Points per item (`per`), or per tier (`tiers`, the highest one only or all summed);
    at most `cap` (the full points by default)."""
    cap = _f(params.get("cap", max_points))
    return [_items_one(params, cap, f.actual) for f in figures]


def _items_one(params: dict, cap: Fraction, counts) -> Mark:
    sfx = params.get("unit", "") or "项"
    if "per" in params:
        n, per = _f(counts), _f(params["per"])
        raw = n * per
        text = (
            f"{_num(n)} {sfx}，每{sfx} {_num(per)} 分，计 {_num(per)} × {_num(n)} = {_num(raw)} 分"
        )
    else:
        tiers = params["tiers"]  # best first
        got = [(t, _f(counts.get(t["key"], 0))) for t in tiers]
        listed = "、".join(f"{t['name']} {_num(n)} {sfx}" for t, n in got if n) or f"0 {sfx}"
        if params.get("take", "highest") == "highest":
            best = next(((t, n) for t, n in got if n), None)
            raw = _f(best[0]["points"]) if best else Fraction(0)
            which = f"{best[0]['name']} {_num(raw)} 分" if best else "0 分"
            text = f"{listed}，只计最高一档：{which}"
        else:
            raw = sum((_f(t["points"]) * n for t, n in got), Fraction(0))
            terms = " + ".join(f"{_num(t['points'])} × {_num(n)}" for t, n in got if n) or "0"
            text = f"{listed}，逐项累加：{terms} = {_num(raw)} 分"
    if raw > cap:
        return _mark(cap, f"{text}，上限 {_num(cap)} 分，得 {_num(cap)} 分")
    return _mark(raw, f"{text}，得 {_num(raw)} 分")


def deduct(params: dict, max_points: Decimal, figures: Sequence[Figure]) -> list[Mark]:
    """From `start` (the full points by default) `per` points off per occurrence, not below `floor`."""
    start, per = _f(params.get("start", max_points)), _f(params["per"])
    low = _f(params.get("floor", 0))
    sfx = params.get("unit", "") or "次"
    out = []
    for f in figures:
        n = _f(f.actual)
        raw = start - per * n
        text = f"发生 {_num(n)} {sfx}，每{sfx}扣 {_num(per)} 分，得 {_num(start)} − {_num(per)} × {_num(n)} = {_num(raw)} 分"
        if raw < low:
            out.append(_mark(low, f"{text}，最低 {_num(low)} 分，记 {_num(low)} 分"))
        else:
            out.append(_mark(raw, text))
    return out


#: method name -> (function, whether it compares with the target)
METHODS: dict[str, tuple[Method, bool]] = {
    "rank": (rank, True),
    "ratio": (ratio, True),
    "threshold": (threshold, True),
    "efficacy": (efficacy, False),
    "average": (average, False),
    "bands": (bands, False),
    "items": (items, False),
    "deduct": (deduct, False),
}


def score_figures(method: str, params: dict, max_points: Decimal, figures: Sequence[Figure]):
    return METHODS[method][0](params, max_points, figures)
