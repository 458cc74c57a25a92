"""The figures to score: one cell per unit and indicator, with where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress, repeat
from operator import is_not, not_

from .errors import InputError, InputErrors, KaoheError, Location
from .numbers import NOT_APPLICABLE, plain
from .scheme import Group, Scheme


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


def _location(origin) -> Location | None:
    return Location(*origin) if isinstance(origin, tuple) else origin


def _float(value) -> float:
    return float(value) if value.__class__ is Decimal else 1.0


def _floats(shadow: list, values: list) -> list[float]:
    if None not in shadow:  # the reader had every float at hand
        return shadow
    return [_float(x) if f is None else f for f, x in zip(shadow, values, strict=True)]


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


class Column:
    """One indicator's figures, one slot per unit, stored column-wise so scoring is fast.

    `special` holds the slots that need more than the plain rule: a note, a '/' or blank figure,
    or a zero target. `filled` marks the slots some file provided.
    """

    __slots__ = (
        "target",
        "actual",
        "note",
        "origin",
        "filled",
        "special",
        "shadow",
        "target_shadow",
    )

    def __init__(self):
        self.target: list = []
        self.actual: list = []
        self.note: list[str] = []
        self.origin: list = []
        self.filled: list[bool] = []
        self.special: set[int] = set()
        self.shadow: list = []  # float(actual) when the reader had it at hand, else None
        self.target_shadow: list = []  # the same for the targets

    def grow(self) -> None:
        self.target.append(None)
        self.actual.append(None)
        self.note.append("")
        self.origin.append(None)
        self.filled.append(False)
        self.shadow.append(None)
        self.target_shadow.append(None)

    def set(self, pos: int, t, a, note: str, origin, shadow=None) -> None:
        self.shadow[pos] = shadow
        self.target_shadow[pos] = None
        self.target[pos] = t
        self.actual[pos] = a
        self.note[pos] = note
        self.origin[pos] = origin
        self.filled[pos] = True
        if note or t.__class__ is not Decimal or a.__class__ is not Decimal or not t:
            self.special.add(pos)

    def actual_shadow(self) -> list[float]:
        """Float copies of the actuals, only to speed up sorting (1.0 where not a number)."""
        return _floats(self.shadow, self.actual)

    def target_floats(self) -> list[float]:
        """Float copies of the targets (1.0 where not a number), only to speed up sorting."""
        return _floats(self.target_shadow, self.target)

    def extend(self, m: int) -> None:
        """Room for m more units."""
        for values, blank in (
            (self.target, None),
            (self.actual, None),
            (self.note, ""),
            (self.origin, None),
            (self.filled, False),
            (self.shadow, None),
            (self.target_shadow, None),
        ):
            values.extend([blank] * m)

    def put_many(self, positions, targets, actuals, notes, origins, tf=None, af=None) -> None:
        """Fill empty slots at once (the caller has checked they are empty and distinct)."""
        m = len(positions)
        blank = [None] * m
        lists = (self.target, self.actual, self.note, self.origin, self.target_shadow, self.shadow)
        new = (targets, actuals, notes, origins, tf or blank, af or blank)
        if m and positions == list(range(positions[0], positions[0] + m)):
            window = slice(positions[0], positions[0] + m)
            for values, given in zip(lists, new, strict=True):
                values[window] = given
            self.filled[window] = [True] * m
        else:
            for values, given in zip(lists, new, strict=True):
                for p, v in zip(positions, given, strict=True):
                    values[p] = v
            for p in positions:
                self.filled[p] = True
        # The slots needing more than the plain rule, found with C-level passes.
        special = self.special
        special.update(compress(positions, notes))
        special.update(compress(positions, map(not_, targets)))  # zero or missing target
        for values in (targets, actuals):
            special.update(compress(positions, map(is_not, map(type, values), repeat(Decimal))))

    def cell(self, pos: int) -> Cell | None:
        if not self.filled[pos]:
            return None
        return Cell(self.target[pos], self.actual[pos], self.note[pos], _location(self.origin[pos]))


@dataclass
class GroupData:
    group: Group
    units: list[str]  # canonical names, in order of first appearance
    columns: dict[str, Column]  # indicator key -> its figures
    positions: dict[str, int] = field(default_factory=dict)

    def cell(self, indicator_key: str, unit: str) -> Cell | None:
        pos = self.positions.get(unit)
        return None if pos is None else self.columns[indicator_key].cell(pos)


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
            data = GroupData(group, [], {i.key: Column() for i in group.indicators})
            self._groups[group.key] = data
        return data

    def unit_slot(self, group: Group, unit: str) -> int:
        data = self.group_data(group)
        pos = data.positions.get(unit)
        if pos is None:
            pos = len(data.units)
            data.positions[unit] = pos
            data.units.append(unit)
            for column in data.columns.values():
                column.grow()
        return pos

    def add_units(self, group: Group, units: list[str]) -> None:
        """Slots for units not yet present, in the order given."""
        data = self.group_data(group)
        for unit in units:
            data.positions[unit] = len(data.units)
            data.units.append(unit)
        for column in data.columns.values():
            column.extend(len(units))

    def put(self, group: Group, unit: str, indicator_key: str, cell: Cell) -> None:
        self.put_figures(
            group, unit, indicator_key, cell.target, cell.actual, cell.note, cell.origin
        )

    def put_figures(
        self, group: Group, unit: str, key: str, t, a, note: str, origin, shadow=None
    ) -> None:
        data = self._groups.get(group.key) or self.group_data(group)
        pos = data.positions.get(unit)
        if pos is None:
            pos = self.unit_slot(group, unit)
        column = data.columns[key]
        if not column.filled[pos]:
            column.set(pos, t, a, note, origin, shadow)
            return
        indicator_key = key
        cell = Cell(t, a, note, _location(origin))
        old = column.cell(pos)
        if old.same_figures(cell):
            if cell.note and not old.note:
                column.note[pos] = cell.note
                column.special.add(pos)
            return
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

    def check_complete(self) -> None:
        """Every expected unit has every indicator; raises InputErrors listing what is missing."""
        errors = list(self.errors)
        if not self._groups:
            errors.append(InputError("输入文件中没有找到任何考核数据"))
        for data in self.groups:
            group = data.group
            if not self.units_from_data:
                present = set(data.units)
                for unit in group.units:
                    if unit.name not in present:
                        errors.append(InputError(f"缺少单位“{unit.name}”（{group.name}）的数据"))
            for ind in group.indicators:
                column = data.columns[ind.key]
                for pos in sorted(column.special):
                    if column.target[pos] is None and column.actual[pos] is not None:
                        errors.append(
                            InputError(
                                f"单位“{data.units[pos]}”的指标“{ind.name}”任务数为空："
                                "未下达任务请填“/”",
                                _location(column.origin[pos]),
                            )
                        )
                filled = column.filled
                if all(filled):
                    continue
                missing = [u for u, ok in zip(data.units, filled, strict=True) if not ok]
                if len(missing) == len(data.units):
                    errors.append(
                        InputError(f"缺少指标“{ind.name}”的数据（{group.name}，全部单位）")
                    )
                elif missing:
                    shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
                    errors.append(
                        InputError(
                            f"缺少指标“{ind.name}”的数据：{shown}（共 {len(missing)} 个单位）"
                        )
                    )
        if errors:
            raise InputErrors(errors)
