"""A period's life: 填报中 → 审核中 → 已锁定 → 已发布, review of each unit, computing and
publishing results, and corrections after publication."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ...dataset import Cell, Dataset
from ...engine import Result
from ...engine import score as run_engine
from ...errors import InputErrors, KaoheError
from ...numbers import NOT_APPLICABLE
from ...scheme import build_scheme
from ..models import Entry, IndicatorResult, Notice, Period, ScoreRun, Unit, UnitReport, UnitResult
from . import audit, notices
from .errors import ServiceError
from .schemes import late_note, lookups


def create_period(
    scheme,
    *,
    name: str,
    kind: str,
    year: int,
    number: int,
    deadline,
    late_until=None,
    cutoff=None,
    previous=None,
    objection_days: int | None = None,
    user=None,
) -> Period:
    if objection_days is None:
        from django.conf import settings

        objection_days = settings.KAOHE_OBJECTION_DAYS
    period = Period.objects.create(
        scheme=scheme,
        name=name,
        kind=kind,
        year=year,
        number=number,
        deadline=deadline,
        late_until=late_until,
        cutoff=cutoff,
        previous=previous,
        objection_days=objection_days,
    )
    audit.record(
        user,
        "新建考核期",
        period=period,
        detail=f"{name}，截止 {timezone.localtime(deadline):%Y-%m-%d %H:%M}",
    )
    return period


def update_period(period: Period, user, **settings) -> Period:
    """Change a period's settings (name, kind, year, number, dates, objection days, previous);
    each changed field is audited. The state moves only through the transitions below."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        changed = False
        for name, value in settings.items():
            old = getattr(period, name)
            if _same(old, value):
                continue
            audit.record(
                user,
                "修改考核期",
                period=period,
                field=str(Period._meta.get_field(name).verbose_name),
                old=_show_setting(period, name, old),
                new=_show_setting(period, name, value),
            )
            setattr(period, name, value)
            changed = True
        if changed:
            period.version += 1
            try:
                with transaction.atomic():
                    period.save()
            except IntegrityError:
                raise ServiceError("该方案已有同一年度、同一季度（月份）的考核期") from None
    return period


def _same(old, new) -> bool:
    """Equal, datetimes to the minute (the form shows minutes: an untouched deadline is kept)."""
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return old == new


def _show_setting(period: Period, name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if name == "kind":
        return dict(Period._meta.get_field("kind").choices).get(value, value)
    return str(value)


def _transition(
    period: Period, user, allowed_from: tuple[str, ...], to: str, action: str
) -> Period:
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.state not in allowed_from:
            raise ServiceError(f"当前状态为“{period.get_state_display()}”，不能{action}")
        old = period.get_state_display()
        period.state = to
        period.version += 1
        period.save()
        audit.record(
            user, action, period=period, field="状态", old=old, new=period.get_state_display()
        )
    return period


def close_entry(period: Period, user) -> Period:
    return _transition(period, user, (Period.OPEN,), Period.REVIEW, "结束填报、进入审核")


def reopen_entry(period: Period, user) -> Period:
    return _transition(period, user, (Period.REVIEW,), Period.OPEN, "重新开放填报")


def lock_period(period: Period, user) -> Period:
    returned = UnitReport.objects.filter(period=period, state=UnitReport.RETURNED).count()
    if returned:
        raise ServiceError(f"还有 {returned} 个单位的报送被退回尚未重新报送，不能锁定")
    return _transition(period, user, (Period.REVIEW,), Period.LOCKED, "锁定数据")


def unlock_period(period: Period, user) -> Period:
    return _transition(period, user, (Period.LOCKED,), Period.REVIEW, "解除锁定")


def _report(period: Period, unit: Unit) -> UnitReport:
    report, _ = UnitReport.objects.select_for_update().get_or_create(period=period, unit=unit)
    return report


def approve_report(period: Period, unit: Unit, user, comment: str = "") -> UnitReport:
    return _review(
        period, unit, user, UnitReport.APPROVED, "审核通过", comment, "数据已锁定，不能再审核"
    )


def approve_period(period: Period, user) -> int:
    """Approve every submitted report at once."""
    n = 0
    for report in UnitReport.objects.filter(
        period=period, state=UnitReport.SUBMITTED
    ).select_related("unit"):
        approve_report(period, report.unit, user)
        n += 1
    return n


def return_report(period: Period, unit: Unit, user, comment: str) -> UnitReport:
    if not comment.strip():
        raise ServiceError("退回时必须填写退回意见")
    report = _review(
        period, unit, user, UnitReport.RETURNED, "退回修改", comment, "数据已锁定，不能退回"
    )
    notices.notify(
        Notice.RETURNED,
        f"{period.name}：您单位的报送被科技局退回修改。退回意见：{comment.strip()}",
        unit=unit,
        period=period,
        url=reverse("entry", args=[period.pk, unit.pk]),
    )
    return report


def _review(period, unit, user, state: str, action: str, comment: str, locked: str) -> UnitReport:
    with transaction.atomic():
        if period.state not in (Period.OPEN, Period.REVIEW):
            raise ServiceError(locked)
        report = _report(period, unit)
        old = report.get_state_display()
        report.state = state
        report.comment = comment
        report.reviewed_by = user
        report.reviewed_at = timezone.now()
        report.save()
        audit.record(
            user,
            action,
            period=period,
            unit=unit,
            field="报送状态",
            old=old,
            new=report.get_state_display(),
            detail=comment,
        )
    return report


# --- computing ------------------------------------------------------------------


def _num(value, na: bool):
    if na:
        return "/"
    return None if value is None else str(value)


def needs_target(indicator) -> bool:
    """Whether the indicator's method compares with a target (scheme.Indicator.needs_target):
    the others count, or compare actual figures, and ignore any target."""
    from ...methods import METHODS

    return METHODS[indicator.method][1] or (indicator.params or {}).get("on") == "rate"


def collect_inputs(period: Period) -> dict:
    """Everything the engine needs, as JSON: the scheme as it stands and every cell."""
    from .schemes import scheme_data

    note = late_note(period.scheme)
    cells = []
    for e in (
        Entry.objects.filter(period=period)
        .select_related("unit__group", "indicator")
        .order_by("unit__group__order", "unit__order", "indicator__order")
    ):
        counted = not needs_target(e.indicator)
        if e.target is None and not e.target_na and not counted:
            continue  # no target given: reported as missing by the engine
        text = e.note
        if e.late and note not in text:
            text = (text + "；" if text else "") + note
        cells.append(
            [
                e.unit.group.key,
                e.unit.name,
                e.indicator.key,
                "/" if counted else _num(e.target, e.target_na),
                _num(e.actual, e.actual_na),
                text,
            ]
        )
    return {"scheme": scheme_data(period.scheme), "cells": cells}


def _value(text):
    if text is None:
        return None
    if text == "/":
        return NOT_APPLICABLE
    return Decimal(text)


def result_from_inputs(inputs: dict) -> Result:
    scheme = build_scheme(inputs["scheme"], "考核期计分输入")
    dataset = Dataset(scheme)
    for group_key, unit, key, target, actual, note in inputs["cells"]:
        dataset.put(scheme.group(group_key), unit, key, Cell(_value(target), _value(actual), note))
    # groups without any data are not scored; a group with data must be complete
    return run_engine(scheme, dataset)


def run_result(run: ScoreRun) -> Result:
    return result_from_inputs(run.inputs)


def compute_period(period: Period, user, reason: str = "") -> ScoreRun:
    """Score the period with the engine and store the run; earlier runs are kept."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.state in (Period.OPEN,):
            raise ServiceError("填报尚未结束，请先结束填报进入审核后再计算")
        if period.state == Period.PUBLISHED and not reason.strip():
            raise ServiceError("结果已发布，更正必须填写更正原因")
        inputs = collect_inputs(period)
        try:
            result = result_from_inputs(inputs)
        except InputErrors as exc:
            raise ServiceError("数据不完整，无法计算：", [str(e) for e in exc.errors]) from None
        except KaoheError as exc:
            raise ServiceError(f"无法计算：{exc}") from None
        previous = ScoreRun.objects.filter(period=period, current=True).first()
        old_totals = {}
        if previous:
            old_totals = {r.unit_id: r.total for r in previous.units.all()}
        ScoreRun.objects.filter(period=period, current=True).update(current=False)
        run = ScoreRun.objects.create(
            period=period,
            created_by=user,
            current=True,
            reason=reason.strip(),
            inputs=inputs,
            published=period.state == Period.PUBLISHED,
        )
        _store(run, period, result)
        detail = "更正：" + reason.strip() if reason.strip() else "计算得分"
        audit.record(
            user, "更正得分" if reason.strip() else "计算得分", period=period, detail=detail
        )
        for ur in run.units.select_related("unit"):
            old = old_totals.get(ur.unit_id)
            if old is not None and old != ur.total:
                audit.record(
                    user,
                    "得分变化",
                    period=period,
                    unit=ur.unit,
                    field="总得分",
                    old=old,
                    new=ur.total,
                    detail=detail,
                )
    return run


def _store(run: ScoreRun, period: Period, result: Result) -> None:
    units, indicators = lookups(period.scheme)
    rows = []
    for class_order, g in enumerate(result.groups):
        for us in g.units:
            ur = UnitResult.objects.create(
                run=run,
                unit=units[(g.group.key, us.unit)],
                rank=us.rank,
                raw=us.raw,
                total=us.total,
                class_name=g.class_name,
                class_order=class_order,
                grade=us.grade.name if us.grade else "",
                grade_reason=us.grade.reason[:300] if us.grade else "",
                vetoes=list(us.vetoes),
                notes=list(us.notes),
            )
            for s in us.indicators:
                rows.append(
                    IndicatorResult(
                        unit_result=ur,
                        indicator=indicators[(g.group.key, s.indicator.key)],
                        target=s.target,
                        actual=s.actual,
                        rate=None if s.rate is None else s.rate.quantize(Decimal(1).scaleb(-18)),
                        points=s.points.quantize(Decimal(1).scaleb(-10)),
                        status=s.status,
                        explain=s.explain,
                        note=s.note[:500],
                    )
                )
    IndicatorResult.objects.bulk_create(rows)


def publish_results(period: Period, user) -> Period:
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.state != Period.LOCKED:
            raise ServiceError("只有已锁定的考核期才能发布")
        run = ScoreRun.objects.filter(period=period, current=True).first()
        if run is None:
            raise ServiceError("还没有计算得分，请先计算")
        stale = collect_inputs(period) != run.inputs
        if stale:
            raise ServiceError("数据或方案在上次计算后有变化，请重新计算后再发布")
        run.published = True
        run.save(update_fields=["published"])
        period.state = Period.PUBLISHED
        period.published_at = timezone.now()
        period.version += 1
        period.save()
        audit.record(user, "发布结果", period=period, field="状态", old="已锁定", new="已发布")
        notices.notify_units(
            period,
            Notice.PUBLISHED,
            f"{period.name}考核结果已发布，可查看排名和本单位得分明细；"
            f"异议期 {period.objection_days} 天。",
            url=reverse("results", args=[period.pk]),
        )
    return period


def correct_entry(
    period: Period, unit: Unit, indicator, user, *, target, actual, reason: str
) -> ScoreRun:
    """A correction after publication: change the figure with a reason and recompute; the
    previous run stays on record and visible."""
    from .entries import Change, submit_values

    if period.state != Period.PUBLISHED:
        raise ServiceError("只有已发布的结果才需要走更正流程；发布前请直接修改数据")
    if not reason.strip():
        raise ServiceError("更正必须填写原因")
    with transaction.atomic():
        submit_values(
            period,
            unit,
            user,
            [Change(indicator=indicator, target=target, actual=actual)],
            as_reporter=False,
            source=f"发布后更正：{reason.strip()}",
            mark_submitted=False,
        )
        return compute_period(period, user, reason=reason)


def current_run(period: Period) -> ScoreRun | None:
    return ScoreRun.objects.filter(period=period, current=True).first()


def completeness(period: Period):
    """The board: for each group, units × indicators with submitted / on time / late."""
    groups = []
    entries = {}
    for e in Entry.objects.filter(period=period).only(
        "unit_id",
        "indicator_id",
        "actual",
        "actual_na",
        "late",
        "submitted_at",
        "target",
        "target_na",
    ):
        entries[(e.unit_id, e.indicator_id)] = e
    reports = {r.unit_id: r for r in UnitReport.objects.filter(period=period)}
    from ..models import Material

    materials = {}
    for m in Material.objects.filter(period=period).only("unit_id", "late"):
        n, late = materials.get(m.unit_id, (0, 0))
        materials[m.unit_id] = (n + 1, late + (1 if m.late else 0))
    for group in period.scheme.groups.all().order_by("order"):
        indicators = list(group.indicators.entered().order_by("order"))
        rows = []
        filled_total = 0
        for unit in group.units.all().order_by("order"):
            cells = []
            filled = 0
            for ind in indicators:
                e = entries.get((unit.id, ind.id))
                if e is None or (e.actual is None and not e.actual_na) or e.submitted_at is None:
                    state = "missing"  # a draft (saved, not submitted) is 未报送 too
                elif e.late:
                    state = "late"
                    filled += 1
                else:
                    state = "ok"
                    filled += 1
                cells.append(state)
            filled_total += filled
            rows.append(
                {
                    "unit": unit,
                    "cells": cells,
                    "filled": filled,
                    "report": reports.get(unit.id),
                    "materials": materials.get(unit.id, (0, 0)),
                }
            )
        n_units = len(rows)
        submitted = sum(1 for r in rows if r["report"] and r["report"].state != UnitReport.DRAFT)
        groups.append(
            {
                "group": group,
                "indicators": indicators,
                "rows": rows,
                "submitted": submitted,
                "units": n_units,
                "rate": (submitted / n_units * 100) if n_units else 0,
                "fill_rate": (filled_total / (n_units * len(indicators)) * 100)
                if n_units and indicators
                else 0,
            }
        )
    return groups
