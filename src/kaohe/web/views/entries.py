"""Entering figures: a unit's entry form, a provider's per-indicator form, the prefilled
workbooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, forms
from ..models import Entry, UnitReport
from ..services import entries as entry_service
from ..services import rules
from ..services.errors import ServiceError, StaleEdit
from ..services.pending import declared
from .common import fail, max_mb, workbook


def _stored(period, unit):
    """The unit's indicators in order and its stored entries by indicator id."""
    indicators = list(unit.group.indicators.entered().order_by("order", "id"))
    entries = {e.indicator_id: e for e in Entry.objects.filter(period=period, unit=unit)}
    return indicators, entries


def _changes(form, indicators, with_targets: bool, owned) -> list[entry_service.Change]:
    """The form's changes; a reporter's rows of provider-owned indicators are read-only and
    never sent to the service (the service refuses them as well)."""
    changes = []
    for ind in indicators:
        if not with_targets and ind.id in owned:
            continue
        data = form.cleaned_data
        change = entry_service.Change(indicator=ind, version=data.get(f"version_{ind.id}"))
        if with_targets:
            change.target = data[f"target_{ind.id}"]
        if not (ind.material_kind and not with_targets):
            change.actual = data[f"actual_{ind.id}"]
        change.note = data[f"note_{ind.id}"]
        changes.append(change)
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, pid, uid):
    period, unit, may_write, report = access.get_unit_entry_report(request.user, pid, uid)
    c = access.caps(request.user)
    with_targets = c.admin
    indicators, entries = _stored(period, unit)
    owned = set()
    if not with_targets:  # the unit's indicators a department provides, read-only here
        provided = entry_service.provided_identities()
        owned = {ind.id for ind in indicators if ind.identity in provided}
    rows = None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("本期填报已截止或您无权修改")
        form = forms.EntryForm(
            request.POST,
            indicators=indicators,
            entries=entries,
            with_targets=with_targets,
            owned=owned,
        )
        # a reporter saves a draft (保存草稿) or saves and goes on to confirm (提交报送)
        draft = not c.admin
        if form.is_valid():
            try:
                result = entry_service.submit_values(
                    period,
                    unit,
                    request.user,
                    _changes(form, indicators, with_targets, owned),
                    draft=draft,
                )
            except StaleEdit as exc:
                fail(request, exc)  # show what is stored now
                indicators, entries = _stored(period, unit)
            except ServiceError as exc:
                fail(request, exc)
                rows = form.rows()
            else:
                for w in result.warnings:  # shown on the page that follows, whichever it is
                    messages.warning(request, "请核对：" + w)
                if draft and request.POST.get("intent") == "submit":
                    return redirect("entry_submit", pid=period.pk, uid=unit.pk)
                if draft:
                    messages.success(
                        request,
                        f"已保存草稿，{result.changed} 项数据有变化。尚未报送：填完后请点击“提交报送”。",
                    )
                    return redirect("entry", pid=period.pk, uid=unit.pk)
                text = f"已保存，{result.changed} 项数据有变化。"
                if result.late:
                    text += "已超过填报截止时间，本次报送记为迟报。"
                messages.success(request, text)
                return redirect("entry", pid=period.pk, uid=unit.pk)
        else:
            messages.error(
                request, "有数据格式不正确，请按提示修改后重新提交；本次没有保存任何数据。"
            )
            rows = form.rows()  # what the user typed, with the errors
    if rows is None:
        rows = forms.entry_rows(indicators, entries, with_targets, owned)
    if request.method == "POST":  # the service may have changed it (draft, late)
        report = UnitReport.objects.filter(period=period, unit=unit).first()
    pending = declared(period)
    return render(
        request,
        "kaohe/entry.html",
        {
            "period": period,
            "unit": unit,
            "rows": rows,
            "may_write": may_write,
            "with_targets": with_targets,
            "report": report,
            "deadline": rules.unit_deadline(period, report),
            "late_now": rules.is_late(period, report),
            "pending": [
                text
                for ind in indicators
                for text in pending.reasons.get(ind.id, [])
                if ind.id in pending.indicators or pending.covers(unit.id, ind.id)
            ],
            "max_mb": max_mb(),
        },
    )


@login_required
@require_GET
def entry_template(request, pid, uid):
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    entries = Entry.objects.filter(period=period, unit=unit)
    return workbook(
        period,
        [unit.group.key],
        entries,
        f"{period.name}-{unit.name}-填报表.xlsx",
        only_units={unit.name},
    )


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
        form = forms.ProvideForm(request.POST, units=units, entries=entries, indicator=indicator)
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
                fail(request, exc)
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
    return workbook(period, keys, entries, f"{period.name}-数据提供部门填报表.xlsx")
