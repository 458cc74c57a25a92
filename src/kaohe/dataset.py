"""The figures to score: one cell per unit and indicator, with where each came from.

Every reader builds its Dataset the same way: `unit_slot` for each unit it meets, `put` for each
cell. The Dataset merges files, refuses two different figures for one cell and, before scoring,
checks that every unit has every indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import InputError, InputErrors, KaoheError, Location
from .numbers import DECLARED_PENDING, NOT_APPLICABLE, plain
from .scheme import Group, Indicator, Scheme


class Cell:
    """One unit's figures for one indicator, in the indicator's unit of measure.

    target / actual: Decimal, NOT_APPLICABLE ('/') or None (blank).
    """

    __slots__ = ("target", "actual", "note", "origin")

    def __init__(self, target, actual, note: str = "", origin: Location | None = None):
        self.target = target
        self.actual = actual
        self.note = note
        self.origin = origin

    def same_figures(self, other: Cell) -> bool:
        return _same(self.target, other.target) and _same(self.actual, other.actual)

    def __repr__(self) -> str:
        return f"Cell({self.target!r}, {self.actual!r}, {self.note!r})"


def _same(a, b) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a is b


def show(value) -> str:
    if value is None:
        return "空白"
    if value is NOT_APPLICABLE:
        return "/"
    return plain(value)


@dataclass
class GroupData:
    group: Group
    units: list[str]  # canonical names, in order of first appearance
    cells: dict[str, list[Cell | None]]  # indicator key -> one cell per unit (None: not given)
    positions: dict[str, int] = field(default_factory=dict)

    def cell(self, indicator_key: str, unit: str) -> Cell | None:
        pos = self.positions.get(unit)
        return None if pos is None else self.cells[indicator_key][pos]


class Dataset:
    """Figures merged from one or more files, checked for conflicts."""

    def __init__(self, scheme: Scheme, units_from_data: bool = False):
        self.scheme = scheme
        self.units_from_data = units_from_data
        self._groups: dict[str, GroupData] = {}
        self.errors: list[KaoheError] = []
        self.sources: list[str] = []

    def group_data(self, group: Group) -> GroupData:
        data = self._groups.get(group.key)
        if data is None:
            data = GroupData(group, [], {i.key: [] for i in group.inputs})
            self._groups[group.key] = data
        return data

    def unit_slot(self, group: Group, unit: str) -> int:
        data = self.group_data(group)
        pos = data.positions.get(unit)
        if pos is None:
            pos = data.positions[unit] = len(data.units)
            data.units.append(unit)
            for cells in data.cells.values():
                cells.append(None)
        return pos

    def put(self, group: Group, unit: str, indicator_key: str, cell: Cell) -> None:
        """Add one cell; the same figures twice are fine, different ones are an error."""
        pos = self.unit_slot(group, unit)
        cells = self._groups[group.key].cells[indicator_key]
        old = cells[pos]
        if old is None:
            cells[pos] = cell
        elif old.same_figures(cell):
            if cell.note and not old.note:
                cells[pos] = Cell(old.target, old.actual, cell.note, old.origin)
        else:
            name = group.indicator(indicator_key).name
            first = old.origin.describe() if old.origin else "前一文件"
            second = cell.origin.describe() if cell.origin else "后一文件"
            self.errors.append(
                InputError(
                    f"单位“{unit}”的指标“{name}”出现两次且数值不同："
                    f"{first} 为 任务数 {show(old.target)}、实绩数 {show(old.actual)}；"
                    f"{second} 为 任务数 {show(cell.target)}、实绩数 {show(cell.actual)}"
                )
            )

    @property
    def groups(self) -> list[GroupData]:
        return [self._groups[g.key] for g in self.scheme.groups if g.key in self._groups]

    def check_evidence(self, pending: list[str] | tuple[str, ...] = ()) -> None:
        """Before scoring files: nothing scores without evidence. A blank actual is an error
        unless the cell or its 备注 declares 数据未出, or its indicator is named in ``pending``
        (`kaohe score --pending 指标名`). Raises InputErrors listing every blank cell."""
        declared = self._pending_keys(pending)
        errors: list[KaoheError] = []
        blank = 0
        for data in self.groups:
            for ind in data.group.inputs:  # a tiered indicator's figures are its tiers'
                cells = data.cells[ind.key]
                for pos, cell in enumerate(cells):
                    if cell is None or cell.actual is not None or not _has_task(ind, cell.target):
                        continue
                    if (data.group.key, ind.key) in declared:
                        cells[pos] = Cell(cell.target, DECLARED_PENDING, cell.note, cell.origin)
                        continue
                    if self.scheme.is_pending(cell.note):
                        continue
                    blank += 1
                    if len(errors) < MAX_LISTED:
                        errors.append(
                            InputError(
                                f"单位“{data.units[pos]}”的指标“{ind.name}”实绩数为空",
                                cell.origin,
                            )
                        )
        if errors:
            words = "、".join(
                f"“{w}”" for w in dict.fromkeys(("数据未出", *self.scheme.pending_words))
            )
            more = f"（以上列出 {len(errors)} 处，共 {blank} 处）" if blank > len(errors) else ""
            errors.append(
                InputError(
                    f"共 {blank} 个实绩数为空{more}：空白不算数据未出。没有完成请填 0；"
                    f"统计数据确实未出的，请在实绩数填“未出”或{words}，或在备注中写{words}，"
                    "或整项指标运行时加 --pending 指标名"
                )
            )
            raise InputErrors(errors)

    def _pending_keys(self, names) -> set[tuple[str, str]]:
        keys, unknown = set(), []
        for name in names:
            found = [
                (g.key, ind.key)
                for g in self.scheme.groups
                for ind in g.indicators
                if name in (ind.key, ind.name, *ind.aliases)
            ]
            keys.update(found)
            if not found:
                unknown.append(name)
        if unknown:
            raise InputErrors([InputError(f"--pending 指定的指标“{n}”不在方案中") for n in unknown])
        return keys

    def check_complete(self) -> None:
        """Every expected unit has every indicator; raises InputErrors listing what is missing."""
        errors = list(self.errors)
        if not self._groups:
            errors.append(InputError("输入文件中没有找到任何考核数据"))
        for data in self.groups:
            errors.extend(_missing(data, self.units_from_data, self.scheme))
        if errors:
            raise InputErrors(errors)


MAX_LISTED = 200  # blank cells listed one by one; the count says how many in all


def _has_task(ind: Indicator, target) -> bool:
    """A target that asks something of the unit ('/' or 0: no task, the actual may be blank;
    a zero is a real target where lower is better for ratio and threshold: 0 accidents)."""
    if not isinstance(target, Decimal):
        return False
    return target != 0 or (ind.direction == "lower" and ind.method in ("ratio", "threshold"))


def _missing(data: GroupData, units_from_data: bool, scheme: Scheme) -> list[InputError]:
    group = data.group
    errors = []
    if not units_from_data:
        present = set(data.units)
        for unit in group.units:
            if unit.name not in present:
                errors.append(InputError(f"缺少单位“{unit.name}”（{group.name}）的数据"))
    for ind in group.inputs:
        cells = data.cells[ind.key]
        needs_target = ind.needs_target
        for unit, cell in zip(data.units, cells, strict=True):
            if cell is None:
                continue
            if needs_target and cell.target is None and cell.actual is not None:
                errors.append(
                    InputError(
                        f"单位“{unit}”的指标“{ind.name}”任务数为空：未下达任务请填“/”",
                        cell.origin,
                    )
                )
            # Counted and compared-actual methods have no target to fall back on.
            elif not needs_target and not isinstance(cell.actual, Decimal):
                if not (cell.note and scheme.is_late(cell.note)):
                    errors.append(
                        InputError(
                            f"单位“{unit}”的指标“{ind.name}”实绩数为空：此指标按实绩计分，"
                            "没有请填 0",
                            cell.origin,
                        )
                    )
        missing = [u for u, cell in zip(data.units, cells, strict=True) if cell is None]
        if missing and len(missing) == len(data.units):
            errors.append(InputError(f"缺少指标“{ind.name}”的数据（{group.name}，全部单位）"))
        elif missing:
            shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
            errors.append(
                InputError(f"缺少指标“{ind.name}”的数据：{shown}（共 {len(missing)} 个单位）")
            )
    return errors
