"""催报: the bureau sees who has not submitted what, copies the group-chat message and sends
the reminder in one click."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import access
from ..models import Reminder
from ..services import reminders as reminder_service
from ..services.errors import ServiceError
from .common import fail


@login_required
@require_http_methods(["GET", "POST"])
def remind(request, pid):
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    if request.method == "POST":
        picked = request.POST.getlist("unit")
        try:
            unit_ids = [int(u) for u in picked] if picked else None
        except ValueError:
            unit_ids = None
        try:
            sent = reminder_service.send_reminders(period, request.user, unit_ids=unit_ids)
        except ServiceError as exc:
            fail(request, exc)
        else:
            text = f"已向 {sent.units} 个单位发出站内催报通知"
            if reminder_service.smtp_configured():
                text += f"，发出邮件 {sent.emails} 封"
            messages.success(request, text + "。")
            if sent.throttled:
                messages.warning(
                    request,
                    f"{sent.throttled} 个单位在 {settings.KAOHE_REMIND_GAP_MINUTES} 分钟内已催报过，"
                    "这次没有重复发送。",
                )
            for failure in sent.failures:
                messages.warning(request, failure)
        return redirect("remind", pid=period.pk)
    rows = reminder_service.missing(period)
    return render(
        request,
        "kaohe/remind.html",
        {
            "period": period,
            "rows": rows,
            "message": reminder_service.chat_message(period, rows),
            "smtp": reminder_service.smtp_configured(),
            "history": Reminder.objects.filter(period=period).select_related("unit")[:50],
        },
    )
