"""The bureau creates and edits periods in the web UI: Chinese form errors, every change audited,
nobody else may."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kaohe.web.models import AuditLog, Period

TZ = ZoneInfo("Asia/Shanghai")


def new_period(demo, **changes):
    data = {
        "scheme": demo["scheme"].pk,
        "name": "2023年三季度",
        "kind": "quarter",
        "year": "2023",
        "number": "3",
        "cutoff": "2023-09-30",
        "deadline": "2023-10-10T17:00",
        "late_until": "2023-10-15T17:00",
        "objection_days": "5",
        "previous": demo["q2"].pk,
    }
    data.update(changes)
    return data


def edit_data(period, **changes):
    data = {
        "name": period.name,
        "kind": period.kind,
        "year": str(period.year),
        "number": str(period.number),
        "cutoff": period.cutoff.isoformat() if period.cutoff else "",
        "deadline": f"{period.deadline.astimezone(TZ):%Y-%m-%dT%H:%M}",
        "late_until": f"{period.late_until.astimezone(TZ):%Y-%m-%dT%H:%M}"
        if period.late_until
        else "",
        "objection_days": str(period.objection_days),
        "previous": period.previous_id or "",
    }
    data.update(changes)
    return data


def test_the_bureau_creates_a_period_which_starts_open_and_is_audited(admin_client, demo):
    response = admin_client.post("/periods/new/", new_period(demo), follow=True)
    assert "已新建考核期" in response.content.decode()
    q3 = Period.objects.get(scheme=demo["scheme"], year=2023, kind="quarter", number=3)
    assert q3.state == Period.OPEN and q3.previous == demo["q2"]
    assert q3.deadline == datetime(2023, 10, 10, 17, 0, tzinfo=TZ)
    assert AuditLog.objects.filter(action="新建考核期", period=q3, username="admin").exists()


def test_the_new_period_form_offers_the_latest_period_as_previous(admin_client, demo):
    form = admin_client.get("/periods/new/").context["form"]
    assert form.initial["previous"] == demo["q2"].pk
    assert form.initial["scheme"] == demo["scheme"].pk


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"number": "5"}, "季度应在 1 到 4 之间"),
        ({"kind": "month", "number": "13"}, "月份应在 1 到 12 之间"),
        ({"year": "1999"}, "年度应在 2000 到 2100 之间"),
        ({"deadline": ""}, "请填写填报截止时间"),
        ({"deadline": "下周五"}, "有效的日期"),
        ({"late_until": "2023-10-01T09:00"}, "迟报截止时间应晚于填报截止时间"),
        ({"number": "2"}, "该方案已有同一年度、同一季度（月份）的考核期"),
    ],
)
def test_a_bad_period_gets_a_chinese_form_error_and_nothing_is_created(
    admin_client, demo, changes, message
):
    before = Period.objects.count()
    response = admin_client.post("/periods/new/", new_period(demo, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Period.objects.count() == before


def test_the_bureau_edits_a_periods_deadline_and_each_change_is_audited(admin_client, demo):
    q2 = demo["q2"]
    data = edit_data(q2, deadline="2023-07-10T17:00", late_until="", name="2023年二季度")
    response = admin_client.post(f"/periods/{q2.pk}/edit/", data, follow=True)
    assert "已保存考核期设置" in response.content.decode()
    q2.refresh_from_db()
    assert q2.deadline == datetime(2023, 7, 10, 17, 0, tzinfo=TZ)
    assert q2.late_until is None and q2.name == "2023年二季度" and q2.state == Period.OPEN
    rows = {a.field: a for a in AuditLog.objects.filter(action="修改考核期", period=q2)}
    assert set(rows) == {"考核期名称", "填报截止时间", "迟报截止时间"}
    assert rows["填报截止时间"].new == "2023-07-10 17:00" and rows["迟报截止时间"].new == ""
    assert rows["考核期名称"].old == "2023年二季度（演示填报）"


def test_saving_an_untouched_period_records_no_change(admin_client, demo):
    q2 = demo["q2"]
    before = q2.deadline
    admin_client.post(f"/periods/{q2.pk}/edit/", edit_data(q2))
    q2.refresh_from_db()
    assert q2.deadline == before  # seconds kept: the form shows minutes
    assert not AuditLog.objects.filter(action="修改考核期").exists()


def test_a_period_cannot_be_its_own_previous_or_clash_with_another(admin_client, demo):
    q2 = demo["q2"]
    text = admin_client.post(
        f"/periods/{q2.pk}/edit/", edit_data(q2, previous=q2.pk)
    ).content.decode()
    assert "选择一个有效的选项" in text
    text = admin_client.post(f"/periods/{q2.pk}/edit/", edit_data(q2, number="1")).content.decode()
    assert "2023年一季度" in text
    q2.refresh_from_db()
    assert q2.number == 2 and q2.previous == demo["q1"]


@pytest.mark.parametrize("role", ["chengui", "tongji", "lingdao"])
def test_only_the_bureau_creates_or_edits_periods(demo, role):
    c = Client()
    c.force_login(User.objects.get(username=role))
    before = Period.objects.count()
    assert c.post("/periods/new/", new_period(demo)).status_code == 403
    q2 = demo["q2"]
    assert c.post(f"/periods/{q2.pk}/edit/", edit_data(q2, name="改名")).status_code == 403
    assert Period.objects.count() == before
    q2.refresh_from_db()
    assert q2.name == "2023年二季度（演示填报）"
