"""The audit trail: who changed what, when, from which value to which."""

from __future__ import annotations

from decimal import Decimal

from ..models import AuditLog


def show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        from ...numbers import plain

        return plain(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record(user, action: str, **fields) -> AuditLog:
    """Write one record now; fields as for make()."""
    entry = make(user, action, **fields)
    entry.save()
    return entry


def make(
    user,
    action: str,
    *,
    period=None,
    unit=None,
    indicator=None,
    field="",
    old=None,
    new=None,
    detail: str = "",
) -> AuditLog:
    """An unsaved record, for bulk_create when many figures change at once (the demo loader)."""
    return AuditLog(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "系统",
        action=action,
        period=period,
        unit=unit,
        indicator=indicator,
        field=field,
        old=show(old),
        new=show(new),
        detail=detail,
    )
