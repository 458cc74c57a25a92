"""The audit log, filtered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access
from ..models import AuditLog, Indicator, Period, Unit


@login_required
@require_GET
def audit(request):
    access.require_overview(request.user)
    qs = AuditLog.objects.select_related("period", "unit", "indicator").order_by("-at", "-id")
    filters = {}
    for name in ("period", "unit", "indicator", "user"):
        value = request.GET.get(name, "").strip()
        if value.isdigit():
            filters[name] = int(value)
            qs = qs.filter(**{f"{name}_id": int(value)})
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__contains=action)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "kaohe/audit.html",
        {
            "page": page,
            "filters": filters,
            "action": action,
            "periods": Period.objects.all(),
            "units": Unit.objects.select_related("group").order_by("group__order", "order"),
            "indicators": Indicator.objects.select_related("group").order_by(
                "group__order", "order"
            ),
            "users": User.objects.order_by("username"),
        },
    )
