"""Results: the ranking, a unit's detail, the downloads, corrections after computing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Sum, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ...errors import KaoheError
from ...numbers import fixed
from .. import access, forms
from ..models import Entry, Indicator, IndicatorResult, ScoreRun, UnitResult
from ..services import periods as period_service
from ..services import whatif as whatif_service
from ..services.errors import ServiceError
from .common import XLSX, download, fail


def _previous_results(period) -> dict:
    """The previous period's current unit results by unit identity: the previous period may be
    scored with an earlier scheme version, whose unit rows are other rows of the same units."""
    if not period.previous_id:
        return {}
    rows = UnitResult.objects.filter(
        run__period_id=period.previous_id, run__current=True
    ).select_related("unit")
    return {r.unit.identity: r for r in rows}


def category_subtotals(run) -> dict:
    """Each unit result's points per indicator category, as computed: {unit result id:
    {category: points}} (caps apply to the total, and its notes say so)."""
    out: dict = {}
    for row in (
        IndicatorResult.objects.filter(unit_result__run=run)
        .values("unit_result_id", "indicator__category")
        .annotate(points=Sum("points"))
    ):
        out.setdefault(row["unit_result_id"], {})[row["indicator__category"]] = row["points"]
    return out


def subtotal_columns(scheme) -> list[str]:
    """The categories a ranking shows subtotals of: every category of the scheme's indicators,
    in their order, when the scheme has [[categories]] (caps, 加分项, 扣分项); none otherwise."""
    if not (scheme.rules or {}).get("categories"):
        return []
    names = Indicator.objects.filter(group__scheme=scheme, tier_of="").order_by(
        "group__order", "order"
    )
    return list(dict.fromkeys(names.values_list("category", flat=True)))


def _change(p, ur) -> tuple[str, str]:
    """较上期 as shown: (CSS class, text); no class for 持平."""
    if p is None:
        return "muted", "—"
    if p.rank > ur.rank:
        return "up", f"↑{p.rank - ur.rank}"
    if p.rank < ur.rank:
        return "down", f"↓{ur.rank - p.rank}"
    return "", "持平"


def _points(value) -> str:
    """Points to two decimals as the bulletin prints them (the template filter points)."""
    return "" if value is None else fixed(Decimal(value), 2)


def _ranking(run, prev_rows: dict, categories, mine, sees_all):
    """The ranking tables and chart data of a run: one table per group, or per class of a
    group with classes, in the scheme's order; ranks are within the class. prev_rows: the
    previous period's results by unit identity (_previous_results); categories: the
    subtotal columns (subtotal_columns); mine: the user's own unit's id, whose row is marked;
    sees_all: every row links to its detail (else only the user's own). The rows hold the
    texts the template prints, formatted here once rather than by template logic per cell."""
    subtotals = category_subtotals(run) if categories else {}
    by_group: dict = {}
    for ur in run.units.select_related("unit__group").order_by(
        "unit__group__order", "class_order", "rank", "unit__order"
    ):
        p = prev_rows.get(ur.unit.identity)
        group = ur.unit.group
        title = group.title or group.name
        entry = by_group.setdefault(
            (group.pk, ur.class_order),
            {
                "key": f"{group.key}-{ur.class_order}" if ur.class_name else group.key,
                "title": f"{title}·{ur.class_name}" if ur.class_name else title,
                "name": f"{group.name}·{ur.class_name}" if ur.class_name else group.name,
                "rows": [],
            },
        )
        points = subtotals.get(ur.pk, {})
        change_class, change_text = _change(p, ur)
        entry["rows"].append(
            {
                "unit_id": ur.unit_id,
                "mine": ur.unit_id == mine,
                "detail": sees_all or ur.unit_id == mine,
                "name": ur.unit.name,
                "short": ur.unit.short or ur.unit.name,
                "rank": ur.rank,
                "total": ur.total,
                "total_text": _points(ur.total),
                "grade": ur.grade,
                "grade_reason": ur.grade_reason,
                "vetoes": ur.vetoes,
                "subtotals": [_points(points.get(c)) for c in categories],
                "change_class": change_class,
                "change_text": change_text,
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
    runs = list(
        ScoreRun.objects.filter(period=period).defer("inputs").order_by("-created_at", "-id")
    )
    run = next((r for r in runs if r.current), None)
    mine = getattr(access.own_unit(request.user, period.scheme), "pk", None)
    context = {"period": period, "run": run, "objection_deadline": period.objection_deadline()}
    if run is not None:
        categories = subtotal_columns(period.scheme)
        context["groups"], context["charts"] = _ranking(
            run, _previous_results(period), categories, mine, c.sees_everything
        )
        rules = period.scheme.rules or {}
        context["graded"] = "grades" in rules
        context["categories"] = categories
        if len(runs) > 1:  # the correction history, each run with its totals
            prefetch_related_objects(
                runs, Prefetch("units", queryset=UnitResult.objects.select_related("unit"))
            )
            context["runs"] = runs
    return render(request, "kaohe/results.html", context)


@login_required
@require_GET
def unit_result(request, pid, uid):
    period, unit = access.get_unit_result(request.user, pid, uid)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    ur = UnitResult.objects.filter(run=run, unit=unit).first()
    if ur is None:  # its group was not scored this period: say so rather than a 404
        return render(
            request, "kaohe/unit_result.html", {"period": period, "unit": unit, "ur": None}
        )
    from ...numbers import percent

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
    prev = _previous_results(period).get(unit.identity)
    categories = []
    rules = period.scheme.rules or {}
    if rules.get("categories"):
        mine = category_subtotals(run).get(ur.pk, {})
        caps = {c["name"]: c.get("cap") for c in rules["categories"]}
        for name in dict.fromkeys(r.indicator.category for r in rows):
            categories.append({"name": name, "points": mine.get(name), "cap": caps.get(name)})
    return render(
        request,
        "kaohe/unit_result.html",
        {
            "period": period,
            "unit": unit,
            "ur": ur,
            "rows": rows,
            "earlier": earlier,
            "prev": prev,
            "categories": categories,
        },
    )


@login_required
@require_GET
def unit_whatif(request, pid, uid):
    """如何前进一名: for whoever sees the unit's score detail (the bureau for every unit, a unit
    for itself)."""
    period, unit = access.get_unit_whatif(request.user, pid, uid)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    context = {"period": period, "unit": unit, "answer": None, "problem": ""}
    if UnitResult.objects.filter(run=run, unit=unit).exists():
        try:
            context["answer"] = whatif_service.unit_what_if(run, unit)
        except ServiceError as exc:
            context["problem"] = exc.message
    return render(request, "kaohe/unit_whatif.html", context)


def _scored_run(request, pid):
    """The period's current run, for the bureau and leaders only."""
    period = access.get_results(request.user, pid)
    access.require_overview(request.user)
    run = period_service.current_run(period)
    if run is None:
        raise Http404("尚未计算得分")
    return period, run


def _export(request, pid, identifier: str, content_type: str):
    """The run's result through one of kaohe's exporters (the CLI's files, byte for byte)."""
    from ...exporters import EXPORTERS

    period, run = _scored_run(request, pid)
    exporter = EXPORTERS[identifier]()
    try:
        data = exporter.render(period_service.run_result(run))
    except KaoheError as exc:  # a figure Excel cannot hold: say which, instead of a 500
        messages.error(request, str(exc))
        return redirect("results", pid=period.pk)
    data = data if isinstance(data, bytes) else data.encode("utf-8")
    return download(data, content_type, f"{period.name}-考核结果{exporter.extension}")


@login_required
@require_GET
def results_xlsx(request, pid):
    return _export(request, pid, "xlsx", XLSX)


@login_required
@require_GET
def results_csv(request, pid):
    return _export(request, pid, "csv", "text/csv; charset=utf-8")


@login_required
@require_GET
def results_json(request, pid):
    return _export(request, pid, "json", "application/json; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def correct(request, pid, uid):
    access.require_admin(request.user)
    period, unit, _ = access.get_unit_entry(request.user, pid, uid)
    indicators = list(unit.group.indicators.entered().order_by("order"))
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
                fail(request, exc)
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
