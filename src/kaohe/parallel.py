"""A large, plain long-table CSV read, scored and written as JSON by two processes.

Each indicator is read and scored on its own column, so after the shared first steps (the text,
its lines, the header) a forked child reads, scores and renders the later indicators of the
scheme while the parent does the earlier ones. The child hands back its part of every unit's
JSON, its points as text and the units' names; the parent then adds every unit's points in
scheme order, exactly as the one-process engine does (Decimal sums are rounded step by step, so
the order matters), ranks the totals and writes the JSON: the one-process output byte for byte.

Rendering stays in stored order: in rank order the scattered reads of millions of small objects
made it about 70% slower (measured), so only the finished parts are picked in rank order.

Only the plain case is taken: one CSV file, a one-group scheme, one line per unit and indicator
with the indicators in the same order for every unit, and every figure a number, '/' or blank.
Anything else (or any surprise in either process) returns None before anything is written, and
the usual reader, with its precise messages, takes over.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import tempfile
from decimal import Decimal
from itertools import accumulate, chain, repeat
from operator import methodcaller
from pathlib import Path

from .dataset import Column
from .engine import _score_indicator, add_points, totals_and_ranks
from .exporters import CHUNK_UNITS, json_entries, json_head, unit_fields, unit_open
from .readers.bulk import _decimals, _floats, _resolve
from .readers.files import delimiter_of, kind_of, read_unquoted
from .readers.long import header_columns, long_header_row
from .readers.resolve import Resolver
from .scheme import Scheme

MIN_LINES = 100_000  # below this one process is fast enough
NOT_PLAIN = 3  # the child's exit status when its half is not the plain case


class _NotPlain(Exception):
    pass


def prepare_json(path: Path, scheme: Scheme, units_from_data: bool):
    """Read and score `path` in two processes; a function writing the JSON to a binary file,
    or None when this file is not the plain case (nothing has been written then)."""
    if not hasattr(os, "fork") or len(scheme.groups) != 1:
        return None
    try:
        plan = _plan(Path(path), scheme, units_from_data)
        return None if plan is None else _run(plan)
    except Exception:  # every problem is reported by the usual reader, with its messages
        return None


class _Plan:
    """What both processes share: the lines, the header's columns, where each indicator sits."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _plan(path: Path, scheme: Scheme, units_from_data: bool) -> _Plan | None:
    if path.stat().st_size < MIN_LINES * 8 or kind_of(path) != "csv":
        return None
    text = read_unquoted(path)
    if text is None:
        return None
    delimiter = delimiter_of(text)
    lines = text.splitlines()
    split = methodcaller("split", delimiter)
    first = long_header_row(list(map(split, lines[:30])))
    if first is None:
        return None
    columns = header_columns(split(lines[first]))
    if "measure" in columns or not {"unit", "indicator", "target", "actual"} <= columns.keys():
        return None
    body = lines[first + 1 :]
    group = scheme.groups[0]
    m = len(group.indicators)
    if m < 2 or len(body) < MIN_LINES or len(body) % m or "" in body:
        return None
    first_unit = list(map(split, body[:m]))
    width = max(columns.values()) + 1
    if min(map(len, first_unit)) < width:
        return None
    resolver = Resolver(scheme, units_from_data)
    names = [fields[columns["indicator"]] for fields in first_unit]
    resolved = _resolve(set(names), set(), resolver)
    if resolved is None:
        return None
    slot_of = {resolved[0][name][1]: j for j, name in enumerate(names)}
    if len(slot_of) != m:
        return None
    return _Plan(
        path=str(path),
        scheme=scheme,
        units_from_data=units_from_data,
        resolver=resolver,
        group=group,
        body=body,
        m=m,
        first_line=first + 2,
        delimiter=delimiter,
        width=width,
        columns=columns,
        names=names,
        slot_of=slot_of,
    )


def _parent_share(plan: _Plan) -> int:
    """How many of the scheme's indicators (from the front) the parent takes: about half the
    work, a ranked indicator counting one and a half; each process takes at least one."""
    weights = [3 if ind.method == "rank" else 2 for ind in plan.group.indicators]
    running, k = 0, 0
    while running * 2 < sum(weights):
        running += weights[k]
        k += 1
    return min(max(k, 1), len(weights) - 1)


def _run(plan: _Plan):
    k = _parent_share(plan)
    mine, theirs = plan.group.indicators[:k], plan.group.indicators[k:]
    with tempfile.TemporaryFile() as spill, tempfile.TemporaryFile() as prefix:
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_w)
            _child(plan, theirs, spill, prefix, ready_r)
        os.close(ready_r)
        done = False
        try:
            columns, entries, given = _half(plan, mine, _Prefix(prefix, ready_w))
            done = True
        except Exception:  # not the plain case after all: the usual reader takes over
            return None
        finally:
            os.close(ready_w)  # also tells a waiting child that no prefix is coming
            if not done:
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        if status != 0:
            return None
        theirs_view, offsets, their_given, order, heads = _handed_back(spill)
    if their_given != given:
        return None  # the two halves saw the units in different orders
    return _Writer(plan, order, heads, entries, theirs_view, offsets)


class _Prefix:
    """Hands the parent's sums (its indicators come first in the scheme) to the child, which
    adds its own points to them in scheme order, exactly as the one-process engine does
    (Decimal sums are rounded step by step, so the order matters)."""

    def __init__(self, fh, ready: int):
        self.fh, self.ready = fh, ready

    def __call__(self, columns) -> None:
        self.fh.write("\n".join(map(str, add_points(columns))).encode())
        self.fh.flush()
        os.write(self.ready, b"1")


def _handed_back(spill):
    """The child's JSON (a view of the file, not a copy), where each unit's part starts, the
    units as written, the final order and each unit's opening (name, rank, raw, total)."""
    size = spill.seek(0, os.SEEK_END)
    mapped = mmap.mmap(spill.fileno(), size, access=mmap.ACCESS_READ)
    (length,) = struct.unpack("<Q", mapped[size - 8 :])
    offsets, *rest = pickle.loads(mapped[length : size - 8])
    return memoryview(mapped)[:length], offsets, *rest


def _units(plan: _Plan, given: tuple[str, ...]) -> list[str] | None:
    """The units' names as the scheme knows them, in the file's order; None if any is unknown,
    given twice, or (with a unit list) missing."""
    unit_of = _resolve(set(), set(given), plan.resolver)
    if unit_of is None:
        return None
    found = unit_of[1]
    if any(g is not None and g.key != plan.group.key for g, _u in found.values()):
        return None
    units = [found[u][1] for u in given]
    if len(set(units)) != len(units):
        return None
    if not plan.units_from_data and set(units) != {u.name for u in plan.group.units}:
        return None
    return units


def _child(plan: _Plan, indicators, spill, prefix, ready: int) -> None:
    code = 1
    try:
        columns, entries, given = _half(plan, indicators)
        units = _units(plan, given)  # only the parent needs them, but the child has more time
        if units is None or os.read(ready, 1) != b"1":  # no prefix: the parent gave up
            raise _NotPlain
        prefix.seek(0)
        raw = add_points(columns, list(map(Decimal, prefix.read().decode().split("\n"))))
        total, order, rank = totals_and_ranks(plan.scheme, plan.group, raw)
        opening = map(unit_open, *unit_fields(_Units(units, rank, raw, total), range(len(raw))))
        heads = list(map(str.encode, opening))
        _write_all(spill, entries)
        offsets = list(accumulate(map(len, entries), initial=0))
        back = (offsets, given, order, heads)
        spill.write(pickle.dumps(back, protocol=pickle.HIGHEST_PROTOCOL))
        spill.write(struct.pack("<Q", offsets[-1]))
        spill.flush()
        code = 0
    except _NotPlain:
        code = NOT_PLAIN
    finally:
        os._exit(code)  # never return into the parent's code


def _write_all(fh, pieces: list[bytes]) -> None:
    """Write the pieces in order, the kernel copying straight from each (no joined copy)."""
    fh.flush()
    fd = fh.fileno()
    for start in range(0, len(pieces), 512):  # Linux takes up to 1024 pieces a call
        batch = pieces[start : start + 512]
        done = os.writev(fd, batch)
        if done < sum(map(len, batch)):  # a short write: the rest the plain way
            rest = memoryview(b"".join(batch))[done:]
            while rest:
                rest = rest[os.write(fd, rest) :]
    fh.seek(0, os.SEEK_END)  # the file object learns where the kernel has got to


def _half(plan: _Plan, indicators, scored=None) -> tuple[list, list[bytes], tuple]:
    """Read and score these indicators: the columns, their JSON objects per unit in stored
    order, and the units as written (the same for every indicator, or _NotPlain).
    `scored(columns)` is called between scoring and rendering."""
    n = len(plan.body) // plan.m
    nothing = (None,) * n
    columns, given = [], None
    for ind in indicators:
        column, units = _read_and_score(plan, ind, nothing)
        if given is None:
            given = units
        elif units != given:
            raise _NotPlain  # units in another order for this indicator
        columns.append(column)
    if scored is not None:
        scored(columns)
    entries: list[bytes] = []
    for start in range(0, n, CHUNK_UNITS):
        chunk = range(start, min(start + CHUNK_UNITS, n))
        entries.extend(map(str.encode, json_entries(columns, chunk)))
    return columns, entries, given


def _read_and_score(plan: _Plan, ind, nothing):
    j = plan.slot_of[ind.key]
    lines = plan.body[j :: plan.m]
    d = plan.delimiter
    counts = list(map(methodcaller("count", d), lines))
    if min(counts) != max(counts) or counts[0] + 1 < plan.width:
        raise _NotPlain  # lines of different widths: the usual reader deals with them
    width = counts[0] + 1
    flat = d.join(lines).split(d)  # every line has `width` fields, so field c is flat[c::width]
    cols = plan.columns
    fields = {f: flat[c::width] for f, c in cols.items()}
    if fields["indicator"].count(plan.names[j]) != len(lines):
        raise _NotPlain  # the indicators do not repeat in one order
    tv, av = fields["target"], fields["actual"]
    targets, actuals = _decimals(tv), _decimals(av)
    if targets is None or actuals is None:
        raise _NotPlain
    notes = list(map(str.strip, fields["note"])) if "note" in fields else [""] * len(lines)
    if "" in tv:  # a blank target is a mistake unless the line is only a note
        for t, a, note in zip(targets, actuals, notes, strict=True):
            if t is None and (a is not None or not note):
                raise _NotPlain  # the usual reader explains what is wrong
    floats = (_floats(tv), _floats(av)) if ind.method == "rank" else (None, None)
    n = len(lines)
    column = Column()
    column.extend(n)
    numbers = range(plan.first_line + j, plan.first_line + j + plan.m * n, plan.m)
    origins = list(zip(repeat(plan.path), repeat(None), numbers))
    column.put_many(list(range(n)), targets, actuals, notes, origins, *floats)
    return _score_indicator(plan.scheme, ind, column, nothing), fields["unit"]


class _Writer:
    def __init__(self, plan: _Plan, order, heads, entries, theirs, offsets):
        self.plan, self.order, self.heads = plan, order, heads
        self.entries, self.theirs, self.offsets = entries, theirs, offsets

    def __call__(self, fh) -> None:
        plan, order, heads = self.plan, self.order, self.heads
        mine, theirs, at = self.entries, self.theirs, self.offsets
        fh.write(json_head(plan.scheme, plan.group) + b"[")
        for start in range(0, len(order), CHUNK_UNITS):
            pieces = list(
                chain.from_iterable(
                    (b",\n", heads[i], mine[i], b", ", theirs[at[i] : at[i + 1]], b"]}")
                    for i in order[start : start + CHUNK_UNITS]
                )
            )
            if not start:
                pieces[0] = b""
            fh.write(b"".join(pieces))
        fh.write(b"]}\n")


class _Units:
    """The unit fields `unit_fields` reads from a group result."""

    def __init__(self, unit_names, rank, raw, total):
        self.unit_names, self.rank, self.raw, self.total = unit_names, rank, raw, total
