"""The board's export, the year's reporting and on-time rates (bureau and leaders) and the
bureau's all-units entry workbook."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access
from ..models import Entry
from ..services import board as board_service
from .common import XLSX, download, workbook


@login_required
@require_GET
def board_export(request, pid):
    access.require_overview(request.user)
    period, _ = access.get_period(request.user, pid)
    show = request.GET.get("show")
    label = board_service.FILTERS[show][0] if show in board_service.FILTERS else ""
    name = f"{period.name}-填报完成情况{('-' + label) if label else ''}.xlsx"
    return download(board_service.board_xlsx(period, show), XLSX, name)


@login_required
@require_GET
def rates(request, pid):
    access.require_overview(request.user)
    period, _ = access.get_period(request.user, pid)
    periods, groups = board_service.year_rates(period)
    charts = []
    tables = []
    for group, rows in groups:
        tables.append(
            {
                "group": group,
                "rows": [
                    {
                        "unit": r.unit,
                        "marks": r.marks,
                        "submitted": r.submitted,
                        "on_time": r.on_time,
                        "reporting": board_service.percent(r.reporting_rate),
                        "timely": board_service.percent(r.on_time_rate),
                    }
                    for r in rows
                ],
            }
        )
        charts.append(
            {
                "id": f"rates-{group.key}",
                "title": f"{group.name}报送率与按时报送率（{period.year}年）",
                "names": [r.unit.name for r in rows],
                # exact fractions shown as percentages to one decimal
                "reporting": [float(board_service.percent(r.reporting_rate)[:-1]) for r in rows],
                "timely": [float(board_service.percent(r.on_time_rate)[:-1]) for r in rows],
            }
        )
    return render(
        request,
        "kaohe/rates.html",
        {"period": period, "periods": periods, "tables": tables, "charts": charts},
    )


@login_required
@require_GET
def period_template(request, pid):
    """The bureau's entry workbook for every unit of every group, targets filled in: what the
    command line's `kaohe template` writes, from the period page."""
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    keys = list(period.scheme.groups.order_by("order").values_list("key", flat=True))
    entries = Entry.objects.filter(period=period)
    return workbook(period, keys, entries, f"{period.name}-全部单位填报表.xlsx", targets_only=True)
