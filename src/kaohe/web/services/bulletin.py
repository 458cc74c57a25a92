"""The bulletin from the web: what the bureau sets for a period (title, date, cut-off, theme,
版头/版记, charts), and the zip of kaohe report's files made with those settings, the period's
§二–四 and the scheme's own [bulletin] wording."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ...chinese import quarter_name
from ...errors import KaoheError
from ...scheme import Bulletin, build_bulletin
from ..access import caps
from ..models import BulletinSettings, Period
from . import audit
from . import periods as period_service
from .errors import ServiceError
from .tasks import assemble_narrative, save_narrative

FIELDS = (
    "title",
    "doc_date",
    "cutoff",
    "theme",
    "masthead",
    "doc_number",
    "copy_to",
    "printer",
    "charts",
)


def settings_of(period: Period) -> BulletinSettings:
    """The period's settings, or unsaved defaults when the bureau has set nothing yet."""
    return BulletinSettings.objects.filter(period=period).first() or BulletinSettings(period=period)


def default_cutoff(period: Period) -> str:
    """The cut-off line under the annex headers when the bureau gives none: the period's day."""
    c = period.cutoff
    return f"{c.year} 年 {c.month} 月 {c.day} 日" if c else ""


def period_words(period: Period) -> str:
    """一季度 or 4月: the period as the bulletin names it."""
    return quarter_name(period.number) if period.kind == "quarter" else f"{period.number}月"


def narrative_draft(period: Period) -> str:
    """§二–四 for the form: the saved text, or §二 assembled from the key tasks' progress; the
    sections it lacks of 二、三、四 are added as the bulletin's 【待填写】 placeholders."""
    from ...chinese import cn_number
    from ...report.narrative import DEFAULT_SECTIONS

    text = period.narrative or assemble_narrative(period)
    numbered = [
        line
        for line in text.splitlines()
        if line.startswith("# ") and not line[2:].strip().startswith("各部门")
    ]
    parts = [text.rstrip()]
    for k in range(len(numbered), len(DEFAULT_SECTIONS)):
        heading, what = DEFAULT_SECTIONS[k]
        parts.append(f"# {cn_number(2 + k)}、{heading}\n\n【待填写：{what}】")
    return "\n\n".join(parts) + "\n"


def save_settings(period: Period, user, narrative: str | None = None, **values) -> BulletinSettings:
    """Store the bureau's settings and, when given, §二–四 (together or not at all); each changed
    field is audited. Only the bureau sets them."""
    if not caps(user).admin:
        raise ServiceError("只有管理员（科技局）可以设置通报")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ServiceError(f"通报设置中没有“{'、'.join(sorted(unknown))}”")
    with transaction.atomic():
        row = BulletinSettings.objects.select_for_update().filter(period=period).first()
        if row is None:
            row = BulletinSettings(period=period)
        changes = [(f, getattr(row, f), v) for f, v in values.items() if getattr(row, f) != v]
        for f, _old, new in changes:
            setattr(row, f, new)
        row.updated_by = user
        row.save()
        for f, old, new in changes:
            audit.record(
                user,
                "修改通报设置",
                period=period,
                field=str(BulletinSettings._meta.get_field(f).verbose_name),
                old=old,
                new=new,
            )
        if narrative is not None:
            save_narrative(period, user, narrative)
    return row


def report_options(period: Period, settings: BulletinSettings | None = None) -> dict:
    """write_report's keyword arguments for the period: the bureau's settings, the defaults for
    what it left blank (None lets the scheme's [bulletin] decide)."""
    s = settings or settings_of(period)
    return {
        "title": s.title or None,
        "issuer": period.scheme.issuer or None,
        "doc_date": s.doc_date or timezone.localdate(),
        "cutoff": s.cutoff or default_cutoff(period) or None,
        "narrative": period.narrative or None,
        "year": period.year,
        "period": period_words(period),
        "theme": s.theme or None,
        "charts": s.charts,
        "masthead": s.masthead or None,
        "doc_number": s.doc_number or None,
        "copy_to": s.copy_to or None,
        "printer": s.printer or None,
    }


def bulletin_zip(period: Period) -> bytes:
    """The bulletin's files (通报.docx, 附件.xlsx, the charts) in a zip under their Chinese names.

    The wording is the scheme's [bulletin] as it is now in the database: a run computed before
    the scheme was (re)loaded would otherwise keep the default sentences."""
    from ...report import write_report

    run = period_service.current_run(period)
    if run is None:
        raise ServiceError("尚未计算得分，不能生成通报")
    result = period_service.run_result(run)
    result.scheme.bulletin = scheme_bulletin(period)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            paths = write_report(result, Path(tmp), **report_options(period))
        except KaoheError as exc:
            raise ServiceError(f"无法生成通报：{exc}") from None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in paths.values():
                zf.write(path, path.name)  # non-ASCII names are stored with the UTF-8 flag
    return buffer.getvalue()


def scheme_bulletin(period: Period) -> Bulletin:
    """The scheme's [bulletin] as stored by kaohe_load_scheme (defaults when it has none)."""
    return build_bulletin(period.scheme.bulletin or {}, f"方案 {period.scheme.key}：")


def ascii_name(period: Period) -> str:
    """The download's fallback name for clients without filename*: bulletin-2023-q1.zip."""
    kind = "q" if period.kind == "quarter" else "m"
    return f"bulletin-{period.year}-{kind}{period.number}.zip"
