"""Uploading a workbook, one flow for every kind: upload → preview (nothing stored, the rows wait
in the session) → confirm (stored whole or not at all). A unit's reporter uploads its own figures,
the bureau imports targets and figures for every unit, a data-providing department uploads its
indicators' figures; they differ only in how the file is read and how the rows are stored."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, forms
from ..models import Period, Unit
from ..services import entries as entry_service
from ..services import provider as provider_service
from ..services import rules
from ..services.errors import ServiceError
from .common import fail, form_errors, max_mb


@dataclass
class Flow:
    key: str  # where the preview waits in the session
    here: str  # the upload's URL: the preview's confirmation posts back to it
    back: str  # where 放弃 and a refused file lead
    done: str  # where a stored upload leads
    read: Callable[[Path, str], tuple[list, list[str]]]  # (file, its name) → (rows, notices)
    store: Callable[[list[dict]], entry_service.SubmitResult]  # the confirmed rows
    stored: str  # what the success message begins with
    unit: Unit | None = None
    with_targets: bool = False


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


def _run(request, period: Period, flow: Flow, show_form):
    """The one upload flow; ``show_form(form)`` answers a GET, a refused form or a refused file."""
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request, flow)
    if request.method != "POST":
        return show_form(forms.WorkbookUploadForm())
    form = forms.WorkbookUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with _saved(upload) as path:
                rows, notices = flow.read(path, upload.name)
        except ServiceError as exc:
            fail(request, exc)
        else:
            request.session[flow.key] = entry_service.rows_to_session(rows)
            return render(
                request,
                "kaohe/upload_preview.html",
                {
                    "period": period,
                    "unit": flow.unit,
                    "rows": rows,
                    "notices": notices,
                    "with_targets": flow.with_targets,
                    "action": flow.here,
                    "back": flow.back,
                },
            )
    return show_form(form)


def _confirm(request, flow: Flow):
    rows = request.session.pop(flow.key, None)
    if not rows:
        messages.error(request, "预览已过期，请重新上传文件。")
        return redirect(flow.back)
    try:
        result = flow.store(rows)
    except ServiceError as exc:
        fail(request, exc)
        return redirect(flow.back)
    messages.success(
        request,
        f"{flow.stored}，{result.changed} 项有变化。"
        + ("本次报送记为迟报。" if result.late else ""),
    )
    for w in result.warnings:
        messages.warning(request, "请核对：" + w)
    return redirect(flow.done)


def _entry_files(request, period, unit, as_reporter: bool, *, with_targets: bool):
    """How an entry workbook (one unit's, or every unit's for the bureau) is read and stored.
    A reporter's file never writes what a providing department owns: the preview lists those
    figures as ignored and the service refuses them."""
    owned = entry_service.provided_ids(period.scheme) if as_reporter else frozenset()

    def read(path, name):
        return entry_service.read_upload(
            period, path, name, only_unit=unit, with_targets=with_targets, owned=owned
        )

    def store(rows):
        return entry_service.apply_upload(
            period, request.user, rows, with_targets=with_targets, only_unit=unit
        )

    return read, store


@login_required
@require_POST
def entry_upload(request, pid, uid):
    """A unit's reporter (or the bureau) uploads the unit's entry workbook."""
    period, unit, may_write = access.get_unit_entry(request.user, pid, uid)
    if not may_write:
        raise PermissionDenied("本期填报已截止或您无权修改")
    as_reporter = not access.caps(request.user).admin
    entry_page = reverse("entry", args=[period.pk, unit.pk])

    read, store = _entry_files(request, period, unit, as_reporter, with_targets=False)

    def show_form(form):
        form_errors(request, form)
        return redirect(entry_page)

    flow = Flow(
        key=f"upload:{period.pk}:{unit.pk}",
        here=reverse("entry_upload", args=[period.pk, unit.pk]),
        back=entry_page,
        done=entry_page,
        read=read,
        store=store,
        stored="已保存上传的数据",
        unit=unit,
    )
    return _run(request, period, flow, show_form)


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request, pid):
    """The bureau imports targets (and figures) for every unit from the template or a long table."""
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    if request.method == "POST" and not rules.allowed(period, "enter", rules.BUREAU):
        messages.error(request, "本期数据已锁定，不能导入。")
        return redirect("period", pid=period.pk)

    read, store = _entry_files(request, period, None, False, with_targets=True)

    def show_form(form):
        return render(request, "kaohe/targets_import.html", {"period": period, "form": form})

    here = reverse("targets_import", args=[period.pk])
    flow = Flow(
        key=f"targets:{period.pk}",
        here=here,
        back=reverse("period", args=[period.pk]),
        done=reverse("period", args=[period.pk]),
        read=read,
        store=store,
        stored="已导入",
        with_targets=True,
    )
    return _run(request, period, flow, show_form)


@login_required
@require_http_methods(["GET", "POST"])
def provide_upload(request, pid):
    """The provider uploads the entry workbook: the preview shows only its indicators (the rest of
    the file is named and ignored)."""
    period, indicators, may_write = access.get_provided_indicators(request.user, pid)
    if request.method == "POST" and not may_write:
        raise PermissionDenied("本期已结束填报")

    def read(path, name):
        preview = provider_service.read_provided_upload(period, path, name, indicators)
        return preview.rows, preview.notices

    def store(rows):
        return provider_service.apply_provided_upload(period, request.user, rows, indicators)

    def show_form(form):
        return render(
            request,
            "kaohe/provide_upload.html",
            {
                "period": period,
                "indicators": indicators,
                "form": form,
                "may_write": may_write,
                "max_mb": max_mb(),
            },
        )

    here = reverse("provide_upload", args=[period.pk])
    flow = Flow(
        key=f"provide-upload:{period.pk}",
        here=here,
        back=here,
        done=here,
        read=read,
        store=store,
        stored="已保存上传的数据",
    )
    return _run(request, period, flow, show_form)
