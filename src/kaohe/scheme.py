"""Assessment schemes: unit groups, units and indicators, read from TOML."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from .errors import SchemeError
from .numbers import conversion_factor, normalize_name, split_unit

METHODS = ("rank", "ratio", "threshold")
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


@dataclass
class Group:
    key: str
    name: str
    units: list[UnitDef]
    indicators: list[Indicator]
    title: str = ""
    _unit_index: dict = field(default_factory=dict, repr=False)
    _indicator_index: dict = field(default_factory=dict, repr=False)

    @property
    def max_points(self) -> Decimal:
        return sum((i.max_points for i in self.indicators), Decimal(0))

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    def find_unit(self, name: str) -> UnitDef | None:
        return self._unit_index.get(normalize_name(name))

    def find_indicator(self, name: str) -> Indicator | None:
        key = normalize_name(name)
        found = self._indicator_index.get(key)
        if found is None:
            base, _unit = split_unit(name)
            found = self._indicator_index.get(normalize_name(base))
        return found

    def suggest_unit(self, name: str) -> str | None:
        return _closest(
            name, [u.name for u in self.units] + [a for u in self.units for a in u.aliases]
        )

    def suggest_indicator(self, name: str) -> str | None:
        names = [i.name for i in self.indicators] + [a for i in self.indicators for a in i.aliases]
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
        except ValueError as exc:
            raise SchemeError(f"{where}[bulletin.templates] 的“{name}”写法有误：{exc}") from None
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
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemeError(f"无法读取方案文件 {path}：{exc}") from None
        return parse_scheme(content, source=str(path))
    known = "、".join(builtin_names())
    raise SchemeError(f"没有名为“{text}”的内置方案，也不是方案文件路径。内置方案：{known}")


def parse_scheme(text: str, source: str = "") -> Scheme:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件 {source} 不是有效的 TOML：{exc}") from None
    return build_scheme(data, source)


SCORING_KEYS = ("total_scale", "total_decimals", "late_notes", "pending_note", "pending_words")


def _check_scoring(scoring, where: str) -> None:
    """[scoring] strictly: unknown keys (with the closest known one), wrong types and numbers
    out of range, all listed at once."""
    if not isinstance(scoring, dict):
        raise SchemeError(f"{where}[scoring] 应为表")
    problems = []
    for key in scoring:
        if key not in SCORING_KEYS:
            near = _closest(key, list(SCORING_KEYS))
            problems.append(
                f"[scoring] 中没有“{key}”这一项" + (f"，是否为“{near}”？" if near else "")
            )
    for key in ("late_notes", "pending_words"):
        value = scoring.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(
                f'[scoring] 的 {key} 应为字样的列表，如 {key} = ["迟报材料"]，实为 {value!r}'
            )
    scale = scoring.get("total_scale", 100)
    try:
        positive = _dec(scale, "") > 0  # a number, or its text (the web stores it as JSON)
    except SchemeError:
        positive = False
    if not positive:
        problems.append(f"[scoring] 的 total_scale 应为大于 0 的数字，实为 {scale!r}")
    places = scoring.get("total_decimals", 2)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 10:
        problems.append(f"[scoring] 的 total_decimals 应为 0 到 10 的整数，实为 {places!r}")
    if problems:
        raise SchemeError(where + "\n  " + "\n  ".join(problems))


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
    """A Scheme from already-parsed TOML data (a dict), with every check parse_scheme makes."""
    where = f"方案 {source}："
    scoring = data.get("scoring", {})
    _check_scoring(scoring, where)
    groups_data = _need(data, "groups", where)
    if not isinstance(groups_data, list) or not groups_data:
        raise SchemeError(f"{where}至少需要一个 [[groups]]")
    scheme = Scheme(
        key=str(data.get("key") or Path(source).stem),
        name=str(_need(data, "name", where)),
        region=str(data.get("region", "")),
        issuer=str(data.get("issuer", "")),
        groups=[_build_group(g, f"{where}分组 {n + 1} ") for n, g in enumerate(groups_data)],
        late_notes=tuple(scoring.get("late_notes", ["迟报材料"])),
        pending_note=str(scoring.get("pending_note", "数据未出，完成任务数暂取目标任务数")),
        pending_words=tuple(scoring.get("pending_words", ["数据未出"])),
        total_scale=_dec(scoring.get("total_scale", 100), f"{where}scoring.total_scale "),
        total_decimals=int(scoring.get("total_decimals", 2)),
        source=source,
        key_tasks=list(data.get("key_tasks", [])),
        bulletin=build_bulletin(data.get("bulletin", {}), where),
    )
    keys = [g.key for g in scheme.groups]
    if len(set(keys)) != len(keys):
        raise SchemeError(f"{where}分组 key 重复")
    indicator_keys = {i.key for g in scheme.groups for i in g.indicators}
    for clause in scheme.bulletin.clauses:
        for k in clause:
            if k not in indicator_keys:
                raise SchemeError(f"{where}[bulletin] 的 clauses 中没有指标“{k}”")
    return scheme


def _build_group(data: dict, where: str) -> Group:
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
    indicators = [
        _build_indicator(i, f"{where}第 {n + 1} 个指标")
        for n, i in enumerate(_need(data, "indicators", where))
    ]
    if not indicators:
        raise SchemeError(f"{where}没有指标")
    group = Group(
        key=key,
        name=str(data.get("name", key)),
        title=str(data.get("title", "")),
        units=units,
        indicators=indicators,
    )
    _index(group, where)
    return group


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
    if max_points <= 0:
        raise SchemeError(f"{where}的满分 max 必须大于 0")
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
    )


def _check_params(method: str, params: dict, max_points: Decimal, where: str) -> dict:
    if method == "rank":
        top = _dec(_need(params, "top", f"{where}的 params "), f"{where}的 params.top ")
        step = _dec(_need(params, "step", f"{where}的 params "), f"{where}的 params.step ")
        tie = str(params.get("tie", "cross"))
        parts = tuple(params.get("parts", RANK_PARTS))
        if tie not in TIE_POLICIES:
            raise SchemeError(f"{where}的并列规则 tie“{tie}”未知，可选：{'、'.join(TIE_POLICIES)}")
        if not parts or any(p not in RANK_PARTS for p in parts) or len(set(parts)) != len(parts):
            raise SchemeError(f"{where}的 params.parts 只能取 actual、rate")
        if top <= 0 or step < 0:
            raise SchemeError(f"{where}的 params.top 须大于 0，params.step 不能为负")
        if top * len(parts) != max_points:
            raise SchemeError(
                f"{where}的满分 {max_points} 与排名得分上限 {top} × {len(parts)} 不一致"
            )
        return {"top": top, "step": step, "tie": tie, "parts": parts}
    if params:
        raise SchemeError(f"{where}的计分方法 {method} 不接受参数：{'、'.join(params)}")
    return {}
