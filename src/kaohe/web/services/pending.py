"""数据未出 is a declaration, never a default: the bureau, or the department that provides an
indicator, declares it for a period, for every unit or for chosen ones, audited. A figure that is
neither reported nor declared is 未报送 (0 points)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ..models import Indicator, PendingDeclaration, Period, Unit
from . import audit, rules
from .errors import ServiceError


@dataclass
class Declared:
    """What is declared 数据未出 in a period: whole indicators and (unit, indicator) pairs."""

    indicators: set[int] = field(default_factory=set)
    pairs: set[tuple[int, int]] = field(default_factory=set)
    reasons: dict[int, list[str]] = field(default_factory=dict)  # indicator id → shown text

    def covers(self, unit_id: int, indicator_id: int) -> bool:
        return indicator_id in self.indicators or (unit_id, indicator_id) in self.pairs


def declared(period: Period) -> Declared:
    out = Declared()
    for d in PendingDeclaration.objects.filter(period=period).prefetch_related("units"):
        units = list(d.units.all())
        if units:
            out.pairs.update((u.id, d.indicator_id) for u in units)
            who = "、".join(u.name for u in units)
        else:
            out.indicators.add(d.indicator_id)
            who = "全部单位"
        out.reasons.setdefault(d.indicator_id, []).append(f"{who}数据未出（{d.reason}）")
    return out


def declare_pending(
    period: Period, indicator: Indicator, user, *, units: list[Unit] | None, reason: str
) -> PendingDeclaration:
    """Declare an indicator 数据未出 for every unit (units empty or None) or the chosen ones."""
    if not reason.strip():
        raise ServiceError("声明数据未出必须填写说明（例如：统计部门一季度数据未发布）")
    units = list(units or [])
    if any(u.group_id != indicator.group_id for u in units):
        raise ServiceError("所选单位不在这个指标的考核分组中")
    if indicator.material_kind:
        raise ServiceError("由材料计数的指标不能声明数据未出：没有材料即完成 0 份")
    with transaction.atomic():
        period = rules.locked_period(
            period, "declare_pending", rules.role_of(user, indicator=indicator)
        )
        declaration = PendingDeclaration.objects.create(
            period=period, indicator=indicator, reason=reason.strip(), declared_by=user
        )
        declaration.units.set(units)
        audit.record(
            user,
            "声明数据未出",
            period=period,
            indicator=indicator,
            field="数据未出",
            new="、".join(u.name for u in units) or "全部单位",
            detail=reason.strip(),
        )
    return declaration


def withdraw_pending(declaration: PendingDeclaration, user) -> None:
    with transaction.atomic():
        period = rules.locked_period(
            declaration.period_id,
            "declare_pending",
            rules.role_of(user, indicator=declaration.indicator),
        )
        audit.record(
            user,
            "撤销数据未出声明",
            period=period,
            indicator=declaration.indicator,
            field="数据未出",
            old="、".join(u.name for u in declaration.units.all()) or "全部单位",
            detail=declaration.reason,
        )
        declaration.delete()
