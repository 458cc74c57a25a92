"""Views: check permission (access.py), validate (forms.py), call a service, respond."""

from __future__ import annotations

import io
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, forms, hotpath, pagecache
from .models import (
    Entry,
    Indicator,
    IndicatorResult,
    KeyTask,
    Material,
    Objection,
    Period,
    ScoreRun,
    TaskProgress,
    Unit,
    UnitReport,
    UnitResult,
)
from .security import LockoutAuthenticationForm
from .services import entries as entry_service
from .services import materials as material_service
from .services import objections as objection_service
from .services import periods as period_service
from .services import provider as provider_service
from .services import tasks as task_service
from .services.errors import ServiceError, StaleEdit


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "kaohe/login.html"
    redirect_authenticated_user = True


def _fail(request, exc: ServiceError):
    messages.error(request, exc.message)
    for d in exc.details[:50]:
        messages.error(request, d)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    c = access.caps(request.user)
    if not (c.admin or c.read_all or c.report or c.provides):
        raise PermissionDenied("您的账号还没有分配角色，请联系管理员")
    periods = list(Period.objects.select_related("scheme").order_by("-year", "-number", "-id"))
    unit = Unit.objects.select_related("group").filter(pk=c.unit_id).first() if c.report else None
    reports = {}
    if unit is not None:
        reports = {r.period_id: r for r in UnitReport.objects.filter(unit=unit)}
    provided = (
        Indicator.objects.filter(pk__in=c.provides).select_related("group") if c.provides else []
    )
    rows = [
        {
            "period": p,
            "report": reports.get(p.id),
            "may_enter": unit is not None and access.reporter_may_write(p, unit),
        }
        for p in periods
    ]
    return render(request, "kaohe/home.html", {"rows": rows, "unit": unit, "provided": provided})


@login_required
def period_detail(request, pid):
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    allowed = {
        Period.OPEN: ("approve_all", "close"),
        Period.REVIEW: ("approve_all", "reopen", "lock", "compute"),
        Period.LOCKED: ("unlock", "compute", "publish"),
        Period.PUBLISHED: (),
    }[period.state]
    labels = dict(forms.PeriodActionForm.base_fields["action"].choices)
    context = {
        "period": period,
        "run": period_service.current_run(period),
        "now": timezone.now(),
        "actions": [(a, labels[a]) for a in allowed] if is_admin else [],
    }
    if c.sees_everything:
        context["groups"] = period_service.completeness(period)
    return render(request, "kaohe/period.html", context)


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
    user = request.user
    try:
        if action == "close":
            period_service.close_entry(period, user)
            messages.success(request, "已结束填报，进入审核。")
        elif action == "reopen":
            period_service.reopen_entry(period, user)
            messages.success(request, "已重新开放填报。")
        elif action == "approve_all":
            n = period_service.approve_period(period, user)
            messages.success(request, f"已审核通过 {n} 个单位的报送。")
        elif action == "lock":
            period_service.lock_period(period, user)
            messages.success(request, "数据已锁定。")
        elif action == "unlock":
            period_service.unlock_period(period, user)
            messages.success(request, "已解除锁定。")
        elif action == "compute":
            period_service.compute_period(period, user)
            messages.success(request, "已完成计分。")
            return redirect("results", pid=period.pk)
        elif action == "publish":
            period_service.publish_results(period, user)
            messages.success(request, "结果已发布，各单位可查看排名和本单位明细。")
    except ServiceError as exc:
        _fail(request, exc)
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
    from django.conf import settings

    last = Period.objects.order_by("-year", "-number", "-id").first()
    return {
        "kind": "quarter",
        "year": timezone.localdate().year,
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
                _fail(request, exc)
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


# --- entering figures -------------------------------------------------------------


def _entry_context(period, unit):
    indicators = hotpath.select(Indicator, group=unit.group_id, order=("order",))
    entries = {e.indicator_id: e for e in hotpath.select(Entry, period=period.pk, unit=unit.pk)}
    return indicators, entries


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, pid, uid):
    period, unit, may_write = access.get_unit_entry(request.user, pid, uid)
    c = access.caps(request.user)
    with_targets = c.admin
    form = None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("本期填报已截止或您无权修改")
        indicators, entries = _entry_context(period, unit)
        form = forms.EntryForm(
            request.POST, indicators=indicators, entries=entries, with_targets=with_targets
        )
        if form.is_valid():
            changes = []
            for ind in indicators:
                change = entry_service.Change(
                    indicator=ind, version=form.cleaned_data.get(f"version_{ind.id}")
                )
                if with_targets:
                    change.target = form.cleaned_data[f"target_{ind.id}"]
                if not (ind.material_kind and not with_targets):
                    change.actual = form.cleaned_data[f"actual_{ind.id}"]
                change.note = form.cleaned_data[f"note_{ind.id}"]
                changes.append(change)
            try:
                result = entry_service.submit_values(
                    period, unit, request.user, changes, as_reporter=not c.admin
                )
            except StaleEdit as exc:
                _fail(request, exc)
                form = None  # show what is stored now
            except ServiceError as exc:
                _fail(request, exc)
            else:
                text = f"已报送，{result.changed} 项数据有变化。"
                if result.late:
                    text += "已超过填报截止时间，本次报送记为迟报。"
                messages.success(request, text)
                for w in result.warnings:
                    messages.warning(request, "请核对：" + w)
                return redirect("entry", pid=period.pk, uid=unit.pk)
        else:
            messages.error(
                request, "有数据格式不正确，请按提示修改后重新提交；本次没有保存任何数据。"
            )
    if form is None:
        # the table as stored, memoized by the stored rows it is built from (pagecache.py)
        def source():
            return hotpath.entry_table_values(period.pk, unit), may_write, with_targets

        def context():
            indicators, entries = _entry_context(period, unit)
            rows = forms.entry_rows(indicators, entries, with_targets)
            return {"rows": rows, "may_write": may_write}

        table = pagecache.render_memoized("kaohe/entry_rows.html", source, context)
    else:  # what the user typed, with the errors
        table = render_to_string(
            "kaohe/entry_rows.html", {"rows": form.rows(), "may_write": may_write}
        )
    report = next(iter(hotpath.select(UnitReport, period=period.pk, unit=unit.pk)), None)
    return render(
        request,
        "kaohe/entry.html",
        {
            "period": period,
            "unit": unit,
            "table": table,
            "may_write": may_write,
            "with_targets": with_targets,
            "report": report,
            "late_now": period.is_late(),
            "max_mb": _max_mb(),
        },
    )


def _max_mb():
    from django.conf import settings

    return settings.KAOHE_MAX_UPLOAD_MB


@login_required
@require_GET
def entry_template(request, pid, uid):
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    entries = Entry.objects.filter(period=period, unit=unit)
    return _workbook(period, [unit.group.key], entries, f"{period.name}-{unit.name}-填报表.xlsx")


def _workbook(period, group_keys, entries, filename):
    """The entry workbook (kaohe template) of some groups, prefilled with the given entries."""
    from ..dataset import Cell, Dataset
    from ..numbers import NOT_APPLICABLE
    from ..template import write_template
    from .services.schemes import engine_scheme

    scheme = engine_scheme(period.scheme)
    groups = [scheme.group(key) for key in group_keys]
    prefill = Dataset(scheme)
    for e in entries.select_related("unit__group", "indicator"):
        t = NOT_APPLICABLE if e.target_na else e.target
        a = NOT_APPLICABLE if e.actual_na else e.actual
        prefill.put(
            scheme.group(e.unit.group.key), e.unit.name, e.indicator.key, Cell(t, a, e.note)
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        write_template(scheme, path, groups, prefill)
        data = path.read_bytes()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"download.xlsx\"; filename*=UTF-8''{quote(filename)}"


@contextmanager
def _saved(upload):
    """The uploaded file written to a temporary path (the readers work on files)."""
    suffix = Path(upload.name).suffix.lower() or ".xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        yield path


def _read_upload_to_preview(request, period, upload, *, only_unit, with_targets):
    with _saved(upload) as path:
        return entry_service.read_upload(
            period, path, upload.name, only_unit=only_unit, with_targets=with_targets
        )


@login_required
@require_POST
def entry_upload(request, pid, uid):
    """Upload → preview (nothing stored) → confirm (stored whole or not at all)."""
    period, unit, may_write = access.get_unit_entry(request.user, pid, uid)
    if not may_write:
        raise PermissionDenied("本期填报已截止或您无权修改")
    c = access.caps(request.user)
    key = f"upload:{period.pk}:{unit.pk}"
    if request.POST.get("confirm"):
        rows = request.session.pop(key, None)
        if not rows:
            messages.error(request, "预览已过期，请重新上传文件。")
            return redirect("entry", pid=period.pk, uid=unit.pk)
        try:
            result = entry_service.apply_upload(
                period,
                request.user,
                rows,
                as_reporter=not c.admin,
                with_targets=False,
                only_unit=unit,
            )
        except ServiceError as exc:
            _fail(request, exc)
            return redirect("entry", pid=period.pk, uid=unit.pk)
        messages.success(
            request,
            f"已保存上传的数据，{result.changed} 项有变化。"
            + ("本次报送记为迟报。" if result.late else ""),
        )
        for w in result.warnings:
            messages.warning(request, "请核对：" + w)
        return redirect("entry", pid=period.pk, uid=unit.pk)
    form = forms.WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("entry", pid=period.pk, uid=unit.pk)
    try:
        rows = _read_upload_to_preview(
            request, period, form.cleaned_data["file"], only_unit=unit, with_targets=False
        )
    except ServiceError as exc:
        _fail(request, exc)
        return redirect("entry", pid=period.pk, uid=unit.pk)
    request.session[key] = entry_service.rows_to_session(rows)
    return render(
        request,
        "kaohe/upload_preview.html",
        {
            "period": period,
            "unit": unit,
            "rows": rows,
            "action": reverse("entry_upload", args=[period.pk, unit.pk]),
            "back": reverse("entry", args=[period.pk, unit.pk]),
            "with_targets": False,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request, pid):
    """The bureau imports targets (and figures) for every unit from the template or a long table."""
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    key = f"targets:{period.pk}"
    if request.method == "POST" and request.POST.get("confirm"):
        rows = request.session.pop(key, None)
        if not rows:
            messages.error(request, "预览已过期，请重新上传文件。")
            return redirect("targets_import", pid=period.pk)
        try:
            result = entry_service.apply_upload(
                period, request.user, rows, as_reporter=False, with_targets=True, only_unit=None
            )
        except ServiceError as exc:
            _fail(request, exc)
            return redirect("targets_import", pid=period.pk)
        messages.success(request, f"已导入，{result.changed} 项有变化。")
        return redirect("period", pid=period.pk)
    if request.method == "POST":
        form = forms.WorkbookUploadForm(request.POST, request.FILES)
        if form.is_valid():
            if period.state not in (Period.OPEN, Period.REVIEW):
                messages.error(request, "本期数据已锁定，不能导入。")
                return redirect("period", pid=period.pk)
            try:
                rows = _read_upload_to_preview(
                    request, period, form.cleaned_data["file"], only_unit=None, with_targets=True
                )
            except ServiceError as exc:
                _fail(request, exc)
            else:
                request.session[key] = entry_service.rows_to_session(rows)
                return render(
                    request,
                    "kaohe/upload_preview.html",
                    {
                        "period": period,
                        "unit": None,
                        "rows": rows,
                        "with_targets": True,
                        "action": reverse("targets_import", args=[period.pk]),
                        "back": reverse("period", args=[period.pk]),
                    },
                )
    else:
        form = forms.WorkbookUploadForm()
    return render(request, "kaohe/targets_import.html", {"period": period, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def provide(request, pid, iid):
    period, indicator, may_write = access.get_indicator_for_provider(request.user, pid, iid)
    units = list(indicator.group.units.all().order_by("order"))
    entries = {
        e.unit_id: e
        for e in Entry.objects.filter(period=period, indicator=indicator).select_related(
            "submitted_by"
        )
    }
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("本期已结束填报")
        form = forms.ProvideForm(request.POST, units=units, entries=entries)
        if form.is_valid():
            changes = [
                entry_service.Change(
                    indicator=indicator,
                    unit=u,
                    actual=form.cleaned_data[f"actual_{u.id}"],
                    version=form.cleaned_data.get(f"version_{u.id}"),
                )
                for u in units
            ]
            try:
                result = entry_service.provide_values(period, indicator, request.user, changes)
            except ServiceError as exc:
                _fail(request, exc)
            else:
                messages.success(request, f"已保存，{result.changed} 项有变化。")
                for w in result.warnings:
                    messages.warning(request, "请核对：" + w)
                return redirect("provide", pid=period.pk, iid=indicator.pk)
        else:
            messages.error(request, "有数据格式不正确，本次没有保存任何数据。")
    else:
        form = forms.ProvideForm(units=units, entries=entries)
    return render(
        request,
        "kaohe/provide.html",
        {"period": period, "indicator": indicator, "form": form, "may_write": may_write},
    )


@login_required
@require_GET
def provide_template(request, pid):
    """The entry workbook for every unit of the provider's groups, prefilled with its own
    indicators' targets and figures (other indicators left blank)."""
    period, indicators, _ = access.get_provided_indicators(request.user, pid)
    keys = list(dict.fromkeys(i.group.key for i in indicators))
    entries = Entry.objects.filter(period=period, indicator__in=indicators)
    return _workbook(period, keys, entries, f"{period.name}-数据提供部门填报表.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def provide_upload(request, pid):
    """The provider uploads the entry workbook: preview (only its indicators; the rest of the file
    is named and ignored) → confirm (stored whole or not at all)."""
    period, indicators, may_write = access.get_provided_indicators(request.user, pid)
    if request.method == "POST" and not may_write:
        raise PermissionDenied("本期已结束填报")
    key = f"provide-upload:{period.pk}"
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm_provided(request, period, indicators, request.session.pop(key, None))
    form = forms.WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview = _read_provided(period, form.cleaned_data["file"], indicators)
        except ServiceError as exc:
            _fail(request, exc)
        else:
            request.session[key] = entry_service.rows_to_session(preview.rows)
            return render(
                request,
                "kaohe/upload_preview.html",
                {
                    "period": period,
                    "unit": None,
                    "rows": preview.rows,
                    "notices": preview.notices,
                    "with_targets": False,
                    "action": reverse("provide_upload", args=[period.pk]),
                    "back": reverse("provide_upload", args=[period.pk]),
                },
            )
    return render(
        request,
        "kaohe/provide_upload.html",
        {
            "period": period,
            "indicators": indicators,
            "form": form,
            "may_write": may_write,
            "max_mb": _max_mb(),
        },
    )


def _read_provided(period, upload, indicators):
    with _saved(upload) as path:
        return provider_service.read_provided_upload(period, path, upload.name, indicators)


def _confirm_provided(request, period, indicators, rows):
    if not rows:
        messages.error(request, "预览已过期，请重新上传文件。")
        return redirect("provide_upload", pid=period.pk)
    try:
        result = provider_service.apply_provided_upload(period, request.user, rows, indicators)
    except ServiceError as exc:
        _fail(request, exc)
        return redirect("provide_upload", pid=period.pk)
    messages.success(request, f"已保存上传的数据，{result.changed} 项有变化。")
    for w in result.warnings:
        messages.warning(request, "请核对：" + w)
    return redirect("provide_upload", pid=period.pk)


# --- materials ---------------------------------------------------------------------


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
                _fail(request, exc)
            else:
                messages.success(
                    request, f"已收到“{m.title}”" + ("（迟报）" if m.late else "（按时）")
                )
                return redirect("materials", pid=period.pk, uid=unit.pk)
        else:
            for errs in form.errors.values():
                for e in errs:
                    messages.error(request, e)
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
        _fail(request, exc)
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
                _fail(request, exc)
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
            "late_now": material.period.is_late(),
        },
    )


# --- review ------------------------------------------------------------------------


@login_required
@require_GET
def board(request, pid):
    access.require_overview(request.user)
    period, _ = access.get_period(request.user, pid)
    return render(
        request,
        "kaohe/board.html",
        {
            "period": period,
            "groups": period_service.completeness(period),
            "form": forms.ReviewForm(),
        },
    )


@login_required
@require_POST
def review(request, pid, uid):
    access.require_admin(request.user)
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                period_service.approve_report(
                    period, unit, request.user, form.cleaned_data["comment"]
                )
                messages.success(request, f"{unit.name}：审核通过")
            else:
                period_service.return_report(
                    period, unit, request.user, form.cleaned_data["comment"]
                )
                messages.success(request, f"{unit.name}：已退回修改")
        except ServiceError as exc:
            _fail(request, exc)
    return redirect("board", pid=period.pk)


# --- results -------------------------------------------------------------------------


def _previous_ranks(period):
    if not period.previous_id:
        return {}
    prev = ScoreRun.objects.filter(period_id=period.previous_id, current=True).first()
    if prev is None:
        return {}
    return {r.unit_id: r for r in prev.units.all()}


def _ranking(run, previous_run_id):
    """The ranking tables and chart data of a run."""
    prev_rows = (
        {r.unit_id: r for r in UnitResult.objects.filter(run_id=previous_run_id)}
        if previous_run_id
        else {}
    )
    by_group: dict = {}
    for ur in run.units.select_related("unit__group").order_by(
        "unit__group__order", "rank", "unit__order"
    ):
        p = prev_rows.get(ur.unit_id)
        group = ur.unit.group
        entry = by_group.setdefault(
            group.pk,
            {"key": group.key, "title": group.title or group.name, "name": group.name, "rows": []},
        )
        entry["rows"].append(
            {
                "unit_id": ur.unit_id,
                "name": ur.unit.name,
                "short": ur.unit.short or ur.unit.name,
                "rank": ur.rank,
                "total": ur.total,
                "change": None if p is None else p.rank - ur.rank,
                "down": None if p is None else ur.rank - p.rank,
            }
        )
    groups = list(by_group.values())
    charts = [
        {
            "id": f"chart-{g['key']}",
            "title": f"{g['name']}总得分",
            "names": [r["short"] for r in g["rows"]],
            "values": [float(r["total"]) for r in g["rows"]],
        }
        for g in groups
    ]
    return groups, charts


@login_required
@require_GET
def results(request, pid):
    period = access.get_results(request.user, pid)
    c = access.caps(request.user)
    # the period's runs and the previous period's current run: with the period row, the stamps
    # of the cached ranking (pagecache.py)
    runs, previous = hotpath.runs(period)
    run = next((r for r in runs if r.current), None)
    ranking = ""
    if run is not None:
        key = "kaohe:results:{}:{}:{}:{}:{}".format(
            period.pk,
            period.version,
            "-".join(str(r.pk) for r in runs),
            previous or 0,
            pagecache.audience(c),
        )

        def render_ranking():
            groups, charts = _ranking(run, previous)
            history = []
            if len(runs) > 1:
                history = list(
                    ScoreRun.objects.filter(period=period)
                    .defer("inputs")
                    .prefetch_related(
                        Prefetch("units", queryset=UnitResult.objects.select_related("unit"))
                    )
                )
            return render_to_string(
                "kaohe/results_ranking.html",
                {
                    "period": period,
                    "groups": groups,
                    "charts": charts,
                    "runs": history,
                    "mine": c.unit_id,
                    "sees_all": c.sees_everything,
                },
            )

        ranking = pagecache.get_or_render(key, render_ranking)
    return render(
        request,
        "kaohe/results.html",
        {
            "period": period,
            "run": run,
            "ranking": ranking,
            "objection_deadline": period.objection_deadline(),
        },
    )


@login_required
@require_GET
def unit_result(request, pid, uid):
    period, unit = access.get_unit_result(request.user, pid, uid)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    ur = UnitResult.objects.filter(run=run, unit=unit).first()
    if ur is None:
        raise Http404("该单位没有得分")
    from ..numbers import percent

    rows = list(
        IndicatorResult.objects.filter(unit_result=ur)
        .select_related("indicator")
        .order_by("indicator__order")
    )
    for r in rows:
        r.rate_text = percent(r.rate) if r.rate is not None else ""
    earlier = (
        UnitResult.objects.filter(run__period=period, unit=unit)
        .exclude(run=run)
        .select_related("run")
    )
    prev = _previous_ranks(period).get(unit.id)
    return render(
        request,
        "kaohe/unit_result.html",
        {"period": period, "unit": unit, "ur": ur, "rows": rows, "earlier": earlier, "prev": prev},
    )


@login_required
@require_GET
def results_xlsx(request, pid):
    period = access.get_results(request.user, pid)
    access.require_overview(request.user)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    from ..exporters import XlsxExporter

    data = XlsxExporter().render(period_service.run_result(run))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _attachment(f"{period.name}-考核结果.xlsx")
    return response


QUARTERS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}


@login_required
@require_GET
def bulletin(request, pid):
    """The bulletin (kaohe report: .docx, attachments .xlsx, charts) as a zip."""
    from kaohe.report import write_report

    period = access.get_results(request.user, pid)
    access.require_overview(request.user)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    result = period_service.run_result(run)
    cutoff = period.cutoff
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_report(
            result,
            Path(tmp),
            issuer=period.scheme.issuer or None,
            doc_date=timezone.localdate(),
            cutoff=f"{cutoff.year} 年 {cutoff.month} 月 {cutoff.day} 日" if cutoff else None,
            narrative=period.narrative or None,
            year=period.year,
            period=QUARTERS.get(period.number)
            if period.kind == "quarter"
            else f"{period.number}月",
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in paths.values():
                zf.write(path, path.name)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = _attachment(f"{period.name}-通报.zip")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def correct(request, pid, uid):
    access.require_admin(request.user)
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    indicators = list(unit.group.indicators.all().order_by("order"))
    if request.method == "POST":
        form = forms.CorrectionForm(request.POST, indicators=indicators)
        if form.is_valid():
            ind = next((i for i in indicators if i.id == form.cleaned_data["indicator"]), None)
            try:
                period_service.correct_entry(
                    period,
                    unit,
                    ind,
                    request.user,
                    target=form.cleaned_data["target"],
                    actual=form.cleaned_data["actual"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "已更正并重新计分；更正前的得分保留在更正记录中。")
                return redirect("unit_result", pid=period.pk, uid=unit.pk)
    else:
        form = forms.CorrectionForm(indicators=indicators)
    entries = (
        Entry.objects.filter(period=period, unit=unit)
        .select_related("indicator")
        .order_by("indicator__order")
    )
    return render(
        request,
        "kaohe/correct.html",
        {"period": period, "unit": unit, "form": form, "entries": entries},
    )


# --- key tasks, narrative ------------------------------------------------------------


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
    mine = {
        t.id for t in all_tasks if c.report and any(u.id == c.unit_id for u in t.lead_units.all())
    }
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
                    Unit.objects.get(pk=c.unit_id),
                    request.user,
                    form.cleaned_data["text"],
                )
            except ServiceError as exc:
                _fail(request, exc)
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
        own = next((p for p in progress.get(t.id, []) if p.unit_id == c.unit_id), None)
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


# --- objections ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def objections(request, pid):
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    if not (c.sees_everything or c.report):
        raise PermissionDenied("无权查看异议")
    unit = Unit.objects.select_related("group").filter(pk=c.unit_id).first() if c.report else None
    indicators = list(unit.group.indicators.all().order_by("order")) if unit else []
    form = forms.ObjectionForm(indicators=indicators) if unit else None
    if request.method == "POST":
        if request.POST.get("answer") is not None:
            access.require_admin(request.user)
            aform = forms.AnswerForm(request.POST)
            if aform.is_valid():
                obj = get_object_or_404(
                    Objection, pk=aform.cleaned_data["objection"], period=period
                )
                try:
                    objection_service.answer_objection(
                        obj, request.user, aform.cleaned_data["answer"]
                    )
                    messages.success(request, "已答复。")
                except ServiceError as exc:
                    _fail(request, exc)
            return redirect("objections", pid=period.pk)
        period, unit = access.get_objection_unit(request.user, pid)
        form = forms.ObjectionForm(request.POST, indicators=indicators)
        if form.is_valid():
            ind = next((i for i in indicators if i.id == form.cleaned_data["indicator"]), None)
            try:
                objection_service.raise_objection(
                    period, unit, request.user, form.cleaned_data["text"], ind
                )
            except ServiceError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "异议已提交，科技局答复后可在此查看。")
                return redirect("objections", pid=period.pk)
    items = Objection.objects.filter(period=period).select_related(
        "unit", "indicator", "raised_by", "answered_by"
    )
    if not c.sees_everything:
        items = items.filter(unit_id=c.unit_id)
    deadline = period.objection_deadline()
    open_ = period.state == Period.PUBLISHED and deadline is not None and timezone.now() <= deadline
    return render(
        request,
        "kaohe/objections.html",
        {
            "period": period,
            "items": items,
            "form": form,
            "is_admin": is_admin,
            "open": open_,
            "deadline": deadline,
        },
    )
