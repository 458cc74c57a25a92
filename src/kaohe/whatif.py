"""What a unit would need to move up one rank (如何前进一名): for each figure it gave, the
smallest change of that figure alone that lifts its rank, found by rescoring with the engine.

Pure Python and Decimal, no web framework. `what_if(scheme, dataset, unit)` answers for one
unit; `find_unit` resolves a name (aliases included) or says which names are close.

How an answer is found, and what that assumes:

- Only a figure the engine scored can change (status 已计分). 未下达任务 and 数据未出 give full
  points whatever the figure, 迟报 counts 0 whatever it is, a figure not given has nothing to
  change: each says why instead.
- Figures move on the indicator's grid: one step is 10^-decimals, and 1 for counts (家, 人, 件,
  次 …: numbers.COUNT_UNITS, as the web checks them). A figure off the grid first moves
  to the next grid point in the better direction.
- "Better" is the way that raises the indicator's points: the method's `direction` (rank,
  ratio, threshold, efficacy, average, bands), fewer occurrences for `deduct`, more items for
  `items`; reversed when the category is subtracted from the total (扣分项). A lower-is-better
  figure does not go below 0.
- Each candidate rescores the unit's whole group (its class, when the group ranks by class)
  with `engine.score_group` under the scheme's own rules: other units' points change too
  (ranks, group best and worst, the group average), caps, vetoes and ties (equal published
  totals share a rank) are the engine's. Nothing is approximated.
- The search assumes the unit's rank never gets worse as its figure gets better. That holds
  when its own points never fall and no other unit's points rise as its figure improves: true
  of every method in methods.py (rank: others can only lose places; efficacy: a better figure
  can only raise the group's best or worst; average: it can only raise the group's average),
  and totals, caps and vetoes keep the order. Under it the search tries the far end first
  (not reached there: 无法单独达到), then doubles the step count from 1 until the rank rises
  and halves back between the last miss and the first hit. The answer is checked in
  tests/test_whatif.py by rescoring the figure (the unit moves up) and one step short (it
  does not).
- A better-is-higher figure is tried up to ten times the largest figure, target or
  threshold in play on that indicator (the far end); a unit that would need more is told that
  even that much would not do.

"Move up one rank" means the unit's published rank number gets smaller: it overtakes, or
ties with, the unit directly above it, as the scheme's ranking treats ties.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .dataset import Cell, Dataset, GroupData
from .engine import LATE, MISSING, NO_TASK, PENDING, SCORED, STATUS_LABELS, score_group
from .errors import InputError
from .numbers import is_count_unit, normalize_name, plain
from .scheme import Group, Indicator, Scheme
from .totals import split_by_class

HIGHER, LOWER = "higher", "lower"
FAR_END = Decimal(10)  # how far beyond the largest figure in play a higher figure is tried

#: why a figure with this status cannot change the result
UNCHANGEABLE = {
    NO_TASK: "未下达任务，得满分且不参与排名，实绩数不影响得分",
    PENDING: "数据未出，暂按完成任务计满分，实绩数出来后才能测算",
    LATE: "迟报，完成任务数记为 0，改变实绩数不影响得分",
    MISSING: "未报送实绩数，得 0 分，报送实绩数后才能测算",
}


@dataclass(frozen=True)
class Option:
    """One figure of the unit: the smallest change of it alone that moves the unit up, or why
    there is none."""

    key: str
    name: str
    unit: str  # unit of measure
    status: str
    actual: Decimal | None  # as given
    points: Decimal  # the unit's points on the indicator now
    better: str = HIGHER
    figure: Decimal | None = None  # the figure that would do it
    new_points: Decimal | None = None
    new_total: Decimal | None = None
    new_rank: int | None = None
    reason: str = ""  # why not, in Chinese

    @property
    def reachable(self) -> bool:
        return self.figure is not None

    @property
    def change(self) -> Decimal | None:
        if self.figure is None or self.actual is None:
            return None
        return self.figure - self.actual

    @property
    def change_text(self) -> str:
        """+2, −0.03406 (empty without an answer)."""
        change = self.change
        if change is None:
            return ""
        return f"{'+' if change > 0 else '−'}{plain(abs(change))}"

    @property
    def advice(self) -> str:
        """The answer in one Chinese sentence."""
        if not self.reachable:
            return f"无法单独达到：{self.reason}"
        sfx = _suffix(self.unit)
        word = "提高" if self.change > 0 else "降低"
        return (
            f"实绩数由 {plain(self.actual)}{sfx} {word}到 {plain(self.figure)}{sfx}"
            f"（{self.change_text}{sfx}），"
            f"该项得分 {_pts(self.points)} → {_pts(self.new_points)} 分，"
            f"总得分 {plain(self.new_total)}，排第 {self.new_rank} 名"
        )


@dataclass(frozen=True)
class WhatIf:
    unit: str
    title: str  # the group's (and class's) name, where the rank is taken
    rank: int
    total: Decimal
    size: int  # units ranked together
    above: tuple[str, ...]  # the unit(s) directly above
    above_total: Decimal | None
    options: tuple[Option, ...]
    note: str = ""  # a word on the whole answer (rank 1, a veto)

    @property
    def reachable(self) -> list[Option]:
        return [o for o in self.options if o.reachable]

    @property
    def unreachable(self) -> list[Option]:
        return [o for o in self.options if not o.reachable]


def _suffix(unit: str) -> str:
    return f" {unit}" if unit and unit != "%" else unit


def _pts(value: Decimal) -> str:
    from .methods import points_text

    return points_text(value)


# --- finding the unit -------------------------------------------------------------


def find_unit(scheme: Scheme, dataset: Dataset, name: str) -> tuple[GroupData, str]:
    """The group data holding the unit and its name as scored; InputError naming close names."""
    datas = dataset.groups
    for data in datas:
        unit = data.group.find_unit(name)
        canonical = unit.name if unit is not None else name.strip()
        if canonical in data.positions:
            return data, canonical
    for data in datas:  # units from the data, not in the scheme's list
        for u in data.units:
            if normalize_name(u) == normalize_name(name):
                return data, u
    names = [u for data in datas for u in data.units]
    aliases = {a: u.name for data in datas for u in data.group.units for a in u.aliases}
    close = difflib.get_close_matches(name, names + list(aliases), n=5, cutoff=0.3)
    shown = list(dict.fromkeys(aliases.get(c, c) for c in close))
    hint = f"，相近的有：{'、'.join(shown)}" if shown else ""
    listed = "、".join(names[:20]) + ("等" if len(names) > 20 else "")
    raise InputError(f"数据中没有单位“{name}”{hint}（数据中的单位：{listed}）")


# --- the rules of the search -------------------------------------------------------


def better_direction(group: Group, ind: Indicator) -> str:
    """Which way of the figure raises the unit's total (see the module's notes)."""
    if ind.tier_of:  # a tier's count: more items, as its indicator says
        ind = group.indicator(ind.tier_of)
    if ind.method == "deduct":
        way = LOWER
    elif ind.method == "items":
        way = HIGHER
    else:
        way = ind.direction
    category = group.categories.get(ind.category)
    if category is not None and category.subtract:
        way = LOWER if way == HIGHER else HIGHER
    return way


def figure_step(ind: Indicator) -> Decimal:
    """One step of the figure: 1 for counts, else 10^-decimals."""
    if ind.decimals <= 0 or is_count_unit(ind.unit) or ind.tier_of:
        return Decimal(1)
    return Decimal(1).scaleb(-ind.decimals)


def _far_end(group: Group, ind: Indicator, cells: list[Cell], own: Cell) -> Decimal:
    """Ten times the largest figure, target or method threshold in play (a higher figure)."""
    values = [Decimal(1)]
    for c in cells:
        values += [abs(v) for v in (c.target, c.actual) if isinstance(v, Decimal)]
    parent = group.indicator(ind.tier_of) if ind.tier_of else ind
    params = parent.params
    limits = [b["at"] for b in params.get("bands", ())]
    limits += [params[k] for k in ("best", "worst") if k in params]
    per = own.target if params.get("on") == "rate" and isinstance(own.target, Decimal) else 1
    values += [abs(Decimal(v) * per) for v in limits]
    return max(values) * FAR_END


# --- the search ------------------------------------------------------------------


class _Group:
    """The unit's group (or class) and how to rescore it with one figure changed."""

    def __init__(self, scheme: Scheme, data: GroupData, unit: str):
        self.scheme, self.data = scheme, data
        pos = data.positions[unit]
        for class_name, positions in split_by_class(data.group, data.units):
            if pos in positions:
                self.class_name, self.positions = class_name, positions
        self.index = self.positions.index(pos)
        self.pos = pos
        self.result = score_group(scheme, data, self.positions, self.class_name)

    def rescored(self, key: str, figure: Decimal):
        cells = list(self.data.cells[key])
        old = cells[self.pos]
        cells[self.pos] = Cell(old.target, figure, old.note, old.origin)
        data = dataclasses.replace(self.data, cells={**self.data.cells, key: cells})
        return score_group(self.scheme, data, self.positions, self.class_name)


def what_if(scheme: Scheme, dataset: Dataset, unit: str) -> WhatIf:
    """For each figure the unit gave, the smallest change of it alone that moves the unit up
    one rank in its group (or class), or why there is none."""
    dataset.check_complete()
    data, name = find_unit(scheme, dataset, unit)
    g = _Group(scheme, data, name)
    result, i = g.result, g.index
    rank, total = result.rank[i], result.total[i]
    title = result.title
    better_ranks = [result.rank[j] for j in range(len(result.rank)) if result.rank[j] < rank]
    above_rank = max(better_ranks, default=None)
    above = tuple(result.unit_names[j] for j in result.order if result.rank[j] == above_rank)
    above_total = result.total[result.unit_names.index(above[0])] if above else None
    common = dict(unit=name, title=title, rank=rank, total=total, size=len(result.rank))
    if rank == 1:
        note = f"已在{title}排第 1 名，没有可超越的单位"
        return WhatIf(**common, above=(), above_total=None, options=(), note=note)
    vetoes = result.standings.vetoes[i]
    note = "；".join(vetoes)
    options = tuple(_option(g, ind, rank, above, above_total) for ind in data.group.inputs)
    return WhatIf(**common, above=above, above_total=above_total, options=options, note=note)


def _option(g: _Group, ind: Indicator, rank: int, above, above_total) -> Option:
    result, i = g.result, g.index
    parent_key = ind.tier_of or ind.key
    column = result.column(parent_key)
    cell = g.data.cells[ind.key][g.pos]
    actual = cell.actual if isinstance(cell.actual, Decimal) else None
    status = column.status[i]
    better = better_direction(g.data.group, ind)
    base = Option(
        key=ind.key,
        name=ind.name,
        unit=ind.unit,
        status=status,
        actual=actual,
        points=column.points[i],
        better=better,
    )
    if status != SCORED or actual is None:
        if status == SCORED:  # scored without a figure: nothing to change
            status = MISSING
        why = UNCHANGEABLE.get(status) or f"{STATUS_LABELS.get(status, status)}，不能测算"
        return dataclasses.replace(base, reason=why)
    step = figure_step(ind)
    if better == HIGHER:
        start = actual.quantize(step, rounding=ROUND_FLOOR)
        far = _far_end(g.data.group, ind, [g.data.cells[ind.key][p] for p in g.positions], cell)
        last = max(1, int((far - start) / step))
    else:
        start = actual.quantize(step, rounding=ROUND_CEILING)
        last = int(start / step) if start > 0 else 0
        if last < 1:
            return dataclasses.replace(base, reason="实绩数已为 0，不能再低")
    sign = 1 if better == HIGHER else -1

    def figure(k: int) -> Decimal:
        return start + sign * k * step

    def moves(k: int):
        rescored = g.rescored(ind.key, figure(k))
        return rescored, rescored.rank[i] < rank

    far_result, reached = moves(last)
    if not reached:
        why = _why_not(g, ind, far_result, figure(last), above, above_total)
        return dataclasses.replace(base, reason=why)
    miss, hit, hit_result = 0, last, far_result  # rank rises at `hit`, not at `miss`
    k = 1
    while k < hit:  # doubling from one step: most answers are near
        r, ok = moves(k)
        if ok:
            hit, hit_result = k, r
            break
        miss, k = k, k * 2
    while hit - miss > 1:
        mid = (miss + hit) // 2
        r, ok = moves(mid)
        if ok:
            hit, hit_result = mid, r
        else:
            miss = mid
    return dataclasses.replace(
        base,
        figure=figure(hit),
        new_points=hit_result.column(parent_key).points[i],
        new_total=hit_result.total[i],
        new_rank=hit_result.rank[i],
    )


def _why_not(g: _Group, ind: Indicator, far, figure: Decimal, above, above_total) -> str:
    """Why even the far end does not move the unit up."""
    result, i = g.result, g.index
    key = ind.tier_of or ind.key
    now, then = result.column(key).points[i], far.column(key).points[i]
    if result.standings.vetoes[i] and far.standings.vetoes[i]:
        return "单位被一票否决，总分记为 0，单独改变此项不能解除"
    if then == now:
        word = "提高" if figure > (g.data.cells[ind.key][g.pos].actual) else "降低"
        return f"此项已得 {_pts(now)} 分，再{word}实绩数得分也不增加"
    if far.total[i] == result.total[i]:
        return "此项得分受类别上限或总分上限限制，总分不再增加"
    sfx = _suffix(ind.unit)
    return (
        f"实绩数即使为 {plain(figure)}{sfx}，总得分 {plain(far.total[i])} 仍不能超过上一名"
        f"（{'、'.join(above)} {plain(above_total)}）"
    )
