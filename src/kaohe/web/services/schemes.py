"""Schemes in the database: load a scheme file into models, and rebuild the engine's Scheme."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from ...errors import SchemeError
from ...scheme import Scheme as EngineScheme
from ...scheme import build_scheme, load_scheme, rules_beyond_the_seed
from ..models import Indicator, KeyTask, Scheme, Unit, UnitGroup
from . import audit

# indicators whose actual figure is the count of uploaded materials of one kind
DEFAULT_MATERIAL_KINDS = {
    "work_plan": "工作计划",
    "briefs": "简报",
    "summaries": "总结",
    "topics": "议题",
    "meetings": "会议纪要",
    "materials": "全部",
}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@transaction.atomic
def load_scheme_file(name_or_path: str, user=None, material_kinds: dict | None = None) -> Scheme:
    """Create or update a scheme, its groups, units, indicators and key tasks from a TOML file."""
    parsed = load_scheme(name_or_path)
    beyond = rules_beyond_the_seed(parsed)
    if beyond:  # the database would drop them and the web would score by other rules
        raise SchemeError(
            f"网站暂不支持方案 {parsed.key} 中的{'、'.join(beyond)}；请用命令行 kaohe score 计分"
        )
    kinds = DEFAULT_MATERIAL_KINDS if material_kinds is None else material_kinds
    source = ""
    try:
        from pathlib import Path

        path = Path(str(name_or_path))
        if path.is_file():
            source = path.read_text(encoding="utf-8")
    except OSError:
        source = ""
    scheme, created = Scheme.objects.update_or_create(
        key=parsed.key,
        defaults=dict(
            name=parsed.name,
            region=parsed.region,
            issuer=parsed.issuer,
            late_notes=list(parsed.late_notes),
            pending_note=parsed.pending_note,
            total_scale=parsed.total_scale,
            total_decimals=parsed.total_decimals,
            source=source,
        ),
    )
    for g_order, g in enumerate(parsed.groups):
        group, _ = UnitGroup.objects.update_or_create(
            scheme=scheme, key=g.key, defaults=dict(name=g.name, title=g.title, order=g_order)
        )
        for u_order, u in enumerate(g.units):
            Unit.objects.update_or_create(
                group=group,
                name=u.name,
                defaults=dict(short=u.short, aliases=list(u.aliases), order=u_order),
            )
        for i_order, ind in enumerate(g.indicators):
            annex = None
            if ind.annex is not None:
                a = ind.annex
                annex = {"number": a.number, "title": a.title, "header": a.header, "unit": a.unit}
                if a.decimals is not None:
                    annex["decimals"] = a.decimals
            Indicator.objects.update_or_create(
                group=group,
                key=ind.key,
                defaults=dict(
                    name=ind.name,
                    label=ind.label,
                    aliases=list(ind.aliases),
                    unit=ind.unit,
                    max_points=ind.max_points,
                    category=ind.category,
                    method=ind.method,
                    params=_jsonable(ind.params),
                    decimals=ind.decimals,
                    note=ind.note,
                    annex=annex,
                    material_kind=kinds.get(ind.key, "") if ind.category == "工作任务" else "",
                    order=i_order,
                ),
            )
    for n, task in enumerate(parsed.key_tasks, start=1):
        kt, _ = KeyTask.objects.update_or_create(
            scheme=scheme,
            number=int(task.get("number", n)),
            defaults=dict(title=str(task["title"])),
        )
        leads = [str(x) for x in task.get("lead", [])]
        if leads:
            kt.lead_units.set(Unit.objects.filter(group__scheme=scheme, name__in=leads))
    audit.record(
        user, "载入方案" if created else "更新方案", detail=f"{scheme.key}：{name_or_path}"
    )
    return scheme


def engine_scheme(scheme: Scheme) -> EngineScheme:
    """The engine's Scheme built from the database (so admin edits take effect)."""
    return build_scheme(_scheme_dict(scheme), f"数据库方案 {scheme.key}")


def _scheme_dict(scheme: Scheme) -> dict:
    groups = []
    for group in scheme.groups.all().order_by("order", "id"):
        indicators = []
        for ind in group.indicators.all().order_by("order", "id"):
            data = {
                "key": ind.key,
                "name": ind.name,
                "unit": ind.unit,
                "max": ind.max_points,
                "category": ind.category,
                "method": ind.method,
                "params": dict(ind.params or {}),
                "decimals": ind.decimals,
                "note": ind.note,
                "aliases": list(ind.aliases or []),
                "label": ind.label,
            }
            if ind.annex:
                data["annex"] = dict(ind.annex)
            indicators.append(data)
        units = [
            {"name": u.name, "short": u.short, "aliases": list(u.aliases or [])}
            for u in group.units.all().order_by("order", "id")
        ]
        groups.append(
            {
                "key": group.key,
                "name": group.name,
                "title": group.title,
                "units": units,
                "indicators": indicators,
            }
        )
    data = {
        "key": scheme.key,
        "name": scheme.name,
        "region": scheme.region,
        "issuer": scheme.issuer,
        "groups": groups,
        "scoring": {
            "late_notes": list(scheme.late_notes or ["迟报材料"]),
            "pending_note": scheme.pending_note or "数据未出，完成任务数暂取目标任务数",
            "total_scale": scheme.total_scale,
            "total_decimals": scheme.total_decimals,
        },
        "key_tasks": [{"number": t.number, "title": t.title} for t in scheme.key_tasks.all()],
    }
    return data


def lookups(scheme: Scheme) -> tuple[dict, dict]:
    """The scheme's units by (group key, name) and indicators by (group key, key)."""
    units = {
        (u.group.key, u.name): u
        for u in Unit.objects.filter(group__scheme=scheme).select_related("group")
    }
    indicators = {
        (i.group.key, i.key): i
        for i in Indicator.objects.filter(group__scheme=scheme).select_related("group")
    }
    return units, indicators


def late_note(scheme: Scheme) -> str:
    return (scheme.late_notes or ["迟报材料"])[0]


def scheme_data(scheme: Scheme) -> dict:
    """The scheme as plain JSON (Decimals as strings), enough to rebuild the engine's Scheme."""
    return _jsonable(_scheme_dict(scheme))
