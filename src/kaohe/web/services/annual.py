"""A year's result on the web: the periods of one year with a computed result, combined as the
scheme's [annual] says (annual.py: weighted average, sum, or the last period's cumulative
figures). Each period counts with its current run, exactly as its results page shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...annual import AnnualGroup, combine
from ...errors import InputErrors, KaoheError
from ...scheme import ANNUAL_METHODS
from ..models import Period, Scheme, ScoreRun
from . import periods as period_service
from .errors import ServiceError


@dataclass
class Year:
    scheme: Scheme
    year: int
    periods: list[Period]  # counted, in order
    waiting: list[Period]  # the year's periods without a result yet: not counted
    names: list[str] = field(default_factory=list)
    groups: list[AnnualGroup] = field(default_factory=list)
    method: str = ""  # how the year is made, in Chinese
    engine: object = None  # the engine's Scheme of the last period (the writers' titles)

    @property
    def published(self) -> bool:
        """Every counted period is published (what a unit may see)."""
        return all(p.state == Period.PUBLISHED for p in self.periods)


def year_periods(scheme: Scheme, year: int) -> tuple[list[Period], list[Period]]:
    """The year's periods of one kind (quarters when there are any, else months), in order:
    (those with a current result, those without)."""
    periods = list(Period.objects.filter(scheme=scheme, year=year).order_by("kind", "number"))
    kind = "quarter" if any(p.kind == "quarter" for p in periods) else "month"
    periods = [p for p in periods if p.kind == kind]
    scored = set(
        ScoreRun.objects.filter(period__in=periods, current=True).values_list(
            "period_id", flat=True
        )
    )
    return [p for p in periods if p.pk in scored], [p for p in periods if p.pk not in scored]


def year_result(scheme: Scheme, year: int) -> Year:
    """The year combined from its computed periods; ServiceError when there is none, or when the
    periods do not fit the scheme's [annual] (three weights, two periods) or each other."""
    counted, waiting = year_periods(scheme, year)
    if not counted:
        raise ServiceError(f"{year} 年还没有计算过得分的考核期")
    result = Year(scheme, year, counted, waiting)
    runs = [period_service.current_run(p) for p in counted]
    try:
        engine_results = [period_service.run_result(r) for r in runs]
        combined = combine(
            engine_results[0].scheme, engine_results, names=[p.name for p in counted]
        )
    except InputErrors as exc:
        raise ServiceError("无法合成年度结果：", [str(e) for e in exc.errors]) from None
    except KaoheError as exc:
        raise ServiceError(f"无法合成年度结果：{exc}") from None
    annual = engine_results[-1].scheme.annual
    result.names = list(annual.periods) or [p.name for p in counted]
    result.groups = combined
    result.engine = engine_results[-1].scheme
    result.method = ANNUAL_METHODS[annual.method]
    if annual.weights:
        weights = "、".join(format(w, "f") for w in annual.weights)
        result.method += f"（权重 {weights}）"
    return result


def only_units(groups: list[AnnualGroup], units) -> list[AnnualGroup]:
    """The groups (classes) holding these units (web Units), with only their rows: what a unit
    sees of the year is its own."""
    wanted = {(u.group.key, u.name) for u in units}
    out = []
    for g in groups:
        mine = [u for u in g.units if (g.group.key, u.unit) in wanted]
        if mine:
            out.append(AnnualGroup(g.group, g.class_name, mine))
    return out
