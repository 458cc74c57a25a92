"""The scoring parameters of the indicator form as labelled fields, one set per method.

PARAMS is data: for each method, its parameters (key, Chinese label, kind, help, what the
engine takes when it is left empty). The form's fields are built from it (p_<method>_<key>),
and the posted fields of the selected method are turned back into the params dict the editor
service takes, exactly what the TOML lines gave before. Whether the values are valid is the
engine's scheme checker's to say (kaohe.scheme._CHECKS): nothing here checks a rule, it only
reads what is typed (a number, a choice, one band a line)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django import forms

from ..numbers import plain


class Param(NamedTuple):
    key: str  # the key in the scheme file; "over.per" is `per` inside the table `over`
    label: str
    kind: str  # decimal, choice, flag, multi (several choices), rows (one row a line)
    help: str = ""
    default: str = ""  # what the engine takes when the field is empty (a placeholder)
    choices: tuple = ()  # (value, label) for choice and multi
    columns: tuple = ()  # rows: the keys of one line, in order


DIRECTION = Param(
    "direction",
    "方向",
    "choice",
    "能耗、事故数等越低越好",
    "越高越好",
    (("higher", "越高越好"), ("lower", "越低越好")),
)
ON = (("actual", "实绩数"), ("rate", "完成率（实绩数 ÷ 任务数）"))
FULL = "指标满分"

PARAMS: dict[str, tuple[Param, ...]] = {
    "rank": (
        Param(
            "top",
            "第一名得分",
            "decimal",
            "每个排名部分第一名的得分；满分 = 第一名得分 × 排名部分数",
        ),
        Param("step", "每降一名减", "decimal", "名次每后一名少得的分数，最低 0 分"),
        Param(
            "tie",
            "并列",
            "choice",
            "数值相同时如何定名次",
            "交叉比较",
            (
                ("cross", "交叉比较：完成率相同看实绩数，实绩数相同看完成率（1、2、2、4）"),
                ("shared", "只看本项数值，相同即并列（1、2、2、4）"),
                ("dense", "相同即并列，下一名次连续（1、2、2、3）"),
            ),
        ),
        Param(
            "parts",
            "排名依据",
            "multi",
            "都不选即两项都排",
            "实绩数、完成率",
            (("actual", "实绩数"), ("rate", "完成率")),
        ),
        DIRECTION,
    ),
    "ratio": (
        DIRECTION,
        Param(
            "over.per",
            "超额每超过",
            "decimal",
            "完成率超过 100% 的部分，如 0.1 即每超 10%；不填则不加分",
        ),
        Param("over.points", "每档加分", "decimal", "每超过一档加的分数"),
        Param("over.cap", "超额加分至多", "decimal", "超额加分的上限"),
        Param("over.whole", "只算满档", "flag", "勾选后不足一档的部分不加分"),
    ),
    "threshold": (DIRECTION,),
    "efficacy": (
        Param("on", "比较的数值", "choice", "", "实绩数", ON),
        DIRECTION,
        Param("base", "基础系数", "decimal", "最差者的功效系数", "60"),
        Param("span", "系数跨度", "decimal", "最优者的功效系数 = 基础系数 + 跨度", "40"),
        Param(
            "best", "最优值", "decimal", "与最差值同时填写；都不填则取组内最优、最差", "组内最优"
        ),
        Param("worst", "最差值", "decimal", "", "组内最差"),
    ),
    "average": (
        Param("on", "比较的数值", "choice", "", "完成率", ON),
        DIRECTION,
        Param("base", "达到平均值得分", "decimal", "等于组内平均值时的得分"),
        Param("step", "每高（低）于平均", "decimal", "完成率写成小数，如 0.05 即 5 个百分点"),
        Param("points", "加（减）分", "decimal", "每高（低）一档加（减）的分数"),
        Param("floor", "最低得分", "decimal", "", "0"),
        Param("cap", "最高得分", "decimal", "", FULL),
        Param(
            "relative", "按相对平均值的比例", "flag", "勾选后“每高（低）于平均”是相对平均值的比例"
        ),
        Param("whole", "只算满档", "flag", "勾选后不足一档的部分不计"),
    ),
    "bands": (
        Param("on", "比较的数值", "choice", "", "完成率", ON),
        DIRECTION,
        Param(
            "bands",
            "分档",
            "rows",
            "每行一档，写“门槛 得分”，最好的一档在前；完成率写成小数，如 1.0 16 即达到 100% 得 16 分",
            columns=("at", "points"),
        ),
        Param("below", "低于最低档得分", "decimal", "", "0"),
        Param("interpolate", "档间按比例插值", "flag", "勾选后在两档门槛之间按比例计分"),
    ),
    "items": (
        Param("per", "每项得分", "decimal", "与“分档”二选一"),
        Param(
            "tiers",
            "分档",
            "rows",
            "每行一档，写“代号 名称 每项得分”，如 national 国家级 7；档次决定各单位填报哪几项，"
            "网页上暂不能增删或修改，请导出 TOML 修改后导入",
            columns=("key", "name", "points"),
        ),
        Param(
            "take",
            "分档计分",
            "choice",
            "只用于分档",
            "只计最高一档",
            (("highest", "只计最高一档"), ("sum", "逐项累加")),
        ),
        Param("cap", "合计至多", "decimal", "", FULL),
    ),
    "deduct": (
        Param("start", "起始分", "decimal", "", FULL),
        Param("per", "每次扣分", "decimal", "每发生一次扣的分数"),
        Param("floor", "最低得分", "decimal", "", "0"),
    ),
}

ROW_FORMAT = {
    ("at", "points"): ("门槛 得分", "1.0 16"),
    ("key", "name", "points"): ("代号 名称 每项得分", "national 国家级 7"),
}
SEPARATORS = re.compile(r"[\s,，、；;]+")


def field_name(method: str, key: str) -> str:
    return f"p_{method}_{key.replace('.', '_')}"


def make_field(method: str, p: Param) -> forms.Field:
    """A form field of one parameter. Choices are not validated here: a value the engine does
    not know reaches the engine, which says which values it takes."""
    hint = f"方案文件中的 {p.key}" + (f"；不填为 {p.default}" if p.default else "")
    help_text = "；".join(t for t in (p.help, hint) if t)
    attrs = {"placeholder": f"不填为 {p.default}"} if p.default else {}
    if p.kind == "decimal":
        widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal", "class": "num"})
        return forms.CharField(label=p.label, required=False, widget=widget, help_text=help_text)
    if p.kind == "choice":
        empty = f"（不填：{p.default}）" if p.default else "（请选择）"
        widget = forms.Select(choices=[("", empty), *p.choices])
        return forms.CharField(label=p.label, required=False, widget=widget, help_text=help_text)
    if p.kind == "multi":
        widget = forms.CheckboxSelectMultiple(choices=p.choices)
        return forms.Field(label=p.label, required=False, widget=widget, help_text=help_text)
    if p.kind == "flag":
        return forms.BooleanField(label=p.label, required=False, help_text=help_text)
    widget = forms.Textarea(attrs={"rows": 4, "class": "mono"})
    return forms.CharField(label=p.label, required=False, widget=widget, help_text=help_text)


def all_fields() -> dict[str, forms.Field]:
    return {field_name(m, p.key): make_field(m, p) for m, ps in PARAMS.items() for p in ps}


def initial_fields(method: str, params: dict) -> dict:
    """The fields of `method` showing stored (checked) params; the other methods' stay empty."""
    out = {}
    for p in PARAMS.get(method, ()):
        value = _get(params, p.key)
        if value is None:
            continue
        if p.kind == "rows":
            value = "\n".join(" ".join(_text(row[c]) for c in p.columns) for row in value)
        elif p.kind == "multi":
            value = list(value)
        elif p.kind != "flag":
            value = _text(value)
        out[field_name(method, p.key)] = value
    return out


def _get(params: dict, key: str):
    for part in key.split("."):
        if not isinstance(params, dict) or part not in params:
            return None
        params = params[part]
    return params


def _text(value) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


def params_of(method: str, data: dict) -> tuple[dict, dict[str, str]]:
    """The params dict of `method` from the form's cleaned fields, and the fields that could
    not be read (name -> Chinese message). An empty field is a parameter left out; a flag is
    true or false; a nested table (ratio's over) is given when any of its fields is."""
    params: dict = {}
    errors: dict[str, str] = {}
    for p in PARAMS.get(method, ()):
        name = field_name(method, p.key)
        raw = data.get(name)
        try:
            value = _read(p, raw)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        if value is None or value == []:
            continue
        table, _, key = p.key.rpartition(".")
        target = params.setdefault(table, {}) if table else params
        target[key] = value
    for table in [k for k, v in params.items() if isinstance(v, dict)]:
        if not any(v is not False for v in params[table].values()):
            del params[table]  # only its flag, unticked: the table is not given
    return params, errors


def _read(p: Param, raw):
    if p.kind == "flag":
        return bool(raw)
    if p.kind == "multi":
        return [str(v) for v in raw or []]
    text = (raw or "").strip()
    if not text:
        return None
    if p.kind == "choice":
        return text
    if p.kind == "decimal":
        return _number(text, f"“{p.label}”应为数字，如 5 或 0.1，实为“{text}”")
    return _rows(p, text)


def _number(text: str, message: str) -> Decimal:
    try:
        number = Decimal(text.replace("，", "").replace(",", ""))
    except InvalidOperation:
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    return number


def _rows(p: Param, text: str) -> list[dict]:
    """One row a line, its values separated by spaces (or commas); blank lines left out."""
    form, example = ROW_FORMAT[p.columns]
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        values = [v for v in SEPARATORS.split(line.strip()) if v]
        if not values:
            continue
        wrong = f"“{p.label}”第 {n} 行“{line.strip()}”应写成“{form}”，如 {example}"
        if len(values) != len(p.columns):
            raise ValueError(wrong)
        row = {}
        for column, value in zip(p.columns, values, strict=True):
            row[column] = value if column in ("key", "name") else _number(value, wrong)
        rows.append(row)
    return rows


#: a parameter named in a checker's message: params.top, params.over缺少“cap”, tie“random”
_PATH = re.compile(r"params\.([a-z_]+)(?:\.([a-z_]+))?")
_MISSING = re.compile(r"缺少“([a-z_]+)”")
_VALUE = re.compile(r"\b([a-z_]+)“")


def field_of_message(method: str, message: str) -> str:
    """The parameter field a checker's message is about, or "" when it names none (or more
    than one rule ties several: 满分与排名得分上限不一致, floor ≤ base ≤ cap)."""
    keys = {p.key for p in PARAMS.get(method, ())}
    path: list[str] = []
    if found := _PATH.search(message):
        path = [g for g in found.groups() if g]
    if found := _MISSING.search(message):
        path.append(found[1])
    elif not path and (found := _VALUE.search(message)):
        path = [found[1]]
    for n in range(len(path), 0, -1):
        if ".".join(path[:n]) in keys:
            return field_name(method, ".".join(path[:n]))
    return ""
