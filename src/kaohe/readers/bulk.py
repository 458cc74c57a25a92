"""A column-at-a-time reader for large, clean long tables.

Most long CSVs are plain: every unit and indicator known, every figure a number, '/' or blank.
Those are read a column at a time (C-level loops, Decimals allocated together), which is several
times faster than row by row. Anything unusual returns False and the row reader, with its
precise messages, takes over; nothing is added to the dataset before that decision.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import is_, itemgetter

from ..dataset import Dataset
from ..numbers import NOT_APPLICABLE, normalize_name
from .resolve import Resolver, is_total

SPECIAL = {"": None, "/": NOT_APPLICABLE}
MIN_ROWS = 2000  # below this the row reader is fast enough


def read_long_bulk(
    body: list[list[str]],
    columns: dict[str, int],
    file: str,
    sheet: str | None,
    first_row: int,
    dataset: Dataset,
    resolver: Resolver,
) -> bool:
    """Read data rows `body` (the header excluded) column-wise; False to use the row reader."""
    if len(body) < MIN_ROWS or "measure" in columns:
        return False
    ci, ii, ti, ai = columns["unit"], columns["indicator"], columns["target"], columns["actual"]
    ni = columns.get("note")
    width = max(columns.values()) + 1
    if min(map(len, body)) < width:
        return False
    units = [r[ci] for r in body]
    names = [r[ii] for r in body]
    plan = _resolve(set(names), set(units), resolver)
    if plan is None:
        return False
    indicator_of, unit_of = plan
    row_indicator = list(map(indicator_of.__getitem__, names))
    row_unit = list(map(unit_of.__getitem__, units))
    buckets = _buckets(row_indicator)
    tcol = [r[ti] for r in body]
    acol = [r[ai] for r in body]
    ncol = [r[ni].strip() for r in body] if ni is not None else None
    plans = []
    group_of = {g.key: g for g in resolver.scheme.groups}
    mixed = len({g.key for g, _unit in unit_of.values() if g is not None}) > 1 or len(group_of) > 1
    for (group_key, key), rows in buckets.items():
        plan = _column_plan(
            group_of[group_key], key, rows, row_unit, tcol, acol, ncol, dataset, mixed
        )
        if plan is None:
            return False
        plans.append(plan)
    for group_key, new_units in _new_units(row_indicator, row_unit, dataset, group_of).items():
        dataset.add_units(group_of[group_key], new_units)
    origin = (file, sheet)
    for plan in plans:
        _place(plan, dataset, origin, first_row + 2)
    return True


def _buckets(row_indicator: list) -> dict:
    """Rows of each indicator: slices when the file repeats one indicator order unit by unit."""
    keys = list(dict.fromkeys(row_indicator))
    m, n = len(keys), len(row_indicator)
    if n % m == 0 and row_indicator[:m] == keys:
        if all(row_indicator[j::m].count(k) == n // m for j, k in enumerate(keys)):
            return {k: range(j, n, m) for j, k in enumerate(keys)}
    buckets: dict = {k: [] for k in keys}
    for r, k in enumerate(row_indicator):
        buckets[k].append(r)
    return buckets


def _pick(values: list, rows) -> list:
    if isinstance(rows, range):
        return values[rows.start : rows.stop : rows.step]
    return [values[r] for r in rows]


def _column_plan(group, key, rows, row_unit, tcol, acol, ncol, dataset: Dataset, mixed: bool):
    """Parse one indicator's figures (its Decimals allocated together); None to fall back."""
    found = _pick(row_unit, rows)
    if mixed and any(g is not None and g.key != group.key for g, _unit in found):
        return None  # a unit of another group: the row reader says which
    names = list(map(itemgetter(1), found))
    if len(set(names)) != len(names):
        return None  # the same unit twice: the row reader names both rows
    data = dataset.group_data(group)
    column = data.columns[key]
    known = [data.positions[u] for u in names if u in data.positions]
    if True in _pick(column.filled, known):
        return None  # a figure given by an earlier file: the row reader checks it
    tv, av = _pick(tcol, rows), _pick(acol, rows)
    targets, actuals = _decimals(tv), _decimals(av)
    if targets is None or actuals is None:
        return None
    notes = _pick(ncol, rows) if ncol is not None else [""] * len(names)
    floats = None, None
    if group.indicator(key).method == "rank":  # float copies speed up ranking
        floats = _floats(tv), _floats(av)
    return group, key, rows, names, targets, actuals, notes, *floats


def _marks(texts: list[str]) -> list[int]:
    """Positions of blank and '/' cells (few), found by C-level scans."""
    found = []
    for marker in SPECIAL:
        i = -1
        try:
            while True:
                i = texts.index(marker, i + 1)
                found.append(i)
        except ValueError:
            pass
    return found


def _decimals(texts: list[str]) -> list | None:
    """Decimals ('/' and blanks as the readers store them); None if any cell is unusual."""
    marks = _marks(texts)
    clean = texts
    if marks:
        clean = list(texts)
        for i in marks:
            clean[i] = "0"
    try:
        values = list(map(Decimal, clean))
        if values and not (min(values) >= 0 and max(values).is_finite()):  # NaN raises
            return None
    except (InvalidOperation, ValueError, TypeError):
        return None
    for i in marks:
        values[i] = SPECIAL[texts[i]]
    return values


def _floats(texts: list[str]) -> list[float]:
    return [1.0 if s in SPECIAL else float(s) for s in texts]


def _new_units(row_indicator, row_unit, dataset: Dataset, group_of: dict) -> dict:
    """Units not yet in the dataset, per group key, in order of first appearance."""
    groups = {group for group, _key in dict.fromkeys(row_indicator)}
    if len(groups) == 1:
        (group,) = groups
        pairs = zip(repeat(group), dict.fromkeys(map(itemgetter(1), row_unit)))
    else:
        pairs = dict.fromkeys(
            (group, unit) for (group, _k), (_g, unit) in zip(row_indicator, row_unit, strict=True)
        )
    new: dict = {}
    for group, unit in pairs:
        if unit not in dataset.group_data(group_of[group]).positions:
            new.setdefault(group, []).append(unit)
    return new


def _place(plan, dataset: Dataset, origin: tuple, first_line: int) -> None:
    group, key, rows, names, targets, actuals, notes, tf, af = plan
    data = dataset.group_data(group)
    column = data.columns[key]
    positions = list(map(data.positions.__getitem__, names))
    if isinstance(rows, range):
        lines = list(range(first_line + rows.start, first_line + rows.stop, rows.step))
    else:
        lines = [first_line + r for r in rows]
    if True in map(is_, targets, repeat(None)):  # blank lines only register their unit
        keep = [
            not (t is None and a is None and not note)
            for t, a, note in zip(targets, actuals, notes, strict=True)
        ]
        positions, targets, actuals, notes, lines, tf, af = (
            values if values is None else [v for v, k in zip(values, keep, strict=True) if k]
            for values in (positions, targets, actuals, notes, lines, tf, af)
        )
    origins = list(zip(repeat(origin[0]), repeat(origin[1]), lines))
    column.put_many(positions, targets, actuals, notes, origins, tf, af)


def _resolve(names: set, units: set, resolver: Resolver):
    indicator_of = {}
    for name in names:
        if not name or is_total(name):
            return None
        options = resolver.indicators(name.strip())
        if len({o[0].key for o in options}) != 1:
            return None
        group, ind, measure = options[0]
        if measure and measure != ind.unit:
            return None
        indicator_of[name] = (group.key, ind.key)
    unit_of = {}
    for unit in units:
        if not unit or not unit.strip() or is_total(unit):
            return None
        found = resolver.unit(unit.strip())
        if found is None:
            if not resolver.units_from_data:
                return None
            found = (None, normalize_name(unit.strip()))
        unit_of[unit] = found
    return indicator_of, unit_of
