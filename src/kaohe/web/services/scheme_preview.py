"""What a draft scheme would change: an earlier period's figures (those its result was computed
from) scored under the draft, beside the result as computed (published). Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from ...errors import InputErrors, KaoheError
from ...scheme import build_scheme
from ..models import Indicator, IndicatorResult, Period, Scheme, ScoreRun, Unit
from .errors import ServiceError
from .periods import result_from_inputs
from .scheme_editor import indicator_changes
from .schemes import scheme_data


@dataclass
class UnitChange:
    group: str
    unit: str
    before_total: Decimal | None
    before_rank: int | None
    after_total: Decimal
    after_rank: int

    @property
    def total_change(self) -> Decimal | None:
        return None if self.before_total is None else self.after_total - self.before_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost."""
        return None if self.before_rank is None else self.before_rank - self.after_rank


@dataclass
class IndicatorEffect:
    group: str
    name: str
    what: str  # 新增 / 删除 / the changed fields
    changes: list[tuple[str, Decimal]] = field(default_factory=list)  # (unit, points change)

    @property
    def total(self) -> Decimal:
        return sum((d for _u, d in self.changes), Decimal(0))

    @property
    def gain(self) -> tuple[str, Decimal] | None:
        best = max(self.changes, key=lambda c: c[1], default=None)
        return best if best is not None and best[1] > 0 else None

    @property
    def loss(self) -> tuple[str, Decimal] | None:
        worst = min(self.changes, key=lambda c: c[1], default=None)
        return worst if worst is not None and worst[1] < 0 else None


@dataclass
class Preview:
    draft: Scheme
    period: Period
    run: ScoreRun
    groups: list[tuple[str, list[UnitChange]]]
    effects: list[IndicatorEffect]
    dropped: list[str]  # the period's units the draft no longer has

    @property
    def movers(self) -> list[UnitChange]:
        """The biggest movers: most places, then most points, either way."""
        rows = [r for _g, rows in self.groups for r in rows if r.rank_change is not None]
        moved = [r for r in rows if r.rank_change or r.total_change]
        moved.sort(key=lambda r: (-abs(r.rank_change), -abs(r.total_change), r.unit))
        return moved[:10]


def periods_to_preview() -> list[Period]:
    """Periods with a computed result, newest first (a published one is the usual choice)."""
    ids = ScoreRun.objects.filter(current=True).values_list("period_id", flat=True)
    return list(Period.objects.filter(pk__in=ids).select_related("scheme"))


def _run(period: Period) -> ScoreRun:
    run = ScoreRun.objects.filter(period=period, current=True).first()
    if run is None:
        raise ServiceError(f"{period.name}还没有计算结果，不能用于预览")
    return run


def _matcher(draft: Scheme, model, name_field: str):
    """Rows of the draft found by the identity of an earlier version's row, else by name."""
    rows = list(model.objects.filter(group__scheme=draft).select_related("group"))
    by_identity = {r.identity: r for r in rows}
    by_name = {(r.group.key, getattr(r, name_field)): r for r in rows}

    def find(row):
        return by_identity.get(row.identity) or by_name.get(
            (row.group.key, getattr(row, name_field))
        )

    return find


def preview_inputs(draft: Scheme, period: Period) -> tuple[dict, dict]:
    """The engine's inputs: the draft scheme and the period's figures (those of its current
    result), renamed to the draft's units and indicators. Also: period unit id -> draft unit."""
    run = _run(period)
    find_unit = _matcher(draft, Unit, "name")
    find_indicator = _matcher(draft, Indicator, "key")
    units = {
        (u.group.key, u.name): u
        for u in Unit.objects.filter(group__scheme=period.scheme).select_related("group")
    }
    indicators = {
        (i.group.key, i.key): i
        for i in Indicator.objects.filter(group__scheme=period.scheme).select_related("group")
    }
    cells = []
    for group_key, unit, key, target, actual, note in run.inputs["cells"]:
        new_unit = find_unit(units[(group_key, unit)])
        new_ind = find_indicator(indicators[(group_key, key)])
        if new_unit is None or new_ind is None or new_unit.group_id != new_ind.group_id:
            continue  # the draft no longer has it
        cells.append([new_unit.group.key, new_unit.name, new_ind.key, target, actual, note])
    mapping = {u.pk: find_unit(u) for u in units.values()}
    return {"scheme": scheme_data(draft), "cells": cells}, mapping


def preview_draft(draft: Scheme, period: Period) -> Preview:
    """Score `period`'s figures under `draft` and set the result beside the period's own."""
    run = _run(period)
    inputs, mapping = preview_inputs(draft, period)
    try:
        result = result_from_inputs(inputs)
    except InputErrors as exc:
        raise ServiceError(
            f"按草稿方案，{period.name}的数据不全，无法计分（新增的指标或单位在该期没有数据）：",
            [str(e) for e in exc.errors],
        ) from None
    except KaoheError as exc:
        raise ServiceError(f"无法按草稿方案计分：{exc}") from None
    draft_units = {
        (u.group.key, u.name): u
        for u in Unit.objects.filter(group__scheme=draft).select_related("group")
    }
    before = {}  # draft unit id -> period's UnitResult
    for ur in run.units.select_related("unit"):
        new = mapping.get(ur.unit_id)
        if new is not None:
            before[new.pk] = ur
    dropped = sorted(
        ur.unit.name for ur in run.units.select_related("unit") if mapping.get(ur.unit_id) is None
    )
    groups = []
    for g in result.groups:
        rows = []
        for us in g.units:
            old = before.get(draft_units[(g.group.key, us.unit)].pk)
            rows.append(
                UnitChange(
                    g.title,
                    us.unit,
                    None if old is None else old.total,
                    None if old is None else old.rank,
                    us.total,
                    us.rank,
                )
            )
        groups.append((g.title, rows))
    return Preview(draft, period, run, groups, _effects(draft, run, result, before), dropped)


def _effects(draft, run, result, before) -> list[IndicatorEffect]:
    """Each indicator added, removed or changed, and how its points move unit by unit."""
    old_scheme = build_scheme(run.inputs["scheme"], "考核期计分输入")
    find = _matcher(draft, Indicator, "key")
    old_points: dict[tuple[int, int], Decimal] = {}  # (draft unit, draft indicator) -> points
    removed = []
    inverse = {ur.pk: unit_id for unit_id, ur in before.items()}
    for ir in IndicatorResult.objects.filter(unit_result__run=run).select_related(
        "indicator__group", "unit_result__unit"
    ):
        new = find(ir.indicator)
        unit_id = inverse.get(ir.unit_result_id)
        if new is None:
            removed.append(ir)
        elif unit_id is not None:
            old_points[(unit_id, new.pk)] = ir.points
    rows = {
        (i.group.key, i.key): i
        for i in Indicator.objects.filter(group__scheme=draft).select_related("group")
    }
    units = {(u.group.key, u.name): u for u in Unit.objects.filter(group__scheme=draft)}
    effects = []
    for g in result.groups:
        for col in g.columns:
            ind = col.indicator
            row = rows[(g.group.key, ind.key)]
            old_ind = _old_indicator(old_scheme, run, row)
            what = "新增" if old_ind is None else "、".join(indicator_changes(old_ind, ind))
            if not what:
                continue
            effect = IndicatorEffect(g.title, ind.name, what)
            for us in g.units:
                unit = units[(g.group.key, us.unit)]
                was = old_points.get((unit.pk, row.pk))
                now = us.indicator(ind.key).points
                if was is not None or old_ind is None:
                    effect.changes.append((us.unit, now - (was or Decimal(0))))
            effects.append(effect)
    gone: dict[tuple[str, str], IndicatorEffect] = {}
    for ir in removed:
        key = (ir.indicator.group.name, ir.indicator.name)
        effect = gone.setdefault(key, IndicatorEffect(key[0], key[1], "删除"))
        effect.changes.append((ir.unit_result.unit.name, -ir.points))
    return effects + list(gone.values())


def _old_indicator(old_scheme, run, row: Indicator):
    """The period's version of a draft indicator (by identity, else by key), as the engine's."""
    theirs = Indicator.objects.filter(group__scheme=run.period.scheme_id).select_related("group")
    origin = (
        theirs.filter(Q(pk=row.identity) | Q(origin_id=row.identity)).first()
        or theirs.filter(group__key=row.group.key, key=row.key).first()
    )
    if origin is None:
        return None
    try:
        return old_scheme.group(origin.group.key).indicator(origin.key)
    except (KeyError, KaoheError):
        return None
