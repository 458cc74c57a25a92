"""Notices in the site: the unit hears of a return (with the comment), an answered objection and
published results; the bureau hears of a new objection; the badge counts what is unread."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from submitting import submit

from kaohe.web.models import Notice, Period, UnitReport


def _return(admin_client, q2, unit, comment):
    admin_client.post(
        f"/periods/{q2.pk}/units/{unit.pk}/review/", {"decision": "return", "comment": comment}
    )


def test_a_returned_report_puts_the_comment_in_the_units_inbox_with_a_badge(
    reporter_client, admin_client, demo, unit, indicator
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    submit(
        reporter_client, f"/periods/{q2.pk}/units/{chengui.pk}/entry/", {f"actual_{talent.pk}": "2"}
    )
    _return(admin_client, q2, chengui, "引进人才数偏小，请核实")
    notice = Notice.objects.get(user__username="chengui", kind=Notice.RETURNED)
    assert "引进人才数偏小，请核实" in notice.text
    unread = Notice.objects.filter(user__username="chengui", read_at=None).count()
    home = reporter_client.get("/").content.decode()
    assert f'id="notice-count">{unread}<' in home
    inbox = reporter_client.get("/notices/").content.decode()
    assert "退回修改" in inbox and "引进人才数偏小" in inbox
    opened = reporter_client.post(f"/notices/{notice.pk}/read/")
    assert opened.status_code == 302 and opened["Location"] == notice.url
    assert f'id="notice-count">{unread - 1}<' in reporter_client.get("/").content.decode()
    reporter_client.post("/notices/0/read/")
    assert 'id="notice-count"' not in reporter_client.get("/").content.decode()
    assert not Notice.objects.filter(user__username="lingdao").exists()  # only the unit


def test_nobody_reads_or_marks_another_users_notice(reporter_client, admin_client, demo, unit):
    q2, lingxiang = demo["q2"], unit("灵乡镇")
    other = User.objects.create_user("lingxiang", password="Kaohe@2023!l")
    from kaohe.web.models import Membership

    Membership.objects.create(user=other, unit=lingxiang, can_report=True)
    # only a submitted report can be returned
    UnitReport.objects.update_or_create(
        period=q2, unit=lingxiang, defaults={"state": UnitReport.SUBMITTED}
    )
    _return(admin_client, q2, lingxiang, "灵乡镇请补充材料")
    theirs = Notice.objects.get(user=other, kind=Notice.RETURNED)
    assert reporter_client.post(f"/notices/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "灵乡镇请补充材料" not in reporter_client.get("/notices/").content.decode()
    reporter_client.post("/notices/0/read/")  # "all read" touches only one's own
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_objection_tells_the_bureau_and_its_answer_tells_the_unit(
    reporter_client, admin_client, demo
):
    q1 = demo["q1"]
    Period.objects.filter(pk=q1.pk).update(published_at=timezone.now())
    reporter_client.post(
        f"/periods/{q1.pk}/objections/", {"text": "技术合同成交额应含3月31日的合同"}
    )
    to_bureau = Notice.objects.get(user__username="admin", kind=Notice.OBJECTION)
    assert "陈贵镇" in to_bureau.text
    assert 'id="notice-count">1<' in admin_client.get("/").content.decode()
    from kaohe.web.models import Objection

    obj = Objection.objects.get(period=q1)
    admin_client.post(f"/periods/{q1.pk}/objections/", {"objection": obj.pk, "answer": "已计入。"})
    answered = Notice.objects.get(user__username="chengui", kind=Notice.ANSWERED)
    assert "已计入" in answered.text


@pytest.mark.parametrize("who", ["chengui", "jingxin"])
def test_publishing_tells_every_unit(admin_client, demo, who):
    from kaohe.web.services import periods as period_service

    q2, admin = demo["q2"], User.objects.get(username="admin")
    period_service.close_entry(q2, admin, confirmed=True)
    period_service.lock_period(q2, admin, confirmed=True)
    period_service.compute_period(q2, admin, confirmed=True)
    period_service.publish_results(q2, admin, confirmed=True)
    notice = Notice.objects.get(user__username=who, kind=Notice.PUBLISHED, period=q2)
    assert "考核结果已发布" in notice.text and notice.url == f"/periods/{q2.pk}/results/"


def test_the_inbox_needs_a_login(client, demo):
    assert client.get("/notices/").status_code == 302
    assert client.post("/notices/0/read/").status_code == 302


def test_an_extended_deadline_tells_the_unit_its_new_deadline(admin_client, demo, unit):
    from datetime import timedelta

    q2, chengui = demo["q2"], unit("陈贵镇")
    until = timezone.localtime() + timedelta(days=40)
    admin_client.post(
        f"/periods/{q2.pk}/units/{chengui.pk}/deadline/",
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "镇里停电"},
    )
    notice = Notice.objects.get(user__username="chengui", kind=Notice.EXTENDED)
    assert f"截止时间延长至 {until:%Y-%m-%d %H:%M}" in notice.text and "镇里停电" in notice.text
    assert notice.url == f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
