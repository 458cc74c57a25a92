"""Who may see and change what. Each helper returns the object(s) and whether the user may write,
or raises PermissionDenied (403) / Http404. Views call these first, services never guess."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from .models import Indicator, Material, Membership, Period, Scheme, Unit, UnitReport
from .services import rules


class Caps:
    """What a user may do, read once per request from the user's membership; the ids of the
    indicators the user provides are read only when a page needs them."""

    __slots__ = (
        "admin",
        "read_all",
        "report",
        "unit_id",
        "unit_identity",
        "provides_any",
        "_membership",
        "_ids",
    )

    def __init__(self, admin=False, read_all=False, report=False, unit_id=None, membership=None):
        self.admin = admin
        self.read_all = read_all
        self.report = report
        self.unit_id = unit_id
        # the user's unit in every scheme version (a unit's copies share it)
        self.unit_identity = None
        if membership is not None and membership.unit is not None:
            self.unit_identity = membership.unit.identity
        self.provides_any = bool(membership is not None and membership.provides_any)
        self._membership = membership
        self._ids = None

    @property
    def provides(self) -> frozenset:
        """Identities of the indicators whose figures the user provides for all units (the
        same in every scheme version: compare with Indicator.identity)."""
        if self._ids is None:
            self._ids = frozenset()
            if self.provides_any:
                rows = self._membership.can_provide.values_list("id", "origin_id")
                self._ids = frozenset(origin or pk for pk, origin in rows)
        return self._ids

    def owns(self, unit: Unit) -> bool:
        """Is `unit` (of any scheme version) the user's own unit?"""
        return (
            self.report and self.unit_identity is not None and unit.identity == self.unit_identity
        )

    @property
    def has_role(self) -> bool:
        return self.admin or self.read_all or self.report or self.provides_any

    @property
    def sees_everything(self) -> bool:
        return self.admin or self.read_all


def membership(user) -> Membership | None:
    """The user's membership with its unit and whether it provides any indicator (one query,
    read once per request)."""
    if not hasattr(user, "_kaohe_membership"):
        provides = Membership.can_provide.through.objects.filter(membership=OuterRef("pk"))
        # at most one row (one membership per user): no ORDER BY as .first() would add
        rows = (
            Membership.objects.select_related("unit")
            .annotate(provides_any=Exists(provides))
            .filter(user=user)[:1]
        )
        user._kaohe_membership = next(iter(rows), None)
        if user._kaohe_membership is not None:  # role_label needs no query of its own
            user._kaohe_membership._provides = user._kaohe_membership.provides_any
    return user._kaohe_membership


def caps(user) -> Caps:
    if not user.is_authenticated:
        return Caps()
    if not hasattr(user, "_kaohe_caps"):
        m = membership(user)
        if m is None:
            user._kaohe_caps = Caps(admin=user.is_superuser)
        else:
            user._kaohe_caps = Caps(
                admin=m.can_admin or user.is_superuser,
                read_all=m.can_read_all,
                report=m.can_report and m.unit_id is not None,
                unit_id=m.unit_id,
                membership=m,
            )
    return user._kaohe_caps


def own_unit(user, scheme) -> Unit | None:
    """The user's own unit in one scheme version (None when it has none there)."""
    c = caps(user)
    if not c.report or c.unit_identity is None:
        return None
    identity = c.unit_identity
    return (
        Unit.objects.select_related("group")
        .filter(Q(pk=identity) | Q(origin_id=identity), group__scheme=scheme)
        .first()
    )


def provided_indicators(user, scheme) -> list[Indicator]:
    """The indicators of one scheme version whose figures the user provides."""
    ids = caps(user).provides
    if not ids:
        return []
    return list(
        Indicator.objects.filter(Q(pk__in=ids) | Q(origin_id__in=ids), group__scheme=scheme)
        .select_related("group")
        .order_by("group__order", "order")
    )


def context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"caps": caps(user), "membership": membership(user)}


def _period(period_id) -> Period:
    try:
        return Period.objects.select_related("scheme").get(pk=period_id)
    except (Period.DoesNotExist, ValueError, TypeError):
        raise Http404("没有这个考核期") from None


def _unit(period: Period, unit_id) -> Unit:
    try:
        return Unit.objects.select_related("group").get(
            pk=unit_id, group__scheme_id=period.scheme_id
        )
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("没有这个单位") from None


def get_period(user, period_id) -> tuple[Period, bool]:
    """Any signed-in user with a role sees the list of periods; only the bureau changes them."""
    c = caps(user)
    if not c.has_role:
        raise PermissionDenied("您的账号还没有分配角色，请联系管理员")
    period = _period(period_id)
    return period, c.admin


def require_admin(user) -> Caps:
    c = caps(user)
    if not c.admin:
        raise PermissionDenied("只有管理员（科技局）可以进行此操作")
    return c


def require_overview(user) -> Caps:
    c = caps(user)
    if not c.sees_everything:
        raise PermissionDenied("只有科技局和领导可以查看")
    return c


def reporter_may_write(period: Period, unit: Unit) -> bool:
    """The services' rule table, asked for the unit's own deadline and report state."""
    report = UnitReport.objects.filter(period=period, unit=unit).first()
    return rules.allowed(period, "enter", rules.REPORTER, report)


_ENTRY_DENIED = "您只能查看和填报本单位的数据"
_UNREAD = object()  # the unit's report has not been read yet


def get_unit_entry(user, period_id, unit_id) -> tuple[Period, Unit, bool]:
    """A unit's figures in a period: (period, unit, may the user change them)."""
    return _unit_access(user, period_id, unit_id, _ENTRY_DENIED)


def get_unit_entry_report(user, period_id, unit_id):
    """As get_unit_entry, and the unit's report in the period (None before any), read once for
    both the rule and the entry page that shows it: (period, unit, may write, report)."""
    c = caps(user)
    period = _period(period_id)
    unit = _unit(period, unit_id)
    report = UnitReport.objects.filter(period=period, unit=unit).first()
    return period, unit, _may_write(c, period, unit, _ENTRY_DENIED, report), report


def _unit_access(user, period_id, unit_id, denied: str) -> tuple[Period, Unit, bool]:
    c = caps(user)
    period = _period(period_id)
    unit = _unit(period, unit_id)
    return period, unit, _may_write(c, period, unit, denied)


def _may_write(c: Caps, period: Period, unit: Unit, denied: str, report=_UNREAD) -> bool:
    """May the user change the unit's figures; report: the unit's report (or None) when the
    caller has read it already."""
    if c.admin:
        return rules.allowed(period, "enter", rules.BUREAU)
    if c.read_all:
        return False
    if c.owns(unit):
        if report is _UNREAD:
            return reporter_may_write(period, unit)
        return rules.allowed(period, "enter", rules.REPORTER, report)
    raise PermissionDenied(denied)


def get_indicator_for_provider(user, period_id, indicator_id) -> tuple[Period, Indicator, bool]:
    c = caps(user)
    period = _period(period_id)
    try:
        indicator = Indicator.objects.select_related("group").get(
            pk=indicator_id, group__scheme_id=period.scheme_id
        )
    except (Indicator.DoesNotExist, ValueError):
        raise Http404("没有这个指标") from None
    if c.admin:
        return period, indicator, rules.allowed(period, "enter", rules.BUREAU)
    if indicator.identity in c.provides:
        return period, indicator, rules.allowed(period, "enter", rules.PROVIDER)
    if c.read_all:
        return period, indicator, False
    raise PermissionDenied("您不是这个指标的数据提供部门")


def get_provided_indicators(user, period_id) -> tuple[Period, list[Indicator], bool]:
    """A data-providing department's indicators in a period: (period, indicators, may it upload
    now). It writes while the period is 填报中, as in its per-indicator form."""
    c = caps(user)
    if not c.provides:
        raise PermissionDenied(
            "只有数据提供部门使用此页面；科技局请在考核期页面“导入任务数 / 数据（Excel）”"
        )
    period = _period(period_id)
    indicators = provided_indicators(user, period.scheme)
    if not indicators:
        raise PermissionDenied("本期的考核方案中没有您负责提供的指标")
    return period, indicators, rules.allowed(period, "enter", rules.PROVIDER)


def get_unit_materials(user, period_id, unit_id) -> tuple[Period, Unit, bool]:
    """Materials: the unit's reporter uploads until the late window closes; the bureau any time
    before locking."""
    return _unit_access(user, period_id, unit_id, "您只能查看和报送本单位的材料")


def get_material(user, material_id) -> tuple[Material, bool]:
    """One material: (material, may the user delete or replace it) under the same rules as the
    unit's materials page. Other units' materials are denied, leaders only read."""
    try:
        material = Material.objects.select_related("period__scheme", "unit__group").get(
            pk=material_id
        )
    except (Material.DoesNotExist, ValueError):
        raise Http404("没有这份材料") from None
    _, _, may_write = get_unit_materials(user, material.period_id, material.unit_id)
    return material, may_write


def may_delete_material(user, material: Material) -> bool:
    """A unit may not delete its own late material: without it the count would only be short,
    so deleting would lift the scheme's late rule (迟报材料 → 0 points). The bureau may."""
    return caps(user).admin or not material.late


def results_visible(user, period: Period) -> bool:
    c = caps(user)
    if c.sees_everything:
        return True
    return period.state == Period.PUBLISHED and (c.report or c.provides_any)


def get_results(user, period_id) -> Period:
    period, _ = get_period(user, period_id)
    if not results_visible(user, period):
        raise PermissionDenied("考核结果尚未发布")
    return period


def get_unit_result(user, period_id, unit_id) -> tuple[Period, Unit]:
    """Each unit sees the published ranking and its own detail; bureau and leaders see all."""
    period = get_results(user, period_id)
    unit = _unit(period, unit_id)
    c = caps(user)
    if c.sees_everything or c.owns(unit):
        return period, unit
    raise PermissionDenied("您只能查看本单位的得分明细")


def get_unit_whatif(user, period_id, unit_id) -> tuple[Period, Unit]:
    """如何前进一名 follows the unit's score detail: the bureau (and its leaders) for every unit,
    a unit's reporter for its own unit only, once the results are published."""
    period = get_results(user, period_id)
    unit = _unit(period, unit_id)
    c = caps(user)
    if c.sees_everything or c.owns(unit):
        return period, unit
    raise PermissionDenied("您只能查看本单位如何前进一名")


def get_objection_unit(user, period_id) -> tuple[Period, Unit]:
    """The unit on whose behalf the user may raise an objection."""
    period, _ = get_period(user, period_id)
    c = caps(user)
    if not c.report:
        raise PermissionDenied("只有被考核单位的填报员可以提出异议")
    if period.state != Period.PUBLISHED:
        raise PermissionDenied("考核结果尚未发布")
    unit = own_unit(user, period.scheme)
    if unit is None:
        raise PermissionDenied("本单位不在这一期的考核方案中")
    return period, unit


def get_year(user, scheme_id) -> tuple[Scheme, Caps]:
    """A scheme's year result: the bureau and leaders see every unit, a unit's reporter its own
    unit (once the year's periods are published: see year_visible)."""
    c = caps(user)
    if not (c.sees_everything or c.report):
        raise PermissionDenied("只有科技局、领导和被考核单位可以查看年度结果")
    try:
        return Scheme.objects.get(pk=scheme_id), c
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404("没有这个考核方案") from None


def year_visible(c: Caps, year) -> None:
    """A unit sees a year only when every period counted in it is published."""
    if not c.sees_everything and not year.published:
        raise PermissionDenied("本年度还有考核期的结果尚未发布")


def get_year_unit(user, scheme_id, unit_id) -> tuple[Scheme, Unit, Caps]:
    scheme, c = get_year(user, scheme_id)
    try:
        unit = Unit.objects.select_related("group").get(pk=unit_id, group__scheme=scheme)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("没有这个单位") from None
    if c.sees_everything or c.owns(unit):
        return scheme, unit, c
    raise PermissionDenied("您只能查看本单位的年度结果")
