"""The scheme editor (bureau only): versions, a draft's groups, units and indicators, TOML out and
in, the preview of a draft on an earlier period, activation."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access
from .. import scheme_forms as forms
from ..models import Indicator, Scheme, Unit, UnitGroup
from ..services import scheme_editor as editor
from ..services import scheme_preview
from ..services.errors import ServiceError
from ..services.schemes import export_toml
from .common import download, fail


def _scheme(request, sid) -> Scheme:
    access.require_admin(request.user)
    return get_object_or_404(Scheme, pk=sid)


def _refused(request, form, exc: ServiceError) -> None:
    """A service's refusal on the field it names, or above the form."""
    field, message = getattr(exc, "field", ""), exc.message
    if hasattr(form, "error_place"):  # the indicator form: beside the parameter it names
        field, message = form.error_place(field, message)
    if field and field in form.fields and not form.fields[field].disabled:
        form.add_error(field, message)
    else:
        form.add_error(None, message)
    for d in exc.details[:50]:
        form.add_error(None, d)


@login_required
@require_GET
def schemes(request):
    access.require_admin(request.user)
    rows = Scheme.objects.select_related("based_on").order_by("-created_at", "-id")
    return render(request, "kaohe/schemes.html", {"schemes": rows})


def _next_year(text: str) -> str:
    return re.sub(r"(19|20)\d\d", lambda m: str(int(m.group(0)) + 1), text, count=1)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_copy(request, sid):
    source = _scheme(request, sid)
    form = forms.SchemeCopyForm(
        request.POST or None,
        initial={"key": _next_year(source.key), "name": _next_year(source.name)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = editor.copy_scheme(source, user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已以“{source.name}”为基础新建草稿“{copy.name}”。")
            return redirect("scheme", sid=copy.pk)
    return render(request, "kaohe/scheme_copy.html", {"source": source, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request, sid):
    scheme = _scheme(request, sid)
    initial = {f: getattr(scheme, f) for f in forms.SchemeForm.base_fields}
    form = forms.SchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            editor.update_scheme(scheme, request.user, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, "已保存方案设置。")
            return redirect("scheme", sid=scheme.pk)
    groups = [
        {
            "group": g,
            "units": list(g.units.order_by("order", "id")),
            "indicators": list(g.indicators.scored().order_by("order", "id")),
        }
        for g in scheme.groups.order_by("order", "id")
    ]
    context = {
        "scheme": scheme,
        "form": form,
        "groups": groups,
        "periods": scheme.periods.order_by("-year", "-number"),
        "tasks": scheme.key_tasks.prefetch_related("lead_units").order_by("number"),
        "preview_form": forms.PreviewForm(periods=scheme_preview.periods_to_preview()),
    }
    return render(request, "kaohe/scheme.html", context)


@login_required
@require_POST
def scheme_action(request, sid):
    scheme = _scheme(request, sid)
    action = request.POST.get("action")
    steps = {
        "activate": (editor.activate_scheme, "方案已启用，可在其上新建考核期。"),
        "retire": (editor.retire_scheme, "方案已停用：已有考核期和结果不变，不能再新建考核期。"),
        "delete": (editor.delete_draft, "已删除方案草稿。"),
    }
    if action not in steps:
        messages.error(request, "未知的操作")
        return redirect("scheme", sid=scheme.pk)
    step, text = steps[action]
    try:
        step(scheme, request.user)
    except ServiceError as exc:
        fail(request, exc)
        return redirect("scheme", sid=scheme.pk)
    messages.success(request, text)
    if action == "delete":
        return redirect("schemes")
    return redirect("scheme", sid=scheme.pk)


def _item_page(request, scheme, form, title, back, delete=False):
    return render(
        request,
        "kaohe/scheme_item.html",
        {"scheme": scheme, "form": form, "title": title, "back": back, "delete": delete},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_group(request, sid, gid):
    scheme = _scheme(request, sid)
    group = get_object_or_404(UnitGroup, pk=gid, scheme=scheme)
    form = forms.GroupForm(request.POST or None, initial={"name": group.name, "title": group.title})
    if request.method == "POST" and form.is_valid():
        try:
            editor.update_group(group, request.user, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已保存分组“{group.name}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"分组：{group.name}", scheme)


@login_required
@require_POST
def scheme_reorder(request, sid, gid):
    """序号 typed beside each unit or indicator: the rows are put in that order."""
    scheme = _scheme(request, sid)
    group = get_object_or_404(UnitGroup, pk=gid, scheme=scheme)
    what = request.POST.get("what")
    if what not in ("units", "indicators"):
        messages.error(request, "未知的操作")
        return redirect("scheme", sid=scheme.pk)
    numbers = {}
    for name, value in request.POST.items():
        if name.startswith("order-"):
            try:
                numbers[int(name[6:])] = int(value)
            except ValueError:
                messages.error(request, f"序号“{value}”不是整数")
                return redirect("scheme", sid=scheme.pk)
    try:
        editor.reorder(group, request.user, what, numbers)
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(request, "已按序号调整顺序。")
    return redirect("scheme", sid=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_unit(request, sid, uid):
    scheme = _scheme(request, sid)
    unit = get_object_or_404(Unit, pk=uid, group__scheme=scheme)
    initial = {"name": unit.name, "short": unit.short, "aliases": unit.aliases}
    form = forms.UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            editor.delete_unit(unit, request.user)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已删除单位“{unit.name}”。")
            return redirect("scheme", sid=scheme.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            editor.save_unit(unit.group, request.user, unit, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已保存单位“{form.cleaned_data['name']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"单位：{unit.name}", scheme, delete=True)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_unit_new(request, sid, gid):
    scheme = _scheme(request, sid)
    group = get_object_or_404(UnitGroup, pk=gid, scheme=scheme)
    form = forms.UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editor.save_unit(group, request.user, **form.cleaned_data)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已新增单位“{form.cleaned_data['name']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"{group.name}：新增单位", scheme)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_indicator(request, sid, iid):
    scheme = _scheme(request, sid)
    ind = get_object_or_404(Indicator, pk=iid, group__scheme=scheme)
    form = forms.IndicatorForm(request.POST or None, indicator=ind)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            editor.delete_indicator(ind, request.user)
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已删除指标“{ind.name}”。")
            return redirect("scheme", sid=scheme.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            editor.save_indicator(ind.group, request.user, ind, **form.values())
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已保存指标“{form.cleaned_data['name']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"指标：{ind.name}", scheme, delete=True)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_indicator_new(request, sid, gid):
    scheme = _scheme(request, sid)
    group = get_object_or_404(UnitGroup, pk=gid, scheme=scheme)
    form = forms.IndicatorForm(
        request.POST or None,
        initial={"category": "目标任务", "method": "ratio", "decimals": 2},
    )
    if request.method == "POST" and form.is_valid():
        try:
            editor.save_indicator(group, request.user, **form.values())
        except ServiceError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已新增指标“{form.cleaned_data['name']}”。")
            return redirect("scheme", sid=scheme.pk)
    return _item_page(request, scheme, form, f"{group.name}：新增指标", scheme)


@login_required
@require_GET
def scheme_export(request, sid):
    scheme = _scheme(request, sid)
    data = export_toml(scheme).encode("utf-8")
    return download(data, "application/toml; charset=utf-8", f"{scheme.key}.toml")


def _import(request, into: Scheme | None):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if request.POST.get("confirm"):
                scheme = editor.import_toml(text, request.user, into)
                messages.success(request, f"已导入为方案草稿“{scheme.name}”。")
                return redirect("scheme", sid=scheme.pk)
            plan = editor.plan_import(text, into)
        except ServiceError as exc:
            _refused(request, form, exc)
        except editor.SchemeError as exc:
            form.add_error("file", str(exc))
        else:
            form = forms.ImportForm(initial={"text": text})
    return render(request, "kaohe/scheme_import.html", {"form": form, "plan": plan, "into": into})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_import(request):
    access.require_admin(request.user)
    return _import(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_import_into(request, sid):
    return _import(request, _scheme(request, sid))


@login_required
@require_GET
def scheme_preview_page(request, sid):
    scheme = _scheme(request, sid)
    form = forms.PreviewForm(request.GET or None, periods=scheme_preview.periods_to_preview())
    preview = None
    if form.is_valid():
        try:
            preview = scheme_preview.preview_draft(scheme, form.cleaned_data["period"])
        except ServiceError as exc:
            _refused(request, form, exc)
    return render(
        request, "kaohe/scheme_preview.html", {"scheme": scheme, "form": form, "preview": preview}
    )
