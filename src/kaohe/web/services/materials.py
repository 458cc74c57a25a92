"""Materials (简报, 总结, 议题, 会议纪要 …) kept with their time of arrival. Their counts and
punctuality become the actual figures of the work-task indicators, so nobody counts by hand."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from ..models import ALL_MATERIALS, MATERIAL_KINDS, Entry, Material, Period, Unit
from . import audit, rules
from .entries import show_figure
from .errors import ServiceError
from .schemes import late_note
from .uploads import check_size

ALLOWED_SUFFIXES = {
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".ofd",
    ".xls",
    ".xlsx",
    ".et",
    ".txt",
    ".jpg",
    ".jpeg",
    ".png",
    ".zip",
    ".rar",
    ".7z",
}


def upload_material(period: Period, unit: Unit, user, *, kind: str, title: str, upload) -> Material:
    """Store a material. A file identical (SHA-256) to one the unit already filed under the same
    kind this period is kept but counts once; ``material.duplicate_of`` names the earlier one."""
    name, digest = _checked(upload)
    now = timezone.now()
    with transaction.atomic():
        period, report = rules.locked(period, "materials", rules.role_of(user, unit=unit), unit)
        material = Material(
            period=period,
            unit=unit,
            kind=kind,
            title=title.strip() or name,
        )
        _store_file(material, upload, name, digest, user, now, report)
        material.duplicate_of = (
            Material.objects.filter(period=period, unit=unit, kind=kind, sha256=digest)
            .order_by("uploaded_at", "id")
            .first()
        )
        material.save()
        audit.record(
            user,
            "报送材料",
            period=period,
            unit=unit,
            field=material.get_kind_display(),
            new=material.title,
            detail=("迟报；" if material.late else "") + f"{name}，{upload.size} 字节",
        )
        recount(period, unit, user)
    return material


def replace_material(material: Material, user, *, upload, title: str = "") -> Material:
    """A new file in place of the old one. It arrives now: a replacement after the deadline is
    late, whenever the old file came."""
    name, digest = _checked(upload)
    now = timezone.now()
    with transaction.atomic():
        material, report = _locked(material, user)
        old_name, old_file, old_when = material.filename, material.file.name, _arrival(material)
        if title.strip():
            material.title = title.strip()
        elif material.title == old_name:
            material.title = name
        _store_file(material, upload, name, digest, user, now, report)
        material.save()
        audit.record(
            user,
            "替换材料",
            period=material.period,
            unit=material.unit,
            field=material.get_kind_display(),
            old=old_name,
            new=name,
            detail=f"{material.title}；原文件到达 {old_when}；新文件到达 {_arrival(material)}，"
            f"{upload.size} 字节",
        )
        recount(material.period, material.unit, user)
        transaction.on_commit(lambda: material.file.storage.delete(old_file))
    return material


def delete_material(material: Material, user) -> None:
    """Remove a material and its file; the audit log keeps its name, arrival and checksum."""
    with transaction.atomic():
        material, _ = _locked(material, user)
        period, unit, stored = material.period, material.unit, material.file.name
        audit.record(
            user,
            "删除材料",
            period=period,
            unit=unit,
            field=material.get_kind_display(),
            old=material.filename,
            new="",
            detail=f"{material.title}；到达 {_arrival(material)}；sha256 {material.sha256}",
        )
        storage = material.file.storage
        material.delete()
        recount(period, unit, user)
        transaction.on_commit(lambda: storage.delete(stored))


def _checked(upload) -> tuple[str, str]:
    """The upload's plain file name and SHA-256, or ServiceError for a type, size or empty file
    that is not accepted."""
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise ServiceError(
            f"不支持的文件类型“{suffix or name}”。可上传：{'、'.join(sorted(ALLOWED_SUFFIXES))}"
        )
    check_size(upload)
    if upload.size == 0:
        raise ServiceError("文件是空的")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return name, digest.hexdigest()


def change_kind(material: Material, user, kind: str) -> Material:
    """The bureau files a material under another kind (a 总结 sent as 简报); audited, recounted."""
    if kind not in dict(MATERIAL_KINDS):
        raise ServiceError(f"没有这种材料类型：{kind}")
    with transaction.atomic():
        material, _ = _locked(material, user, action="material_kind")
        if material.kind == kind:
            return material
        old = material.get_kind_display()
        material.kind = kind
        material.save(update_fields=["kind"])
        audit.record(
            user,
            "修改材料类型",
            period=material.period,
            unit=material.unit,
            field="材料类型",
            old=old,
            new=material.get_kind_display(),
            detail=material.title,
        )
        recount(material.period, material.unit, user)
    return material


def _store_file(material: Material, upload, name: str, digest: str, user, now, report) -> None:
    """Save the file and stamp its arrival: now, late if after the unit's own deadline."""
    material.size = upload.size
    material.sha256 = digest
    material.uploaded_at = now
    material.uploaded_by = user
    material.late = rules.is_late(material.period, report, now)
    upload.seek(0)
    material.file.save(name, upload, save=False)


def _locked(material: Material, user, action: str = "materials"):
    """(the material, the unit's report), locked after the period row, the rule checked."""
    period, report = rules.locked(
        material.period_id, action, rules.role_of(user, unit=material.unit), material.unit
    )
    locked = (
        Material.objects.select_for_update(of=("self",))
        .select_related("period__scheme", "unit__group")
        .filter(pk=material.pk)
        .first()
    )
    if locked is None:
        raise ServiceError("这份材料已被删除，请刷新页面。")
    return locked, report


def _arrival(material: Material) -> str:
    when = timezone.localtime(material.uploaded_at)
    return f"{when:%Y-%m-%d %H:%M:%S}（{'迟报' if material.late else '按时'}）"


def _identity(material: Material) -> tuple[str, str]:
    """Identical files of one kind count once (a file without checksum counts by itself)."""
    return (material.kind, material.sha256 or f"id{material.pk}")


def recount(period: Period, unit: Unit, user) -> int:
    """Set each material-fed indicator's actual to the number of its materials that arrived on
    time, identical files (SHA-256) counted once; none is 0 done. If some arrived late and the
    on-time ones fall short of the target, the scheme's late rule applies (note 迟报材料 → 0
    points)."""
    changed = 0
    mats = list(Material.objects.filter(period=period, unit=unit).only("kind", "late", "sha256"))
    note = late_note(period.scheme)
    for indicator in unit.group.indicators.exclude(material_kind=""):
        kind = indicator.material_kind
        chosen = [m for m in mats if kind == ALL_MATERIALS or m.kind == kind]
        on_time_files = {_identity(m) for m in chosen if not m.late}
        on_time = len(on_time_files)
        late = len({_identity(m) for m in chosen if m.late} - on_time_files)
        entry, _ = Entry.objects.select_for_update().get_or_create(
            period=period, unit=unit, indicator=indicator
        )
        short = entry.target is not None and on_time < entry.target
        new_note = note if late and short else ""
        old_actual = show_figure(entry.actual, entry.actual_na)
        if (entry.actual, entry.actual_na, entry.note) == (on_time, False, new_note):
            continue
        audit.record(
            user,
            "材料计数",
            period=period,
            unit=unit,
            indicator=indicator,
            field="实绩数",
            old=old_actual + (f"（{entry.note}）" if entry.note else ""),
            new=str(on_time) + (f"（{new_note}）" if new_note else ""),
            detail=f"按时 {on_time} 份，迟报 {late} 份",
        )
        entry.actual, entry.actual_na, entry.note = on_time, False, new_note
        entry.late = bool(new_note)
        entry.submitted_at = timezone.now()
        entry.source = "材料计数"
        entry.version += 1
        entry.save()
        changed += 1
    return changed
