"""Objections to published results: units raise them, the bureau answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import access, forms
from ..models import Objection, Period
from ..services import objections as objection_service
from ..services.errors import ServiceError
from .common import fail


@login_required
@require_http_methods(["GET", "POST"])
def objections(request, pid):
    period, is_admin = access.get_period(request.user, pid)
    c = access.caps(request.user)
    if not (c.sees_everything or c.report):
        raise PermissionDenied("无权查看异议")
    unit = access.own_unit(request.user, period.scheme)
    indicators = list(unit.group.indicators.scored().order_by("order")) if unit else []
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
                    fail(request, exc)
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
                fail(request, exc)
            else:
                messages.success(request, "异议已提交，科技局答复后可在此查看。")
                return redirect("objections", pid=period.pk)
    items = Objection.objects.filter(period=period).select_related(
        "unit", "indicator", "raised_by", "answered_by"
    )
    if not c.sees_everything:
        items = items.filter(unit_id=unit.pk if unit else None)
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
