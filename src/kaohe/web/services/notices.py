"""Notices in the site: one small function other services call when something happens that a
unit or the bureau must know (returned, objection raised or answered, deadline near, results
published, deadline extended). Each user reads and marks their own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ..models import Notice, Period, Unit


def unit_users(unit: Unit):
    """The reporters of one unit."""
    identity = unit.identity  # the unit in any scheme version
    return get_user_model().objects.filter(
        Q(membership__unit_id=identity) | Q(membership__unit__origin_id=identity),
        is_active=True,
        membership__can_report=True,
    )


def bureau_users():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(membership__can_admin=True), is_active=True)
        .distinct()
    )


def notify(
    kind: str,
    text: str,
    *,
    unit: Unit | None = None,
    bureau: bool = False,
    period: Period | None = None,
    url: str = "",
) -> int:
    """Put a notice in the inbox of the unit's reporters (unit=…) and/or of the bureau
    (bureau=True). Returns how many notices were written."""
    users = []
    if unit is not None:
        users += list(unit_users(unit))
    if bureau:
        users += [u for u in bureau_users() if u not in users]
    Notice.objects.bulk_create(
        [Notice(user=u, kind=kind, text=text, period=period, unit=unit, url=url) for u in users]
    )
    return len(users)


def notify_units(period: Period, kind: str, text: str, url: str = "") -> int:
    """The same notice to every unit of the period's scheme."""
    n = 0
    for unit in Unit.objects.filter(group__scheme_id=period.scheme_id):
        n += notify(kind, text, unit=unit, period=period, url=url)
    return n


def unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, notice_id: int | None = None) -> int:
    """Mark one of the user's notices (or all of them) read; other users' notices are not
    touched."""
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        notices = notices.filter(pk=notice_id)
    return notices.update(read_at=timezone.now())
