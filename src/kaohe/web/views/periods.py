"""Periods: create, edit, move through their states; the review board."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, forms
from ..models import Indicator, KeyTask, PendingDeclaration, Period
from ..services import board as board_service
from ..services import pending as pending_service
from ..services import periods as period_service
from ..services import rules
from ..services.errors import NeedsConfirmation, ServiceError
from .common import fail


@login_required
def period_detail(request, pid):
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    # the buttons come from the services' rule table
    actions = [
        (a, rules.label(a))
        for a in rules.PERIOD_ACTIONS
        if is_admin and rules.allowed(period, a, rules.BUREAU)
    ]
    context = {
        "period": period,
        "run": period_service.current_run(period),
        "now": timezone.now(),
        "actions": actions,
        "may_withdraw": is_admin and rules.allowed(period, "withdraw", rules.BUREAU),
        "may_declare": rules.allowed(period, "declare_pending", rules.BUREAU)
        and (is_admin or c.provides_any),
    }
    if c.sees_everything:
        context["groups"] = period_service.completeness(period)
    elif c.report:  # the key tasks page is for the units that lead a task
        context["leads_task"] = KeyTask.objects.filter(
            scheme=period.scheme, lead_units=c.unit_id
        ).exists()
    return render(request, "kaohe/period.html", context)


def _approve_all(period, user) -> str:
    return f"已审核通过 {period_service.approve_period(period, user)} 个单位的报送。"


# action → (service, message); each service checks the period's state itself; the steps that
# need a confirmation when something is missing take ``confirmed``
CONFIRMED = ("close", "lock", "compute", "publish")
_STEPS = {
    "close": (period_service.close_entry, "已结束填报，进入审核。"),
    "reopen": (period_service.reopen_entry, "已重新开放填报。"),
    "approve_all": (_approve_all, None),
    "lock": (period_service.lock_period, "数据已锁定。"),
    "unlock": (period_service.unlock_period, "已解除锁定。"),
    "compute": (period_service.compute_period, "已完成计分。"),
    "publish": (period_service.publish_results, "结果已发布，各单位可查看排名和本单位明细。"),
    "withdraw": (None, "已撤回发布，各单位将看到撤回原因；更正后可重新计算、发布。"),
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
        if action == "withdraw":
            answer = period_service.withdraw_publication(
                period, request.user, form.cleaned_data["reason"]
            )
        elif action in CONFIRMED:
            answer = step(period, request.user, confirmed=form.cleaned_data["confirmed"])
        else:
            answer = step(period, request.user)
    except NeedsConfirmation as exc:
        return render(
            request,
            "kaohe/confirm.html",
            {"period": period, "action": action, "label": rules.label(action), "exc": exc},
        )
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
            "may_review": rules.allowed(period, "review", rules.BUREAU),
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
                report = period_service.return_report(
                    period, unit, request.user, comment, days=form.cleaned_data["days"]
                )
                messages.success(
                    request,
                    f"{unit.name}：已退回修改，须在 "
                    f"{timezone.localtime(rules.unit_deadline(period, report)):%Y-%m-%d %H:%M} "
                    "前重新报送",
                )
        except ServiceError as exc:
            fail(request, exc)
    return redirect("board", pid=period.pk)


@login_required
@require_http_methods(["GET", "POST"])
def deadline(request, pid, uid):
    """The bureau gives one unit more time, with a reason."""
    access.require_admin(request.user)
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    report = rules.report_of(period, unit)
    form = forms.DeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period_service.extend_deadline(
                period, unit, request.user, form.cleaned_data["until"], form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            fail(request, exc)
        else:
            messages.success(request, f"已延长{unit.name}的截止时间。")
            return redirect("board", pid=period.pk)
    return render(
        request,
        "kaohe/deadline.html",
        {
            "period": period,
            "unit": unit,
            "form": form,
            "deadline": rules.unit_deadline(period, report),
            "report": report,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pending(request, pid):
    """数据未出 declarations: the bureau for any indicator, a providing department for its own."""
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    indicators = Indicator.objects.filter(group__scheme=period.scheme, material_kind="")
    if not is_admin:
        if not c.provides:
            raise PermissionDenied("只有科技局和数据提供部门可以声明数据未出")
        indicators = indicators.filter(pk__in=c.provides)
    indicators = list(indicators.select_related("group").order_by("group__order", "order"))
    form = forms.PendingForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and request.POST.get("withdraw"):
        declaration = get_object_or_404(
            PendingDeclaration, pk=request.POST["withdraw"], period=period
        )
        if declaration.indicator not in indicators:
            raise PermissionDenied("您不能撤销这个指标的声明")
        try:
            pending_service.withdraw_pending(declaration, request.user)
        except ServiceError as exc:
            fail(request, exc)
        else:
            messages.success(request, "已撤销数据未出声明。")
        return redirect("pending", pid=period.pk)
    if request.method == "POST" and form.is_valid():
        try:
            pending_service.declare_pending(
                period,
                form.indicator,
                request.user,
                units=form.units,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            fail(request, exc)
        else:
            messages.success(request, f"已声明“{form.indicator.name}”数据未出。")
            return redirect("pending", pid=period.pk)
    declarations = (
        PendingDeclaration.objects.filter(period=period, indicator__in=indicators)
        .select_related("indicator", "declared_by")
        .prefetch_related("units")
    )
    return render(
        request,
        "kaohe/pending.html",
        {
            "period": period,
            "form": form,
            "declarations": declarations,
            "may_declare": rules.allowed(
                period, "declare_pending", rules.BUREAU if is_admin else rules.PROVIDER
            ),
        },
    )
