"""催报: the list of who has not submitted what, the group-chat message, the one-click reminder
and the scheduled command, e-mail tested against a local SMTP server (aiosmtpd)."""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from submitting import submit

from kaohe.web.models import Membership, Notice, Period, Reminder
from kaohe.web.services import reminders


class Sink:
    """Keeps every message the SMTP test server receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def to(self):
        return sorted(r for m in self.messages for r in m.rcpt_tos)

    def subjects(self):
        out = []
        for m in self.messages:
            msg = message_from_bytes(m.content)
            out.append(str(make_header(decode_header(msg["Subject"]))))
        return out


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.KAOHE_SMTP_HOST, settings.KAOHE_SMTP_PORT = "127.0.0.1", port
    settings.KAOHE_MAIL_FROM = "kjj@daye.example"
    yield sink
    controller.stop()


@pytest.fixture
def reporters(demo, unit):
    """Reporters with e-mail addresses for 陈贵镇 (chengui), 灵乡镇 and 市经信局 (jingxin)."""
    User.objects.filter(username="chengui").update(email="chengui@daye.example")
    User.objects.filter(username="jingxin").update(email="jingxin@daye.example")
    lx = User.objects.create_user("lingxiang", email="lingxiang@daye.example", password="x")
    Membership.objects.create(user=lx, unit=unit("灵乡镇"), can_report=True)
    return lx


def _fill_all(client, period, unit):
    fields = {}
    for ind in unit.group.indicators.filter(material_kind=""):
        fields[f"actual_{ind.pk}"] = "1"
    return submit(client, f"/periods/{period.pk}/units/{unit.pk}/entry/", fields)


def test_the_list_names_empty_indicators_and_short_materials_but_not_provided_ones(
    demo, unit, indicator
):
    rows = {r.unit.name: r for r in reminders.missing(demo["q2"])}
    chengui = rows["陈贵镇"]
    assert chengui.state == "未报送"
    assert indicator("hitech_output").name in chengui.indicators
    assert indicator("rd_spending").name not in chengui.indicators  # the statistics bureau's
    assert any(m.startswith("简报 0/") for m in chengui.materials)


def test_units_that_submitted_are_not_listed_and_the_chat_message_names_the_rest(
    demo, unit, reporter_client
):
    q2 = demo["q2"]
    _fill_all(reporter_client, q2, unit("陈贵镇"))
    rows = reminders.missing(q2)
    names = [r.unit.name for r in rows]
    assert "陈贵镇" not in names and "灵乡镇" in names
    text = reminders.chat_message(q2, rows)
    deadline = timezone.localtime(q2.deadline)
    assert text.startswith(f"【{q2.name}催报】请以下单位于{deadline.month}月{deadline.day}日")
    assert "前报送：" in text and "灵乡镇" in text and "陈贵镇" not in text


def test_the_bureau_sends_reminders_in_one_click_by_notice_and_mail(
    admin_client, reporter_client, demo, unit, reporters, smtp
):
    q2 = demo["q2"]
    _fill_all(reporter_client, q2, unit("陈贵镇"))
    page = admin_client.get(f"/periods/{q2.pk}/remind/").content.decode()
    assert "请以下单位于" in page and "灵乡镇" in page and 'id="chat-message"' in page
    response = admin_client.post(f"/periods/{q2.pk}/remind/", follow=True)
    assert "发出邮件 2 封" in response.content.decode()  # 灵乡镇 and 市经信局
    assert smtp.to() == ["jingxin@daye.example", "lingxiang@daye.example"]
    assert all("催报" in s and q2.name in s for s in smtp.subjects())
    assert Notice.objects.filter(user=reporters, kind=Notice.DEADLINE).exists()
    assert not Notice.objects.filter(user__username="chengui", kind=Notice.DEADLINE).exists()


def test_the_bureau_may_remind_only_the_units_it_ticks(admin_client, demo, unit, reporters, smtp):
    q2 = demo["q2"]
    admin_client.post(f"/periods/{q2.pk}/remind/", {"unit": [unit("灵乡镇").pk]})
    assert smtp.to() == ["lingxiang@daye.example"]


def test_a_second_click_within_the_gap_sends_nothing_twice(
    admin_client, demo, unit, reporters, smtp, settings
):
    q2, lingxiang = demo["q2"], unit("灵乡镇")
    admin_client.post(f"/periods/{q2.pk}/remind/", {"unit": [lingxiang.pk]})
    again = admin_client.post(f"/periods/{q2.pk}/remind/", {"unit": [lingxiang.pk]}, follow=True)
    assert "1 个单位在 30 分钟内已催报过" in again.content.decode()
    assert smtp.to() == ["lingxiang@daye.example"]  # one e-mail, not two
    assert Reminder.objects.filter(period=q2, unit=lingxiang).count() == 1
    Reminder.objects.update(sent_at=timezone.now() - timedelta(minutes=31))
    admin_client.post(f"/periods/{q2.pk}/remind/", {"unit": [lingxiang.pk]})
    assert len(smtp.messages) == 2  # after the gap the bureau may remind again


def test_without_smtp_only_notices_are_sent(admin_client, demo, reporters, settings):
    settings.KAOHE_SMTP_HOST = ""
    q2 = demo["q2"]
    text = admin_client.post(f"/periods/{q2.pk}/remind/", follow=True).content.decode()
    assert "站内催报通知" in text and "邮件" not in text.split("站内催报通知")[1][:20]
    assert Notice.objects.filter(user=reporters, kind=Notice.DEADLINE).count() == 1


def test_the_command_reminds_three_days_and_one_day_before_once_each(
    demo, unit, reporters, smtp, reporter_client
):
    q2 = demo["q2"]
    _fill_all(reporter_client, q2, unit("陈贵镇"))
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() + timedelta(days=5))
    out = StringIO()
    call_command("kaohe_remind", stdout=out)
    assert "没有需要催报" in out.getvalue() and smtp.messages == []

    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() + timedelta(days=2, hours=20))
    out = StringIO()
    call_command("kaohe_remind", stdout=out)
    assert "发出邮件 2 封" in out.getvalue()
    assert smtp.to() == ["jingxin@daye.example", "lingxiang@daye.example"]
    assert "chengui@daye.example" not in smtp.to()  # 陈贵镇 has submitted
    assert set(Reminder.objects.values_list("days_before", flat=True)) == {3}
    call_command("kaohe_remind", stdout=StringIO())  # the timer runs again: nothing twice
    assert len(smtp.messages) == 2

    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() + timedelta(hours=20))
    call_command("kaohe_remind", stdout=StringIO())
    assert len(smtp.messages) == 4
    assert (
        "距截止还有 1 天"
        in message_from_bytes(smtp.messages[-1].content).get_payload(decode=True).decode()
    )


def test_closed_or_past_periods_get_no_scheduled_reminder(demo, reporters, smtp):
    q2 = demo["q2"]
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(hours=1))
    call_command("kaohe_remind", stdout=StringIO())
    Period.objects.filter(pk=q2.pk).update(
        deadline=timezone.now() + timedelta(hours=5), state=Period.REVIEW
    )
    call_command("kaohe_remind", stdout=StringIO())
    assert smtp.messages == [] and not Reminder.objects.exists()


def test_the_remind_page_is_the_bureaus_only(reporter_client, leader_client, provider_client, demo):
    url = f"/periods/{demo['q2'].pk}/remind/"
    for c in (reporter_client, leader_client, provider_client):
        assert c.get(url).status_code == 403
        assert c.post(url).status_code == 403
    assert not Reminder.objects.exists()
