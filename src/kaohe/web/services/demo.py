"""Demo data: the seed's 2023 Q1 (大冶市一季度通报), one account per role, and an open Q2 to try
entering figures. Everything that is not from the seed is labelled 示例."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ...scheme import load_scheme
from ..models import (
    AuditLog,
    Entry,
    Indicator,
    KeyTask,
    Membership,
    Period,
    Scheme,
    Unit,
    UnitReport,
)
from . import audit
from . import periods as period_service
from .entries import show_figure
from .schemes import load_scheme_file

DEMO_PASSWORD = "Kaohe@2023!"
DEMO_REASON = "演示数据导入"  # the audit action of every figure the loader writes
TZ = ZoneInfo("Asia/Shanghai")

ACCOUNTS = [
    # username, full name, role description
    ("admin", "科技局管理员", "管理员"),
    ("chengui", "陈贵镇填报员", "填报员（陈贵镇）"),
    ("tongji", "市统计局", "数据提供部门（规上企业研发投入、研发人员、新产品销售收入）"),
    ("lingdao", "分管领导", "领导（只读）"),
    ("jingxin", "市经信局填报员", "部门填报员（市经信局，示例）"),
]
PROVIDED = ("rd_spending", "rd_staff", "new_product_sales")

# 部门（示例）一季度目标和实绩：示例数据（任务数, 实绩数）
DEPT_EXAMPLE = {
    "市科技局": {
        "work_plan": (1, 1),
        "task_force": (1, 1),
        "briefs": (3, 3),
        "summaries": (1, 1),
        "meetings": (1, 1),
    },
    "市经信局": {
        "work_plan": (1, 1),
        "task_force": (1, 1),
        "briefs": (3, 3),
        "summaries": (1, 1),
        "meetings": (1, 1),
    },
    "市市场监管局": {
        "work_plan": (1, 1),
        "task_force": (1, 1),
        "briefs": (3, 3),
        "summaries": (1, 1),
        "meetings": (1, 1),
    },
    "市发改局": {
        "work_plan": (1, 1),
        "task_force": (1, 1),
        "briefs": (3, 2),
        "summaries": (1, 1),
        "meetings": (1, 0),
    },
    "市教育局": {
        "work_plan": (1, 0),
        "task_force": (1, 1),
        "briefs": (3, 1),
        "summaries": (1, 1),
        "meetings": (1, 1),
    },
    "市人社局": {
        "work_plan": (1, 1),
        "task_force": (1, 0),
        "briefs": (3, 2),
        "summaries": (1, 0),
        "meetings": (1, 1),
    },
}


def demo_scheme_path() -> str:
    return str(resources.files("kaohe.web") / "demo" / "daye-2023-demo.toml")


def seed_rows() -> list[dict]:
    import csv
    import io

    text = (resources.files("kaohe") / "samples" / "daye_2023q1_long.csv").read_text(
        encoding="utf-8"
    )
    return list(csv.DictReader(io.StringIO(text)))


def ensure_accounts(scheme: Scheme, password: str = DEMO_PASSWORD) -> dict:
    User = get_user_model()
    users = {}
    chengui = Unit.objects.get(group__scheme=scheme, group__key="township", name="陈贵镇")
    jingxin = Unit.objects.get(group__scheme=scheme, group__key="department", name="市经信局")
    for username, full, _role in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full})
        if created:
            user.set_password(password)
            user.is_staff = username == "admin"
            user.is_superuser = username == "admin"
            user.save()
        m, _ = Membership.objects.get_or_create(user=user)
        if username == "admin":
            m.can_admin = True
        elif username == "chengui":
            m.unit, m.can_report = chengui, True
        elif username == "tongji":
            m.organisation = "市统计局"
        elif username == "lingdao":
            m.can_read_all = True
        elif username == "jingxin":
            m.unit, m.can_report = jingxin, True
        m.save()
        if username == "tongji":
            m.can_provide.set(
                Indicator.objects.filter(
                    group__scheme=scheme, group__key="township", key__in=PROVIDED
                )
            )
        users[username] = user
    return users


def _put(
    period: Period,
    unit: Unit,
    indicator: Indicator,
    target,
    actual,
    note="",
    source="演示数据",
    user=None,
) -> list[AuditLog]:
    """Store one demo figure; returns its (unsaved) audit records."""

    def split(v):
        if v is None or v == "":
            return None, False
        if str(v).strip() == "/":
            return None, True
        return Decimal(str(v)), False

    t, tna = split(target)
    a, ana = split(actual)
    Entry.objects.update_or_create(
        period=period,
        unit=unit,
        indicator=indicator,
        defaults=dict(
            target=t,
            target_na=tna,
            actual=a,
            actual_na=ana,
            note=note or "",
            source=source,
            submitted_at=period.deadline - timedelta(days=1),
        ),
    )
    return _history(
        user, period, unit, indicator, [("任务数", t, tna), ("实绩数", a, ana)], note, source
    )


def _history(user, period, unit, indicator, figures, note, source) -> list[AuditLog]:
    """Audit records for figures the loader writes, so no demo figure is without history."""
    where = dict(period=period, unit=unit, indicator=indicator, detail=f"来源：{source}")
    records = [
        audit.make(user, DEMO_REASON, field=label, new=show_figure(value, na), **where)
        for label, value, na in figures
        if value is not None or na
    ]
    if note:
        records.append(audit.make(user, DEMO_REASON, field="备注", new=note, **where))
    return records


@transaction.atomic
def load_demo(*, with_q2: bool = True) -> Period:
    scheme = Scheme.objects.filter(key=load_scheme(demo_scheme_path()).key).first()
    if scheme is None or not scheme.periods.exists():  # a scheme in use is never reloaded
        scheme = load_scheme_file(demo_scheme_path())
    users = ensure_accounts(scheme)
    admin = users["admin"]
    q1, created = Period.objects.get_or_create(
        scheme=scheme,
        year=2023,
        kind="quarter",
        number=1,
        defaults=dict(
            name="2023年一季度",
            cutoff=date(2023, 3, 31),
            deadline=datetime(2023, 3, 31, 17, 0, tzinfo=TZ),
            objection_days=5,
        ),
    )
    if not created:
        return q1
    units = {
        (u.group.key, u.name): u
        for u in Unit.objects.filter(group__scheme=scheme).select_related("group")
    }
    inds = {
        (i.group.key, i.name): i
        for i in Indicator.objects.filter(group__scheme=scheme).select_related("group")
    }
    history: list[AuditLog] = []
    for row in seed_rows():
        history += _put(
            q1,
            units[("township", row["单位"])],
            inds[("township", row["指标"])],
            row["任务数"],
            row["实绩数"],
            row.get("备注", ""),
            source="一季度通报",
            user=admin,
        )
    dept_inds = {
        i.key: i for i in Indicator.objects.filter(group__scheme=scheme, group__key="department")
    }
    for name, figures in DEPT_EXAMPLE.items():
        for key, (t, a) in figures.items():
            history += _put(
                q1, units[("department", name)], dept_inds[key], t, a, "示例数据", user=admin
            )
    AuditLog.objects.bulk_create(history)
    # key task progress: section 二 of the seed bulletin, filed by the (example) lead departments
    progress = json.loads(
        (resources.files("kaohe.web") / "demo" / "q1_progress.json").read_text(encoding="utf-8")
    )
    from .tasks import assemble_narrative, save_progress

    q1.state = Period.OPEN
    for task, item in zip(
        KeyTask.objects.filter(scheme=scheme).order_by("number"), progress, strict=False
    ):
        lead = task.lead_units.order_by("order").first()
        if lead is not None:
            save_progress(q1, task, lead, admin, item["text"])
    for unit in units.values():
        UnitReport.objects.update_or_create(
            period=q1,
            unit=unit,
            defaults=dict(state=UnitReport.SUBMITTED, submitted_at=q1.deadline - timedelta(days=1)),
        )
    q1 = period_service.close_entry(q1, admin)
    period_service.approve_period(q1, admin)
    q1 = period_service.lock_period(q1, admin)
    period_service.compute_period(q1, admin)
    q1.narrative = assemble_narrative(q1)
    q1.save(update_fields=["narrative"])
    q1 = period_service.publish_results(q1, admin)
    # publish date of the seed bulletin: 2023-04-21
    Period.objects.filter(pk=q1.pk).update(published_at=datetime(2023, 4, 21, 9, 0, tzinfo=TZ))
    if with_q2:
        now = timezone.now()
        q2 = period_service.create_period(
            scheme,
            name="2023年二季度（演示填报）",
            kind="quarter",
            year=2023,
            number=2,
            deadline=now + timedelta(days=14),
            late_until=now + timedelta(days=21),
            previous=q1,
            cutoff=date(2023, 6, 30),
            user=admin,
        )
        # 示例任务数：沿用一季度的任务数，供演示填报
        source = "示例：沿用一季度任务数"
        history = []
        for e in Entry.objects.filter(period=q1).select_related("unit", "indicator"):
            Entry.objects.create(
                period=q2,
                unit=e.unit,
                indicator=e.indicator,
                target=e.target,
                target_na=e.target_na,
                note="",
                source=source,
            )
            figures = [("任务数", e.target, e.target_na)]
            history += _history(admin, q2, e.unit, e.indicator, figures, "", source)
        AuditLog.objects.bulk_create(history)
    return Period.objects.get(pk=q1.pk)
