"""Writing a scheme in the web: copy a version to a new draft, edit the draft's groups, units and
indicators, import and export TOML, activate or retire a version.

Only a draft is edited, and a draft has no periods (periods are created on active versions),
so no edit reaches a period already scored. Every change is checked by the engine's own scheme
checker (kaohe.scheme.build_scheme, what `kaohe check-scheme` runs) on the whole scheme as it
would be after the change, before anything is written; a refusal names the form field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from ...errors import SchemeError
from ...numbers import plain
from ...scheme import Scheme as EngineScheme
from ...scheme import build_scheme
from ..models import Indicator, KeyTask, Scheme, Unit, UnitGroup
from . import audit
from .errors import ServiceError
from .schemes import (
    _jsonable,
    _scheme_dict,
    engine_scheme,
    export_toml,
    parse_scheme_text,
    store_scheme,
)


class SchemeEditError(ServiceError):
    """A change the scheme checker refuses; `field` is the form field it belongs to ("" for
    the whole form)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _draft(scheme: Scheme) -> Scheme:
    """The scheme locked for the change, refused unless it is a draft."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != Scheme.DRAFT:
        raise ServiceError(
            f"方案“{scheme.name}”为{scheme.get_status_display()}状态，不能修改；"
            "请以它为基础新建一个版本（草稿）后修改"
        )
    return scheme


def _check(data: dict, key: str = "") -> EngineScheme:
    """The engine's checks on the whole candidate scheme; its message, on the right field."""
    try:
        return build_scheme(data, "")
    except SchemeError as exc:
        message = str(exc).removeprefix("方案 ：")
        field = field_of_path(exc.problems[0].path if exc.problems else ()) or field_of(
            message, key
        )
        if field and key and f"（{key}）" in message:  # beside the field: without where it is
            message = message.split(f"（{key}）", 1)[1].removeprefix("的")
        raise SchemeEditError(message, field) from None


#: words of the checker's messages -> the form field they belong to, first match wins
_FIELD_WORDS = (
    ("params", "params"),
    ("附件", "annex_unit"),
    ("annex", "annex_number"),
    ("max", "max_points"),
    ("满分", "max_points"),
    ("计分方法", "method"),
    ("指标 key", "key"),
    ("单位名称或别名", "name"),
    ("指标名称或别名", "name"),
    ("缺少“name”", "name"),
)


#: a key of a unit's or an indicator's TOML table -> its form field
_PATH_FIELDS = {"max": "max_points", "annex": "annex_number", "materials": "material_kind"}
_PATH_FIELDS |= {k: k for k in ("name", "short", "aliases", "key", "unit", "category", "method")}
_PATH_FIELDS |= {k: k for k in ("params", "decimals", "note", "label")}


def field_of_path(path: tuple) -> str:
    """The form field of a checker's problem path (groups[0].indicators[2].max -> max_points)."""
    for n, part in enumerate(path):
        if part in ("indicators", "units") and len(path) > n + 2:
            name, rest = path[n + 2], path[n + 3 :]
            if name == "annex" and rest:
                return f"annex_{rest[0]}"
            return _PATH_FIELDS.get(name, "")
    return ""


def field_of(message: str, key: str = "") -> str:
    """The form field a checker's message is about. The message starts with where it is (the
    group, the indicator's number and key), which is left out so that a key is not a word."""
    tail = message.split(f"（{key}）", 1)[-1] if key else message
    for word, name in _FIELD_WORDS:
        if word in tail:
            return name
    return ""


def _check_named(data: dict, values: dict, key: str = "") -> EngineScheme:
    """As _check; a repeated name that is not the item's own name is one of its aliases."""
    try:
        return _check(data, key)
    except SchemeEditError as exc:
        if exc.field == "name" and f"“{values['name']}”" not in exc.message:
            exc.field = "aliases"
        raise


def _group_data(data: dict, group: UnitGroup) -> dict:
    return next(g for g in data["groups"] if g["key"] == group.key)


def _record(user, action: str, scheme: Scheme, old: dict, new: dict, labels: dict, **where):
    what = where.pop("what", "")
    detail = f"方案 {scheme.key}（草稿）" + (f"：{what}" if what else "")
    for name, label in labels.items():
        if old.get(name) != new.get(name):
            audit.record(
                user,
                action,
                field=label,
                old=_show(old.get(name)),
                new=_show(new.get(name)),
                detail=detail,
                **where,
            )


def _show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k} = {_show(v)}" for k, v in value.items())
    if value is None:
        return ""
    try:
        return plain(value)
    except (TypeError, AttributeError, ValueError):
        return str(value)


# --- versions ------------------------------------------------------------------------------


def copy_scheme(source: Scheme, *, key: str, name: str, user) -> Scheme:
    """A new draft with everything of `source` (以2023年方案为基础新建2024年方案). Its units and
    indicators keep the identity of those they copy, so a unit's reporter reports for it in
    the new version too."""
    key, name = key.strip(), name.strip()
    if not KEY_PATTERN.match(key):
        raise SchemeEditError("方案代号只能用小写字母、数字、连字符和下划线，如 daye-2024", "key")
    if not name:
        raise SchemeEditError("请填写方案名称", "name")
    with transaction.atomic():
        if Scheme.objects.filter(key=key).exists():
            raise SchemeEditError(f"方案代号 {key} 已被使用", "key")
        copy = Scheme.objects.create(
            key=key,
            name=name,
            region=source.region,
            issuer=source.issuer,
            late_notes=list(source.late_notes or []),
            pending_note=source.pending_note,
            total_scale=source.total_scale,
            total_decimals=source.total_decimals,
            bulletin=dict(source.bulletin or {}),
            rules=dict(source.rules or {}),
            status=Scheme.DRAFT,
            based_on=source,
        )
        units = {}
        for g in source.groups.order_by("order", "id"):
            group = UnitGroup.objects.create(
                scheme=copy,
                key=g.key,
                name=g.name,
                title=g.title,
                order=g.order,
                classes=list(g.classes or []),
            )
            for u in g.units.order_by("order", "id"):
                units[u.pk] = Unit.objects.create(
                    group=group,
                    name=u.name,
                    short=u.short,
                    aliases=list(u.aliases or []),
                    order=u.order,
                    origin_id=u.identity,
                )
            for i in g.indicators.order_by("order", "id"):
                Indicator.objects.create(
                    group=group,
                    **{f: getattr(i, f) for f in (*INDICATOR_FIELDS, "tier_of", "tier")},
                    order=i.order,
                    origin_id=i.identity,
                )
        for t in source.key_tasks.prefetch_related("lead_units"):
            task = KeyTask.objects.create(scheme=copy, number=t.number, title=t.title)
            task.lead_units.set([units[u.pk] for u in t.lead_units.all() if u.pk in units])
        audit.record(
            user,
            "新建方案版本",
            detail=f"以 {source.key}（{source.name}）为基础新建 {key}（{name}）",
        )
    return copy


def activate_scheme(scheme: Scheme, user) -> Scheme:
    """The explicit step that makes a draft a version periods can be created on. Checked
    again as a whole, through the TOML path (what `kaohe check-scheme` would say of its
    export); its TOML text is kept with it."""
    with transaction.atomic():
        scheme = _draft(scheme)
        text = export_toml(scheme)
        try:
            parse_scheme_text(text, scheme.key)
        except SchemeError as exc:
            raise ServiceError(f"方案未通过检查，不能启用：{exc}") from None
        scheme.source = text
        scheme.status = Scheme.ACTIVE
        scheme.save(update_fields=["source", "status"])
        audit.record(user, "启用方案", field="状态", old="草稿", new="启用", detail=scheme.key)
    return scheme


def retire_scheme(scheme: Scheme, user) -> Scheme:
    """No new periods on this version; its periods and results stay as they are."""
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.status != Scheme.ACTIVE:
            raise ServiceError(f"方案为{scheme.get_status_display()}状态，不能停用")
        scheme.status = Scheme.RETIRED
        scheme.save(update_fields=["status"])
        audit.record(user, "停用方案", field="状态", old="启用", new="停用", detail=scheme.key)
    return scheme


def delete_draft(scheme: Scheme, user) -> None:
    with transaction.atomic():
        scheme = _draft(scheme)
        audit.record(user, "删除方案草稿", detail=f"{scheme.key}（{scheme.name}）")
        scheme.delete()


# --- the draft's own settings, groups, units and indicators --------------------------------

SCHEME_LABELS = {"name": "方案名称", "region": "地区", "issuer": "发文单位"}
SCHEME_LABELS |= {"pending_note": "数据未出说明", "total_decimals": "总分小数位"}


def update_scheme(scheme: Scheme, user, **values) -> Scheme:
    with transaction.atomic():
        scheme = _draft(scheme)
        data = _scheme_dict(scheme)
        old = {k: getattr(scheme, k) for k in values}
        for name in ("name", "region", "issuer"):
            if name in values:
                data[name] = values[name]
        data["scoring"]["pending_note"] = values.get("pending_note", scheme.pending_note)
        data["scoring"]["total_decimals"] = values.get("total_decimals", scheme.total_decimals)
        _check(data)
        for name, value in values.items():
            setattr(scheme, name, value)
        scheme.save()
        _record(user, "修改方案", scheme, old, values, SCHEME_LABELS)
    return scheme


GROUP_LABELS = {"name": "分组名称", "title": "标题"}


def update_group(group: UnitGroup, user, **values) -> UnitGroup:
    with transaction.atomic():
        scheme = _draft(group.scheme)
        data = _scheme_dict(scheme)
        _group_data(data, group).update(values)
        _check(data)
        old = {k: getattr(group, k) for k in values}
        for name, value in values.items():
            setattr(group, name, value)
        group.save()
        _record(user, "修改方案分组", scheme, old, values, GROUP_LABELS, what=group.name)
    return group


UNIT_LABELS = {"name": "单位名称", "short": "简称", "aliases": "别名"}


def save_unit(group: UnitGroup, user, unit: Unit | None = None, **values) -> Unit:
    """Add a unit to the group (unit=None) or change one: name, short name, aliases."""
    with transaction.atomic():
        scheme = _draft(group.scheme)
        data = _scheme_dict(scheme)
        units = _group_data(data, group)["units"]
        entry = {"name": values["name"], "short": values["short"], "aliases": values["aliases"]}
        rows = list(group.units.order_by("order", "id"))
        if unit is None:
            units.append(entry)
        else:
            units[[u.pk for u in rows].index(unit.pk)] = entry
        _check_named(data, values)
        old = {} if unit is None else {k: getattr(unit, k) for k in UNIT_LABELS}
        if unit is None:
            unit = Unit.objects.create(group=group, order=len(rows), **values)
            audit.record(user, "新增方案单位", unit=unit, detail=f"方案 {scheme.key}（草稿）")
        else:
            for name, value in values.items():
                setattr(unit, name, value)
            unit.save()
            _record(user, "修改方案单位", scheme, old, values, UNIT_LABELS, unit=unit)
    return unit


def delete_unit(unit: Unit, user) -> None:
    with transaction.atomic():
        scheme = _draft(unit.group.scheme)
        data = _scheme_dict(scheme)
        group = _group_data(data, unit.group)
        group["units"] = [u for u in group["units"] if u["name"] != unit.name]
        _check(data)
        audit.record(user, "删除方案单位", detail=f"方案 {scheme.key}（草稿）：{unit.name}")
        unit.delete()


# --- key tasks (重点任务: leading units report their progress each period) ---------------------

TASK_LABELS = {"number": "序号", "title": "任务名称", "lead_units": "牵头单位"}


def save_task(scheme: Scheme, user, task: KeyTask | None = None, **values) -> KeyTask:
    """Add a key task to a draft (task=None) or change one: number, title, leading units."""
    with transaction.atomic():
        scheme = _draft(scheme)
        title = values["title"].strip()
        if not title:
            raise SchemeEditError("任务名称不能为空", "title")
        taken = scheme.key_tasks.filter(number=values["number"])
        if task is not None:
            taken = taken.exclude(pk=task.pk)
        if taken.exists():
            raise SchemeEditError(
                f"序号 {values['number']} 已有重点任务“{taken[0].title}”", "number"
            )
        leads = list(values["lead_units"])
        if any(u.group.scheme_id != scheme.pk for u in leads):
            raise SchemeEditError("牵头单位应为本方案中的单位", "lead_units")
        old = {} if task is None else _task_values(task)
        if task is None:
            task = KeyTask.objects.create(scheme=scheme, number=values["number"], title=title)
        else:
            task.number, task.title = values["number"], title
            task.save()
        task.lead_units.set(leads)
        new = _task_values(task)
        action = "新增重点任务" if not old else "修改重点任务"
        _record(user, action, scheme, old, new, TASK_LABELS, what=f"（{task.number}）{title}")
    return task


def _task_values(task: KeyTask) -> dict:
    leads = [u.name for u in task.lead_units.order_by("group__order", "order", "id")]
    return {"number": task.number, "title": task.title, "lead_units": leads}


def delete_task(task: KeyTask, user) -> None:
    with transaction.atomic():
        scheme = _draft(task.scheme)
        audit.record(user, "删除重点任务", detail=f"方案 {scheme.key}（草稿）：{task}")
        task.delete()


INDICATOR_FIELDS = (
    "key",
    "name",
    "label",
    "aliases",
    "unit",
    "max_points",
    "category",
    "method",
    "params",
    "decimals",
    "note",
    "annex",
    "material_kind",
    "veto",
)
INDICATOR_LABELS = {f: str(Indicator._meta.get_field(f).verbose_name) for f in INDICATOR_FIELDS}


def indicator_table(values: dict) -> dict:
    """An indicator's form values as the scheme's TOML table (what the checker reads)."""
    table = {
        "key": values["key"],
        "name": values["name"],
        "label": values["label"],
        "aliases": list(values["aliases"]),
        "unit": values["unit"],
        "max": values["max_points"],
        "category": values["category"],
        "method": values["method"],
        "params": dict(values["params"]),
        "decimals": values["decimals"],
        "note": values["note"],
    }
    if values.get("annex"):
        table["annex"] = dict(values["annex"])
    if values.get("veto"):
        table["veto"] = values["veto"]
    return table


def save_indicator(group: UnitGroup, user, indicator: Indicator | None = None, **values):
    """Add an indicator (indicator=None) or change one. Its key is fixed once made (figures,
    exports and the bulletin's clauses name it)."""
    with transaction.atomic():
        scheme = _draft(group.scheme)
        data = _scheme_dict(scheme)
        tables = _group_data(data, group)["indicators"]
        rows = list(group.indicators.scored().order_by("order", "id"))
        tiered = "tiers" in (values.get("params") or {}) or (
            indicator is not None and "tiers" in (indicator.params or {})
        )
        if tiered and (indicator is None or _tiers(values["params"]) != _tiers(indicator.params)):
            raise SchemeEditError(
                "分档计件（tiers）的档次决定各单位填报哪几项数字，网页上暂不能增删或修改；"
                "请导出 TOML 修改后导入",
                "params",
            )
        if indicator is not None:
            values["key"] = indicator.key
            tables[[i.pk for i in rows].index(indicator.pk)] = indicator_table(values)
        else:
            tables.append(indicator_table(values))
        checked = _check_named(data, values, values["key"])
        checked = checked.group(group.key).indicator(values["key"])
        values["params"] = _jsonable(checked.params)  # as loaded from TOML: defaults filled in
        if indicator is None:
            last = group.indicators.order_by("-order").first()
            order = last.order + 1 if last else 0
            indicator = Indicator.objects.create(group=group, order=order, **values)
            audit.record(
                user, "新增方案指标", indicator=indicator, detail=f"方案 {scheme.key}（草稿）"
            )
        else:
            old = {f: getattr(indicator, f) for f in INDICATOR_FIELDS}
            for name, value in values.items():
                setattr(indicator, name, value)
            indicator.save()
            indicator.refresh_from_db()
            new = {f: getattr(indicator, f) for f in INDICATOR_FIELDS}
            _record(
                user,
                "修改方案指标",
                scheme,
                old,
                new,
                INDICATOR_LABELS,
                indicator=indicator,
                what=indicator.name,
            )
    return indicator


def _tiers(params) -> list | None:
    """A tiered indicator's tiers, comparable whether typed or stored (points as text)."""
    from decimal import Decimal

    tiers = (params or {}).get("tiers")
    if tiers is None:
        return None
    return [(str(t.get("key")), str(t.get("name")), Decimal(str(t.get("points")))) for t in tiers]


def delete_indicator(indicator: Indicator, user) -> None:
    with transaction.atomic():
        scheme = _draft(indicator.group.scheme)
        data = _scheme_dict(scheme)
        group = _group_data(data, indicator.group)
        group["indicators"] = [i for i in group["indicators"] if i["key"] != indicator.key]
        _check(data)
        audit.record(user, "删除方案指标", detail=f"方案 {scheme.key}（草稿）：{indicator.name}")
        Indicator.objects.filter(group=indicator.group, tier_of=indicator.key).delete()
        indicator.delete()


def reorder(group: UnitGroup, user, what: str, numbers: dict[int, int]) -> None:
    """Put the group's units or indicators in the order of the numbers given (序号), ties in
    their present order. The order is what the bulletin lists and the tables print."""
    model = {"units": Unit, "indicators": Indicator}[what]
    with transaction.atomic():
        scheme = _draft(group.scheme)
        rows = list(model.objects.filter(group=group).order_by("order", "id"))
        tiers = {}
        if what == "indicators":  # tier rows follow their indicator
            tiers = {r.tier_of: [] for r in rows if r.tier_of}
            for r in rows:
                if r.tier_of:
                    tiers[r.tier_of].append(r)
            rows = [r for r in rows if not r.tier_of]
        before = [str(r) for r in rows]
        place = {r.pk: n for n, r in enumerate(rows)}

        def key(r):  # a row given a new number goes before one that keeps it
            number = numbers.get(r.pk, place[r.pk] + 1)
            return (number, number == place[r.pk] + 1, place[r.pk])

        rows.sort(key=key)
        rows = [x for r in rows for x in (r, *tiers.get(getattr(r, "key", None), []))]
        for n, r in enumerate(rows):
            if r.order != n:
                r.order = n
                r.save(update_fields=["order"])
        after = [str(r) for r in rows if not getattr(r, "tier_of", "")]
        if after != before:
            audit.record(
                user,
                "调整方案顺序",
                field="单位顺序" if what == "units" else "指标顺序",
                old="、".join(before),
                new="、".join(after),
                detail=f"方案 {scheme.key}（草稿）：{group.name}",
            )


# --- TOML in --------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What importing a TOML text would do: into which scheme, and what changes."""

    data: dict
    engine: EngineScheme
    into: Scheme | None
    changes: list[str]


def plan_import(text: str, into: Scheme | None = None) -> ImportPlan:
    """Check a TOML text exactly as `kaohe check-scheme` does (and the web's own limits) and
    say what importing it would change: a new draft, or the draft `into` replaced. A key of a
    version already active is refused: a new version starts as a copy or under a new key."""
    data, parsed = parse_scheme_text(text, "（导入的文件）")
    if into is None:
        into = Scheme.objects.filter(key=parsed.key).first()
        if into is not None and into.status != Scheme.DRAFT:
            raise SchemeError(
                f"方案代号 {parsed.key} 已是{into.get_status_display()}的方案“{into.name}”，"
                "不能覆盖；请在文件中改用新的 key（如 daye-2024），或先复制为草稿再导入"
            )
    elif into.status != Scheme.DRAFT:
        raise SchemeError("只能导入到草稿方案")
    if into is not None:
        data["key"] = into.key
        parsed = build_scheme(data, "（导入的文件）")
        changes = describe_changes(engine_scheme(into), parsed)
    else:
        changes = [f"新建方案草稿 {parsed.key}（{parsed.name}）"]
    return ImportPlan(data, parsed, into, changes)


def import_toml(text: str, user, into: Scheme | None = None) -> Scheme:
    """Import a TOML text as a draft (plan_import says what it does); through the same path
    as `kaohe manage kaohe_load_scheme` and the built-in schemes."""
    with transaction.atomic():
        plan = plan_import(text, into)
        target = _draft(plan.into) if plan.into is not None else None
        scheme = store_scheme(plan.data, text=text, status=Scheme.DRAFT, into=target)
        audit.record(
            user,
            "导入方案",
            detail=f"{scheme.key}（草稿）：" + "；".join(plan.changes)[:2000],
        )
    return scheme


# --- what changed between two versions ------------------------------------------------------

CHANGE_LABELS = {
    "name": "名称",
    "label": "得分表名称",
    "aliases": "别名",
    "unit": "计量单位",
    "max_points": "满分",
    "category": "类别",
    "method": "计分方法",
    "params": "计分参数",
    "decimals": "小数位",
    "note": "说明",
    "annex": "附件表设置",
}


def indicator_changes(old, new) -> list[str]:
    """The fields of an engine indicator that differ, as Chinese labels."""
    return [
        label for name, label in CHANGE_LABELS.items() if getattr(old, name) != getattr(new, name)
    ]


def describe_changes(old: EngineScheme, new: EngineScheme) -> list[str]:
    """Groups, units and indicators added, removed or changed, one Chinese line each (units
    by name, indicators by key: what a TOML file names them by)."""
    lines = []
    if old.name != new.name:
        lines.append(f"方案名称：{old.name} → {new.name}")
    before = {g.key: g for g in old.groups}
    after = {g.key: g for g in new.groups}
    lines += [f"新增分组：{after[k].name}" for k in after if k not in before]
    lines += [f"删除分组：{before[k].name}" for k in before if k not in after]
    for key in [k for k in after if k in before]:
        o, n = before[key], after[key]
        o_units, n_units = {u.name: u for u in o.units}, {u.name: u for u in n.units}
        lines += [f"{n.name}：新增单位 {u}" for u in n_units if u not in o_units]
        lines += [f"{n.name}：删除单位 {u}" for u in o_units if u not in n_units]
        lines += [
            f"{n.name}：单位 {u} 的简称或别名改变"
            for u in n_units
            if u in o_units and n_units[u] != o_units[u]
        ]
        if [u for u in o_units if u in n_units] != [u for u in n_units if u in o_units]:
            lines.append(f"{n.name}：单位顺序改变")
        o_ind = {i.key: i for i in o.indicators}
        n_ind = {i.key: i for i in n.indicators}
        lines += [f"{n.name}：新增指标 {i.name}" for k, i in n_ind.items() if k not in o_ind]
        lines += [f"{n.name}：删除指标 {i.name}" for k, i in o_ind.items() if k not in n_ind]
        for k, i in n_ind.items():
            if k in o_ind and (fields := indicator_changes(o_ind[k], i)):
                lines.append(f"{n.name}：指标 {i.name} 的{'、'.join(fields)}改变")
    return lines or ["与现有内容相同"]
