"""Tables laid out like the bulletin's attachments and like the entry template.

A title line naming the indicator, a date line, a two-row header (序号, 乡镇, then for each indicator
its name with the unit of measure in brackets over 实绩数 / 任务数 / 完成率 / 备注), a row per
unit, perhaps a 合计 row and note lines. One sheet may hold one indicator (附件1–5) or many (the
entry template).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..dataset import Cell, Dataset
from ..errors import InputError
from ..numbers import (
    DECLARED_PENDING,
    NOT_APPLICABLE,
    ONE,
    Negative,
    NotANumber,
    bad_number,
    decimals_of,
    is_amount,
    normalize_name,
    not_figure,
    parse_cell,
    percent,
    plain,
    split_unit,
    tolerance,
)
from ..scheme import Group, Indicator
from .files import Sheet
from .long import looks_long
from .resolve import Resolver, is_total

SUB_LABELS = {
    "actual": ("实绩数", "完成任务数", "完成数", "实际完成数", "实绩", "实际完成", "完成值"),
    "target": ("任务数", "目标任务数", "目标数", "目标任务", "目标值", "任务"),
    "rate": ("完成率", "完成比例", "完成进度", "完成率（%）", "完成率(%)"),
    "note": ("备注", "说明"),
}
_SUB = {normalize_name(v): k for k, vs in SUB_LABELS.items() for v in vs}
UNIT_HEADINGS = {
    normalize_name(x)
    for x in (
        "乡镇",
        "单位",
        "部门",
        "乡镇（场）",
        "乡镇(场)",
        "单位名称",
        "乡镇名称",
        "部门名称",
        "名称",
        "被考核单位",
    )
}
NOTE_STARTS = (
    "注",
    "说明",
    "备注",
    "数据来源",
    "填报",
    "审核",
    "制表",
    "负责人",
    "联系人",
    "*",
    "※",
)
HEADER_SEARCH_ROWS = 30


@dataclass
class Block:
    heading: str
    columns: dict[str, int] = field(default_factory=dict)
    group: Group | None = None
    indicator: Indicator | None = None
    measure: str = ""
    factor: Decimal = ONE
    whole: bool = False  # whole numbers may be rounded for print (amounts of money)
    sums: list = field(default_factory=lambda: [[], []])  # raw target, actual values


def _sub_label(cell) -> str | None:
    if not isinstance(cell, str):
        return None
    text = normalize_name(cell)
    label = _SUB.get(text)
    if label is None:
        base, _ = split_unit(text)
        label = _SUB.get(normalize_name(base))
    return label


def find_header(rows: list[list], extra_unit_headings=()) -> tuple[int, int, bool] | None:
    """(header row, unit column, single-row header?) or None."""
    headings = UNIT_HEADINGS | {normalize_name(h) for h in extra_unit_headings}
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        row = rows[r]
        for c, cell in enumerate(row):
            if isinstance(cell, str) and normalize_name(cell) in headings:
                if any(_sub_label(x) for x in row[c + 1 :]):
                    return r, c, True
                if r + 1 < len(rows) and any(_sub_label(x) for x in rows[r + 1][c + 1 :]):
                    return r, c, False
    return None


def read_wide(sheet: Sheet, dataset: Dataset, resolver: Resolver, errors: list) -> bool:
    """Read one sheet; False when the sheet has no table of this layout."""
    rows = sheet.rows
    extra = [g.name for g in resolver.scheme.groups] + [
        g.title for g in resolver.scheme.groups if g.title
    ]
    found = find_header(rows, extra)
    if found is None:
        return False
    h, uc, single = found
    if looks_long(rows[h]):  # a 指标名称 column: one indicator per row (附件6 score table)
        return False
    sub_row = h if single else h + 1
    blocks = _blocks(rows, h, sub_row, uc, single)
    if not blocks:
        return False
    titles = [c for r in rows[:h] for c in r if isinstance(c, str) and c.strip()]
    before = len(errors)
    for block in blocks:
        _resolve_block(sheet, block, titles, resolver, h, errors)
    if len(errors) > before:
        return True
    row_note_col = None
    if not single:
        for c, cell in enumerate(rows[h]):
            if (
                c > uc
                and _sub_label(cell) == "note"
                and _sub_label(rows[sub_row][c] if c < len(rows[sub_row]) else None) is None
            ):
                row_note_col = c
    totals = []
    for r in range(sub_row + 1, len(rows)):
        row = rows[r]
        if all(c is None for c in row):
            continue
        unit_raw = row[uc] if uc < len(row) else None
        seq = row[uc - 1] if uc > 0 else None
        if is_total(unit_raw) or is_total(seq):
            totals.append(r)
            continue
        if _note_line(row, uc, blocks, resolver, after_total=bool(totals)):
            continue
        try:
            _read_row(sheet, r, row, uc, blocks, row_note_col, dataset, resolver)
        except InputError as exc:
            errors.append(exc)
    if len(errors) == before:
        for r in totals:
            _check_total(sheet, r, rows[r], blocks, errors)
    return True


def _blocks(rows, h, sub_row, uc, single) -> list[Block]:
    header, sub = rows[h], rows[sub_row]
    blocks: dict[int, Block] = {}
    for c in range(uc + 1, len(sub)):
        label = _sub_label(sub[c])
        if label is None:
            continue
        start = uc + 1  # a one-row header holds one indicator, named in the title
        heading = ""
        if not single:
            k = c
            while k > uc and (k >= len(header) or header[k] is None):
                k -= 1
            if k > uc:
                start, heading = k, str(header[k]).strip()
        block = blocks.setdefault(start, Block(heading))
        if label in block.columns:  # a second 实绩数 under the same heading starts a new block
            block = blocks.setdefault(c + 10_000, Block(heading))
        block.columns[label] = c
    return [b for b in blocks.values() if "actual" in b.columns or "target" in b.columns]


def _resolve_block(sheet, block: Block, titles, resolver: Resolver, h, errors) -> None:
    texts = [block.heading] if block.heading else []
    texts += [t for t in titles if not normalize_name(t).startswith("附件")]
    for text in texts:
        options = resolver.indicators(text)
        if options:
            block.group, block.indicator, block.measure = options[0]
            if not block.measure:
                # a unit of measure in a title, but not the bracket of a name the scheme has
                block.measure = next(
                    (m for t in texts if (m := split_unit(t)[1]) and not resolver.is_exact(t)), ""
                )
            block.whole = is_amount(block.measure or block.indicator.unit)
            try:
                block.factor = resolver.factor(block.indicator, block.measure, sheet.where(h))
            except InputError as exc:
                errors.append(exc)
            return
    shown = block.heading or (texts[0] if texts else "")
    hint = None
    for group in resolver.scheme.groups:
        hint = hint or group.suggest_indicator(shown)
    extra = f"，是否为“{hint}”？" if hint else ""
    col = min(block.columns.values())
    errors.append(InputError(f"无法识别指标“{shown}”{extra}", sheet.where(h, col)))


def _note_line(row, uc, blocks, resolver: Resolver, after_total: bool) -> bool:
    filled = [c for c in row if c is not None]
    first = filled[0]
    if isinstance(first, str) and first.strip().startswith(NOTE_STARTS):
        return True
    figures = [_cell(row, b.columns.get(k)) for b in blocks for k in ("target", "actual")]
    if all(f is None for f in figures):
        unit = _cell(row, uc)
        if after_total or unit is None or resolver.unit(str(unit).strip()) is None:
            return True  # text without figures: a note, a signature line or a merged caption
    return len(filled) == 1 and isinstance(first, str) and len(first.strip()) > 12


def _cell(row, c):
    return row[c] if c is not None and c < len(row) else None


def _read_row(sheet, r, row, uc, blocks, row_note_col, dataset: Dataset, resolver: Resolver):
    unit_raw = _cell(row, uc)
    if unit_raw is None or not str(unit_raw).strip():
        raise InputError("单位名称为空", sheet.where(r, uc, "单位"))
    group_hint = blocks[0].group
    group, unit = resolver.unit_for(unit_raw, group_hint, sheet.where(r, uc, "单位"))
    dataset.unit_slot(group, unit)
    row_note = _text(_cell(row, row_note_col))
    for block in blocks:
        cols = block.columns
        target = _value(sheet, r, row, cols.get("target"), "任务数")
        actual = _actual(dataset.scheme, sheet, r, row, cols.get("actual"))
        note = _text(_cell(row, cols.get("note"))) or row_note
        if "target" not in cols or "actual" not in cols:
            raise InputError(
                f"指标“{block.indicator.name}”缺少{'任务数' if 'target' not in cols else '实绩数'}列",
                sheet.where(r),
            )
        if target is None and actual is None and not note:
            continue  # nothing filled in: reported as missing unless another file has it
        if "rate" in cols:
            _check_rate(
                sheet, r, cols["rate"], _cell(row, cols["rate"]), target, actual, block.whole
            )
        for k, v in enumerate((target, actual)):
            if isinstance(v, Decimal):
                block.sums[k].append(_cell(row, cols["target" if k == 0 else "actual"]))
        f = block.factor
        if f != ONE:
            target = target * f if isinstance(target, Decimal) else target
            actual = actual * f if isinstance(actual, Decimal) else actual
        # a blank actual is named by its own cell (the scoring commands refuse it)
        where = sheet.where(r, cols["actual"], "实绩数") if actual is None else sheet.where(r)
        dataset.put(group, unit, block.indicator.key, Cell(target, actual, note, where))


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _actual(scheme, sheet, r, row, c):
    """An actual figure: a number, '/', blank, or 数据未出 declared in the cell; a dash or 无 is
    no figure here (in the target column it means 未下达任务)."""
    if c is not None and scheme.pending_cell(_cell(row, c)):
        return DECLARED_PENDING
    value = _value(sheet, r, row, c, "实绩数")
    if value is NOT_APPLICABLE and not_figure(_cell(row, c)):
        raise InputError(not_figure(_cell(row, c)), sheet.where(r, c, "实绩数"))
    return value


def _value(sheet, r, row, c, label):
    if c is None:
        return None
    raw = _cell(row, c)
    try:
        return parse_cell(raw)
    except NotANumber:
        raise InputError(bad_number(raw), sheet.where(r, c, label)) from None
    except Negative:
        raise InputError(f"数值不能为负：{raw}", sheet.where(r, c, label)) from None


def _rounding(value, whole: bool) -> Decimal:
    """How far a printed figure may be from the figure it was rounded from."""
    places = decimals_of(value)
    return Decimal(5).scaleb(-places - 1) if places > 0 or whole else Decimal(0)


def _check_rate(sheet, r, c, raw, target, actual, whole: bool = False) -> None:
    if (
        raw is None
        or not isinstance(target, Decimal)
        or not isinstance(actual, Decimal)
        or not target
    ):
        return
    try:
        printed = parse_cell(raw, allow_percent=True)
    except (NotANumber, Negative):
        raise InputError(f"完成率“{raw}”不是有效数字", sheet.where(r, c, "完成率")) from None
    if not isinstance(printed, Decimal):
        return
    computed = actual / target
    # The rate was usually worked out before the figures beside it were rounded for print.
    slack_t = _rounding(target, whole)
    if slack_t >= target:
        return
    slack = (_rounding(actual, whole) + abs(computed) * slack_t) / (target - slack_t)
    tol = tolerance(raw)
    as_percent_text = isinstance(raw, str) and raw.strip().endswith("%")
    if as_percent_text:
        ok = abs(printed - computed) <= tol / 100 + slack
    else:
        ok = (
            abs(printed - computed) <= tol + slack
            or abs(printed / 100 - computed) <= tol / 100 + slack
        )
    if not ok:
        raise InputError(
            f"完成率 {raw if isinstance(raw, str) else plain(printed)} 与 实绩数 ÷ 任务数 = "
            f"{plain(actual)} ÷ {plain(target)} = {percent(computed)} 不符",
            sheet.where(r, c, "完成率"),
        )


def _check_total(sheet, r, row, blocks: list[Block], errors) -> None:
    for block in blocks:
        sums = []
        for k, label in ((0, "任务数"), (1, "实绩数")):
            c = block.columns.get("target" if k == 0 else "actual")
            raw_total = _cell(row, c)
            values = block.sums[k]
            total = sum((parse_cell(v) for v in values), Decimal(0))
            sums.append(total)
            if raw_total is None:
                continue
            try:
                printed = parse_cell(raw_total)
            except (NotANumber, Negative):
                errors.append(
                    InputError(f"合计“{raw_total}”不是有效数字", sheet.where(r, c, label))
                )
                continue
            if not isinstance(printed, Decimal):
                continue
            tol = tolerance(raw_total) + sum(
                (_rounding(v, block.whole) for v in values), Decimal(0)
            )
            if abs(printed - total) <= tol:
                sums[k] = printed  # the printed 完成率 was worked out from the printed 合计
            else:
                name = block.indicator.name
                errors.append(
                    InputError(
                        f"指标“{name}”合计行的{label} {plain(printed)} 与各单位之和 {plain(total)} 不符",
                        sheet.where(r, c, label),
                    )
                )
        if "rate" in block.columns and sums[0]:
            try:
                rate = block.columns["rate"]
                _check_rate(sheet, r, rate, _cell(row, rate), sums[0], sums[1], block.whole)
            except InputError as exc:
                errors.append(exc)
