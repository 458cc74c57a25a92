"""Materials: a unit's uploads (counted for work-task indicators), download, replace, delete."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, forms
from ..models import MATERIAL_KINDS, Entry, Material
from ..services import materials as material_service
from ..services import rules
from ..services.errors import ServiceError
from .common import fail, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def materials(request, pid, uid):
    period, unit, may_write = access.get_unit_materials(request.user, pid, uid)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("本期已截止报送材料")
        form = forms.MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                m = material_service.upload_material(
                    period,
                    unit,
                    request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ServiceError as exc:
                fail(request, exc)
            else:
                messages.success(
                    request, f"已收到“{m.title}”" + ("（迟报）" if m.late else "（按时）")
                )
                if m.duplicate_of is not None:
                    messages.warning(
                        request,
                        f"这份文件与已报送的“{m.duplicate_of.title}”内容完全相同（SHA-256 一致），"
                        "同类材料相同的文件只计 1 份。",
                    )
                return redirect("materials", pid=period.pk, uid=unit.pk)
        else:
            form_errors(request, form)
    else:
        form = forms.MaterialForm()
    items = Material.objects.filter(period=period, unit=unit).select_related("uploaded_by")
    counted = (
        Entry.objects.filter(period=period, unit=unit)
        .exclude(indicator__material_kind="")
        .select_related("indicator")
    )
    return render(
        request,
        "kaohe/materials.html",
        {
            "period": period,
            "unit": unit,
            "items": items,
            "form": form,
            "may_write": may_write,
            "bureau": access.caps(request.user).admin,
            "kinds": MATERIAL_KINDS,
            "deadline": rules.unit_deadline(period, rules.report_of(period, unit)),
            "counted": counted,
        },
    )


@login_required
@require_GET
def material_download(request, mid):
    material = get_object_or_404(Material, pk=mid)
    access.get_unit_materials(request.user, material.period_id, material.unit_id)
    try:
        fh = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return FileResponse(
        fh, as_attachment=True, filename=Path(material.file.name).name.split("_", 1)[-1]
    )


@login_required
@require_POST
def material_delete(request, mid):
    material, may_write = access.get_material(request.user, mid)
    if not may_write:
        raise PermissionDenied("本期已截止报送材料，或您无权删除")
    if not access.may_delete_material(request.user, material):
        raise PermissionDenied("迟报的材料不能由填报单位删除；如确属误传，请联系科技局处理")
    try:
        material_service.delete_material(material, request.user)
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(request, f"已删除“{material.title}”（{material.filename}）。")
    return redirect("materials", pid=material.period_id, uid=material.unit_id)


@login_required
@require_http_methods(["GET", "POST"])
def material_replace(request, mid):
    """A new file in place of an old one; it arrives now (late after the deadline)."""
    material, may_write = access.get_material(request.user, mid)
    if not may_write:
        raise PermissionDenied("本期已截止报送材料，或您无权替换")
    if request.method == "POST":
        form = forms.MaterialReplaceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                m = material_service.replace_material(
                    material,
                    request.user,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except ServiceError as exc:
                fail(request, exc)
            else:
                messages.success(
                    request,
                    f"已替换“{m.title}”，新文件 {m.filename} "
                    + ("记为迟报。" if m.late else "按时到达。"),
                )
                return redirect("materials", pid=m.period_id, uid=m.unit_id)
    else:
        form = forms.MaterialReplaceForm()
    return render(
        request,
        "kaohe/material_replace.html",
        {
            "material": material,
            "period": material.period,
            "unit": material.unit,
            "form": form,
            "late_now": rules.is_late(
                material.period, rules.report_of(material.period, material.unit)
            ),
        },
    )


@login_required
@require_POST
def material_kind(request, mid):
    """The bureau files a material under another kind; the service checks the period."""
    access.require_admin(request.user)
    material, _ = access.get_material(request.user, mid)
    try:
        material_service.change_kind(material, request.user, request.POST.get("kind", ""))
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(
            request, f"已将“{material.title}”的类型改为“{material.get_kind_display()}”。"
        )
    return redirect("materials", pid=material.period_id, uid=material.unit_id)
