"""A period's life: 填报中 → 审核中 → 已锁定 → 已发布, review of each unit, computing and
publishing results, and corrections after publication."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ...dataset import Cell, Dataset
from ...engine import Result
from ...engine import score as run_engine
from ...errors import InputErrors, KaoheError
from ...numbers import DECLARED_PENDING, NOT_APPLICABLE, NOT_REPORTED
from ...scheme import Scheme, build_scheme
from ..models import Entry, IndicatorResult, Notice, Period, ScoreRun, Unit, UnitReport, UnitResult
from . import audit, notices, rules
from .errors import NeedsConfirmation, ServiceError
from .schemes import late_note, lookups

RESUBMIT_DAYS = 3  # a returned unit resubmits within this many days, not late until then


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
    if scheme.status != scheme.ACTIVE:
        raise ServiceError(
            f"方案“{scheme.name}”为{scheme.get_status_display()}状态，只能在启用的方案上新建考核期"
        )
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


def _transition(period: Period, user, action: str, to: str) -> Period:
    with transaction.atomic():
        period = rules.locked_period(period, action, rules.role_of(user))
        old = period.get_state_display()
        period.state = to
        period.save()
        audit.record(
            user,
            rules.label(action),
            period=period,
            field="状态",
            old=old,
            new=period.get_state_display(),
        )
    return period


def _confirmed(period: Period, action: str, confirmed: bool) -> None:
    """Close, lock, compute and publish go through only when nothing is missing, or when the
    bureau has seen the summary and confirmed."""
    if confirmed:
        return
    found = summary(period)
    problems = found.problems_before(action)
    if problems:
        raise NeedsConfirmation(
            f"{rules.label(action)}前请确认：", problems, action=action, summary=found
        )


def close_entry(period: Period, user, *, confirmed: bool = False) -> Period:
    with transaction.atomic():
        _confirmed(period, "close", confirmed)
        return _transition(period, user, "close", Period.REVIEW)


def reopen_entry(period: Period, user) -> Period:
    return _transition(period, user, "reopen", Period.OPEN)


def lock_period(period: Period, user, *, confirmed: bool = False) -> Period:
    with transaction.atomic():
        locked = rules.locked_period(period, "lock", rules.role_of(user))
        returned = UnitReport.objects.filter(period=locked, state=UnitReport.RETURNED).count()
        if returned:
            raise ServiceError(f"还有 {returned} 个单位的报送被退回尚未重新报送，不能锁定")
        _confirmed(locked, "lock", confirmed)
        return _transition(locked, user, "lock", Period.LOCKED)


def unlock_period(period: Period, user) -> Period:
    return _transition(period, user, "unlock", Period.REVIEW)


def withdraw_publication(period: Period, user, reason: str) -> Period:
    """撤回发布: back to 已锁定 with a reason every unit sees; the runs stay on record."""
    if not reason.strip():
        raise ServiceError("撤回发布必须填写原因")
    with transaction.atomic():
        period = rules.locked_period(period, "withdraw", rules.role_of(user))
        ScoreRun.objects.filter(period=period).update(published=False)
        period.state = Period.LOCKED
        period.withdrawn_at = timezone.now()
        period.withdrawal_reason = reason.strip()
        period.save()
        audit.record(
            user,
            "撤回发布",
            period=period,
            field="状态",
            old="已发布",
            new="已锁定",
            detail=reason.strip(),
        )
    return period


def approve_report(period: Period, unit: Unit, user, comment: str = "") -> UnitReport:
    """Only a submitted report is approved: a unit that never submitted has nothing to approve."""
    with transaction.atomic():
        period, report = rules.locked(period, "review", rules.role_of(user), unit)
        if report.state != UnitReport.SUBMITTED:
            raise ServiceError(
                f"{unit.name}的报送状态为“{report.get_state_display()}”，只有已报送的才能审核通过"
            )
        return _review(period, report, user, UnitReport.APPROVED, "审核通过", comment)


def approve_period(period: Period, user) -> int:
    """Approve every submitted report at once."""
    with transaction.atomic():
        period = rules.locked_period(period, "approve_all", rules.role_of(user))
        n = 0
        for report in UnitReport.objects.filter(
            period=period, state=UnitReport.SUBMITTED
        ).select_related("unit"):
            approve_report(period, report.unit, user)
            n += 1
    return n


def return_report(
    period: Period, unit: Unit, user, comment: str, *, days: int = RESUBMIT_DAYS
) -> UnitReport:
    """Return a unit's report for correction; it must resubmit by ``days`` from now and its
    resubmission is not late until then."""
    if not comment.strip():
        raise ServiceError("退回时必须填写退回意见")
    if days < 1:
        raise ServiceError("重新报送期限至少 1 天")
    with transaction.atomic():
        period, report = rules.locked(period, "review", rules.role_of(user), unit)
        if report.state not in (UnitReport.SUBMITTED, UnitReport.APPROVED):
            raise ServiceError(f"{unit.name}还没有报送，不能退回")
        by = timezone.now() + timedelta(days=days)
        if by > rules.unit_deadline(period, report):
            _set_deadline(period, report, user, by, f"退回修改，{days} 天内重新报送")
        report = _review(period, report, user, UnitReport.RETURNED, "退回修改", comment)
    _tell_unit(
        period,
        unit,
        Notice.RETURNED,
        f"您单位的报送被科技局退回修改。退回意见：{comment.strip()}",
    )
    return report


def extend_deadline(period: Period, unit: Unit, user, until, reason: str) -> UnitReport:
    """Give one unit more time, with a reason: its lateness is judged against this deadline."""
    if not reason.strip():
        raise ServiceError("延长截止时间必须填写原因")
    with transaction.atomic():
        period, report = rules.locked(period, "extend_deadline", rules.role_of(user), unit)
        if until <= rules.unit_deadline(period, report):
            raise ServiceError(
                "新的截止时间必须晚于本单位现在的截止时间 "
                f"{timezone.localtime(rules.unit_deadline(period, report)):%Y-%m-%d %H:%M}"
            )
        _set_deadline(period, report, user, until, reason.strip())
    _tell_unit(
        period,
        unit,
        Notice.EXTENDED,
        f"科技局已将您单位的截止时间延长至 {timezone.localtime(until):%Y-%m-%d %H:%M}。"
        f"原因：{reason.strip()}",
    )
    return report


def _tell_unit(period: Period, unit: Unit, kind: str, text: str) -> None:
    """A notice to the unit's users, linking to its entry page."""
    url = reverse("entry", args=[period.pk, unit.pk])
    notices.notify(kind, f"{period.name}：{text}", unit=unit, period=period, url=url)


def _set_deadline(period: Period, report: UnitReport, user, until, reason: str) -> None:
    old = rules.unit_deadline(period, report)
    report.deadline = until
    report.deadline_reason = reason
    report.save(update_fields=["deadline", "deadline_reason"])
    audit.record(
        user,
        "延长截止时间",
        period=period,
        unit=report.unit,
        field="本单位截止时间",
        old=f"{timezone.localtime(old):%Y-%m-%d %H:%M}",
        new=f"{timezone.localtime(until):%Y-%m-%d %H:%M}",
        detail=reason,
    )


def _review(period, report: UnitReport, user, state: str, action: str, comment: str):
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
        unit=report.unit,
        field="报送状态",
        old=old,
        new=report.get_state_display(),
        detail=comment,
    )
    return report


# --- computing ------------------------------------------------------------------


PENDING_TEXT, MISSING_TEXT = "未出", "未报送"  # an actual's declaration in the inputs JSON


def _num(value, na: bool):
    if na:
        return "/"
    return None if value is None else str(value)


def needs_target(indicator) -> bool:
    """Whether the indicator's method compares with a target (scheme.Indicator.needs_target):
    the others count, or compare actual figures, and ignore any target."""
    from ...methods import METHODS

    return METHODS[indicator.method][1] or (indicator.params or {}).get("on") == "rate"


def _actual(e: Entry, pending) -> str:
    """Nothing scores without evidence: a figure, '/', 数据未出 only when declared, a material
    count (none is 0 done), else 未报送 (0 points)."""
    shown = _num(e.actual, e.actual_na)
    if shown is not None:
        return shown
    if e.indicator.material_kind:
        return "0"
    if pending.covers(e.unit_id, e.indicator_id):
        return PENDING_TEXT
    return MISSING_TEXT


def collect_inputs(period: Period) -> dict:
    """Everything the engine needs, as JSON: the scheme as it stands and every cell."""
    from .pending import declared
    from .schemes import scheme_data

    note = late_note(period.scheme)
    pending = declared(period)
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
                _actual(e, pending),
                text,
            ]
        )
    return {"scheme": scheme_data(period.scheme), "cells": cells}


def _value(text):
    if text is None:
        return None
    if text == "/":
        return NOT_APPLICABLE
    if text == PENDING_TEXT:
        return DECLARED_PENDING
    if text == MISSING_TEXT:
        return NOT_REPORTED
    return Decimal(text)


def inputs_dataset(inputs: dict) -> tuple[Scheme, Dataset]:
    """The scheme and the figures a run was scored from (its stored inputs)."""
    scheme = build_scheme(inputs["scheme"], "考核期计分输入")
    dataset = Dataset(scheme)
    for group_key, unit, key, target, actual, note in inputs["cells"]:
        dataset.put(scheme.group(group_key), unit, key, Cell(_value(target), _value(actual), note))
    return scheme, dataset


def result_from_inputs(inputs: dict) -> Result:
    # groups without any data are not scored; a group with data must be complete
    return run_engine(*inputs_dataset(inputs))


def run_result(run: ScoreRun) -> Result:
    return result_from_inputs(run.inputs)


def compute_period(period: Period, user, reason: str = "", *, confirmed: bool = False) -> ScoreRun:
    """Score the period with the engine and store the run; earlier runs are kept. After
    publication a computation is a correction and needs its reason."""
    with transaction.atomic():
        period = Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
        action = "correct" if period.state == Period.PUBLISHED else "compute"
        rules.check(period, action, rules.role_of(user))
        if action == "correct" and not reason.strip():
            raise ServiceError("结果已发布，更正必须填写更正原因")
        if action == "compute":
            _confirmed(period, "compute", confirmed)
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


def publish_results(period: Period, user, *, confirmed: bool = False) -> Period:
    with transaction.atomic():
        period = rules.locked_period(period, "publish", rules.role_of(user))
        _confirmed(period, "publish", confirmed)
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
        period.withdrawn_at, period.withdrawal_reason = None, ""
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

    if not reason.strip():
        raise ServiceError("更正必须填写原因")
    with transaction.atomic():
        submit_values(
            period,
            unit,
            user,
            [Change(indicator=indicator, target=target, actual=actual)],
            source=f"发布后更正：{reason.strip()}",
            action="correct",
        )
        return compute_period(period, user, reason=reason)


@dataclass
class Summary:
    """What is still missing before a step: shown on the confirmation page."""

    not_submitted: list[str] = field(default_factory=list)
    not_approved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "单位：指标" with no figure and no 未出
    before_deadline: bool = False
    deadline: datetime | None = None

    def problems_before(self, action: str) -> list[str]:
        """What is missing before a step; approval matters once entry has closed."""
        return self.problems(with_approval=action != "close")

    def problems(self, *, with_approval: bool = True) -> list[str]:
        out = []
        if self.before_deadline:
            out.append(f"填报截止时间 {timezone.localtime(self.deadline):%Y-%m-%d %H:%M} 还没有到")
        if self.not_submitted:
            out.append(f"{len(self.not_submitted)} 个单位未报送：" + "、".join(self.not_submitted))
        if self.not_approved and with_approval:
            out.append(f"{len(self.not_approved)} 个单位未审核：" + "、".join(self.not_approved))
        if self.missing:
            shown = "、".join(self.missing[:30]) + ("等" if len(self.missing) > 30 else "")
            out.append(f"{len(self.missing)} 项实绩数未报送（计 0 分）：{shown}")
        return out


def summary(period: Period) -> Summary:
    reports = {r.unit_id: r for r in UnitReport.objects.filter(period=period)}
    found = Summary(deadline=period.deadline)
    found.before_deadline = timezone.now() <= max(
        [period.deadline] + [rules.unit_deadline(period, r) for r in reports.values()]
    )
    for unit in Unit.objects.filter(group__scheme_id=period.scheme_id).order_by(
        "group__order", "order"
    ):
        report = reports.get(unit.id)
        if report is None or report.state in (UnitReport.DRAFT, UnitReport.RETURNED):
            found.not_submitted.append(unit.name)
        elif report.state == UnitReport.SUBMITTED:
            found.not_approved.append(unit.name)
    found.missing = [f"{e.unit.name}：{e.indicator.name}" for e in missing_entries(period)]
    return found


def missing_entries(period: Period) -> list[Entry]:
    """Entries with a target, no actual figure, not counted from materials and not declared
    数据未出: 未报送, 0 points."""
    from .pending import declared

    pending = declared(period)
    out = []
    for e in (
        Entry.objects.filter(period=period, actual__isnull=True, actual_na=False)
        .filter(Q(target__isnull=False) | Q(target_na=True))
        .select_related("unit", "indicator")
        .order_by("unit__group__order", "unit__order", "indicator__order")
    ):
        if not e.indicator.material_kind and not pending.covers(e.unit_id, e.indicator_id):
            out.append(e)
    return out


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
