"""Key tasks: the lead departments' progress, and section 二 of the bulletin assembled from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import access, forms
from ..models import KeyTask, Period, TaskProgress
from ..services import tasks as task_service
from ..services.errors import ServiceError
from .common import fail


@login_required
@require_http_methods(["GET", "POST"])
def tasks(request, pid):
    period, _ = access.get_period(request.user, pid)
    c = access.caps(request.user)
    all_tasks = list(
        KeyTask.objects.filter(scheme=period.scheme)
        .prefetch_related("lead_units")
        .order_by("number")
    )
    mine = {t.id for t in all_tasks if any(c.owns(u) for u in t.lead_units.all())}
    if not (c.sees_everything or mine):
        raise PermissionDenied("只有牵头部门、科技局和领导可以查看重点任务进展")
    if request.method == "POST":
        form = forms.ProgressForm(request.POST)
        if form.is_valid():
            task = next((t for t in all_tasks if t.id == form.cleaned_data["task"]), None)
            if task is None or task.id not in mine:
                raise PermissionDenied("您不是这项任务的牵头部门")
            try:
                task_service.save_progress(
                    period,
                    task,
                    access.own_unit(request.user, period.scheme),
                    request.user,
                    form.cleaned_data["text"],
                )
            except ServiceError as exc:
                fail(request, exc)
            else:
                messages.success(request, f"已保存“{task.title}”的进展情况。")
            return redirect("tasks", pid=period.pk)
    progress = {}
    for p in TaskProgress.objects.filter(period=period).select_related("unit", "updated_by"):
        progress.setdefault(p.task_id, []).append(p)
    rows = []
    for t in all_tasks:
        if not (c.sees_everything or t.id in mine):
            continue
        own = next((p for p in progress.get(t.id, []) if c.owns(p.unit)), None)
        rows.append(
            {
                "task": t,
                "progress": progress.get(t.id, []),
                "mine": t.id in mine,
                "form": forms.ProgressForm(initial={"task": t.id, "text": own.text if own else ""}),
            }
        )
    return render(
        request,
        "kaohe/tasks.html",
        {"period": period, "rows": rows, "may_write": period.state in (Period.OPEN, Period.REVIEW)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def narrative(request, pid):
    access.require_overview(request.user)
    period, is_admin = access.get_period(request.user, pid)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("只有管理员可以编辑")
        if request.POST.get("assemble"):
            text = task_service.assemble_narrative(period)
            task_service.save_narrative(period, request.user, text)
            messages.success(request, "已根据各牵头部门报送的进展重新汇总。")
            return redirect("narrative", pid=period.pk)
        form = forms.NarrativeForm(request.POST)
        if form.is_valid():
            task_service.save_narrative(period, request.user, form.cleaned_data["narrative"])
            messages.success(request, "已保存。")
            return redirect("narrative", pid=period.pk)
    else:
        form = forms.NarrativeForm(
            initial={"narrative": period.narrative or task_service.assemble_narrative(period)}
        )
    return render(
        request, "kaohe/narrative.html", {"period": period, "form": form, "is_admin": is_admin}
    )
