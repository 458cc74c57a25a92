"""The scoring engine: pure Python and Decimal, no web framework.

Reading top to bottom: `score` takes a checked Dataset; `score_indicator` sorts each cell into a
status (no task, pending, late, scored) and hands the scored ones to the indicator's method; the
methods are small pure functions in methods.py (METHODS), each returning its points and the
Chinese explanation of them; `score_group` adds the points up into totals, vetoes, ranks and
grades (totals.py), for the whole group or for each of its classes.

Results are kept per indicator as one list per field, one slot per unit (`IndicatorColumn`);
`GroupResult.units` gives the per-unit view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from . import methods
from .dataset import Cell, Dataset, GroupData
from .errors import InputError, InputErrors
from .numbers import DECLARED_PENDING, NOT_APPLICABLE, ONE, ZERO, plain
from .scheme import Group, Indicator, Scheme
from .totals import Grade, split_by_class, standings, unreported_veto_reason, veto_reason

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
        self.text: list[str] = [""] * n  # the method's explanation of each scored unit
        self.veto: list[str] = [""] * n  # why a failed veto indicator vetoes the unit
        # points that are a quotient (ratio below target, efficacy …), kept exact for the total
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
    grade: Grade | None = None
    vetoes: list[str] = field(default_factory=list)  # why the unit was vetoed (一票否决)
    notes: tuple[str, ...] = ()  # how category caps and the scale changed the total

    def indicator(self, key: str) -> IndicatorScore:
        for score in self.indicators:
            if score.indicator.key == key:
                return score
        raise KeyError(key)


class GroupResult:
    """One group's (or one class's) results: `columns` per indicator; `raw`, `total`, `rank`,
    `grades` per unit in stored order; `order` lists the units best first. With classes, each
    class is scored as a group of its own and `class_name` names it."""

    def __init__(
        self,
        group: Group,
        units: list[str],
        columns: list[IndicatorColumn],
        scheme,
        class_name: str = "",
    ):
        self.group = group
        self.class_name = class_name
        self.unit_names = units
        self.columns = columns
        self.max_points = group.max_points
        veto_columns = [c for c in columns if c.indicator.veto]
        vetoes = [
            [(c.indicator.veto, c.veto[i]) for c in veto_columns if c.veto[i]]
            for i in range(len(units))
        ]
        self.standings = standings(
            scheme, group, [c.points for c in columns], vetoes, [c.exact for c in columns]
        )
        self.raw = self.standings.raw
        self.total = self.standings.total
        self.order = self.standings.order
        self.rank = self.standings.rank
        self.grades = self.standings.grades

    @property
    def title(self) -> str:
        """The group's name, with the class's when there is one: 镇（街道）·一类镇（街道）."""
        return f"{self.group.name}·{self.class_name}" if self.class_name else self.group.name

    @cached_property
    def units(self) -> list[UnitScore]:
        """Per-unit results, best first."""
        s = self.standings
        return [
            UnitScore(
                self.unit_names[i],
                self.rank[i],
                self.raw[i],
                self.total[i],
                [IndicatorScore(c, i) for c in self.columns],
                s.grades[i],
                s.vetoes[i],
                s.totals[i].notes,
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
    groups: list[GroupResult]  # one per group, or one per class of a group with classes

    @property
    def units(self) -> list[UnitScore]:
        return self.groups[0].units


def score(scheme: Scheme, dataset: Dataset) -> Result:
    """Score every group present in the dataset. The dataset must be complete."""
    dataset.check_complete()
    return Result(scheme, [r for data in dataset.groups for r in score_classes(scheme, data)])


def score_classes(scheme: Scheme, data: GroupData) -> list[GroupResult]:
    """The group's result, or one result per class: each class is scored as its own group."""
    try:
        classes = split_by_class(data.group, data.units)
    except ValueError as exc:
        raise InputErrors([InputError(str(exc))]) from None
    return [score_group(scheme, data, positions, name) for name, positions in classes]


def score_group(
    scheme: Scheme, data: GroupData, positions: list[int] | None = None, class_name: str = ""
) -> GroupResult:
    """Score the units at `positions` (all by default) as one group."""
    if positions is None:
        positions = list(range(len(data.units)))
    group = data.group
    columns = [
        score_indicator(scheme, ind, _cells(data, ind, positions)) for ind in group.indicators
    ]
    for col in columns:
        category = group.categories.get(col.indicator.category)
        if category is not None and category.subtract:  # the points are taken off the total
            _deduction_statuses(col)
            col.text = [f"{t}（{category.name}：从总分中扣除）" if t else t for t in col.text]
    units = [data.units[p] for p in positions]
    return GroupResult(data.group, units, columns, scheme, class_name)


def _deduction_statuses(col: IndicatorColumn) -> None:
    """In a category taken off the total, points are a deduction: silence or lateness must not
    be a clean record (0 off) and no task must not be the worst one (full points off). So an
    unreported or late figure deducts the indicator's full points; no task or a declared
    数据未出 deducts nothing."""
    full = plain(col.indicator.max_points)
    for i, status in enumerate(col.status):
        if status == MISSING:
            col.points[i], col.text[i] = (
                col.indicator.max_points,
                f"未报送实绩数，按扣满 {full} 分计",
            )
        elif status == LATE:
            col.points[i] = col.indicator.max_points
            col.text[i] = f"{col.note[i]}：按扣满 {full} 分计"
        elif status in (NO_TASK, PENDING):
            word = "未下达任务" if status == NO_TASK else "实绩数据未出"
            col.points[i], col.text[i] = ZERO, f"{word}，不扣分"


def _cells(data: GroupData, ind: Indicator, positions: list[int]) -> list[Cell]:
    """The indicator's cells at `positions`; a tiered indicator's cell holds its counts per tier."""
    tiers = data.group.tiers(ind)
    if not tiers:
        cells = data.cells[ind.key]
        return [cells[p] for p in positions]
    out = []
    for p in positions:
        parts = [data.cells[t.key][p] for t in tiers]
        counts = {t.tier: c.actual for t, c in zip(tiers, parts, strict=True)}
        notes = "；".join(dict.fromkeys(c.note for c in parts if c.note))
        out.append(Cell(NOT_APPLICABLE, counts, notes, parts[0].origin))
    return out


# --- one indicator ------------------------------------------------------------


def score_indicator(scheme: Scheme, ind: Indicator, cells: list[Cell]) -> IndicatorColumn:
    """Each cell's status and the points of those outside the method; then the method."""
    col = IndicatorColumn(ind, len(cells))
    needs_target = ind.needs_target
    # '/' sets no task; so does a zero target, except where lower is better and a zero is a real
    # target (0 accidents) for ratio and threshold.
    zero_is_a_target = ind.direction == "lower" and ind.method in ("ratio", "threshold")
    scored = []
    for i, cell in enumerate(cells):
        t, given, note = cell.target, cell.actual, cell.note
        t = t if isinstance(t, Decimal) else None
        a = given if isinstance(given, (Decimal, dict)) else None
        col.note[i], col.given_actual[i] = note, a
        if isinstance(a, dict):  # counts per tier: the actual shown is their sum
            col.given_actual[i] = sum(a.values(), ZERO)
        if note and scheme.is_late(note):
            col.status[i], col.target[i], col.actual[i] = LATE, t, ZERO
            col.rate[i] = ZERO if t and needs_target else None
        elif needs_target and (t is None or not (t or zero_is_a_target)):  # nothing asked
            col.status[i], col.target[i], col.actual[i] = NO_TASK, t, a
            col.points[i] = ind.max_points
        elif needs_target and a is None and _declared_pending(scheme, given, note):
            # declared 数据未出: completion taken as the target, full points, not ranked
            col.status[i], col.target[i], col.actual[i], col.rate[i] = PENDING, t, t, ONE
            col.points[i] = ind.max_points
        elif a is None:  # nothing scores without evidence: 未报送, 0 points
            col.status[i], col.target[i] = MISSING, t
        else:
            col.target[i], col.actual[i] = t, col.given_actual[i]
            col.rate[i] = a / t if t and not isinstance(a, dict) else None
            scored.append(i)
    if scored:
        score_method(col, scored, [methods.Figure(col.target[i], cells[i].actual) for i in scored])
    if ind.veto:
        for i in scored:
            col.veto[i] = veto_reason(ind, methods.Figure(col.target[i], col.actual[i]))
            if col.veto[i]:
                col.text[i] += f"；{col.veto[i]}"
        for i, status in enumerate(col.status):
            if status == MISSING:  # no evidence is no pass: an unreported veto figure vetoes
                col.veto[i] = unreported_veto_reason(ind)
    return col


def score_method(col: IndicatorColumn, scored: list[int], figures: list[methods.Figure]) -> None:
    """The indicator's method (methods.METHODS) on the scored units: points, ranks, texts."""
    ind = col.indicator
    params = {**ind.params, "unit": ind.unit}
    marks = methods.score_figures(ind.method, params, ind.max_points, figures)
    parts = ind.params.get("parts", ()) if ind.method == "rank" else ()
    for i, mark in zip(scored, marks, strict=True):
        col.points[i], col.text[i] = mark.points, mark.text
        if mark.exact is not None:
            col.exact[i] = mark.exact
        for part, r, p in zip(parts, mark.ranks, mark.parts, strict=True):
            if part == "actual":
                col.rank_actual[i], col.points_actual[i] = r, p
            else:
                col.rank_rate[i], col.points_rate[i] = r, p


def _declared_pending(scheme: Scheme, actual, note: str) -> bool:
    """数据未出 only when declared: the actual says so, or the 备注 has the scheme's words."""
    return actual is DECLARED_PENDING or (actual is None and scheme.is_pending(note))


# --- explanations ---------------------------------------------------------------


def explain(col: IndicatorColumn, i: int) -> str:
    """Why unit i got its points on this indicator, in Chinese."""
    status = col.status[i]
    if status == SCORED or col.text[i]:  # the method's text, or a deduction's (above)
        return col.text[i]
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
        return "未报送实绩数，得 0 分" + (f"；{col.veto[i]}" if col.veto[i] else "")
    return f"{col.note[i]}：完成任务数记为 0，得 0 分，不参与排名"


def _suffix(col: IndicatorColumn) -> str:
    unit = col.indicator.unit
    return f" {unit}" if unit else ""
