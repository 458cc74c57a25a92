"""The long table: one row per unit and indicator (单位,指标,任务数,实绩数,备注)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..dataset import Cell, Dataset
from ..errors import InputError, Location
from ..numbers import (
    DECLARED_PENDING,
    NOT_APPLICABLE,
    ONE,
    Negative,
    NotANumber,
    bad_number,
    normalize_name,
    not_figure,
    parse_cell,
    plain,
    tolerance,
)
from ..scheme import Group
from .resolve import Resolver, is_total

HEADINGS = {
    "unit": ("单位", "单位名称", "乡镇", "乡镇名称", "部门", "部门名称", "被考核单位", "unit"),
    "indicator": ("指标", "指标名称", "考核指标", "indicator"),
    "target": ("任务数", "目标任务数", "目标数", "目标任务", "目标值", "target"),
    "actual": ("实绩数", "完成任务数", "完成数", "实际完成数", "实绩", "完成值", "actual"),
    "note": ("备注", "说明", "note", "notes"),
    "measure": ("计量单位", "单位（计量）", "度量单位", "measure", "uom"),
}
_LOOKUP = {normalize_name(h).lower(): field for field, names in HEADINGS.items() for h in names}
REQUIRED = ("unit", "indicator", "target", "actual")
FIELD_LABELS = {"unit": "单位", "indicator": "指标", "target": "任务数", "actual": "实绩数"}


def header_columns(row: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        if isinstance(cell, str):
            field = _LOOKUP.get(normalize_name(cell).lower())
            if field and field not in columns:
                columns[field] = index
    return columns


def looks_long(row: list) -> bool:
    cols = header_columns(row)
    return "unit" in cols and "indicator" in cols


def long_header_row(rows: list[list], search: int = 30) -> int | None:
    """The row holding 单位,指标,…; a title or blank lines may come first."""
    return next((r for r, row in enumerate(rows[:search]) if looks_long(row)), None)


def read_long(
    rows: Iterable[list],
    file: str,
    sheet: str | None,
    dataset: Dataset,
    resolver: Resolver,
    errors: list,
    first_row: int = 0,
    merged=None,
) -> None:
    """Add every row of a long table to the dataset; problems go to `errors`.

    `merged` (Excel merged ranges) lets a unit name merged down several rows (附件6) apply to each.
    """
    columns = None
    heading_of: dict[int, str] = {}
    totals: list = []
    sums: dict = {}
    for r, row in enumerate(rows, start=first_row):
        if columns is None:
            if not any(c not in (None, "") for c in row):
                continue
            columns = header_columns(row)
            missing = [FIELD_LABELS[f] for f in REQUIRED if f not in columns]
            if missing:
                errors.append(
                    InputError(
                        f"表头缺少列：{'、'.join(missing)}（应为 单位,指标,任务数,实绩数,备注）",
                        Location(file, sheet, r + 1),
                    )
                )
                return
            heading_of = {i: str(row[i]).strip() for i in columns.values()}
            ci, ii, ti, ai = (columns[f] for f in REQUIRED)
            ni = columns.get("note")
            mi = columns.get("measure")
            width = max(columns.values()) + 1
            merged_top = _merged_down(merged or (), ci)
            unit_of_top: dict[int, object] = {}
            names = _Names(resolver, Location(file, sheet), heading_of, ci, ii, mi)
            continue
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        unit_raw, ind_raw = row[ci], row[ii]
        if merged_top:
            if r in merged_top and _blank(unit_raw):
                unit_raw = unit_of_top.get(merged_top[r])
            else:
                unit_of_top[r] = unit_raw
        if _blank(unit_raw) and _blank(ind_raw) and all(_blank(c) for c in row):
            continue
        try:
            if _blank(unit_raw):
                raise InputError("单位名称为空", Location(file, sheet, r + 1, ci, heading_of[ci]))
            if _blank(ind_raw):
                raise InputError("指标名称为空", Location(file, sheet, r + 1, ii, heading_of[ii]))
            measure_raw = None if mi is None or _blank(row[mi]) else str(row[mi]).strip()
            group, ind, factor = names.indicator(unit_raw, ind_raw, measure_raw, r)
            target = _number(row[ti], factor, file, sheet, r, ti, heading_of[ti])
            actual = _actual(dataset.scheme, row[ai], factor, file, sheet, r, ai, heading_of[ai])
            note = "" if ni is None or _blank(row[ni]) else str(row[ni]).strip()
            if is_total(unit_raw):
                totals.append((group, ind, target, actual, r))
                continue
            group, unit = names.unit(unit_raw, group, r)
            if target is None and actual is None and not note:
                dataset.unit_slot(group, unit)  # reported as missing unless another file has it
                continue
            # a blank actual is named by its own cell (the scoring commands refuse it)
            where = (
                Location(file, sheet, r + 1, ai, heading_of[ai])
                if actual is None
                else Location(file, sheet, r + 1)
            )
            dataset.put(group, unit, ind.key, Cell(target, actual, note, where))
            acc = sums.setdefault((group.key, ind.key), [Decimal(0), Decimal(0)])
            if isinstance(target, Decimal):
                acc[0] += target
            if isinstance(actual, Decimal):
                acc[1] += actual
        except InputError as exc:
            errors.append(exc)
            if len(errors) >= 200:
                return
    if columns is None:
        errors.append(
            InputError(
                "文件中没有数据（找不到表头 单位,指标,任务数,实绩数）", Location(file, sheet)
            )
        )
        return
    for group, ind, target, actual, r in totals:
        acc = sums.get((group.key, ind.key), [Decimal(0), Decimal(0)])
        for value, total, col, label in (
            (target, acc[0], ti, "任务数"),
            (actual, acc[1], ai, "实绩数"),
        ):
            if isinstance(value, Decimal) and abs(value - total) > tolerance(value):
                errors.append(
                    InputError(
                        f"指标“{ind.name}”的合计 {label} {plain(value)} 与各单位之和 {plain(total)} 不符",
                        Location(file, sheet, r + 1, col, heading_of[col]),
                    )
                )


class _Names:
    """The scheme's unit and indicator for the names in a row, each name resolved once per
    table (the answer cannot change within a file); a name that fails raises every time."""

    def __init__(self, resolver: Resolver, where: Location, heading_of, ci, ii, mi):
        self.resolver, self.file, self.sheet = resolver, where.file, where.sheet
        self.heading_of, self.ci, self.ii, self.mi = heading_of, ci, ii, mi
        self.groups: dict = {}  # unit name -> its group, None for a total row or unknown
        self.indicators: dict = {}  # (name, unit's group, measure) -> (group, ind, factor)
        self.units: dict = {}  # (name, indicator's group) -> (group, canonical name)

    def _where(self, r: int, c: int | None = None) -> Location:
        header = None if c is None else self.heading_of[c]
        return Location(self.file, self.sheet, r + 1, c, header)

    def indicator(self, unit_raw, ind_raw, measure_raw, r: int):
        if unit_raw not in self.groups:
            known = None if is_total(unit_raw) else self.resolver.unit(str(unit_raw).strip())
            self.groups[unit_raw] = known and known[0]
        unit_group = self.groups[unit_raw]
        key = (ind_raw, unit_group and unit_group.key, measure_raw)
        found = self.indicators.get(key)
        if found is None:
            where = self._where(r, self.ii)
            group, ind, measure = self.resolver.indicator_for(ind_raw, unit_group, where)
            at = self._where(r, self.ii if self.mi is None else self.mi)
            factor = self.resolver.factor(ind, measure_raw or measure, at)
            found = self.indicators[key] = (group, ind, factor)
        return found

    def unit(self, unit_raw, group: Group, r: int) -> tuple[Group, str]:
        key = (unit_raw, group.key)
        found = self.units.get(key)
        if found is None:
            found = self.resolver.unit_for(unit_raw, group, self._where(r, self.ci))
            self.units[key] = found
        return found


def _merged_down(ranges, column: int) -> dict[int, int]:
    """Rows covered by a vertical merge in `column`, mapped to the merge's top row."""
    top_of = {}
    for (r0, c0), (r1, c1) in ranges:
        if c0 <= column <= c1 and r1 > r0:
            for r in range(r0 + 1, r1 + 1):
                top_of[r] = r0
    return top_of


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _actual(scheme, value, factor, file, sheet, r, c, heading):
    """An actual figure: a number, '/', blank, or 数据未出 declared in the cell. The dashes and
    无 that mean 未下达任务 in the target column are no figure here."""
    if scheme.pending_cell(value):
        return DECLARED_PENDING
    number = _number(value, factor, file, sheet, r, c, heading)
    if number is NOT_APPLICABLE and not_figure(value):
        raise InputError(not_figure(value), Location(file, sheet, r + 1, c, heading))
    return number


def _number(value, factor, file, sheet, r, c, heading):
    try:
        number = parse_cell(value)
    except NotANumber:
        raise InputError(bad_number(value), Location(file, sheet, r + 1, c, heading)) from None
    except Negative:
        raise InputError(
            f"数值不能为负：{value}", Location(file, sheet, r + 1, c, heading)
        ) from None
    if isinstance(number, Decimal) and factor is not ONE:
        return number * factor
    return number
