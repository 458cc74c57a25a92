"""The entry workbook: units × indicators, read back by `kaohe score`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .dataset import Dataset
from .numbers import NOT_APPLICABLE
from .scheme import Group, Scheme

FIRST_DATA_ROW = 4
FIELDS = ("任务数", "实绩数", "备注")


def write_template(
    scheme: Scheme,
    path: str | Path,
    groups: list[Group] | None = None,
    prefill: Dataset | None = None,
    only_units: set[str] | None = None,
) -> None:
    """Write the entry workbook of some groups (all by default); only_units keeps those units'
    rows (a unit's own workbook holds only its row)."""
    import xlsxwriter

    # User text (names, notes) is written with write_string and never read as a formula.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    fmt = {
        "title": wb.add_format(
            {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        ),
        "help": wb.add_format({"font_color": "#555555", "text_wrap": True, "valign": "top"}),
        "head": wb.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "text_wrap": True,
                "bg_color": "#E8EEF7",
            }
        ),
        "unit": wb.add_format({"border": 1, "valign": "vcenter"}),
        "num": wb.add_format({"border": 1, "num_format": "General", "bg_color": "#FFFDE7"}),
        "note": wb.add_format({"border": 1, "bg_color": "#FFFDE7"}),
    }
    for group in groups or scheme.groups:
        _write_group(wb, fmt, scheme, group, prefill, only_units)
    wb.close()


def _write_group(
    wb, fmt, scheme: Scheme, group: Group, prefill: Dataset | None, only_units: set[str] | None
) -> None:
    ws = wb.add_worksheet(f"{group.name}填报"[:31])
    width = 2 + 3 * len(group.inputs)
    ws.merge_range(0, 0, 0, width - 1, f"{scheme.name}（{group.name}）考核数据填报表", fmt["title"])
    ws.merge_range(
        1,
        0,
        1,
        width - 1,
        f"方案：{scheme.key}。任务数填“/”表示未下达任务；没有完成的实绩数填 0，统计数据确实未出的"
        "实绩数填“未出”（空白不算数据未出：计分时是错误，网站中记为未报送、0 分）；"
        f"备注填“{scheme.late_notes[0] if scheme.late_notes else '迟报材料'}”表示迟报（记 0 分）。"
        "数字请按表头中的计量单位填写，不能为负数。",
        fmt["help"],
    )
    ws.set_row(1, 36)
    ws.merge_range(2, 0, 3, 0, "序号", fmt["head"])
    ws.merge_range(2, 1, 3, 1, group.name, fmt["head"])
    for k, ind in enumerate(group.inputs):
        col = 2 + 3 * k
        label = f"{ind.name}（{ind.unit}）" if ind.unit else ind.name
        ws.merge_range(2, col, 2, col + 2, label, fmt["head"])
        for j, field in enumerate(FIELDS):
            ws.write(3, col + j, field, fmt["head"])
        ws.set_column(col, col + 1, 11)
        ws.set_column(col + 2, col + 2, 9)
    ws.set_row(2, 48)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 18)
    units = [u.name for u in group.units]
    if prefill is not None:
        for data in prefill.groups:
            if data.group is group:
                units += [u for u in data.units if u not in units]
    if only_units is not None:
        units = [u for u in units if u in only_units]
    last = FIRST_DATA_ROW + max(len(units), 1) - 1
    for r, unit in enumerate(units, start=FIRST_DATA_ROW):
        ws.write_number(r, 0, r - FIRST_DATA_ROW + 1, fmt["unit"])
        ws.write_string(r, 1, unit, fmt["unit"])
        for k, ind in enumerate(group.inputs):
            col = 2 + 3 * k
            target = actual = note = None
            cell = _prefilled(prefill, group, unit, ind.key)
            if cell is not None:
                target, actual, note = cell.target, cell.actual, cell.note
            _write_value(ws, r, col, target, fmt["num"])
            _write_value(ws, r, col + 1, actual, fmt["num"])
            ws.write_string(r, col + 2, note or "", fmt["note"])
    for k in range(len(group.inputs)):
        col = 2 + 3 * k
        for c in (col, col + 1):
            letter = _col(c)
            ws.data_validation(
                FIRST_DATA_ROW,
                c,
                last,
                c,
                {
                    "validate": "custom",
                    "value": f"=OR(AND(ISNUMBER({letter}{FIRST_DATA_ROW + 1}),{letter}{FIRST_DATA_ROW + 1}>=0),"
                    f'{letter}{FIRST_DATA_ROW + 1}="/")',
                    "ignore_blank": True,
                    "error_title": "请输入数字",
                    "error_message": "请填写不小于 0 的数字；未下达任务填“/”。",
                    "input_title": "填写说明",
                    "input_message": "数字（不小于 0），或“/”",
                },
            )
    ws.freeze_panes(FIRST_DATA_ROW, 2)


def _prefilled(prefill: Dataset | None, group: Group, unit: str, key: str):
    if prefill is None:
        return None
    for data in prefill.groups:
        if data.group is group:
            return data.cell(key, unit)
    return None


def _write_value(ws, r, c, value, fmt) -> None:
    if value is NOT_APPLICABLE:
        ws.write_string(r, c, "/", fmt)
    elif isinstance(value, Decimal):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def _col(index: int) -> str:
    from .errors import column_letter

    return column_letter(index)
