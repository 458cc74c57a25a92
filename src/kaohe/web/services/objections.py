"""Objections (异议) to published results, answered on record."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Notice, Objection, Period, Unit
from . import audit, notices
from .errors import ServiceError


def raise_objection(period: Period, unit: Unit, user, text: str, indicator=None) -> Objection:
    if period.state != Period.PUBLISHED:
        raise ServiceError("结果尚未发布，不能提出异议")
    deadline = period.objection_deadline()
    if deadline is not None and timezone.now() > deadline:
        raise ServiceError(f"异议期已于 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 结束")
    if not text.strip():
        raise ServiceError("请写明异议内容")
    obj = Objection.objects.create(
        period=period, unit=unit, indicator=indicator, text=text.strip(), raised_by=user
    )
    audit.record(user, "提出异议", period=period, unit=unit, indicator=indicator, new=text.strip())
    notices.notify(
        Notice.OBJECTION,
        f"{unit.name}对{period.name}考核结果提出异议：{text.strip()[:200]}",
        bureau=True,
        period=period,
        url=reverse("objections", args=[period.pk]),
    )
    return obj


def answer_objection(objection: Objection, user, answer: str) -> Objection:
    if not answer.strip():
        raise ServiceError("请填写答复内容")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        old = objection.answer
        objection.answer = answer.strip()
        objection.answered_by = user
        objection.answered_at = timezone.now()
        objection.save()
        audit.record(
            user,
            "答复异议",
            period=objection.period,
            unit=objection.unit,
            indicator=objection.indicator,
            old=old,
            new=objection.answer,
        )
        notices.notify(
            Notice.ANSWERED,
            f"科技局已答复您单位对{objection.period.name}的异议：{objection.answer[:200]}",
            unit=objection.unit,
            period=objection.period,
            url=reverse("objections", args=[objection.period_id]),
        )
    return objection
