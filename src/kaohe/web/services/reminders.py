"""催报: who has not submitted what, the message for the work group chat, and reminders (in the
site and, when SMTP is configured, by e-mail), by hand or N days before the deadline. Units that
have submitted get nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import (
    ALL_MATERIALS,
    Entry,
    Material,
    Membership,
    Notice,
    Period,
    Reminder,
    Unit,
    UnitReport,
)
from . import audit, notices

DONE = (UnitReport.SUBMITTED, UnitReport.APPROVED)


@dataclass
class Missing:
    """What one unit still owes for a period."""

    unit: Unit
    state: str  # 未报送 / 已退回 / 草稿未提交
    indicators: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)  # "简报 0/1 篇"

    def summary(self) -> str:
        parts = []
        if self.indicators:
            parts.append("、".join(self.indicators))
        parts += self.materials
        return "；".join(parts) if parts else "提交报送"


def _provided_ids() -> set[int]:
    """Indicators a department provides for every unit: not the unit's to report."""
    rows = Membership.can_provide.through.objects.values_list(
        "indicator_id", "indicator__origin_id"
    )
    return {origin or pk for pk, origin in rows}  # identities: the same in every scheme version


def missing(period: Period) -> list[Missing]:
    """Every unit that has not submitted (or was returned), with its empty indicators and its
    materials short of their count, in the scheme's order."""
    reports = {r.unit_id: r for r in UnitReport.objects.filter(period=period)}
    entries = {(e.unit_id, e.indicator_id): e for e in Entry.objects.filter(period=period)}
    counts: dict[tuple[int, str], int] = {}
    for m in Material.objects.filter(period=period).only("unit_id", "kind"):
        for kind in (m.kind, ALL_MATERIALS):
            counts[(m.unit_id, kind)] = counts.get((m.unit_id, kind), 0) + 1
    provided = _provided_ids()
    out = []
    for group in period.scheme.groups.order_by("order").prefetch_related("indicators", "units"):
        indicators = sorted(group.indicators.entered(), key=lambda i: (i.order, i.id))
        for unit in sorted(group.units.all(), key=lambda u: (u.order, u.id)):
            report = reports.get(unit.id)
            if report is not None and report.state in DONE:
                continue
            row = Missing(unit, report.get_state_display() if report else "未报送")
            for ind in indicators:
                e = entries.get((unit.id, ind.id))
                if ind.identity in provided or (e is not None and e.target_na):
                    continue
                if ind.material_kind:
                    need = e.target if e is not None else None
                    have = counts.get((unit.id, ind.material_kind), 0)
                    if need and have < need:
                        label = dict(Material._meta.get_field("kind").choices).get(
                            ind.material_kind, "材料"
                        )
                        row.materials.append(f"{label} {have}/{need.normalize():f} {ind.unit}")
                elif e is None or (e.actual is None and not e.actual_na):
                    row.indicators.append(ind.name)
                elif e.submitted_at is None:
                    row.state = "草稿未提交"
            out.append(row)
    return out


def deadline_text(period: Period) -> str:
    d = timezone.localtime(period.deadline)
    return f"{d.month}月{d.day}日{d:%H:%M}"


def chat_message(period: Period, rows: list[Missing]) -> str:
    """The message the bureau pastes into the work group chat."""
    if not rows:
        return f"{period.name}：各单位均已报送，谢谢！"
    lines = [f"【{period.name}催报】请以下单位于{deadline_text(period)}前报送："]
    for n, row in enumerate(rows, start=1):
        lines.append(f"{n}. {row.unit.name}（{row.state}）：{row.summary()}")
    lines.append("请登录科技创新行动考核系统填报，逾期按迟报处理。")
    return "\n".join(lines)


def smtp_configured() -> bool:
    return bool(settings.KAOHE_SMTP_HOST)


def _connection():
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=settings.KAOHE_SMTP_HOST,
        port=settings.KAOHE_SMTP_PORT,
        username=settings.KAOHE_SMTP_USER or None,
        password=settings.KAOHE_SMTP_PASSWORD or None,
        use_tls=settings.KAOHE_SMTP_STARTTLS,
        use_ssl=settings.KAOHE_SMTP_SSL,
        timeout=20,
    )


@dataclass
class Sent:
    units: int = 0
    emails: int = 0
    skipped: int = 0  # already reminded for this day
    failures: list[str] = field(default_factory=list)
    throttled: int = 0  # reminded by hand within KAOHE_REMIND_GAP_MINUTES: not sent again


def _unit_text(period: Period, row: Missing, days_before: int | None) -> str:
    when = f"（距截止还有 {days_before} 天）" if days_before else ""
    return (
        f"{period.name}：请于{deadline_text(period)}前报送{when}。"
        f"{row.unit.name}尚缺：{row.summary()}。"
    )


def _reminded_lately(period: Period, unit: Unit) -> bool:
    """Inside the sending transaction, with the unit's report row locked so that two clicks
    at once are counted in turn: was the unit reminded by hand within the gap?"""
    UnitReport.objects.select_for_update().get_or_create(period=period, unit=unit)
    since = timezone.now() - timedelta(minutes=settings.KAOHE_REMIND_GAP_MINUTES)
    return Reminder.objects.filter(
        period=period, unit=unit, days_before__isnull=True, sent_at__gte=since
    ).exists()


def send_reminders(
    period: Period, user=None, *, days_before: int | None = None, unit_ids=None
) -> Sent:
    """Remind every unit that has not submitted (or only those in unit_ids): a notice in the
    site and, when SMTP is configured, one e-mail to the unit's reporters. A scheduled reminder
    (days_before) goes to each unit once."""
    sent = Sent()
    if period.state != Period.OPEN:
        from .errors import ServiceError

        raise ServiceError(f"当前状态为“{period.get_state_display()}”，不在填报期，不能催报")
    rows = missing(period)
    if unit_ids is not None:
        rows = [r for r in rows if r.unit.id in set(unit_ids)]
    connection = _connection() if smtp_configured() else None
    for row in rows:
        text = _unit_text(period, row, days_before)
        recipients = sorted({u.email for u in notices.unit_users(row.unit) if u.email})
        try:
            with transaction.atomic():
                if days_before is None and _reminded_lately(period, row.unit):
                    sent.throttled += 1
                    continue
                Reminder.objects.create(
                    period=period,
                    unit=row.unit,
                    days_before=days_before,
                    sent_by=user if user is not None and user.is_authenticated else None,
                    recipients=recipients if connection else [],
                    text=text,
                )
        except IntegrityError:
            sent.skipped += 1
            continue
        url = reverse("entry", args=[period.pk, row.unit.pk])
        notices.notify(Notice.DEADLINE, text, unit=row.unit, period=period, url=url)
        if connection is not None and recipients:
            message = EmailMessage(
                subject=f"【催报】{period.name}请于{deadline_text(period)}前报送",
                body=text + "\n\n请登录科技创新行动考核系统填报。",
                from_email=settings.KAOHE_MAIL_FROM,
                to=recipients,
                connection=connection,
            )
            try:
                message.send()
                sent.emails += 1
            except OSError as exc:  # the server refused or is down: the notice is kept
                sent.failures.append(f"{row.unit.name}：邮件发送失败（{exc}）")
        audit.record(
            user,
            "催报",
            period=period,
            unit=row.unit,
            detail=text + (f"；邮件：{'、'.join(recipients)}" if connection and recipients else ""),
        )
        sent.units += 1
    return sent


def scheduled_day(period: Period, now=None) -> int | None:
    """Which scheduled reminder is due now: the smallest of KAOHE_REMIND_DAYS whose window
    (deadline − N days … deadline) holds now, or None."""
    now = now or timezone.now()
    if period.state != Period.OPEN or now >= period.deadline:
        return None
    due = [d for d in settings.KAOHE_REMIND_DAYS if now >= period.deadline - timedelta(days=d)]
    return min(due) if due else None


def send_scheduled(now=None) -> dict[Period, Sent]:
    """Run by the kaohe_remind command: each open period whose reminder day has come."""
    out = {}
    for period in Period.objects.filter(state=Period.OPEN).select_related("scheme"):
        day = scheduled_day(period, now)
        if day is not None:
            out[period] = send_reminders(period, days_before=day)
    return out
