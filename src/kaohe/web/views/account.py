"""Signing in, the health check and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from .. import access
from ..models import Indicator, Period, Unit, UnitReport
from ..security import LockoutAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "kaohe/login.html"
    redirect_authenticated_user = True


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    c = access.caps(request.user)
    if not c.has_role:
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
