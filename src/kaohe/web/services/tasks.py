"""Key tasks (八大重点任务): departments report progress; section 二 of the bulletin is assembled
from it as Markdown for the bureau to edit."""

from __future__ import annotations

from django.db import transaction

from ...chinese import cn_number
from ..models import KeyTask, Period, TaskProgress, Unit
from . import audit, rules


def save_progress(period: Period, task: KeyTask, unit: Unit, user, text: str) -> TaskProgress:
    text = text.strip()
    with transaction.atomic():
        period = rules.locked_period(period, "progress", rules.role_of(user, unit=unit))
        row = (
            TaskProgress.objects.select_for_update()
            .filter(period=period, task=task, unit=unit)
            .first()
        )
        old = row.text if row else ""
        if row is None:
            row = TaskProgress(period=period, task=task, unit=unit)
        row.text = text
        row.updated_by = user
        row.save()
        if old != text:
            audit.record(
                user,
                "报送重点任务进展",
                period=period,
                unit=unit,
                field=str(task)[:60],
                old=old,
                new=text,
            )
    return row


def assemble_narrative(period: Period) -> str:
    """二、工作进展情况 as Markdown, one paragraph per task from the departments' reports."""
    tasks = list(KeyTask.objects.filter(scheme=period.scheme).order_by("number"))
    progress = {}
    for p in (
        TaskProgress.objects.filter(period=period).select_related("unit").order_by("unit__order")
    ):
        progress.setdefault(p.task_id, []).append(p)
    lines = ["# 二、工作进展情况", ""]  # "#" is a numbered section, "##" its （一）
    if tasks:
        lines.append(f"科技创新行动共有“{cn_number(len(tasks))}大重点任务”。具体进展情况如下：")
        lines.append("")
    for task in tasks:
        texts = [p.text for p in progress.get(task.id, []) if p.text]
        body = "".join(texts) if texts else "（暂无牵头部门报送的进展）"
        lines.append(f"（{cn_number(task.number)}）{task.title}。{body}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def save_narrative(period: Period, user, text: str) -> Period:
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        old = period.narrative
        if old != text:
            period.narrative = text
            period.save(update_fields=["narrative"])
            audit.record(
                user, "编辑工作进展情况", period=period, field="通报第二部分", old=old, new=text
            )
    return period
