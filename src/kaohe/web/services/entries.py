"""Entering figures: the form, the provider's column and the uploaded workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ...errors import InputErrors, KaoheError
from ...numbers import DECLARED_PENDING, NOT_APPLICABLE, Negative, NotANumber, parse_cell, plain
from ..models import Entry, Indicator, Period, Unit, UnitReport
from . import audit, rules
from .errors import ServiceError, StaleEdit
from .measures import whole_number_error
from .schemes import engine_scheme, late_note, lookups

BLANK = object()


def parse_figure(text) -> tuple[Decimal | None, bool]:
    """'12.5' → (Decimal, False); '/' → (None, True); '' → (None, False). Raises ValueError."""
    try:
        value = parse_cell(text if not isinstance(text, str) else text.strip())
    except NotANumber:
        raise ValueError(f"“{text}”不是有效数字") from None
    except Negative:
        raise ValueError(f"不能为负数：{text}") from None
    if value is NOT_APPLICABLE:
        return None, True
    return value, False


def show_figure(value, na: bool) -> str:
    if na:
        return "/"
    return "" if value is None else plain(value)


@dataclass
class Change:
    """A new value for some fields of one entry. Fields not given stay as they are."""

    indicator: Indicator
    unit: Unit | None = None
    target: tuple | None = None  # (Decimal|None, na)
    actual: tuple | None = None
    note: str | None = None
    version: int | None = None  # the version the user saw; None: don't check


@dataclass
class SubmitResult:
    changed: int = 0
    late: bool = False
    warnings: list[str] = field(default_factory=list)


def magnitude_warnings(
    period: Period, unit: Unit, indicator: Indicator, value: Decimal | None, target: Decimal | None
) -> list[str]:
    """A warning, not a block: a figure over 10× or under 1/10 of its target or of the previous
    period (the 万元/亿元 slip)."""
    if value is None or value == 0:
        return []
    out = []
    label = f"{unit.name}“{indicator.name}”实绩数 {plain(value)}{indicator.unit}"
    if target:
        if value > target * 10:
            out.append(
                f"{label}超过任务数 {plain(target)} 的 10 倍，请确认计量单位（{indicator.unit}）"
            )
        elif value * 10 < target:
            out.append(
                f"{label}不到任务数 {plain(target)} 的 1/10，请确认计量单位（{indicator.unit}）"
            )
    if period.previous_id:
        # by identity: the previous period may use an earlier scheme version's rows
        prev = Entry.objects.filter(
            Q(unit_id=unit.identity) | Q(unit__origin_id=unit.identity),
            Q(indicator_id=indicator.identity) | Q(indicator__origin_id=indicator.identity),
            period_id=period.previous_id,
        ).first()
        if prev and prev.actual:
            if value > prev.actual * 10:
                out.append(f"{label}超过上期 {plain(prev.actual)} 的 10 倍，请确认计量单位")
            elif value * 10 < prev.actual:
                out.append(f"{label}不到上期 {plain(prev.actual)} 的 1/10，请确认计量单位")
    return out


def _apply(
    entry: Entry,
    change: Change,
    user,
    period: Period,
    now,
    late: bool,
    source: str,
    *,
    reported: bool,
    draft: bool = False,
) -> bool:
    """Apply one change, audited. ``reported``: the unit (or its provider) reported the figure;
    what the bureau enters or imports is not 已报 for the unit."""
    changed = False
    for name, pair in (("target", change.target), ("actual", change.actual)):
        if pair is None:
            continue
        value, na = pair
        if name == "actual" and (problem := whole_number_error(entry.indicator, value)):
            raise ServiceError(f"{entry.unit.name}：{problem}；本次没有保存任何数据。")
        old_value, old_na = getattr(entry, name), getattr(entry, f"{name}_na")
        if old_na == na and (
            old_value == value
            if value is not None and old_value is not None
            else old_value is value
        ):
            continue
        label = "任务数" if name == "target" else "实绩数"
        audit.record(
            user,
            f"修改{label}",
            period=period,
            unit=entry.unit,
            indicator=entry.indicator,
            field=label,
            old=show_figure(old_value, old_na),
            new=show_figure(value, na),
            detail=f"来源：{source}" + ("；迟报" if late else ""),
        )
        setattr(entry, name, value)
        setattr(entry, f"{name}_na", na)
        changed = True
    if change.note is not None and change.note != entry.note:
        audit.record(
            user,
            "修改备注",
            period=period,
            unit=entry.unit,
            indicator=entry.indicator,
            field="备注",
            old=entry.note,
            new=change.note,
            detail=f"来源：{source}",
        )
        entry.note = change.note
        changed = True
    if changed:
        if draft:  # saved, not submitted: the bureau sees it as 未报送 until 提交报送
            entry.submitted_at, entry.submitted_by, entry.late = None, None, False
        elif reported and (change.actual is not None or change.note is not None):
            entry.submitted_at = now
            entry.submitted_by = user if user is not None and user.is_authenticated else None
            entry.late = late
        entry.source = source
        entry.version += 1
    return changed


def _check_versions(period: Period, pairs: list[tuple[Entry, Change]]) -> None:
    stale = []
    for entry, change in pairs:
        if change.version is not None and change.version != entry.version:
            stale.append(
                f"{entry.unit.name}“{entry.indicator.name}”已被"
                f"{entry.submitted_by.username if entry.submitted_by else '他人'}修改为 "
                f"任务数 {show_figure(entry.target, entry.target_na) or '空白'}、"
                f"实绩数 {show_figure(entry.actual, entry.actual_na) or '空白'}"
            )
    if stale:
        raise StaleEdit(
            "您打开页面后，以下数据已被他人修改，本次提交没有保存任何数据。请刷新页面核对后重新提交。",
            stale,
        )


def _locked_entries(period: Period, keys: list[tuple[int, int]]) -> dict[tuple[int, int], Entry]:
    """Entries for (unit id, indicator id), created if missing, locked for this transaction."""
    unit_ids = sorted({u for u, _ in keys})
    ind_ids = sorted({i for _, i in keys})
    existing = {
        (e.unit_id, e.indicator_id)
        for e in Entry.objects.filter(period=period, unit_id__in=unit_ids, indicator_id__in=ind_ids)
    }
    missing = [
        Entry(period=period, unit_id=u, indicator_id=i) for u, i in keys if (u, i) not in existing
    ]
    if missing:
        Entry.objects.bulk_create(missing, ignore_conflicts=True)
    rows = (
        Entry.objects.select_for_update(of=("self",))
        .filter(period=period, unit_id__in=unit_ids, indicator_id__in=ind_ids)
        .select_related("unit", "indicator", "submitted_by")
        .order_by("id")
    )
    return {(e.unit_id, e.indicator_id): e for e in rows}


def provided_identities() -> set[int]:
    """The identities (Indicator.identity) of the indicators data-providing departments own:
    a department is given indicators of one scheme version; it owns the same indicators (by
    identity) in every version, and no unit reporter writes them."""
    from ..models import Membership

    rows = Membership.can_provide.through.objects.values_list(
        "indicator_id", "indicator__origin_id"
    )
    return {origin or pk for pk, origin in rows}


def provided_ids(scheme) -> set[int]:
    """Indicators of `scheme` a data-providing department owns (see provided_identities)."""
    from django.db.models import Q

    from ..models import Indicator

    identities = provided_identities()
    return set(
        Indicator.objects.filter(
            Q(pk__in=identities) | Q(origin_id__in=identities), group__scheme_id=scheme.pk
        ).values_list("pk", flat=True)
    )


def _refuse_provided(period: Period, changes: list[Change]) -> None:
    owned = provided_ids(period.scheme)
    names = [c.indicator.name for c in changes if c.indicator.id in owned]
    if names:
        raise ServiceError(
            "以下指标由数据提供部门报送，单位填报员不能修改；没有保存任何数据：",
            sorted(set(names)),
        )


def submit_values(
    period: Period,
    unit: Unit,
    user,
    changes: list[Change],
    *,
    source: str = "填报表单",
    action: str = "enter",
    draft: bool = False,
) -> SubmitResult:
    """Save one unit's figures; a reporter's save also marks the unit's report as submitted.
    The period's state and the user's role are checked here, with the period row locked. All
    or nothing. draft=True (a reporter's 保存草稿) saves them unsubmitted: the report is 未报送
    (or stays 已退回) until the reporter submits, which stamps the drafted figures with its own
    time."""
    now = timezone.now()
    with transaction.atomic():
        role = rules.role_of(user, unit=unit)
        period, report = rules.locked(period, action, role, unit)
        as_reporter = role == rules.REPORTER
        draft = draft and as_reporter
        late = as_reporter and not draft and rules.is_late(period, report, now)
        result = SubmitResult(late=late)
        if as_reporter:
            _refuse_provided(period, changes)
        entries = _locked_entries(period, [(unit.id, c.indicator.id) for c in changes])
        pairs = [(entries[(unit.id, c.indicator.id)], c) for c in changes]
        _check_versions(period, pairs)
        for entry, change in pairs:
            if change.indicator.material_kind and as_reporter:
                continue  # counted from uploaded materials
            if _apply(
                entry, change, user, period, now, late, source, reported=as_reporter, draft=draft
            ):
                if late and late_note(period.scheme) not in entry.note:
                    entry.note = (entry.note + "；" if entry.note else "") + late_note(
                        period.scheme
                    )
                entry.save()
                result.changed += 1
                if change.actual is not None:
                    result.warnings += magnitude_warnings(
                        period, unit, entry.indicator, entry.actual, entry.target
                    )
        if draft:
            _keep_draft(report, period, unit, user, result.changed)
        elif as_reporter:
            result.changed += _submit_drafts(period, unit, user, now, late)
            old_state = report.get_state_display()
            report.state = UnitReport.SUBMITTED
            report.submitted_at = now
            report.late = report.late or late
            report.save()
            audit.record(
                user,
                "报送数据",
                period=period,
                unit=unit,
                field="报送状态",
                old=old_state,
                new=report.get_state_display(),
                detail=f"{result.changed} 项有变化" + ("；迟报" if late else ""),
            )
    return result


def _keep_draft(report: UnitReport, period: Period, unit: Unit, user, changed: int) -> None:
    """A changed draft takes a submitted report back to 未报送; a returned one stays 已退回."""
    if not changed or report.state in (UnitReport.DRAFT, UnitReport.RETURNED):
        return
    old = report.get_state_display()
    report.state = UnitReport.DRAFT
    report.save()
    audit.record(
        user,
        "保存草稿",
        period=period,
        unit=unit,
        field="报送状态",
        old=old,
        new=report.get_state_display(),
        detail=f"{changed} 项有变化，尚未提交报送",
    )


def _submit_drafts(period: Period, unit: Unit, user, now, late: bool) -> int:
    """Stamp the unit's drafted figures (saved, never submitted) with this submission."""
    from django.db.models import Q

    drafts = Entry.objects.select_for_update().filter(
        Q(actual__isnull=False) | Q(actual_na=True) | ~Q(note=""),
        period=period,
        unit=unit,
        submitted_at__isnull=True,
    )
    n = 0
    for entry in drafts:
        entry.submitted_at, entry.submitted_by, entry.late = now, user, late
        if late and late_note(period.scheme) not in entry.note:
            entry.note = (entry.note + "；" if entry.note else "") + late_note(period.scheme)
        entry.version += 1
        entry.save()
        n += 1
    return n


def provide_values(
    period: Period,
    indicator: Indicator,
    user,
    changes: list[Change],
    *,
    source: str = "数据提供部门",
) -> SubmitResult:
    """A data-providing department (or the bureau) enters one indicator's actual figures for
    every unit, while the period's state allows it."""
    now = timezone.now()
    result = SubmitResult()
    with transaction.atomic():
        role = rules.role_of(user, indicator=indicator)
        period = rules.locked_period(period, "enter", role)
        if role == rules.REPORTER:
            raise ServiceError("单位填报员不能为全部单位报送指标")
        entries = _locked_entries(period, [(c.unit.id, indicator.id) for c in changes])
        pairs = [(entries[(c.unit.id, indicator.id)], c) for c in changes]
        _check_versions(period, pairs)
        for entry, change in pairs:
            if _apply(entry, change, user, period, now, False, source, reported=True):
                entry.save()
                result.changed += 1
                result.warnings += magnitude_warnings(
                    period, entry.unit, indicator, entry.actual, entry.target
                )
    return result


# --- uploads ------------------------------------------------------------------


@dataclass
class PreviewRow:
    unit: str
    unit_id: int
    indicator: str
    indicator_id: int
    measure: str
    old_target: str
    new_target: str
    old_actual: str
    new_actual: str
    note: str
    warnings: list[str]

    @property
    def changed(self) -> bool:
        return (self.old_target, self.old_actual) != (self.new_target, self.new_actual) or bool(
            self.note
        )


def _cell_pair(value) -> tuple[Decimal | None, bool] | None:
    if value is None:
        return None
    if value is NOT_APPLICABLE:
        return (None, True)
    return (value, False)


def read_dataset(period: Period, path: Path, display_name: str):
    """The engine's Dataset of an uploaded file, or ServiceError listing every problem (sheet,
    row, column) under the name the user gave the file."""
    from ...readers import read_files

    try:
        dataset = read_files([path], engine_scheme(period.scheme))
    except KaoheError as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        raise ServiceError(
            "上传的文件有问题，没有保存任何数据：",
            [str(e).replace(str(path), display_name) for e in errors],
        ) from None
    declared = [
        f"{unit}“{ind.name}”" + (f"（{cell.origin.describe()}）" if cell.origin else "")
        for data in dataset.groups
        for ind in data.group.indicators
        for unit, cell in zip(data.units, data.cells[ind.key], strict=True)
        if cell is not None and cell.actual is DECLARED_PENDING
    ]
    if declared:
        raise ServiceError(
            "网站中的“数据未出”由科技局或数据提供部门声明，填报表中不能填写；没有保存任何数据：",
            [d.replace(str(path), display_name) for d in declared],
        )
    return dataset


def read_upload(
    period: Period,
    path: Path,
    display_name: str,
    *,
    only_unit: Unit | None,
    with_targets: bool,
    owned=frozenset(),
) -> tuple[list[PreviewRow], list[str]]:
    """Read an uploaded workbook into preview rows and notices; nothing is stored. ``owned``:
    indicators a providing department reports, ignored in a unit's file and listed as such.
    Raises ServiceError with every problem in Chinese."""
    dataset = read_dataset(period, path, display_name)
    ignored: list[str] = []
    units, indicators = lookups(period.scheme)
    existing = {(e.unit_id, e.indicator_id): e for e in Entry.objects.filter(period=period)}
    rows: list[PreviewRow] = []
    problems: list[str] = []
    for data in dataset.groups:
        gkey = data.group.key
        for ind in data.group.indicators:
            indicator = indicators[(gkey, ind.key)]
            for unit_name in data.units:
                cell = data.cell(ind.key, unit_name)
                if cell is None:
                    continue
                unit = units[(gkey, unit_name)]
                has_data = cell.target is not None or cell.actual is not None or bool(cell.note)
                if only_unit is not None and unit.id != only_unit.id:
                    if has_data:
                        problems.append(
                            f"文件中有“{unit_name}”的数据；您只能上传本单位（{only_unit.name}）的数据"
                        )
                    continue
                if not has_data:
                    continue
                if indicator.id in owned:
                    ignored.append(indicator.name)
                    continue
                old = existing.get((unit.id, indicator.id))
                old_t = show_figure(old.target, old.target_na) if old else ""
                old_a = show_figure(old.actual, old.actual_na) if old else ""
                new_t = old_t
                if with_targets and cell.target is not None:
                    pair = _cell_pair(cell.target)
                    new_t = show_figure(*pair)
                new_a = old_a if cell.actual is None else show_figure(*_cell_pair(cell.actual))
                warnings = []
                if not with_targets and cell.target is not None:
                    shown = show_figure(*_cell_pair(cell.target))
                    if shown != old_t:
                        warnings.append(
                            f"文件中的任务数 {shown} 与下达的任务数 {old_t or '空白'} 不同，以下达的为准"
                        )
                if indicator.material_kind and not with_targets:
                    warnings.append("该指标由上传的材料自动计数，文件中的数字不会保存")
                if problem := whole_number_error(indicator, cell.actual):
                    where = unit_name
                    if cell.origin is not None:
                        where = cell.origin.describe().replace(str(path), display_name)
                    problems.append(f"{where}：{problem}")
                if isinstance(cell.actual, Decimal):
                    target = (
                        cell.target
                        if with_targets and isinstance(cell.target, Decimal)
                        else (old.target if old else None)
                    )
                    warnings += magnitude_warnings(period, unit, indicator, cell.actual, target)
                rows.append(
                    PreviewRow(
                        unit.name,
                        unit.id,
                        indicator.name,
                        indicator.id,
                        indicator.unit,
                        old_t,
                        new_t,
                        old_a,
                        new_a,
                        cell.note or "",
                        warnings,
                    )
                )
    if problems:
        raise ServiceError("上传的文件有问题，没有保存任何数据：", sorted(set(problems)))
    notices = []
    if ignored:
        notices.append(
            "以下指标由数据提供部门报送，文件中这些指标的数据已忽略、不会保存："
            + "、".join(dict.fromkeys(ignored))
        )
    if not rows:
        raise ServiceError("文件中没有找到任何数据（所有格子都是空的）。", notices)
    return rows, notices


def rows_to_session(rows: list[PreviewRow]) -> list[dict]:
    return [r.__dict__ for r in rows]


def apply_upload(
    period: Period,
    user,
    rows: list[dict],
    *,
    with_targets: bool,
    only_unit: Unit | None,
) -> SubmitResult:
    """Store a confirmed upload: every row or none. Each unit's rows go through submit_values,
    which checks the period and the user's role when the rows are stored."""
    by_unit: dict[int, list[Change]] = {}
    indicators = {i.id: i for i in Indicator.objects.filter(group__scheme=period.scheme)}
    for row in rows:
        if only_unit is not None and row["unit_id"] != only_unit.id:
            raise ServiceError("上传内容包含其他单位的数据，未保存")
        ind = indicators[row["indicator_id"]]
        change = Change(indicator=ind)
        try:
            if with_targets:
                change.target = parse_figure(row["new_target"])
            change.actual = parse_figure(row["new_actual"])
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        change.note = row["note"] or None
        by_unit.setdefault(row["unit_id"], []).append(change)
    total = SubmitResult()
    with transaction.atomic():
        for unit in Unit.objects.filter(pk__in=by_unit).order_by("id"):
            res = submit_values(
                period,
                unit,
                user,
                by_unit[unit.id],
                source="上传填报表" if not with_targets else "导入任务数",
            )
            total.changed += res.changed
            total.late = total.late or res.late
            total.warnings += res.warnings
    return total
