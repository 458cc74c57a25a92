"""Schemes in the database: load a scheme file into models, and rebuild the engine's Scheme."""

from __future__ import annotations

import tomllib
from decimal import Decimal

from django.db import transaction

from ...errors import SchemeError
from ...scheme import (
    BULLETIN_TEMPLATES,
    Bulletin,
    build_scheme,
    builtin_names,
    load_scheme,
    tier_figures,
    toml_message,
)
from ...scheme import Scheme as EngineScheme
from ..models import ALL_MATERIALS, MATERIAL_KINDS, Indicator, KeyTask, Scheme, Unit, UnitGroup
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


def load_scheme_file(name_or_path: str, user=None, material_kinds: dict | None = None) -> Scheme:
    """Create or update a scheme, its groups, units, indicators and key tasks from a built-in
    scheme or a TOML file: the same path as a TOML imported in the web editor. A scheme that a
    period is scored with is never overwritten (copy it to a new version in the web instead)."""
    text, source = read_scheme_text(name_or_path)
    data, _parsed = parse_scheme_text(text, source)
    with transaction.atomic():
        existing = Scheme.objects.select_for_update().filter(key=str(data.get("key"))).first()
        if existing is not None and existing.source == text:
            return existing  # loaded already, from this very text: nothing to change
        if existing is not None and existing.periods.exists():
            raise SchemeError(
                f"方案 {existing.key} 已有考核期使用，不能覆盖（已计分的结果不因方案改动而变）；"
                "请在网页“方案管理”中以它为基础新建一个版本"
            )
        status = existing.status if existing is not None else Scheme.ACTIVE
        scheme = store_scheme(data, text=text, status=status, into=existing, kinds=material_kinds)
        audit.record(
            user,
            "更新方案" if existing is not None else "载入方案",
            detail=f"{scheme.key}：{name_or_path}",
        )
    return scheme


def read_scheme_text(name_or_path: str) -> tuple[str, str]:
    """A built-in scheme's text by name (daye-2023) or a TOML file's, and where it came from."""
    from importlib import resources
    from pathlib import Path

    text = str(name_or_path)
    if text in builtin_names():
        return (resources.files("kaohe") / "schemes" / f"{text}.toml").read_text("utf-8"), text
    path = Path(text)
    if not path.is_file():
        load_scheme(text)  # the engine's own message: no such built-in scheme or file
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"无法读取方案文件 {path}：{exc}") from None


def parse_scheme_text(text: str, source: str) -> tuple[dict, EngineScheme]:
    """TOML text checked exactly as `kaohe check-scheme` checks it, plus what the web adds:
    valid `materials` kinds. Returns the TOML's data and the engine's
    scheme; raises SchemeError with the checker's Chinese message."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件 {source} 不是有效的 TOML：{toml_message(exc)}") from None
    parsed = build_scheme(data, source)
    data.setdefault("key", parsed.key)
    kinds = [k for k, _ in MATERIAL_KINDS] + [ALL_MATERIALS]
    for g in data["groups"]:
        for ind in g["indicators"]:
            kind = ind.get("materials")
            if kind is not None and kind not in ("", *kinds):
                raise SchemeError(
                    f"方案 {source}：指标“{ind.get('name', ind.get('key'))}”的 materials"
                    f"“{kind}”未知，可选：{'、'.join(kinds)}"
                )
    _check_key_tasks(parsed, source)
    return data, parsed


def _check_key_tasks(parsed: EngineScheme, source: str) -> None:
    """What storing the key tasks relies on: distinct numbers, and leads that are the scheme's
    units by name (a misspelt lead would otherwise be dropped without a word)."""
    names = {u.name for g in parsed.groups for u in g.units}
    numbers: set = set()
    for n, task in enumerate(parsed.key_tasks, start=1):
        number = int(task.get("number", n))
        if number in numbers:
            raise SchemeError(f"方案 {source}：第 {n} 项重点任务的序号 {number} 与前面的重复")
        numbers.add(number)
        unknown = [str(x) for x in task.get("lead", []) if str(x) not in names]
        if unknown:
            raise SchemeError(
                f"方案 {source}：第 {n} 项重点任务的牵头单位“{'、'.join(unknown)}”不是方案中的"
                "单位（请写单位的全称）"
            )


def default_material_kind(key: str, category: str, kinds: dict | None = None) -> str:
    """An indicator counted from materials when its TOML says nothing (daye-2023's keys)."""
    kinds = DEFAULT_MATERIAL_KINDS if kinds is None else kinds
    return kinds.get(key, "") if category == "工作任务" else ""


def store_scheme(
    data: dict, *, text: str, status: str, into: Scheme | None = None, kinds=None, based_on=None
) -> Scheme:
    """Write checked TOML data (parse_scheme_text) to the database: into an existing scheme
    that no period uses (rows matched by group key, unit name and indicator key, so they keep
    their identity; rows the data no longer has are deleted), or a new one."""
    parsed = build_scheme(data, "方案")
    values = dict(
        name=parsed.name,
        region=parsed.region,
        issuer=parsed.issuer,
        late_notes=list(parsed.late_notes),
        pending_note=parsed.pending_note,
        total_scale=parsed.total_scale,
        total_decimals=parsed.total_decimals,
        source=text,
        bulletin=bulletin_table(parsed.bulletin),
        rules=rules_table(parsed),
        status=status,
    )
    if into is None:
        scheme = Scheme.objects.create(key=parsed.key, based_on=based_on, **values)
    else:
        scheme = into
        for name, value in values.items():
            setattr(scheme, name, value)
        scheme.save()
    raw_groups = {str(g["key"]): g for g in data["groups"]}
    kept_groups = []
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
        kept_groups.append(group.pk)
        kept = [_store_unit(group, u, u_order).pk for u_order, u in enumerate(g.units)]
        Unit.objects.filter(group=group).exclude(pk__in=kept).delete()
        raw = {str(i["key"]): i for i in raw_groups[g.key]["indicators"]}
        # a tiered indicator's tier rows follow it: what a unit enters, in the scheme's order
        rows = []
        for ind in g.indicators:
            rows += [(ind, ind)] + [(ind, t) for t in tier_figures(ind) if t.tier]
        kept = []
        for i_order, (ind, row) in enumerate(rows):
            kind = raw[ind.key].get("materials") if row is ind else ""
            if kind is None:
                kind = default_material_kind(row.key, row.category, kinds)
            kept.append(
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
                        annex=annex_table(row.annex) if row is ind else None,
                        material_kind=kind,
                        veto=row.veto,
                        tier_of=row.tier_of,
                        tier=row.tier,
                        order=i_order,
                    ),
                )[0].pk
            )
        Indicator.objects.filter(group=group).exclude(pk__in=kept).delete()
    UnitGroup.objects.filter(scheme=scheme).exclude(pk__in=kept_groups).delete()
    kept = []
    for n, task in enumerate(parsed.key_tasks, start=1):
        kt, _ = KeyTask.objects.update_or_create(
            scheme=scheme,
            number=int(task.get("number", n)),
            defaults=dict(title=str(task["title"])),
        )
        kept.append(kt.pk)
        leads = [str(x) for x in task.get("lead", [])]
        kt.lead_units.set(Unit.objects.filter(group__scheme=scheme, name__in=leads))
    KeyTask.objects.filter(scheme=scheme).exclude(pk__in=kept).delete()
    return scheme


def _store_unit(group: UnitGroup, u, order: int) -> Unit:
    """The unit's row: the one of the same name, or, for a unit renamed in the file with its
    old name kept among its aliases, the old row renamed, so that it stays the same unit (its
    reporters, its identity in later versions)."""
    values = dict(short=u.short, aliases=list(u.aliases), order=order)
    row = Unit.objects.filter(group=group, name=u.name).first()
    if row is None:
        row = Unit.objects.filter(group=group, name__in=list(u.aliases)).first()
    if row is None:
        return Unit.objects.create(group=group, name=u.name, **values)
    row.name = u.name
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def annex_table(annex) -> dict | None:
    if annex is None:
        return None
    table = {"number": annex.number, "title": annex.title, "header": annex.header}
    table["unit"] = annex.unit
    if annex.decimals is not None:
        table["decimals"] = annex.decimals
    return table


# --- TOML out ------------------------------------------------------------------------------


def _plain(value):
    """Decimals as TOML numbers: whole ones as integers, others without trailing zeros (the
    database keeps ten decimal places)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return value.normalize()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def export_data(scheme: Scheme) -> dict:
    """The scheme as the TOML table it is written as: what the engine checks, the web's
    `materials` (an indicator counted from uploaded materials) and the key tasks' leads."""
    engine = engine_scheme(scheme)
    data = _scheme_dict(scheme)
    # the rules table keeps numbers as text: written as numbers again
    for c in data.get("categories", []):
        if "cap" in c:
            c["cap"] = Decimal(c["cap"])
    for level in data.get("grades", {}).get("levels", []):
        for name in ("min", "share"):
            if isinstance(level.get(name), str):
                level[name] = Decimal(level[name])
    if "annual" in data:
        data["annual"]["weights"] = [Decimal(w) for w in data["annual"]["weights"]]
        data["annual"] = {k: v for k, v in data["annual"].items() if v}
        if data["annual"] == {"method": "average"}:
            del data["annual"]
    if not data["scoring"]["allow_over"]:
        del data["scoring"]["allow_over"]
    data.pop("key_tasks")
    data["key_tasks"] = [
        {"number": t.number, "title": t.title}
        | ({"lead": [u.name for u in t.lead_units.order_by("group__order", "order")]})
        for t in scheme.key_tasks.prefetch_related("lead_units").order_by("number")
    ]
    for task in data["key_tasks"]:
        if not task["lead"]:
            del task["lead"]
    if not data["key_tasks"]:
        del data["key_tasks"]
    rows = {
        (i.group.key, i.key): i
        for i in Indicator.objects.filter(group__scheme=scheme).select_related("group")
    }
    for g in data["groups"]:
        for u in g["units"]:
            for name in ("short", "aliases"):
                if not u[name]:
                    del u[name]
        for ind in g["indicators"]:
            ind["params"] = dict(engine.group(g["key"]).indicator(ind["key"]).params)
            row = rows[(g["key"], ind["key"])]
            if row.material_kind != default_material_kind(row.key, row.category):
                ind["materials"] = row.material_kind
            for name in ("unit", "note", "aliases", "label", "params"):
                if not ind[name]:
                    del ind[name]
    for name in ("region", "issuer"):
        if not data[name]:
            del data[name]
    bulletin = data["bulletin"]
    for name in list(bulletin):
        if bulletin[name] in ("", [], {}) and name != "ranking":
            del bulletin[name]
    return _plain(data)


def export_toml(scheme: Scheme) -> str:
    """The scheme as a TOML file that `kaohe check-scheme`, `kaohe score` and the web's import
    read back as the same scheme."""
    import tomli_w

    head = f"# {scheme.name}（{scheme.key}）：由考核系统导出，格式见 README“方案文件”一节。\n"
    return head + tomli_w.dumps(export_data(scheme))


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
