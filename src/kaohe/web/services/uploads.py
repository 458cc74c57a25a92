"""The size limit of every upload (entry workbooks and materials), checked in one place."""

from __future__ import annotations

import math

from django.conf import settings

from .errors import ServiceError


def size_text(size: int) -> str:
    """A size in MB (10⁶ bytes, as file managers show it) rounded up to a tenth, and in bytes:
    a file over the limit never reads as the limit itself."""
    return f"{math.ceil(size / 100_000) / 10:.1f} MB（{size:,} 字节）"


def check_size(upload) -> None:
    """ServiceError if the upload is larger than KAOHE_MAX_UPLOAD_MB."""
    limit = settings.KAOHE_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ServiceError(
            f"文件太大：{size_text(upload.size)}，上限为 {settings.KAOHE_MAX_UPLOAD_MB} MB"
            f"（{limit:,} 字节）"
        )
