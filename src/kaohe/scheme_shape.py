"""The shape of a scheme, checked strictly before it is built: every table's keys (an unknown one
is named with the closest known key), every value's type, the simple ranges (decimals 0–10, …),
empty names, duplicate keys and unit names, and groups that list no units. Every problem is
listed at once, each with the field it is in (a path an editor can point at).

What needs the built scheme (a rank's top × parts against max, bands in order, a class naming a
unit of its group …) is checked afterwards by the builders in scheme.py."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import SchemeProblem
from .numbers import normalize_name

# kinds of value
TEXT, TEXTS, NUMBER, NUMBERS, INT, BOOL = "text", "texts", "number", "numbers", "int", "bool"
TABLE, TABLES, UNITS, TEXT_LISTS = "table", "tables", "units", "text_lists"

KIND_NAMES = {
    TEXT: "文字",
    TEXTS: '文字的列表，如 ["甲", "乙"]',
    NUMBER: "数字",
    NUMBERS: "数字的列表，如 [1, 2]",
    INT: "整数",
    BOOL: "true 或 false",
    TABLE: "表",
    TABLES: "表的数组",
    UNITS: '单位名称的列表，如 ["甲镇", { name = "乙镇", aliases = ["乙"] }]',
    TEXT_LISTS: '列表的列表，如 [["a", "b"]]',
}

TOP = {
    "key": TEXT,
    "name": TEXT,
    "region": TEXT,
    "issuer": TEXT,
    "scoring": TABLE,
    "groups": TABLES,
    "categories": TABLES,
    "grades": TABLE,
    "annual": TABLE,
    "bulletin": TABLE,
    "key_tasks": TABLES,
}
GROUP = {
    "key": TEXT,
    "name": TEXT,
    "title": TEXT,
    "units": UNITS,
    "indicators": TABLES,
    "classes": TABLES,
}
UNIT = {"name": TEXT, "aliases": TEXTS, "short": TEXT}
CLASS = {"name": TEXT, "units": TEXTS}
INDICATOR = {
    "key": TEXT,
    "name": TEXT,
    "unit": TEXT,
    "max": NUMBER,
    "category": TEXT,
    "method": TEXT,
    "params": TABLE,
    "decimals": INT,
    "note": TEXT,
    "aliases": TEXTS,
    "label": TEXT,
    "annex": TABLE,
    "veto": TEXT,
}
ANNEX = {"number": INT, "title": TEXT, "header": TEXT, "unit": TEXT, "decimals": INT}
CATEGORY = {"name": TEXT, "cap": NUMBER, "extra": BOOL, "subtract": BOOL}
GRADES = {"rounding": TEXT, "levels": TABLES}
LEVEL = {"name": TEXT, "min": NUMBER, "share": NUMBER, "max_count": INT}
ANNUAL = {"method": TEXT, "weights": NUMBERS, "periods": TEXTS}
BULLETIN = {
    "theme": TEXT,
    "masthead": TEXT,
    "doc_number": TEXT,
    "copy_to": TEXT,
    "printer": TEXT,
    "ranking": BOOL,
    "clauses": TEXT_LISTS,
    "list_limit": INT,
    "templates": TABLE,
}
KEY_TASK = {"number": INT, "title": TEXT, "lead": TEXTS}
#: integers with a range: (table, key) -> (lowest, highest or None)
RANGES = {
    ("indicator", "decimals"): (0, 10),
    ("annex", "decimals"): (0, 10),
    ("annex", "number"): (1, None),
    ("bulletin", "list_limit"): (1, None),
    ("level", "max_count"): (0, None),
    ("key_task", "number"): (1, None),
}


def check_shape(data) -> list[SchemeProblem]:
    """Every shape problem of the parsed scheme `data`, in the order of the file."""
    return _Shape().scheme(data)


def closest(name: str, candidates) -> str | None:
    """The known key a misspelt one most likely meant (unitz -> units), if any is close: keys
    are short, so a loose match would offer nonsense (colour -> scoring)."""
    import difflib

    by_key = {normalize_name(c): c for c in candidates}
    match = difflib.get_close_matches(normalize_name(str(name)), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


def show(value) -> str:
    """A value as the scheme file writes it, for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return "一个表"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _is(value, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == NUMBER:
        return _number(value)
    if kind == NUMBERS:
        return isinstance(value, list) and all(_number(v) for v in value)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == TABLE:
        return isinstance(value, dict)
    if kind == TABLES:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if kind == UNITS:
        return isinstance(value, list) and all(isinstance(v, (str, dict)) for v in value)
    if kind == TEXT_LISTS:
        return isinstance(value, list) and all(_is(v, TEXTS) for v in value)
    raise ValueError(kind)


def _number(value) -> bool:
    """A number, or its text (the web keeps Decimals as JSON strings)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return False
    try:
        return Decimal(value).is_finite()
    except (InvalidOperation, ValueError):
        return False


class _Shape:
    def __init__(self):
        self.problems: list[SchemeProblem] = []

    def add(self, path: tuple, where: str, text: str) -> None:
        if where[-1:].isascii() and where[-1:].isalnum():
            where += " "  # 指标 x 中没有…, not 指标 x中没有…
        self.problems.append(SchemeProblem(path, f"{where}{text}"))

    def table(self, data, fields: dict, path: tuple, where: str, kind: str = "", required=()):
        """The keys and value types of one table; True when it can be looked into further."""
        if not isinstance(data, dict):
            self.add(path, where, f"应为表，实为 {show(data)}")
            return False
        for key, value in data.items():
            if key not in fields:
                near = closest(key, fields)
                hint = f"，是否为“{near}”？" if near else f"，可用：{'、'.join(fields)}"
                self.add((*path, key), where, f"中没有“{key}”这一项{hint}")
            elif not _is(value, fields[key]):
                self.add(
                    (*path, key),
                    where,
                    f"的 {key} 应为{KIND_NAMES[fields[key]]}，实为 {show(value)}",
                )
            elif (kind, key) in RANGES:
                low, high = RANGES[kind, key]
                if value < low or (high is not None and value > high):
                    span = (
                        f" {low} 到 {high} 的整数" if high is not None else f"不小于 {low} 的整数"
                    )
                    self.add((*path, key), where, f"的 {key} 应为{span}，实为 {value}")
        for key in required:
            if key not in data:
                self.add((*path, key), where, f"缺少“{key}”")
            elif fields[key] == TEXT and isinstance(data[key], str) and not data[key].strip():
                self.add((*path, key), where, f"的 {key} 不能为空")
        return True

    def tables(self, data: dict, key: str, path: tuple, each):
        items = data.get(key, [])
        if _is(items, TABLES):
            for n, item in enumerate(items):
                each(item, (*path, key, n), n)

    # --- the tables ---------------------------------------------------------------------

    def scheme(self, data) -> list[SchemeProblem]:
        from .scheme import check_scoring

        if not self.table(data, TOP, (), "方案", required=("name", "groups")):
            return self.problems
        if "scoring" in data and isinstance(data["scoring"], dict):
            for key, text in check_scoring(data["scoring"]):
                self.add(("scoring", *key), "", text)
        if isinstance(data.get("groups"), list) and not data["groups"]:
            self.add(("groups",), "", "方案至少需要一个 [[groups]]")
        self.tables(data, "groups", (), self.group)
        self.unique(data, "groups", "key", (), "", "分组 key")
        self.tables(data, "categories", (), self.category)
        if isinstance(data.get("grades"), dict):
            self.grades(data["grades"])
        if isinstance(data.get("annual"), dict):
            self.table(data["annual"], ANNUAL, ("annual",), "[annual] ")
        if isinstance(data.get("bulletin"), dict):
            self.bulletin(data["bulletin"])
        self.tables(data, "key_tasks", (), self.key_task)
        return self.problems

    def group(self, data, path, n):
        key = data.get("key") if isinstance(data, dict) else None
        where = f"分组 {n + 1}" + (f"（{key}）" if isinstance(key, str) and key else "")
        if not self.table(data, GROUP, path, where, "group", required=("key", "indicators")):
            return
        if "units" not in data:
            self.add(
                (*path, "units"),
                where,
                "没有列出单位 units；单位名单由数据给出时（kaohe score --units-from-data），"
                "请写明 units = []",
            )
        elif _is(data["units"], UNITS):
            self.units(data["units"], (*path, "units"), where)
        if isinstance(data.get("indicators"), list) and not data["indicators"]:
            self.add((*path, "indicators"), where, "没有指标")

        def indicator(item, ipath, m):
            self.indicator(item, ipath, m, where)

        self.tables(data, "indicators", path, indicator)
        self.unique(data, "indicators", "key", path, where, "指标 key")

        def unit_class(item, cpath, m):
            self.table(
                item, CLASS, cpath, f"{where}第 {m + 1} 类 classes", required=("name", "units")
            )

        self.tables(data, "classes", path, unit_class)

    def units(self, units: list, path: tuple, group_where: str):
        seen = {}
        for n, unit in enumerate(units):
            where = f"{group_where}第 {n + 1} 个单位"
            if isinstance(unit, dict):
                if not self.table(unit, UNIT, (*path, n), where, "unit", required=("name",)):
                    continue
                name = unit.get("name")
            else:
                name = unit
                if not name.strip():
                    self.add((*path, n), where, "名称为空")
            if not isinstance(name, str) or not name.strip():
                continue
            k = normalize_name(name)
            if k in seen:
                self.add((*path, n), where, f"“{name}”与第 {seen[k] + 1} 个单位重复")
            seen.setdefault(k, n)

    def indicator(self, data, path, n, group_where):
        key = data.get("key") if isinstance(data, dict) else None
        named = isinstance(key, str) and key
        where = f"{group_where}、指标 {key}" if named else f"{group_where}第 {n + 1} 个指标"
        required = ("key", "name", "max", "method")
        if not self.table(data, INDICATOR, path, where, "indicator", required=required):
            return
        if isinstance(data.get("params"), dict):
            self.params(data, (*path, "params"), where)
        if isinstance(data.get("annex"), dict):
            self.table(
                data["annex"],
                ANNEX,
                (*path, "annex"),
                f"{where} 的 annex ",
                "annex",
                required=("number",),
            )

    def params(self, data: dict, path: tuple, where: str):
        from .scheme import _PARAMS

        method = data.get("method")
        if not isinstance(method, str) or method not in _PARAMS:
            return  # the builder names the unknown method
        allowed = _PARAMS[method]
        for key in data["params"]:
            if key in allowed:
                continue
            near = closest(key, allowed) if allowed else None
            hint = f"；是否为“{near}”？" if near else ""
            known = f"，可用：{'、'.join(allowed)}" if allowed else "（此方法没有参数）"
            self.add(
                (*path, key), where, f"的 params：计分方法 {method} 不接受参数“{key}”{known}{hint}"
            )

    def category(self, data, path, n):
        name = data.get("name") if isinstance(data, dict) else None
        where = f"第 {n + 1} 个类别" + (f"“{name}”" if isinstance(name, str) and name else "")
        self.table(data, CATEGORY, path, where, "category", required=("name",))

    def grades(self, data: dict):
        if not self.table(data, GRADES, ("grades",), "[grades] ", required=("levels",)):
            return

        def level(item, path, n):
            name = item.get("name") if isinstance(item, dict) else None
            where = f"[grades] 第 {n + 1} 个等次" + (f"“{name}”" if isinstance(name, str) else "")
            self.table(item, LEVEL, path, where, "level", required=("name",))

        self.tables(data, "levels", ("grades",), level)

    def bulletin(self, data: dict):
        from .scheme import BULLETIN_TEMPLATES

        if not self.table(data, BULLETIN, ("bulletin",), "[bulletin] ", "bulletin"):
            return
        templates = data.get("templates", {})
        if not isinstance(templates, dict):
            return
        for name, text in templates.items():
            path = ("bulletin", "templates", name)
            if name not in BULLETIN_TEMPLATES:
                near = closest(name, BULLETIN_TEMPLATES)
                hint = f"，是否为“{near}”？" if near else f"，可用：{'、'.join(BULLETIN_TEMPLATES)}"
                self.add(path, "[bulletin.templates] ", f"中没有名为“{name}”的句子{hint}")
            elif not isinstance(text, str):
                self.add(path, "[bulletin.templates] ", f"的“{name}”应为文字，实为 {show(text)}")

    def key_task(self, data, path, n):
        self.table(
            data,
            KEY_TASK,
            path,
            f"第 {n + 1} 项重点任务 key_tasks ",
            "key_task",
            required=("title",),
        )

    def unique(self, data: dict, key: str, field: str, path: tuple, where: str, what: str):
        items = data.get(key)
        if not _is(items, TABLES):
            return
        seen = {}
        for n, item in enumerate(items):
            value = item.get(field)
            if not isinstance(value, str) or not value:
                continue
            if value in seen:
                self.add(
                    (*path, key, n, field),
                    where,
                    f"{'的' if where else ''}{what}“{value}”重复（第 {seen[value] + 1} 个与第 {n + 1} 个）",
                )
            seen.setdefault(value, n)
