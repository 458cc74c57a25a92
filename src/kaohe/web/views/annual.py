"""A year's result: the ranking of the year's periods combined as the scheme says, a unit's
year, and the downloads (annual.py's writers, as `kaohe score --year` writes them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ... import annual as annual_writers
from .. import access
from ..models import UnitResult
from ..services import annual as annual_service
from ..services.errors import ServiceError
from .common import XLSX, download


def _year(request, sid, year):
    """(scheme, caps, Year or None, the refusal's message): what every year page starts from."""
    scheme, c = access.get_year(request.user, sid)
    try:
        result = annual_service.year_result(scheme, year)
    except ServiceError as exc:
        return scheme, c, None, exc
    access.year_visible(c, result)
    if not c.sees_everything:  # a unit sees its own rows
        own = access.own_unit(request.user, scheme)  # the user's unit in this version
        result.groups = annual_service.only_units(result.groups, [own] if own else [])
    return scheme, c, result, None


def _tables(scheme, result) -> list[dict]:
    """The year's ranking per group or class, each row with its unit's id for the link."""
    from ..models import Unit

    ids = {
        (u.group.key, u.name): u.pk
        for u in Unit.objects.filter(group__scheme=scheme).select_related("group")
    }
    return [
        {
            "title": f"{g.group.name}·{g.class_name}" if g.class_name else g.group.name,
            "rows": [
                {"uid": ids.get((g.group.key, u.unit)), "u": u, "grade": u.grade} for u in g.units
            ],
        }
        for g in result.groups
    ]


@login_required
@require_GET
def year_view(request, sid, year):
    scheme, c, result, problem = _year(request, sid, year)
    return render(
        request,
        "kaohe/year.html",
        {
            "scheme": scheme,
            "year": year,
            "result": result,
            "problem": problem,
            "tables": _tables(scheme, result) if result else [],
            "graded": bool(result and result.engine.grading),
        },
    )


@login_required
@require_GET
def year_unit(request, sid, year, uid):
    scheme, unit, c = access.get_year_unit(request.user, sid, uid)
    _, _, result, problem = _year(request, sid, year)
    mine, periods = None, []
    if result is not None:
        mine = next(
            ((g, u) for g in annual_service.only_units(result.groups, [unit]) for u in g.units),
            None,
        )
        stored = {
            r.run.period_id: r
            for r in UnitResult.objects.filter(
                run__period__in=result.periods, run__current=True, unit=unit
            ).select_related("run")
        }
        periods = [(p, stored.get(p.pk)) for p in result.periods]
    return render(
        request,
        "kaohe/year_unit.html",
        {
            "scheme": scheme,
            "year": year,
            "unit": unit,
            "result": result,
            "problem": problem,
            "mine": mine,
            "periods": periods,
        },
    )


def _year_download(request, sid, year):
    scheme, _, result, problem = _year(request, sid, year)
    if result is None:
        from django.http import Http404

        raise Http404(problem.message)
    return scheme, result


@login_required
@require_GET
def year_xlsx(request, sid, year):
    scheme, result = _year_download(request, sid, year)
    data = annual_writers.render_xlsx(result.engine, result.groups, result.names)
    return download(data, XLSX, f"{scheme.name}-{year}年度考核结果.xlsx")


@login_required
@require_GET
def year_csv(request, sid, year):
    scheme, result = _year_download(request, sid, year)
    data = annual_writers.render_csv(result.groups, result.names).encode("utf-8")
    return download(data, "text/csv; charset=utf-8", f"{scheme.name}-{year}年度考核结果.csv")
