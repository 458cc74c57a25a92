"""Decimal parsing, units of measure and display formatting."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, getcontext, localcontext
from fractions import Fraction

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

#: A cell that says "no task assigned" / "not applicable".
NA_MARKERS = frozenset({"/", "／", "\\", "—", "－", "-", "无", "不适用"})

_SPACE = re.compile(r"[\s\u3000,，_']")
# Digits, perhaps a point: the common case, read at once. At most 15 digits each side, so that
# what it reads is always within MAX_EXPONENT; longer figures take the checked path.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


class NotANumber(ValueError):
    """The cell holds something that is not a number."""


class Negative(ValueError):
    """The cell holds a negative number."""


class NA:
    """Singleton marker for a '/' cell."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"


NOT_APPLICABLE = NA()


class Mark:
    """An actual figure that is not a number but a declaration: 数据未出 or 未报送."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The actual is declared 数据未出: completion taken as the target, full points, not ranked.
DECLARED_PENDING = Mark("数据未出")
#: The actual was never reported (the web, after entry closed): 0 points.
NOT_REPORTED = Mark("未报送")
#: What an actual cell may say to declare 数据未出 (a scheme may add its own words).
PENDING_WORDS = ("未出", "数据未出")


class BadCell:
    """A spreadsheet cell that holds no figure a reader may trust: an Excel error value
    (#DIV/0!, #N/A …) or a formula saved without its computed value."""

    __slots__ = ("text", "formula")

    def __init__(self, text: str, formula: bool = False):
        self.text, self.formula = text, formula

    def __str__(self) -> str:
        return self.text


#: Figures larger than this (or smaller than its inverse, apart from 0) cannot be printed.
MAX_EXPONENT = 15
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,，][0-9]{3})+(?:\.[0-9]+)?")
_DASHES = frozenset({"—", "－", "-", "–", "无", "不适用", "——"})


def not_figure(value) -> str:
    """Why an actual cell with a dash or 无 is refused ('' for '/', which is fine)."""
    text = unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""
    if text in _DASHES or str(value).strip() in _DASHES:
        return (
            f"实绩数不能填“{str(value).strip()}”：没有完成请填 0；"
            "统计数据未出请填“数据未出”；未下达任务请在任务数填“/”"
        )
    return ""


def bad_number(value) -> str:
    """The Chinese message for a cell that is not a number, saying why when it can."""
    if isinstance(value, BadCell):
        if value.formula:
            return f"公式“{value.text}”没有保存计算结果：请在 Excel 中打开并保存后再上传"
        return f"“{value.text}”是 Excel 的错误值，不是数字"
    text = str(value).strip()
    compact = unicodedata.normalize("NFKC", text).replace(" ", "")
    if ("," in compact or "，" in compact) and not _GROUPED.fullmatch(compact):
        return (
            f"“{text}”中的逗号位置不对：小数点请用“.”（如 4.25），千位分隔符每三位一个"
            "（如 1,234.5）"
        )
    if re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", compact):
        return f"“{text}”数值过大或过小，无法作为考核数据（请直接写出数字）"
    return f"“{text}”不是有效数字"


def to_decimal(value) -> Decimal:
    """An exact Decimal from a number read from a file (floats via their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotANumber(repr(value))
        if value.is_integer() and abs(value) < 1e15:
            return Decimal(int(value))
        return Decimal(repr(value))
    raise NotANumber(str(value))


def parse_cell(value, *, allow_percent: bool = False, allow_negative: bool = False):
    """Parse one cell: Decimal, NOT_APPLICABLE for '/', or None for blank.

    Raises NotANumber or Negative with the offending text.
    """
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta, BadCell)):
        raise NotANumber(str(value))
    if isinstance(value, str):
        if _PLAIN_NUMBER.fullmatch(value):  # the common case: digits, perhaps a point
            return Decimal(value)
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            return None
        if text in NA_MARKERS or value.strip() in NA_MARKERS:
            return NOT_APPLICABLE
        if ("," in text or "，" in text) and not _GROUPED.fullmatch(
            text.replace(" ", "").rstrip("%")
        ):
            raise NotANumber(value)  # 4,25 is a decimal comma, not 425
        compact = _SPACE.sub("", text)
        scale = ONE
        if compact.endswith("%"):
            if not allow_percent:
                raise NotANumber(value)
            compact = compact[:-1]
            scale = Decimal("0.01")
        try:
            number = Decimal(compact)
        except InvalidOperation:
            raise NotANumber(value) from None
        if not number.is_finite():
            raise NotANumber(value)
        number = number * scale if scale != ONE else number
    else:
        number = to_decimal(value)
    if number and abs(number.adjusted()) > MAX_EXPONENT:
        raise NotANumber(str(value))
    if number < 0 and not allow_negative:
        raise Negative(str(value))
    return number


def decimals_of(value) -> int:
    """How many decimal places a value is written with (its printed precision)."""
    if isinstance(value, str):
        text = _SPACE.sub("", unicodedata.normalize("NFKC", value)).rstrip("%")
        if "." in text:
            return len(text.split(".", 1)[1])
        return 0
    d = to_decimal(value)
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def tolerance(raw) -> Decimal:
    """Half a unit in the last printed place of a figure, plus noise for the 15 digits a
    spreadsheet keeps (a float cell, a SUM(), or one pasted as text like '1.046355555555555')."""
    tol = Decimal(5).scaleb(-decimals_of(raw) - 1)
    try:
        size = parse_cell(raw, allow_percent=True)
    except (NotANumber, Negative):
        size = None
    if isinstance(size, Decimal):
        tol += abs(size) * Decimal("1e-12") + Decimal("1e-12")
    return tol


# --- units of measure ------------------------------------------------------

#: unit -> (family, factor to the family's base unit)
_UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(1)),
    "千元": ("money", Decimal(1000)),
    "万元": ("money", Decimal(10000)),
    "十万元": ("money", Decimal(100000)),
    "百万元": ("money", Decimal(1000000)),
    "千万元": ("money", Decimal(10000000)),
    "亿元": ("money", Decimal(100000000)),
    "人": ("person", ONE),
    "名": ("person", ONE),
    "人次": ("person-time", ONE),
    "万人": ("person", Decimal(10000)),
    "家": ("org", ONE),
    "个": ("item", ONE),
    "项": ("item", ONE),
    "件": ("item", ONE),
    "篇": ("doc", ONE),
    "份": ("doc", ONE),
    "次": ("time", ONE),
    "场": ("time", ONE),
    "%": ("percent", ONE),
}


#: Counts: an actual figure in these units is a whole number (every count unit of _UNITS).
COUNT_UNITS = frozenset({"家", "人", "名", "人次", "个", "项", "件", "篇", "份", "次", "场"})


def is_count_unit(unit: str) -> bool:
    return unit.strip() in COUNT_UNITS


class UnitMismatch(ValueError):
    pass


def conversion_factor(source: str, target: str) -> Decimal:
    """Multiply a figure in `source` units by this to get `target` units."""
    source, target = source.strip(), target.strip()
    if source == target or not source or not target:
        return ONE
    if source not in _UNITS or target not in _UNITS:
        raise UnitMismatch(f"无法把“{source}”换算为“{target}”")
    fam_s, f_s = _UNITS[source]
    fam_t, f_t = _UNITS[target]
    if fam_s != fam_t:
        raise UnitMismatch(f"无法把“{source}”换算为“{target}”")
    return f_s / f_t


def is_amount(unit: str) -> bool:
    """Money figures (元, 万元, 亿元 …) are often rounded to whole numbers for print; counts are not."""
    return _UNITS.get(unit.strip(), ("",))[0] == "money"


_BRACKET = re.compile(r"^(.*?)\s*[（(]\s*([^（）()]*)\s*[)）]\s*$")


def split_unit(label: str) -> tuple[str, str]:
    """'规上企业研发投入（万元）' -> ('规上企业研发投入', '万元')."""
    m = _BRACKET.match(label.strip())
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return label.strip(), ""


# --- display ----------------------------------------------------------------


_QUANTA = [Decimal(1).scaleb(-p) for p in range(30)]


def plain(d: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 4.40 -> 4.4, 1E+2 -> 100."""
    text = str(d)
    if "E" not in text and not ("." in text and text[-1] == "0"):
        return text  # the common case, already plain
    if d == d.to_integral_value():
        if d.adjusted() >= getcontext().prec:  # more digits than quantize may give: print them
            return format(d.normalize(), "f")
        return str(d.quantize(ONE))
    return format(d.normalize(), "f")


def fraction_half_up(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half-up (away from zero) to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    quantum = Decimal(1).scaleb(-places)
    return Decimal(whole if value >= 0 else -whole).scaleb(-places).quantize(quantum)


def round_half_up(d: Decimal, places: int) -> Decimal:
    quantum = _QUANTA[places] if 0 <= places < 30 else Decimal(1).scaleb(-places)
    try:
        return d.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: widen it for this one
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, d.adjusted() + places + 2)
            return d.quantize(quantum, rounding=ROUND_HALF_UP)


def fixed(d: Decimal, places: int) -> str:
    """Round half-up to `places` decimals and print them all: 4.4 -> '4.40'."""
    return format(round_half_up(d, places), "f")


def percent(rate: Decimal, places: int = 2) -> str:
    """1.4736842 -> '147.37%'."""
    return fixed(rate * HUNDRED, places) + "%"


_SPACES = re.compile(r"[\s\u3000]")
_DOTS = re.compile(r"[·•‧・･⋅∙●]")
_ODD_NAME = re.compile(r"[\s\u3000·•‧・･⋅∙●]")


def normalize_name(text: str) -> str:
    """A key for matching names: NFKC, no whitespace, one kind of middle dot."""
    text = str(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _ODD_NAME.search(text) is None:
        return text
    return _DOTS.sub("·", _SPACES.sub("", text))
