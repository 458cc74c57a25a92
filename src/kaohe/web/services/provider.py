"""A data-providing department (e.g. the statistics bureau for 规上企业研发投入) uploads the entry
workbook for every unit. Only the actual figures of the indicators its membership provides are
read; whatever else the file holds (other indicators, targets, notes) is ignored and the preview
says so. Stored whole or not at all, only while the period is 填报中."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ...numbers import NOT_APPLICABLE
from ..models import Entry, Indicator, Period, Unit
from . import rules
from .entries import (
    Change,
    PreviewRow,
    SubmitResult,
    magnitude_warnings,
    parse_figure,
    provide_values,
    read_dataset,
    show_figure,
)
from .errors import ServiceError
from .schemes import lookups

SOURCE = "数据提供部门上传"


@dataclass
class ProvidedPreview:
    rows: list[PreviewRow]
    notices: list[str] = field(default_factory=list)  # what in the file is not stored, and why


def _shown(value) -> str:
    return show_figure(None, True) if value is NOT_APPLICABLE else show_figure(value, False)


def read_provided_upload(
    period: Period, path: Path, display_name: str, indicators: list[Indicator]
) -> ProvidedPreview:
    """Preview rows for the provided indicators' actual figures; nothing is stored. A file with a
    problem anywhere (another template, text in a number cell, an unknown unit) is refused whole,
    as every other upload is."""
    dataset = read_dataset(period, path, display_name)
    allowed = {i.id for i in indicators}
    units, by_key = lookups(period.scheme)
    existing = {
        (e.unit_id, e.indicator_id): e
        for e in Entry.objects.filter(period=period, indicator_id__in=allowed)
    }
    rows: list[PreviewRow] = []
    ignored: dict[str, int] = {}  # other indicators' names → how many actual figures
    for data in dataset.groups:
        gkey = data.group.key
        for ind in data.group.indicators:
            indicator = by_key[(gkey, ind.key)]
            for unit_name in data.units:
                cell = data.cell(ind.key, unit_name)
                if cell is None or (cell.target is None and cell.actual is None and not cell.note):
                    continue
                if indicator.id not in allowed:
                    ignored[indicator.name] = ignored.get(indicator.name, 0) + (
                        cell.actual is not None
                    )
                elif cell.actual is not None:
                    unit = units[(gkey, unit_name)]
                    old = existing.get((unit.id, indicator.id))
                    rows.append(_row(period, unit, indicator, cell, old))
    notices = _notices(ignored)
    if not rows:
        names = "、".join(i.name for i in indicators)
        raise ServiceError(
            f"文件中没有您负责提供的指标（{names}）的实绩数，没有保存任何数据。", notices
        )
    return ProvidedPreview(rows, notices)


def _row(period: Period, unit: Unit, indicator: Indicator, cell, old: Entry | None) -> PreviewRow:
    target = show_figure(old.target, old.target_na) if old else ""
    warnings = []
    if cell.target is not None and _shown(cell.target) != target:
        warnings.append(
            f"文件中的任务数 {_shown(cell.target)} 与下达的任务数 {target or '空白'} 不同，"
            "以下达的为准"
        )
    if cell.note:
        warnings.append(f"备注“{cell.note}”不会保存（数据提供部门只报送实绩数）")
    if isinstance(cell.actual, Decimal):
        warnings += magnitude_warnings(
            period, unit, indicator, cell.actual, old.target if old else None
        )
    return PreviewRow(
        unit.name,
        unit.id,
        indicator.name,
        indicator.id,
        indicator.unit,
        target,
        target,
        show_figure(old.actual, old.actual_na) if old else "",
        _shown(cell.actual),
        "",
        warnings,
    )


def _notices(ignored: dict[str, int]) -> list[str]:
    if not ignored:
        return []
    parts = [
        f"{name}（{n} 个单位填了实绩数）" if n else f"{name}（只有任务数或备注）"
        for name, n in ignored.items()
    ]
    return ["以下指标不是您负责提供的，文件中这些指标的数据已忽略、不会保存：" + "、".join(parts)]


def apply_provided_upload(
    period: Period, user, rows: list[dict], indicators: list[Indicator]
) -> SubmitResult:
    """Store a confirmed preview: every row or none, each change audited (来源：数据提供部门上传).
    Rows of an indicator the membership does not provide are refused, whatever the session holds;
    the period must still be 填报中 when the rows are stored."""
    allowed = {i.id: i for i in indicators}
    units = {u.id: u for u in Unit.objects.filter(group__scheme_id=period.scheme_id)}
    changes: dict[int, list[Change]] = {}
    for row in rows:
        indicator = allowed.get(row["indicator_id"])
        if indicator is None:
            raise ServiceError(f"“{row['indicator']}”不是您负责提供的指标，没有保存任何数据。")
        unit = units.get(row["unit_id"])
        if unit is None or unit.group_id != indicator.group_id:
            raise ServiceError(f"没有这个单位：{row['unit']}，没有保存任何数据。")
        try:
            actual = parse_figure(row["new_actual"])
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        changes.setdefault(indicator.id, []).append(
            Change(indicator=indicator, unit=unit, actual=actual)
        )
    total = SubmitResult()
    with transaction.atomic():
        rules.locked_period(period, "enter", rules.PROVIDER)  # each indicator checks again
        for indicator_id in sorted(changes):
            result = provide_values(
                period, allowed[indicator_id], user, changes[indicator_id], source=SOURCE
            )
            total.changed += result.changed
            total.warnings += result.warnings
    return total
