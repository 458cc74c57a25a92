"""What several views share: showing a service's refusal, download headers, the workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse

from ..services.errors import ServiceError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fail(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)
    for d in exc.details[:50]:
        messages.error(request, d)


def form_errors(request, form) -> None:
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, e)


def max_mb() -> int:
    return settings.KAOHE_MAX_UPLOAD_MB


def attachment(filename: str, fallback: str | None = None) -> str:
    """The Chinese name in filename* (RFC 6266) and, for clients without it, an ASCII name with
    the same extension (download.zip for a zip, never download.xlsx)."""
    suffix = Path(filename).suffix
    fallback = fallback or f"download{suffix if suffix.isascii() else ''}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def download(data: bytes, content_type: str, filename: str, fallback: str | None = None):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = attachment(filename, fallback)
    return response


def workbook(
    period, group_keys, entries, filename, *, only_units=None, targets_only=False
) -> HttpResponse:
    """The entry workbook (kaohe template) of some groups, prefilled with the given entries
    (only their targets with targets_only); only_units: the unit names whose rows it holds."""
    from ...dataset import Cell, Dataset
    from ...numbers import NOT_APPLICABLE
    from ...template import write_template
    from ..services.schemes import engine_scheme

    scheme = engine_scheme(period.scheme)
    groups = [scheme.group(key) for key in group_keys]
    prefill = Dataset(scheme)
    for e in entries.select_related("unit__group", "indicator"):
        t = NOT_APPLICABLE if e.target_na else e.target
        a = NOT_APPLICABLE if e.actual_na else e.actual
        cell = Cell(t, None, "") if targets_only else Cell(t, a, e.note)
        prefill.put(scheme.group(e.unit.group.key), e.unit.name, e.indicator.key, cell)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        write_template(scheme, path, groups, prefill, only_units)
        data = path.read_bytes()
    return download(data, XLSX, filename)
