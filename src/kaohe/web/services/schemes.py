"""Schemes in the database: load a scheme file into models, and rebuild the engine's Scheme."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from ...scheme import BULLETIN_TEMPLATES, Bulletin, build_scheme, load_scheme, tier_figures
from ...scheme import Scheme as EngineScheme
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
            bulletin=bulletin_table(parsed.bulletin),
            rules=rules_table(parsed),
        ),
    )
    for g_order, g in enumerate(parsed.groups):
        group, _ = UnitGroup.objects.update_or_create(
            scheme=scheme,
            key=g.key,
            defaults=dict(
                name=g.name,
                title=g.title,
                order=g_order,
                classes=[{"name": c.name, "units": list(c.units)} for c in g.classes],
            ),
        )
        for u_order, u in enumerate(g.units):
            Unit.objects.update_or_create(
                group=group,
                name=u.name,
                defaults=dict(short=u.short, aliases=list(u.aliases), order=u_order),
            )
        # a tiered indicator's tier rows follow it: what a unit enters, in the scheme's order
        rows = []
        for ind in g.indicators:
            rows += [(ind, ind)] + [(ind, t) for t in tier_figures(ind) if t.tier]
        for i_order, (ind, row) in enumerate(rows):
            annex = None
            if row is ind and ind.annex is not None:
                a = ind.annex
                annex = {"number": a.number, "title": a.title, "header": a.header, "unit": a.unit}
                if a.decimals is not None:
                    annex["decimals"] = a.decimals
            Indicator.objects.update_or_create(
                group=group,
                key=row.key,
                defaults=dict(
                    name=row.name,
                    label=row.label,
                    aliases=list(row.aliases),
                    unit=row.unit,
                    max_points=row.max_points,
                    category=row.category,
                    method=row.method,
                    params=_jsonable(row.params),
                    decimals=row.decimals,
                    note=row.note,
                    annex=annex,
                    material_kind=kinds.get(row.key, "") if row.category == "工作任务" else "",
                    veto=row.veto,
                    tier_of=row.tier_of,
                    tier=row.tier,
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
        for ind in group.indicators.scored().order_by("order", "id"):
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
            if ind.veto:
                data["veto"] = ind.veto
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
                **({"classes": list(group.classes)} if group.classes else {}),
            }
        )
    rules = dict(scheme.rules or {})
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
            "allow_over": bool(rules.get("allow_over", False)),
        },
        "key_tasks": [{"number": t.number, "title": t.title} for t in scheme.key_tasks.all()],
        "bulletin": dict(scheme.bulletin or {}),
        **{k: rules[k] for k in ("categories", "grades", "annual") if k in rules},
    }
    return data


def rules_table(parsed: EngineScheme) -> dict:
    """A scheme's scoring rules as the TOML tables they came from (Decimals as text), for
    Scheme.rules: only those the scheme has."""
    rules: dict = {}
    if parsed.allow_over:
        rules["allow_over"] = True
    if parsed.categories:
        rules["categories"] = [
            {
                "name": c.name,
                **({} if c.cap is None else {"cap": str(c.cap)}),
                "extra": c.extra,
                "subtract": c.subtract,
            }
            for c in parsed.categories.values()
        ]
    if parsed.grading is not None:
        levels = []
        for lv in parsed.grading.levels:
            level = {"name": lv.name}
            for key in ("min", "share", "max_count"):
                value = getattr(lv, key)
                if value is not None:
                    level[key] = value if isinstance(value, int) else str(value)
            levels.append(level)
        rules["grades"] = {"rounding": parsed.grading.rounding, "levels": levels}
    a = parsed.annual
    rules["annual"] = {
        "method": a.method,
        "weights": [str(w) for w in a.weights],
        "periods": list(a.periods),
    }
    return rules


def bulletin_table(bulletin: Bulletin) -> dict:
    """A scheme's [bulletin] as the TOML table it came from: only the sentences it rewords."""
    return {
        "templates": {
            name: text
            for name, text in bulletin.templates.items()
            if text != BULLETIN_TEMPLATES[name][0]
        },
        "theme": bulletin.theme,
        "masthead": bulletin.masthead,
        "doc_number": bulletin.doc_number,
        "copy_to": bulletin.copy_to,
        "printer": bulletin.printer,
        "ranking": bulletin.ranking,
        "clauses": [list(c) for c in bulletin.clauses],
        "list_limit": bulletin.list_limit,
    }


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
