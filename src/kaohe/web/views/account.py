"""Signing in, the health check and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from .. import access
from ..models import Period, Unit, UnitReport
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
    # the user's unit and provided indicators in each scheme version the periods use
    schemes = {p.scheme_id: p.scheme for p in periods}
    units = {k: access.own_unit(request.user, s) for k, s in schemes.items()}
    provided = {k: access.provided_indicators(request.user, s) for k, s in schemes.items()}
    reports = {
        (r.period_id, r.unit_id): r
        for r in UnitReport.objects.filter(unit__in=[u for u in units.values() if u])
    }
    rows = []
    for p in periods:
        unit = units[p.scheme_id]
        rows.append(
            {
                "period": p,
                "unit": unit,
                "provided": provided[p.scheme_id],
                "report": reports.get((p.id, unit.id)) if unit else None,
                "may_enter": unit is not None and access.reporter_may_write(p, unit),
            }
        )
    unit = next((u for u in units.values() if u), None)
    if unit is None and c.report:
        unit = Unit.objects.filter(pk=c.unit_id).first()
    return render(request, "kaohe/home.html", {"rows": rows, "unit": unit})
