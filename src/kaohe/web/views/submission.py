"""提交报送: a reporter's saved figures (a draft) become a submission only here, after a page
that says what is still empty and whether it will count as late."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import access
from ..services import entries as entry_service
from ..services import reminders as reminder_service
from ..services import rules
from ..services.errors import ServiceError
from .common import fail


def _owing(period, unit):
    """What the unit still owes (empty indicators, short materials), or None."""
    for row in reminder_service.missing(period):
        if row.unit.id == unit.id:
            return row
    return None


@login_required
@require_http_methods(["GET", "POST"])
def entry_submit(request, pid, uid):
    period, unit, may_write = access.get_unit_entry(request.user, pid, uid)
    c = access.caps(request.user)
    if c.admin:  # the bureau's entries are saved as they are; submitting is the unit's act
        raise PermissionDenied("提交报送由本单位填报员进行")
    if not may_write:
        raise PermissionDenied("本期填报已截止或您无权报送")
    if request.method == "POST":
        try:
            result = entry_service.submit_values(period, unit, request.user, [], source="提交报送")
        except ServiceError as exc:
            fail(request, exc)
            return redirect("entry", pid=period.pk, uid=unit.pk)
        text = "已报送。"
        if result.late:
            text += "已超过填报截止时间，本次报送记为迟报。"
        messages.success(request, text)
        return redirect("entry", pid=period.pk, uid=unit.pk)
    report = rules.report_of(period, unit)
    return render(
        request,
        "kaohe/entry_submit.html",
        {
            "period": period,
            "unit": unit,
            "owing": _owing(period, unit),
            "report": report,
            # judged against the unit's own deadline (extended or returned), as the service does
            "late_now": rules.is_late(period, report),
        },
    )
