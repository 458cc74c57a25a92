"""The scheme editor's key tasks (重点任务, bureau only): add, change, delete on a draft; the
leading units fill in each task's progress every period."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from .. import scheme_forms as forms
from ..models import KeyTask
from ..services import scheme_editor as editor
from ..services.errors import ServiceError
from .schemes import _item_page, _refused, _scheme


@login_required
@require_http_methods(["GET", "POST"])
def scheme_task(request, sid, tid):
    scheme = _scheme(request, sid)
    task = get_object_or_404(KeyTask, pk=tid, scheme=scheme)
    initial = {"number": task.number, "title": task.title, "lead_units": task.lead_units.all()}
    form = forms.KeyTaskForm(request.POST or None, initial=initial, scheme=scheme)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            editor.delete_task(task, request.user)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已删除重点任务“{task.title}”。")
            return redirect("scheme", sid=scheme.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            editor.save_task(scheme, request.user, task, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已保存重点任务“{form.cleaned_data['title']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"重点任务：{task}", scheme, delete=True)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_task_new(request, sid):
    scheme = _scheme(request, sid)
    following = max(scheme.key_tasks.values_list("number", flat=True), default=0) + 1
    form = forms.KeyTaskForm(request.POST or None, initial={"number": following}, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            editor.save_task(scheme, request.user, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已新增重点任务“{form.cleaned_data['title']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, "新增重点任务", scheme)
