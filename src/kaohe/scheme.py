"""Assessment schemes: unit groups, units and indicators, read from TOML."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path

from .errors import SchemeError, SchemeProblem
from .methods import METHODS as METHOD_TABLE
from .numbers import conversion_factor, normalize_name, split_unit

METHODS = tuple(METHOD_TABLE)
DIRECTIONS = ("higher", "lower")
VETO_EFFECTS = {"total": "总分记为 0", "grade": "等次定为最低一等"}
GRADE_ROUNDING = {"half_up": "四舍五入", "down": "舍去小数", "up": "进一"}
TIE_POLICIES = ("cross", "shared", "dense")
RANK_PARTS = ("actual", "rate")
CATEGORIES = ("目标任务", "工作任务")


@dataclass(frozen=True)
class Annex:
    """How an indicator is printed as an attachment table (附件N)."""

    number: int
    title: str  # indicator name in the attachment, e.g. 技术合同成交额
    header: str  # the column heading, e.g. 技术合同成交额完成
    unit: str  # unit of measure printed in the attachment
    decimals: int | None  # None: as many as the figure has
    factor: Decimal  # multiply the indicator's figures by this for the attachment's unit


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    max_points: Decimal
    category: str
    method: str
    params: dict
    decimals: int
    note: str = ""
    aliases: tuple[str, ...] = ()
    label: str = ""  # the name as printed in the score table
    annex: Annex | None = None
    veto: str = ""  # "total" or "grade": missing the target vetoes the unit (一票否决)
    tier_of: str = ""  # set on the figure of one tier of a tiered `items` indicator: its key
    tier: str = ""  # and the tier's key

    @property
    def direction(self) -> str:
        return self.params.get("direction", "higher")

    @property
    def needs_target(self) -> bool:
        """rank, ratio, threshold and methods on the completion rate compare with a target;
        the others count, or compare actual figures, and ignore it."""
        return METHOD_TABLE[self.method][1] or self.params.get("on") == "rate"

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class UnitDef:
    name: str
    aliases: tuple[str, ...] = ()
    short: str = ""  # the short name prose uses, e.g. 高新区

    @property
    def short_name(self) -> str:
        return self.short or self.name


@dataclass(frozen=True)
class Category:
    """A category of indicators and how its subtotal counts."""

    name: str
    cap: Decimal | None = None  # the subtotal counts at most this much
    extra: bool = False  # outside the base full points: added to (or taken off) the scaled total
    subtract: bool = False  # 扣分项: the subtotal is taken off the total


@dataclass(frozen=True)
class UnitClass:
    """A class of units (一类 / 二类): every rank is taken within the class."""

    name: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class GradeLevel:
    name: str
    min: Decimal | None = None  # the total must reach this
    share: Decimal | None = None  # and the rank must lie within this share of the units
    max_count: int | None = None  # at most this many units (by rank)


@dataclass(frozen=True)
class Grading:
    levels: tuple[GradeLevel, ...]  # best first; the last one takes every other unit
    rounding: str = "half_up"  # how share × units becomes a count

    @property
    def lowest(self) -> str:
        return self.levels[-1].name


ANNUAL_METHODS = {
    "average": "各期总得分按权重加权平均",
    "sum": "各期总得分相加",
    "last": "取最后一期（累计数）的结果",
}


@dataclass(frozen=True)
class Annual:
    """How a year's result comes from its periods (`kaohe score --year`)."""

    method: str = "average"
    weights: tuple[Decimal, ...] = ()  # one per period for `average`; equal when empty
    periods: tuple[str, ...] = ()  # the periods' names, e.g. 一季度 …; numbered when empty


@dataclass
class Group:
    key: str
    name: str
    units: list[UnitDef]
    indicators: list[Indicator]
    title: str = ""
    categories: dict = field(default_factory=dict)  # name -> Category, for capped/extra ones
    classes: list[UnitClass] = field(default_factory=list)
    _unit_index: dict = field(default_factory=dict, repr=False)
    _indicator_index: dict = field(default_factory=dict, repr=False)

    @cached_property
    def max_points(self) -> Decimal:
        """The base full points: every indicator outside the extra categories."""
        return sum((i.max_points for i in self.indicators if not self.is_extra(i)), Decimal(0))

    def is_extra(self, indicator: Indicator) -> bool:
        category = self.categories.get(indicator.category)
        return category is not None and category.extra

    def indicator(self, key: str) -> Indicator:
        for ind in (*self.indicators, *self.inputs):
            if ind.key == key:
                return ind
        raise KeyError(key)

    @property
    def inputs(self) -> list[Indicator]:
        """What the data gives, one figure per unit each: the indicators, except that a tiered
        `items` indicator is given as one figure per tier (承担科技项目·国家级 …)."""
        return [f for ind in self.indicators for f in tier_figures(ind)]

    def tiers(self, ind: Indicator) -> list[Indicator]:
        """The tier figures of a tiered `items` indicator (empty for any other)."""
        return [f for f in self.inputs if f.tier_of == ind.key]

    def find_unit(self, name: str) -> UnitDef | None:
        return self._unit_index.get(normalize_name(name))

    def exact_indicator(self, name: str) -> Indicator | None:
        """The indicator of exactly this name, alias or label (brackets and all)."""
        return self._indicator_index.get(normalize_name(name))

    def find_indicator(self, name: str) -> Indicator | None:
        found = self.exact_indicator(name)
        if found is None:
            base, _unit = split_unit(name)
            found = self._indicator_index.get(normalize_name(base))
        return found

    def suggest_unit(self, name: str) -> str | None:
        return _closest(
            name, [u.name for u in self.units] + [a for u in self.units for a in u.aliases]
        )

    def suggest_indicator(self, name: str) -> str | None:
        names = [i.name for i in self.inputs] + [a for i in self.inputs for a in i.aliases]
        return _closest(split_unit(name)[0], names)


# --- the bulletin's wording ([bulletin] in a scheme) -----------------------------------

#: Named sentence templates of the bulletin: name -> (default, the fields it may use). A county
#: changes its wording in the scheme's [bulletin.templates]; the defaults are today's sentences.
BULLETIN_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("关于{subject}{period}{theme}工作进展情况的通报", ("subject", "period", "theme")),
    "theme": ("“{word}”", ("word",)),
    "intro": ("现将{matter}通报如下：", ("matter",)),
    "overall_heading": ("（一）{region}指标整体完成情况。", ("region",)),
    "overall_item": (
        "{indicator}实绩数为{actual}{unit}，完成任务数{rate}",
        ("indicator", "actual", "unit", "rate"),
    ),
    "units_heading": ("（二）各{group}指标完成情况。", ("group",)),
    "all_met": ("{indicators}，{count}个{word}全部完成目标任务", ("indicators", "count", "word")),
    "none_met": ("{indicators}，{count}个{word}均未完成目标任务", ("indicators", "count", "word")),
    "some_met": ("{indicators}，{names}完成该目标任务", ("indicators", "names")),
    "missed": ("{names}未完成", ("names",)),  # "" leaves them out, as the seed does
    "top": ("{indicator}完成较高的为{names}", ("indicator", "names")),
    "counted": ("{names}等{count}个{word}", ("names", "count", "word")),
    "others": ("{names}等{count}个{word}及其余{rest}个{word}", ("names", "count", "rest", "word")),
    "complete": (
        "{when}{names}全面完成{n}项指标的目标任务{see}。",
        ("when", "names", "n", "see"),
    ),
    "see": ("（各{group}{period}指标进展情况及考核结果详见附件）", ("group", "period")),
    "as_of": ("截至{month}月{day}日，", ("month", "day")),
    "short_of": ("{name}{parts}，未全面完成。", ("name", "parts")),
    "departments_heading": ("（三）各部门{work}工作完成情况。", ("work",)),
    "departments": (
        "根据{scheme}办法，各部门考核{indicators}，完成较好部门为{best}",
        ("scheme", "indicators", "best"),
    ),
    "departments_short": ("{names}未全面完成", ("names",)),
    "ranking_heading": ("（{number}）考核得分排名情况。", ("number",)),
}
BULLETIN_KEYS = (
    "theme",
    "masthead",
    "doc_number",
    "copy_to",
    "printer",
    "ranking",
    "clauses",
    "list_limit",
    "templates",
)


@dataclass(frozen=True)
class Bulletin:
    """[bulletin]: the bulletin's wording and its 版头/版记 (all optional)."""

    templates: dict = field(default_factory=dict)  # name -> template, defaults filled in
    theme: str = ""  # 开门红: printed in the title as “开门红”
    masthead: str = ""  # 发文机关标志, e.g. 大冶市科学技术局文件 (red, with the red rule)
    doc_number: str = ""  # 发文字号, e.g. 大冶科技〔2023〕5号
    copy_to: str = ""  # 版记: 抄送
    printer: str = ""  # 版记: 印发机关
    ranking: bool = True  # the score-ranking paragraph in 一、
    clauses: tuple = ()  # indicator keys that share one 一是/二是 clause, e.g. (("a", "b"),)
    list_limit: int = 20  # prose lists name at most this many units

    def text(self, template: str, /, **fields) -> str:
        return self.templates[template].format(**fields)


def build_bulletin(data, where: str) -> Bulletin:
    """Checks [bulletin]: known keys, templates that use only their own fields."""
    import string

    if not isinstance(data, dict):
        raise SchemeError(f"{where}[bulletin] 应为表")
    unknown = sorted(set(data) - set(BULLETIN_KEYS))
    if unknown:
        raise SchemeError(
            f"{where}[bulletin] 中的“{'、'.join(unknown)}”未知，可用：{'、'.join(BULLETIN_KEYS)}"
        )
    given = data.get("templates", {})
    if not isinstance(given, dict):
        raise SchemeError(f"{where}[bulletin.templates] 应为表")
    templates = {name: default for name, (default, _f) in BULLETIN_TEMPLATES.items()}
    for name, text in given.items():
        if name not in BULLETIN_TEMPLATES:
            known = "、".join(BULLETIN_TEMPLATES)
            raise SchemeError(
                f"{where}[bulletin.templates] 中没有名为“{name}”的句子，可用：{known}"
            )
        allowed = BULLETIN_TEMPLATES[name][1]
        if not isinstance(text, str):
            raise SchemeError(f"{where}[bulletin.templates] 的“{name}”应为文字")
        try:
            used = [f for _t, f, _s, _c in string.Formatter().parse(text) if f is not None]
        except ValueError:  # string.Formatter's reason is English
            raise SchemeError(
                f"{where}[bulletin.templates] 的“{name}”写法有误：花括号不配对（字段写成 "
                "{字段名}，文字中的花括号写成 {{ 和 }}）"
            ) from None
        bad = [f for f in used if f not in allowed]
        if bad:
            raise SchemeError(
                f"{where}[bulletin.templates] 的“{name}”用了未知的字段“{'、'.join(bad)}”，"
                f"可用：{'、'.join('{' + f + '}' for f in allowed)}"
            )
        templates[name] = text
    clauses = data.get("clauses", [])
    if not isinstance(clauses, list) or not all(
        isinstance(c, list) and all(isinstance(k, str) for k in c) for c in clauses
    ):
        raise SchemeError(f"{where}[bulletin] 的 clauses 应为指标 key 的列表的列表")
    limit = data.get("list_limit", 20)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise SchemeError(f"{where}[bulletin] 的 list_limit 应为正整数")
    ranking = data.get("ranking", True)
    if not isinstance(ranking, bool):
        raise SchemeError(f"{where}[bulletin] 的 ranking 应为 true 或 false")
    return Bulletin(
        templates=templates,
        theme=str(data.get("theme", "")),
        masthead=str(data.get("masthead", "")),
        doc_number=str(data.get("doc_number", "")),
        copy_to=str(data.get("copy_to", "")),
        printer=str(data.get("printer", "")),
        ranking=ranking,
        clauses=tuple(tuple(c) for c in clauses),
        list_limit=limit,
    )


@dataclass
class Scheme:
    key: str
    name: str
    groups: list[Group]
    region: str = ""
    issuer: str = ""
    late_notes: tuple[str, ...] = ("迟报材料",)
    pending_note: str = "数据未出，完成任务数暂取目标任务数"
    pending_words: tuple[str, ...] = ("数据未出",)
    total_scale: Decimal = Decimal(100)
    total_decimals: int = 2
    source: str = ""
    key_tasks: list[dict] = field(default_factory=list)
    allow_over: bool = False  # extra points may lift a total above total_scale
    categories: dict = field(default_factory=dict)  # name -> Category
    grading: Grading | None = None
    annual: Annual = field(default_factory=Annual)
    bulletin: Bulletin = field(default_factory=lambda: build_bulletin({}, ""))

    def group(self, key_or_name: str) -> Group:
        for g in self.groups:
            if key_or_name in (g.key, g.name):
                return g
        names = "、".join(f"{g.key}（{g.name}）" for g in self.groups)
        raise SchemeError(f"方案 {self.key} 中没有单位分组“{key_or_name}”，可选：{names}")

    def is_late(self, note: str) -> bool:
        return bool(note) and any(mark in note for mark in self.late_notes)

    def is_pending(self, note: str) -> bool:
        """A 备注 that declares the statistics not released (数据未出)."""
        return bool(note) and any(word in note for word in self.pending_words)

    def pending_cell(self, text) -> bool:
        """An actual cell that says 未出 / 数据未出 or one of the scheme's pending words."""
        if not isinstance(text, str):
            return False
        from .numbers import PENDING_WORDS

        return text.strip() in PENDING_WORDS or text.strip() in self.pending_words


def tier_figures(ind: Indicator) -> list[Indicator]:
    """A tiered `items` indicator as one count per tier; any other indicator as itself."""
    tiers = ind.params.get("tiers") if ind.method == "items" else None
    if not tiers:
        return [ind]
    return [
        Indicator(
            key=f"{ind.key}·{t['key']}",
            name=f"{ind.name}·{t['name']}",
            unit=ind.unit,
            max_points=Decimal(0),
            category=ind.category,
            method="items",
            params={},
            decimals=0,
            note=f"{ind.name}中{t['name']}的项数",
            tier_of=ind.key,
            tier=t["key"],
        )
        for t in tiers
    ]


def _closest(name: str, candidates: list[str]) -> str | None:
    by_key = {normalize_name(c): c for c in candidates}
    match = difflib.get_close_matches(normalize_name(name), list(by_key), n=1, cutoff=0.4)
    return by_key[match[0]] if match else None


# --- loading -----------------------------------------------------------------


def builtin_names() -> list[str]:
    folder = resources.files("kaohe") / "schemes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scheme(name_or_path: str | Path) -> Scheme:
    """A built-in scheme by name (daye-2023) or a TOML file by path."""
    text = str(name_or_path)
    path = Path(text)
    if text in builtin_names():
        source = resources.files("kaohe") / "schemes" / f"{text}.toml"
        return parse_scheme(source.read_text(encoding="utf-8"), source=text)
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            raise SchemeError(f"找不到方案文件 {path}")
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise SchemeError(
                f"无法读取方案文件 {path}：不是 UTF-8 编码的文字（请以 UTF-8 保存）"
            ) from None
        except OSError as exc:
            raise SchemeError(f"无法读取方案文件 {path}：{exc.strerror or exc}") from None
        return parse_scheme(content, source=str(path))
    known = "、".join(builtin_names())
    raise SchemeError(f"没有名为“{text}”的内置方案，也不是方案文件路径。内置方案：{known}")


def parse_scheme(text: str, source: str = "") -> Scheme:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件 {source} 不是有效的 TOML：{toml_message(exc)}") from None
    return build_scheme(data, source)


#: tomllib's messages (English) in Chinese; one not listed is shown as it is, after where it is.
_TOML_MESSAGES = [
    (r"Invalid value", '值的写法有误（文字要加引号，如 name = "甲"；数字不加）'),
    (r"Cannot overwrite a value", "同一项写了两次"),
    (r"Cannot declare \((.*)\) twice", "表 {0} 声明了两次"),
    (r"Unterminated string", "引号没有配对"),
    (r"Expected '=' after a key in a key/value pair", "缺少“=”（应写成 键 = 值）"),
    (r"Expected '\]' at the end of a table declaration", "表头缺少“]”"),
    (r"Expected newline or end of document after a statement", "一行只能写一项"),
]


def toml_message(exc) -> str:
    import re

    text = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)$|\(at end of document\)$", text)
    where = ""
    if found:
        text = text[: found.start()].strip()
        where = f"第 {found[1]} 行第 {found[2]} 列：" if found[1] else "文件末尾："
    for pattern, chinese in _TOML_MESSAGES:
        match = re.fullmatch(pattern, text)
        if match:
            names = [".".join(re.findall(r"'([^']*)'", g)) for g in match.groups()]
            return where + chinese.format(*(f"[{n}]" for n in names))
    return where + text


SCORING_KEYS = (
    "total_scale",
    "total_decimals",
    "late_notes",
    "pending_note",
    "pending_words",
    "allow_over",
)


def check_scoring(scoring: dict) -> list[tuple[tuple, str]]:
    """[scoring] strictly: unknown keys (with the closest known one), wrong types and numbers
    out of range, all listed at once, as (path within [scoring], message) pairs."""
    problems = []
    for key in scoring:
        if key not in SCORING_KEYS:
            near = _closest(key, list(SCORING_KEYS))
            problems.append(
                ((key,), f"[scoring] 中没有“{key}”这一项" + (f"，是否为“{near}”？" if near else ""))
            )
    for key in ("late_notes", "pending_words"):
        value = scoring.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(
                (
                    (key,),
                    f'[scoring] 的 {key} 应为字样的列表，如 {key} = ["迟报材料"]，实为 {value!r}',
                )
            )
    if not isinstance(scoring.get("pending_note", ""), str):
        problems.append((("pending_note",), "[scoring] 的 pending_note 应为文字"))
    if not isinstance(scoring.get("allow_over", False), bool):
        problems.append((("allow_over",), "[scoring] 的 allow_over 应为 true 或 false"))
    scale = scoring.get("total_scale", 100)
    try:
        positive = _dec(scale, "") > 0  # a number, or its text (the web stores it as JSON)
    except SchemeError:
        positive = False
    if not positive:
        problems.append(
            (("total_scale",), f"[scoring] 的 total_scale 应为大于 0 的数字，实为 {scale!r}")
        )
    places = scoring.get("total_decimals", 2)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 10:
        problems.append(
            (
                ("total_decimals",),
                f"[scoring] 的 total_decimals 应为 0 到 10 的整数，实为 {places!r}",
            )
        )
    return problems


class _Problems:
    """Problems gathered from several builders, so that one run names them all. A builder
    raises at its first problem; each is run on its own part (an indicator, a table)."""

    def __init__(self):
        self.problems: list[SchemeProblem] = []

    def run(self, path: tuple, build, *args):
        try:
            return build(*args)
        except SchemeError as exc:
            self.problems.extend(SchemeProblem((*path, *p.path), p.message) for p in exc.problems)
            return None

    def check(self, where: str = "") -> None:
        """Raises them, if any: one as it was worded, several as a list under `where`."""
        if len(self.problems) == 1:
            raise SchemeError(self.problems[0].message, problems=self.problems)
        if self.problems:
            raise scheme_errors(where, self.problems)


def scheme_errors(where: str, problems: list[SchemeProblem]) -> SchemeError:
    """One SchemeError listing every problem under `where` (方案 x.toml：)."""
    short = [
        SchemeProblem(p.path, p.message.removeprefix(where) if where else p.message)
        for p in problems
    ]
    return SchemeError(where + "\n  " + "\n  ".join(p.message for p in short), problems=short)


def _need(table: dict, key: str, where: str):
    if key not in table:
        raise SchemeError(f"{where}缺少“{key}”")
    return table[key]


def _dec(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise SchemeError(f"{where}应为数字，实为 {value!r}")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise SchemeError(f"{where}应为数字，实为 {value!r}") from None
    if not number.is_finite():
        raise SchemeError(f"{where}应为数字，实为 {value!r}")
    return number


def build_scheme(data: dict, source: str) -> Scheme:
    """A Scheme from already-parsed TOML data (a dict), with every check parse_scheme makes.

    First its shape (scheme_shape: keys, types, ranges, names), every problem listed at once;
    then the rules, each part built on its own so that the problems of all parts are listed."""
    from .scheme_shape import check_shape  # it reads this module's tables of keys

    where = f"方案 {source}："
    shape = check_shape(data)
    if shape:
        raise scheme_errors(where, [SchemeProblem(p.path, where + p.message) for p in shape])
    scoring = data.get("scoring", {})
    found = _Problems()
    categories = found.run(("categories",), _build_categories, data.get("categories", []), where)
    grading = (
        found.run(("grades",), _build_grading, data["grades"], where) if "grades" in data else None
    )
    annual = found.run(("annual",), _build_annual, data.get("annual", {}), where)
    bulletin = found.run(("bulletin",), build_bulletin, data.get("bulletin", {}), where)
    groups = [
        found.run(("groups", n), _build_group, g, f"{where}分组 {n + 1} ", categories or {})
        for n, g in enumerate(data["groups"])
    ]
    found.check(where)
    scheme = Scheme(
        key=str(data.get("key") or Path(source).stem),
        name=str(data["name"]),
        region=str(data.get("region", "")),
        issuer=str(data.get("issuer", "")),
        groups=groups,
        late_notes=tuple(scoring.get("late_notes", ["迟报材料"])),
        pending_note=str(scoring.get("pending_note", "数据未出，完成任务数暂取目标任务数")),
        pending_words=tuple(scoring.get("pending_words", ["数据未出"])),
        total_scale=_dec(scoring.get("total_scale", 100), f"{where}scoring.total_scale "),
        total_decimals=int(scoring.get("total_decimals", 2)),
        source=source,
        key_tasks=list(data.get("key_tasks", [])),
        allow_over=scoring.get("allow_over", False),
        categories=categories,
        grading=grading,
        annual=annual,
        bulletin=bulletin,
    )
    keys = [g.key for g in scheme.groups]
    if len(set(keys)) != len(keys):
        raise SchemeError(f"{where}分组 key 重复")
    for g in scheme.groups:
        for ind in g.indicators:
            if ind.veto == "grade" and grading is None:
                raise SchemeError(
                    f'{where}指标“{ind.name}”的一票否决定等次（veto = "grade"），但方案没有 [grades]'
                )
    indicator_keys = {i.key for g in scheme.groups for i in g.indicators}
    for clause in scheme.bulletin.clauses:
        for k in clause:
            if k not in indicator_keys:
                raise SchemeError(f"{where}[bulletin] 的 clauses 中没有指标“{k}”")
    return scheme


def _flag(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise SchemeError(f"{where}应为 true 或 false，实为 {value!r}")
    return value


def _build_annual(data, where: str) -> Annual:
    at = f"{where}[annual] "
    if not isinstance(data, dict):
        raise SchemeError(f"{at}应为表")
    method = str(data.get("method", "average"))
    if method not in ANNUAL_METHODS:
        options = "、".join(f"{k}（{v}）" for k, v in ANNUAL_METHODS.items())
        raise SchemeError(f"{at}的 method“{method}”未知，可选：{options}")
    weights = tuple(_dec(w, f"{at}的 weights ") for w in data.get("weights", []))
    if weights and (method != "average" or any(w < 0 for w in weights) or not sum(weights)):
        raise SchemeError(f"{at}的 weights 只用于 average，须为非负数且不全为 0")
    periods = tuple(str(p) for p in data.get("periods", []))
    if weights and periods and len(weights) != len(periods):
        raise SchemeError(f"{at}的 weights 有 {len(weights)} 个，periods 有 {len(periods)} 个")
    return Annual(method, weights, periods)


def _build_categories(items, where: str) -> dict:
    if not isinstance(items, list):
        raise SchemeError(f"{where}[[categories]] 应为表的数组")
    out = {}
    for n, c in enumerate(items):
        at = f"{where}第 {n + 1} 个类别"
        name = str(_need(c, "name", at))
        at = f"{where}类别“{name}”"
        cap = None if "cap" not in c else _dec(c["cap"], f"{at}的 cap ")
        if cap is not None and cap < 0:
            raise SchemeError(f"{at}的上限 cap 不能为负")
        extra = _flag(c.get("extra", False), f"{at}的 extra ")
        subtract = _flag(c.get("subtract", False), f"{at}的 subtract ")
        if subtract and not extra:
            raise SchemeError(f"{at}：扣分类别（subtract = true）须在基础满分之外（extra = true）")
        if name in out:
            raise SchemeError(f"{at}重复")
        out[name] = Category(name, cap, extra, subtract)
    return out


def _build_grading(data, where: str) -> Grading:
    at = f"{where}[grades] "
    if not isinstance(data, dict):
        raise SchemeError(f"{at}应为表")
    rounding = str(data.get("rounding", "half_up"))
    if rounding not in GRADE_ROUNDING:
        raise SchemeError(f"{at}的 rounding“{rounding}”未知，可选：{'、'.join(GRADE_ROUNDING)}")
    items = _need(data, "levels", at)
    if not isinstance(items, list) or len(items) < 2:
        raise SchemeError(f"{at}至少需要两个等次 levels")
    levels = []
    for n, item in enumerate(items):
        name = str(_need(item, "name", f"{at}第 {n + 1} 个等次"))
        here = f"{at}等次“{name}”"
        low = None if "min" not in item else _dec(item["min"], f"{here}的 min ")
        share = None if "share" not in item else _dec(item["share"], f"{here}的 share ")
        if share is not None and not 0 < share <= 1:
            raise SchemeError(f"{here}的比例 share 须大于 0、不超过 1（如 0.3 即前 30%）")
        count = item.get("max_count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 0
        ):
            raise SchemeError(f"{here}的 max_count 应为非负整数")
        levels.append(GradeLevel(name, low, share, count))
    last = levels[-1]
    if last.min is not None or last.share is not None or last.max_count is not None:
        raise SchemeError(f"{at}最后一个等次“{last.name}”收其余单位，不能再设条件")
    for level in levels[:-1]:
        if level.min is None and level.share is None and level.max_count is None:
            raise SchemeError(f"{at}等次“{level.name}”须有 min、share 或 max_count 之一")
    mins = [lv.min for lv in levels if lv.min is not None]
    shares = [lv.share for lv in levels if lv.share is not None]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        raise SchemeError(f"{at}各等次的 min 须自上而下递减")
    if shares != sorted(shares) or len(set(shares)) != len(shares):
        raise SchemeError(f"{at}各等次的 share 是累计比例，须自上而下递增（如 0.3、0.7）")
    if len({lv.name for lv in levels}) != len(levels):
        raise SchemeError(f"{at}等次名称重复")
    return Grading(tuple(levels), rounding)


def _build_group(data: dict, where: str, categories: dict | None = None) -> Group:
    key = str(_need(data, "key", where))
    where = f"{where.rsplit('分组', 1)[0]}分组“{key}”："
    units = []
    for n, u in enumerate(data.get("units", [])):
        if isinstance(u, str):
            units.append(UnitDef(u))
        else:
            units.append(
                UnitDef(
                    str(_need(u, "name", f"{where}第 {n + 1} 个单位")),
                    tuple(str(a) for a in u.get("aliases", [])),
                    str(u.get("short", "")),
                )
            )
    found = _Problems()
    indicators = [
        found.run(("indicators", n), _build_indicator, i, f"{where}第 {n + 1} 个指标")
        for n, i in enumerate(_need(data, "indicators", where))
    ]
    found.check()
    if not indicators:
        raise SchemeError(f"{where}没有指标")
    group = Group(
        key=key,
        name=str(data.get("name", key)),
        title=str(data.get("title", "")),
        units=units,
        indicators=indicators,
        categories=dict(categories or {}),
    )
    _index(group, where)
    _check_deductions(group, where)
    group.classes = _build_classes(data.get("classes", []), group, where)
    if group.max_points <= 0:
        raise SchemeError(f"{where}基础满分（加分项、扣分项之外的指标满分合计）须大于 0")
    return group


def _check_deductions(group: Group, where: str) -> None:
    """An indicator in a category taken off the total (subtract) scores what is deducted, so
    only `items` fits (points off per occurrence): under any other method a better figure
    would earn more points and so a bigger deduction."""
    wrong = [
        ind
        for ind in group.indicators
        if (c := group.categories.get(ind.category)) is not None
        and c.subtract
        and ind.method != "items"
    ]
    if wrong:
        names = "、".join(f"“{ind.name}”（{ind.method}）" for ind in wrong)
        raise SchemeError(
            f"{where}扣分类别中的指标 {names} 须用 items 方法（每次扣 per 分，至多 max 分）："
            "其他方法下实绩越好得分越高，扣分反而越多"
        )


def _build_classes(items, group: Group, where: str) -> list[UnitClass]:
    """Classes name units of the group; every listed unit belongs to exactly one class."""
    if not isinstance(items, list):
        raise SchemeError(f"{where}classes 应为表的数组")
    if not items:
        return []
    if len(items) < 2:
        raise SchemeError(f"{where}分类 classes 至少需要两类")
    classes, seen = [], {}
    for n, item in enumerate(items):
        name = str(_need(item, "name", f"{where}第 {n + 1} 类"))
        members = []
        for text in _need(item, "units", f"{where}“{name}”"):
            unit = group.find_unit(str(text))
            if unit is None:
                hint = group.suggest_unit(str(text))
                tip = f"，是否为“{hint}”？" if hint else ""
                raise SchemeError(f"{where}“{name}”中的单位“{text}”不在本组单位名单中{tip}")
            if unit.name in seen:
                raise SchemeError(
                    f"{where}单位“{unit.name}”同时在“{seen[unit.name]}”和“{name}”两类中"
                )
            seen[unit.name] = name
            members.append(unit.name)
        classes.append(UnitClass(name, tuple(members)))
    missing = [u.name for u in group.units if u.name not in seen]
    if missing:
        raise SchemeError(f"{where}单位 {'、'.join(missing)} 不属于任何一类（classes）")
    if len({c.name for c in classes}) != len(classes):
        raise SchemeError(f"{where}类别名称重复")
    return classes


def _index(group: Group, where: str) -> None:
    for unit in group.units:
        for name in (unit.name, *unit.aliases):
            k = normalize_name(name)
            if k in group._unit_index and group._unit_index[k] is not unit:
                raise SchemeError(f"{where}单位名称或别名“{name}”重复")
            group._unit_index[k] = unit
    seen_keys = set()
    for ind in group.indicators:
        if ind.key in seen_keys:
            raise SchemeError(f"{where}指标 key“{ind.key}”重复")
        seen_keys.add(ind.key)
    for ind in group.inputs:  # a tiered indicator is found by its tiers' names only
        for name in (ind.name, *ind.aliases, ind.display_label):
            k = normalize_name(name)
            if k in group._indicator_index and group._indicator_index[k] is not ind:
                raise SchemeError(f"{where}指标名称或别名“{name}”重复")
            group._indicator_index[k] = ind


def _build_indicator(data: dict, where: str) -> Indicator:
    key = str(_need(data, "key", where))
    where = f"{where}（{key}）"
    method = str(_need(data, "method", where))
    if method not in METHODS:
        raise SchemeError(f"{where}的计分方法“{method}”未知，可选：{'、'.join(METHODS)}")
    max_points = _dec(_need(data, "max", where), f"{where}的 max ")
    veto = str(data.get("veto", ""))
    if veto and veto not in VETO_EFFECTS:
        raise SchemeError(
            f"{where}的一票否决 veto“{veto}”未知，可选：total（总分记 0）、grade（定为最低等次）"
        )
    if max_points < 0 or (max_points == 0 and not veto):
        raise SchemeError(f"{where}的满分 max 必须大于 0（只有一票否决指标可为 0）")
    category = str(data.get("category", "目标任务"))
    params = _check_params(method, dict(data.get("params", {})), max_points, where)
    unit = str(data.get("unit", ""))
    annex = None
    if "annex" in data:
        a = data["annex"]
        a_unit = str(a.get("unit", unit))
        try:
            factor = conversion_factor(unit, a_unit)
        except ValueError as exc:
            raise SchemeError(f"{where}的附件计量单位：{exc}") from None
        annex = Annex(
            number=int(_need(a, "number", f"{where}的 annex ")),
            title=str(a.get("title", data.get("name", key))),
            header=str(a.get("header", a.get("title", data.get("name", key)))),
            unit=a_unit,
            decimals=None if a.get("decimals") is None else int(a["decimals"]),
            factor=factor,
        )
    return Indicator(
        key=key,
        name=str(_need(data, "name", where)),
        unit=unit,
        max_points=max_points,
        category=category,
        method=method,
        params=params,
        decimals=int(data.get("decimals", 2)),
        note=str(data.get("note", "")),
        aliases=tuple(str(a) for a in data.get("aliases", [])),
        label=str(data.get("label", "")),
        annex=annex,
        veto=veto,
    )


def _check_params(method: str, params: dict, max_points: Decimal, where: str) -> dict:
    """The method's parameters, checked, with numbers as Decimals (see methods.py)."""
    at = f"{where}的 params"
    allowed = _PARAMS[method]
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise SchemeError(
            f"{at}：计分方法 {method} 不接受参数“{'、'.join(unknown)}”"
            + (f"，可用：{'、'.join(allowed)}" if allowed else "（此方法没有参数）")
        )
    out: dict = {}
    if "direction" in allowed:
        out["direction"] = _choice(params, "direction", DIRECTIONS, "higher", at)
    if "on" in allowed:
        out["on"] = _choice(params, "on", ("actual", "rate"), _ON_DEFAULT[method], at)
    return _CHECKS[method](params, out, max_points, at)


def _choice(params: dict, key: str, options, default: str, at: str) -> str:
    value = str(params.get(key, default))
    if value not in options:
        raise SchemeError(f"{at}.{key}“{value}”未知，可选：{'、'.join(options)}")
    return value


def _num(params: dict, key: str, at: str, default=None, *, low=None, positive=False) -> Decimal:
    if key not in params:
        if default is None:
            raise SchemeError(f"{at}缺少“{key}”")
        return Decimal(default)
    value = _dec(params[key], f"{at}.{key} ")
    if positive and value <= 0:
        raise SchemeError(f"{at}.{key} 须大于 0")
    if low is not None and value < low:
        raise SchemeError(f"{at}.{key} 不能小于 {low}")
    return value


def _within_max(value: Decimal, key: str, max_points: Decimal, at: str) -> Decimal:
    if value > max_points:
        raise SchemeError(f"{at}.{key} {value} 超过了指标满分 {max_points}")
    return value


def _check_rank(params, out, max_points, at):
    top = _num(params, "top", at, positive=True)
    step = _num(params, "step", at, low=0)
    tie = str(params.get("tie", "cross"))
    parts = params.get("parts", RANK_PARTS)
    parts = tuple(parts) if isinstance(parts, (list, tuple)) else ()
    if tie not in TIE_POLICIES:
        raise SchemeError(f"{at} 的并列规则 tie“{tie}”未知，可选：{'、'.join(TIE_POLICIES)}")
    if not parts or any(p not in RANK_PARTS for p in parts) or len(set(parts)) != len(parts):
        raise SchemeError(f"{at}.parts 只能取 actual、rate")
    if top * len(parts) != max_points:
        raise SchemeError(f"{at}：满分 {max_points} 与排名得分上限 {top} × {len(parts)} 不一致")
    return {"top": top, "step": step, "tie": tie, "parts": parts, **out}


def _check_ratio(params, out, max_points, at):
    if "over" in params:
        over = params["over"]
        where = f"{at}.over"
        if not isinstance(over, dict):
            raise SchemeError(f"{where} 应为表，如 {{ per = 0.1, points = 1, cap = 4 }}")
        unknown = set(over) - {"per", "points", "cap", "whole"}
        if unknown:
            raise SchemeError(f"{where} 不认识“{'、'.join(sorted(unknown))}”")
        out["over"] = {
            "per": _num(over, "per", where, positive=True),
            "points": _num(over, "points", where, positive=True),
            "cap": _num(over, "cap", where, positive=True),
            "whole": _flag(over.get("whole", False), f"{where}.whole "),
        }
    return out


def _check_efficacy(params, out, max_points, at):
    out["base"] = _num(params, "base", at, 60, low=0)
    out["span"] = _num(params, "span", at, 40, positive=True)
    if ("best" in params) != ("worst" in params):
        raise SchemeError(f"{at}：best 与 worst 须同时给出（或都不给，取组内最优、最差）")
    if "best" in params:
        best, worst = _num(params, "best", at), _num(params, "worst", at)
        if (best <= worst) if out["direction"] == "higher" else (best >= worst):
            word = "大于" if out["direction"] == "higher" else "小于"
            raise SchemeError(f"{at}：best {best} 须{word} worst {worst}")
        out["best"], out["worst"] = best, worst
    return out


def _check_average(params, out, max_points, at):
    cap = _within_max(_num(params, "cap", at, max_points), "cap", max_points, at)
    floor = _num(params, "floor", at, 0, low=0)
    base = _num(params, "base", at, low=0)
    if not floor <= base <= cap:
        raise SchemeError(f"{at}：须 floor {floor} ≤ base {base} ≤ cap {cap}")
    out.update(
        base=base,
        step=_num(params, "step", at, positive=True),
        points=_num(params, "points", at, positive=True),
        floor=floor,
        cap=cap,
        relative=_flag(params.get("relative", False), f"{at}.relative "),
        whole=_flag(params.get("whole", False), f"{at}.whole "),
    )
    return out


def _rows(items, at: str, keys: tuple, example: str) -> list[tuple[str, dict]]:
    """A list of small tables (bands, tiers), each with only `keys`: (where, row) pairs."""
    if not isinstance(items, list) or not items:
        raise SchemeError(f"{at} 须列出各档，如 {example}")
    out = []
    for n, row in enumerate(items):
        where = f"{at} 第 {n + 1} 档"
        if not isinstance(row, dict) or set(row) - set(keys):
            raise SchemeError(f"{where} 应为 {{ {' = …, '.join(keys)} = … }}")
        out.append((where, row))
    return out


def _check_bands(params, out, max_points, at):
    example = "[{ at = 1.0, points = 10 }, { at = 0.8, points = 6 }]"
    table = []
    for where, b in _rows(params.get("bands"), f"{at}.bands", ("at", "points"), example):
        pts = _within_max(_num(b, "points", where, low=0), "points", max_points, where)
        table.append({"at": _num(b, "at", where), "points": pts})
    higher = out["direction"] == "higher"
    for upper, lower in zip(table, table[1:], strict=False):
        if (upper["at"] <= lower["at"]) if higher else (upper["at"] >= lower["at"]):
            word = "从高到低" if higher else "从低到高（越低越好）"
            raise SchemeError(f"{at}.bands 的门槛 at 须{word}排列，最好的一档在前")
        if upper["points"] < lower["points"]:
            raise SchemeError(f"{at}.bands 的得分须随档次降低而不增")
    below = _num(params, "below", at, 0, low=0)
    if below > table[-1]["points"]:
        raise SchemeError(f"{at}.below {below} 不能高于最低一档的得分")
    out.update(
        bands=table,
        below=below,
        interpolate=_flag(params.get("interpolate", False), f"{at}.interpolate "),
    )
    return out


def _check_items(params, out, max_points, at):
    out["cap"] = _within_max(
        _num(params, "cap", at, max_points, positive=True), "cap", max_points, at
    )
    if ("per" in params) == ("tiers" in params):
        raise SchemeError(f"{at}：须给出 per（每项得分）或 tiers（分档得分）之一")
    if "per" in params:
        out["per"] = _num(params, "per", at, positive=True)
        if "take" in params:
            raise SchemeError(f"{at}.take 只用于分档 tiers")
        return out
    example = '[{ key = "national", name = "国家级", points = 7 }]'
    checked = []
    for where, t in _rows(params["tiers"], f"{at}.tiers", ("key", "name", "points"), example):
        checked.append(
            {
                "key": str(_need(t, "key", where)),
                "name": str(_need(t, "name", where)),
                "points": _num(t, "points", where, positive=True),
            }
        )
    if len({t["key"] for t in checked}) != len(checked):
        raise SchemeError(f"{at}.tiers 的 key 重复")
    points = [t["points"] for t in checked]
    if points != sorted(points, reverse=True) or len(set(points)) != len(points):
        raise SchemeError(f"{at}.tiers 须从高到低排列，得分逐档递减")
    out.update(tiers=checked, take=_choice(params, "take", ("highest", "sum"), "highest", at))
    return out


def _check_deduct(params, out, max_points, at):
    start = _within_max(_num(params, "start", at, max_points, low=0), "start", max_points, at)
    floor = _num(params, "floor", at, 0, low=0)
    if floor > start:
        raise SchemeError(f"{at}.floor {floor} 不能高于起始分 start {start}")
    return {"start": start, "per": _num(params, "per", at, positive=True), "floor": floor}


_PARAMS = {
    "rank": ("top", "step", "tie", "parts", "direction"),
    "ratio": ("direction", "over"),
    "threshold": ("direction",),
    "efficacy": ("on", "direction", "base", "span", "best", "worst"),
    "average": ("on", "direction", "base", "step", "points", "floor", "cap", "relative", "whole"),
    "bands": ("on", "direction", "bands", "below", "interpolate"),
    "items": ("per", "tiers", "take", "cap"),
    "deduct": ("start", "per", "floor"),
}
_ON_DEFAULT = {"efficacy": "actual", "average": "rate", "bands": "rate"}
_CHECKS = {
    "rank": _check_rank,
    "ratio": _check_ratio,
    "threshold": lambda params, out, max_points, at: out,
    "efficacy": _check_efficacy,
    "average": _check_average,
    "bands": _check_bands,
    "items": _check_items,
    "deduct": _check_deduct,
}
