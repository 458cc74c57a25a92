"""Who may do what in which period state: one table, read by the services (inside their
transaction, with the period row locked) and by the views (to build their buttons)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..models import Period, UnitReport
from .errors import ServiceError

BUREAU, REPORTER, PROVIDER = "bureau", "reporter", "provider"
ROLE_LABELS = {BUREAU: "科技局", REPORTER: "单位填报员", PROVIDER: "数据提供部门"}
OPEN, REVIEW, LOCKED, PUBLISHED = Period.OPEN, Period.REVIEW, Period.LOCKED, Period.PUBLISHED

# action → (what it is called, {role: the period states in which the role may do it})
RULES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "enter": ("修改数据", {BUREAU: (OPEN, REVIEW), REPORTER: (OPEN, REVIEW), PROVIDER: (OPEN,)}),
    "materials": ("报送或修改材料", {BUREAU: (OPEN, REVIEW), REPORTER: (OPEN, REVIEW)}),
    "material_kind": ("修改材料类型", {BUREAU: (OPEN, REVIEW)}),
    "declare_pending": ("声明数据未出", {BUREAU: (OPEN, REVIEW), PROVIDER: (OPEN, REVIEW)}),
    "extend_deadline": ("延长单位截止时间", {BUREAU: (OPEN, REVIEW)}),
    "progress": ("填写重点任务进展", {BUREAU: (OPEN, REVIEW), REPORTER: (OPEN, REVIEW)}),
    "review": ("审核或退回", {BUREAU: (OPEN, REVIEW)}),
    "approve_all": ("全部审核通过", {BUREAU: (OPEN, REVIEW)}),
    "close": ("结束填报、进入审核", {BUREAU: (OPEN,)}),
    "reopen": ("重新开放填报", {BUREAU: (REVIEW,)}),
    "lock": ("锁定数据", {BUREAU: (REVIEW,)}),
    "unlock": ("解除锁定", {BUREAU: (LOCKED,)}),
    "compute": ("计算得分", {BUREAU: (REVIEW, LOCKED)}),
    "publish": ("发布结果", {BUREAU: (LOCKED,)}),
    "withdraw": ("撤回发布", {BUREAU: (PUBLISHED,)}),
    "correct": ("发布后更正", {BUREAU: (PUBLISHED,)}),
}

# the period page's buttons, in this order
PERIOD_ACTIONS = ("approve_all", "close", "reopen", "lock", "unlock", "compute", "publish")


def label(action: str) -> str:
    return RULES[action][0]


def role_of(user, *, unit=None, indicator=None) -> str | None:
    """The role in which the user acts on this unit or indicator, or None."""
    from ..access import caps

    if user is None or not user.is_authenticated:
        return None
    c = caps(user)
    if c.admin:
        return BUREAU
    if indicator is not None and indicator.id in c.provides:
        return PROVIDER
    if unit is not None and c.report and c.unit_id == unit.id:
        return REPORTER
    return None


def unit_deadline(period: Period, report: UnitReport | None) -> datetime:
    """The unit's own deadline: the period's, or later when extended or returned."""
    own = report.deadline if report is not None else None
    return own if own is not None and own > period.deadline else period.deadline


def is_late(period: Period, report: UnitReport | None, when=None) -> bool:
    return (when or timezone.now()) > unit_deadline(period, report)


def refusal(
    period: Period, action: str, role: str | None, report: UnitReport | None = None, when=None
) -> str | None:
    """Why the role may not do the action now, or None when it may."""
    name, states = RULES[action]
    if role not in states:
        who = ROLE_LABELS.get(role, "您的账号")
        return f"{who}不能{name}"
    if period.state not in states[role]:
        return f"考核期当前状态为“{period.get_state_display()}”，不能{name}"
    if role == REPORTER and action in ("enter", "materials"):
        return _reporter_window(period, report, when or timezone.now())
    return None


def _reporter_window(period: Period, report: UnitReport | None, when) -> str | None:
    returned = report is not None and report.state == UnitReport.RETURNED
    if period.state == REVIEW:
        return None if returned else "本期填报已结束，不能再修改。如需更正请联系科技局。"
    last = max(unit_deadline(period, report), period.late_until or period.deadline)
    if when <= last or returned:
        return None
    return "本期填报已截止，不能再修改。如需更正请联系科技局。"


def allowed(period: Period, action: str, role: str | None, report=None) -> bool:
    return refusal(period, action, role, report) is None


def check(period: Period, action: str, role: str | None, report=None) -> None:
    reason = refusal(period, action, role, report)
    if reason is not None:
        raise ServiceError(reason + "；没有保存任何更改。")


def locked_period(period_or_id, action: str, role: str | None) -> Period:
    """Inside a transaction: the period row locked with select_for_update and the rule checked
    against its state as it is now."""
    return locked(period_or_id, action, role)[0]


def locked(period_or_id, action: str, role: str | None, unit=None):
    """(period, the unit's report) locked in this order, the rule checked against both."""
    pk = getattr(period_or_id, "pk", period_or_id)
    period = Period.objects.select_for_update().select_related("scheme").get(pk=pk)
    report = None
    if unit is not None:
        report, _ = UnitReport.objects.select_for_update().get_or_create(period=period, unit=unit)
    check(period, action, role, report)
    return period, report


def report_of(period: Period, unit) -> UnitReport | None:
    return UnitReport.objects.filter(period=period, unit=unit).first()
