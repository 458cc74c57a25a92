"""Periods: create, edit, move through their states; the review board."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, forms
from ..models import Period
from ..services import board as board_service
from ..services import periods as period_service
from ..services.errors import ServiceError
from .common import fail

# what the bureau may do in each state: the buttons of the period page
ACTIONS = {
    Period.OPEN: ("approve_all", "close"),
    Period.REVIEW: ("approve_all", "reopen", "lock", "compute"),
    Period.LOCKED: ("unlock", "compute", "publish"),
    Period.PUBLISHED: (),
}


@login_required
def period_detail(request, pid):
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    labels = dict(forms.PeriodActionForm.base_fields["action"].choices)
    context = {
        "period": period,
        "run": period_service.current_run(period),
        "now": timezone.now(),
        "actions": [(a, labels[a]) for a in ACTIONS[period.state]] if is_admin else [],
    }
    if c.sees_everything:
        context["groups"] = period_service.completeness(period)
    return render(request, "kaohe/period.html", context)


def _approve_all(period, user) -> str:
    return f"已审核通过 {period_service.approve_period(period, user)} 个单位的报送。"


# action → (service, message); each service checks the period's state itself
_STEPS = {
    "close": (period_service.close_entry, "已结束填报，进入审核。"),
    "reopen": (period_service.reopen_entry, "已重新开放填报。"),
    "approve_all": (_approve_all, None),
    "lock": (period_service.lock_period, "数据已锁定。"),
    "unlock": (period_service.unlock_period, "已解除锁定。"),
    "compute": (period_service.compute_period, "已完成计分。"),
    "publish": (period_service.publish_results, "结果已发布，各单位可查看排名和本单位明细。"),
}


@login_required
@require_POST
def period_action(request, pid):
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    form = forms.PeriodActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未知的操作")
        return redirect("period", pid=period.pk)
    action = form.cleaned_data["action"]
    step, text = _STEPS[action]
    try:
        answer = step(period, request.user)
    except ServiceError as exc:
        fail(request, exc)
        return redirect("period", pid=period.pk)
    messages.success(request, text or answer)
    if action == "compute":
        return redirect("results", pid=period.pk)
    return redirect("period", pid=period.pk)


@login_required
@require_http_methods(["GET", "POST"])
def period_new(request):
    """The bureau creates a period (the state starts at 填报中)."""
    access.require_admin(request.user)
    if request.method == "POST":
        form = forms.PeriodForm(request.POST)
        if form.is_valid():
            period = period_service.create_period(
                form.cleaned_data["scheme"], user=request.user, **form.settings()
            )
            messages.success(request, f"已新建考核期“{period.name}”。")
            return redirect("period", pid=period.pk)
    else:
        form = forms.PeriodForm(initial=_new_period_initial())
    return render(request, "kaohe/period_form.html", {"form": form, "period": None})


def _new_period_initial() -> dict:
    """The period after the latest one of its kind (or the quarter now running), its name, its
    data cutoff (the period's last day) and its deadline (that day, 17:00)."""
    last = Period.objects.order_by("-year", "-number", "-id").first()
    kind = last.kind if last else "quarter"
    if last is not None:
        year, number = last.year, last.number + 1
        if number > forms.PERIOD_NUMBERS[kind][0]:
            year, number = year + 1, 1
    else:
        today = timezone.localdate()
        year, number = today.year, (today.month - 1) // 3 + 1
    last_month = number * 3 if kind == "quarter" else number
    cutoff = date(year, last_month, monthrange(year, last_month)[1])
    deadline = timezone.make_aware(datetime.combine(cutoff, time(17, 0)))
    return {
        "kind": kind,
        "year": year,
        "number": number,
        "name": forms.period_name(kind, year, number),
        "cutoff": cutoff,
        "deadline": timezone.localtime(deadline),
        "objection_days": settings.KAOHE_OBJECTION_DAYS,
        "scheme": last.scheme_id if last else None,
        "previous": last.pk if last else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request, pid):
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    if request.method == "POST":
        form = forms.PeriodForm(request.POST, period=period)
        if form.is_valid():
            try:
                period_service.update_period(period, request.user, **form.settings())
            except ServiceError as exc:
                fail(request, exc)
            else:
                messages.success(request, "已保存考核期设置。")
                return redirect("period", pid=period.pk)
    else:
        form = forms.PeriodForm(period=period, initial=_period_initial(period))
    return render(request, "kaohe/period_form.html", {"form": form, "period": period})


def _period_initial(period) -> dict:
    fields = ("name", "kind", "year", "number", "cutoff", "objection_days", "previous_id")
    initial = {name.removesuffix("_id"): getattr(period, name) for name in fields}
    for name in ("deadline", "late_until"):
        value = getattr(period, name)
        initial[name] = timezone.localtime(value) if value else None
    return initial


@login_required
@require_GET
def board(request, pid):
    access.require_overview(request.user)
    period, _ = access.get_period(request.user, pid)
    show = request.GET.get("show")
    return render(
        request,
        "kaohe/board.html",
        {
            "period": period,
            "groups": board_service.board(period, show),
            "form": forms.ReviewForm(),
            "filters": [(k, label) for k, (label, _) in board_service.FILTERS.items()],
            "show": show if show in board_service.FILTERS else "",
        },
    )


@login_required
@require_POST
def review(request, pid, uid):
    access.require_admin(request.user)
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                period_service.approve_report(period, unit, request.user, comment)
                messages.success(request, f"{unit.name}：审核通过")
            else:
                period_service.return_report(period, unit, request.user, comment)
                messages.success(request, f"{unit.name}：已退回修改")
        except ServiceError as exc:
            fail(request, exc)
    return redirect("board", pid=period.pk)
