"""The period's life through services and views: enter, review, lock, compute, publish, correct."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from submitting import submit

from kaohe.web.models import AuditLog, Entry, Period, ScoreRun, UnitReport, UnitResult
from kaohe.web.services import periods as period_service
from kaohe.web.services.errors import ServiceError


def seen_version(page, indicator) -> int:
    """The version of an entry the page shows (the hidden field the browser sends back)."""
    found = re.search(rf'name="version_{indicator.pk}" value="(\d+)"', page.content.decode())
    return int(found.group(1))


def totals(run):
    return {r.unit.name: r.total for r in run.units.select_related("unit")}


def test_demo_q1_is_published_with_the_seed_ranking(demo):
    run = period_service.current_run(demo["q1"])
    first = run.units.filter(unit__group__key="township").order_by("rank").first()
    assert (first.unit.name, first.total) == ("大冶湖高新区", Decimal("85.06"))
    assert totals(run)["陈贵镇"] == Decimal("84.77")
    assert totals(run)["茗山乡"] == Decimal("68.06")


def test_the_reporter_submits_figures_which_are_stored_as_decimals(
    reporter_client, demo, unit, indicator
):
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("tech_contracts")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    page = reporter_client.get(url)
    assert page.status_code == 200 and "万元" in page.content.decode()
    data = {
        f"actual_{rd.pk}": "0.73194",
        f"version_{rd.pk}": seen_version(page, rd),
    }
    response = submit(reporter_client, url, data, follow=True)
    assert "已报送" in response.content.decode()
    e = Entry.objects.get(period=q2, unit=chengui, indicator=rd)
    assert e.actual == Decimal("0.73194") and not e.late
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED
    assert AuditLog.objects.filter(
        action="修改实绩数", unit=chengui, indicator=rd, new="0.73194"
    ).exists()


def test_a_figure_ten_times_its_target_warns_but_is_saved(reporter_client, demo, unit, indicator):
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("tech_contracts")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    response = reporter_client.post(url, {f"actual_{rd.pk}": "73"}, follow=True)
    text = response.content.decode()
    assert "10 倍" in text
    assert Entry.objects.get(period=q2, unit=chengui, indicator=rd).actual == Decimal("73")


def test_text_or_a_negative_number_is_refused_and_nothing_is_saved(
    reporter_client, demo, unit, indicator
):
    q2, chengui = demo["q2"], unit("陈贵镇")
    rd, staff = indicator("tech_contracts"), indicator("hitech_output")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    response = reporter_client.post(url, {f"actual_{rd.pk}": "123", f"actual_{staff.pk}": "很多"})
    assert "不是有效数字" in response.content.decode()
    response = reporter_client.post(url, {f"actual_{rd.pk}": "-5"})
    assert "不能为负数" in response.content.decode()
    assert Entry.objects.get(period=q2, unit=chengui, indicator=rd).actual is None


def test_a_submission_after_the_deadline_is_marked_late_and_scores_zero(
    reporter_client, demo, unit, indicator
):
    q2, chengui, staff = demo["q2"], unit("陈贵镇"), indicator("hitech_output")
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(hours=1))
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    response = submit(reporter_client, url, {f"actual_{staff.pk}": "3.5"}, follow=True)
    assert "迟报" in response.content.decode()
    e = Entry.objects.get(period=q2, unit=chengui, indicator=staff)
    assert e.late and "迟报材料" in e.note
    assert UnitReport.objects.get(period=q2, unit=chengui).late


def test_after_the_late_window_entry_is_closed_for_reporters(
    reporter_client, demo, unit, indicator
):
    q2, chengui, staff = demo["q2"], unit("陈贵镇"), indicator("hitech_output")
    past = timezone.now() - timedelta(hours=1)
    Period.objects.filter(pk=q2.pk).update(deadline=past, late_until=past)
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    assert reporter_client.post(url, {f"actual_{staff.pk}": "3.5"}).status_code == 403
    assert "不可修改" in reporter_client.get(url).content.decode()
    assert Entry.objects.get(period=q2, unit=chengui, indicator=staff).actual is None


def test_a_second_bureau_user_editing_the_same_figure_is_told_and_nothing_is_overwritten(
    admin_client, demo, unit, indicator
):
    from django.contrib.auth.models import User

    from kaohe.web.models import Membership

    other = User.objects.create_user("admin2", password="Kaohe@2023!x")
    Membership.objects.create(user=other, can_admin=True)
    from django.test import Client

    second = Client()
    second.force_login(other)
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("rd_spending")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    seen1 = seen_version(admin_client.get(url), rd)
    seen2 = seen_version(second.get(url), rd)
    assert seen1 == seen2
    admin_client.post(
        url, {f"actual_{rd.pk}": "111", f"target_{rd.pk}": "20000", f"version_{rd.pk}": seen1}
    )
    response = second.post(
        url,
        {f"actual_{rd.pk}": "222", f"target_{rd.pk}": "20000", f"version_{rd.pk}": seen2},
        follow=True,
    )
    assert "已被" in response.content.decode() and "修改" in response.content.decode()
    assert Entry.objects.get(period=q2, unit=chengui, indicator=rd).actual == Decimal("111")


def _fill_q2_from_q1(q1, q2):
    for e in Entry.objects.filter(period=q1):
        Entry.objects.filter(period=q2, unit=e.unit, indicator=e.indicator).update(
            actual=e.actual, actual_na=e.actual_na, note=e.note
        )


def test_the_bureau_approves_locks_computes_and_publishes(admin_client, demo):
    q1, q2 = demo["q1"], demo["q2"]
    _fill_q2_from_q1(q1, q2)
    for action in ("close", "approve_all", "lock", "compute", "publish"):
        admin_client.post(f"/periods/{q2.pk}/action/", {"action": action, "confirmed": "on"})
    q2.refresh_from_db()
    assert q2.state == Period.PUBLISHED
    run = period_service.current_run(q2)
    assert run.published
    assert totals(run)["大冶湖高新区"] == Decimal("85.06")
    page = admin_client.get(f"/periods/{q2.pk}/results/").content.decode()
    assert page.index("大冶湖高新区") < page.index("陈贵镇")
    assert "持平" in page  # same rank as Q1
    xlsx = admin_client.get(f"/periods/{q2.pk}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def _ranking_row(page: str, name: str) -> str:
    return re.search(rf'<td class="unit-name">{name}.*?</tr>', page, re.S).group(0)


def test_the_ranking_shows_how_many_places_each_unit_moved_since_the_last_period(
    admin_client, demo
):
    q1, q2 = demo["q1"], demo["q2"]
    _fill_q2_from_q1(q1, q2)
    for action in ("close", "approve_all", "lock", "compute", "publish"):
        admin_client.post(f"/periods/{q2.pk}/action/", {"action": action, "confirmed": "on"})
    # the first and third of Q1's township ranking change places in Q2; the second stays
    first, second, third = UnitResult.objects.filter(
        run=period_service.current_run(q2), unit__group__key="township"
    ).order_by("rank")[:3]
    UnitResult.objects.filter(pk=first.pk).update(rank=third.rank)
    UnitResult.objects.filter(pk=third.pk).update(rank=first.rank)
    moved = third.rank - first.rank
    page = admin_client.get(f"/periods/{q2.pk}/results/").content.decode()
    assert f'<span class="down">↓{moved}</span>' in _ranking_row(page, first.unit.name)
    assert f'<span class="up">↑{moved}</span>' in _ranking_row(page, third.unit.name)
    assert "<td>持平</td>" in _ranking_row(page, second.unit.name)
    q1_page = admin_client.get(f"/periods/{q1.pk}/results/").content.decode()
    assert '<span class="muted">—</span>' in _ranking_row(q1_page, first.unit.name)  # no Q0


def test_compute_is_refused_while_entry_is_open_and_publish_without_lock(demo):
    from django.contrib.auth.models import User

    admin = User.objects.get(username="admin")
    with pytest.raises(ServiceError, match="“填报中”，不能计算得分"):
        period_service.compute_period(demo["q2"], admin, confirmed=True)
    with pytest.raises(ServiceError, match="“填报中”，不能发布结果"):
        period_service.publish_results(demo["q2"], admin, confirmed=True)


def test_missing_targets_make_compute_fail_with_the_units_named(demo):
    from django.contrib.auth.models import User

    admin = User.objects.get(username="admin")
    q2 = demo["q2"]
    Entry.objects.filter(period=q2, unit__name="陈贵镇", indicator__key="rd_spending").update(
        target=None
    )
    q2 = period_service.close_entry(q2, admin, confirmed=True)
    with pytest.raises(ServiceError) as info:
        period_service.compute_period(q2, admin, confirmed=True)
    assert any("陈贵镇" in d for d in info.value.details)


def test_a_correction_after_publication_needs_a_reason_and_keeps_the_previous_score(
    admin_client, demo, unit, indicator
):
    q1, chengui, staff = demo["q1"], unit("陈贵镇"), indicator("rd_staff")
    url = f"/periods/{q1.pk}/units/{chengui.pk}/correct/"
    response = admin_client.post(
        url, {"indicator": staff.pk, "target": "480", "actual": "600", "reason": ""}
    )
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert ScoreRun.objects.filter(period=q1).count() == 1
    admin_client.post(
        url,
        {"indicator": staff.pk, "target": "480", "actual": "600", "reason": "统计局更正研发人员数"},
    )
    runs = ScoreRun.objects.filter(period=q1).order_by("created_at", "id")
    assert runs.count() == 2 and not runs[0].current and runs[1].current
    assert runs[1].reason == "统计局更正研发人员数"
    assert UnitResult.objects.get(run=runs[0], unit=chengui).total == Decimal("84.77")
    page = admin_client.get(f"/periods/{q1.pk}/units/{chengui.pk}/result/").content.decode()
    assert "更正前" in page and "84.77" in page
    assert AuditLog.objects.filter(action="得分变化", unit=chengui, old="84.77").exists()


def test_a_unit_objects_within_the_window_and_the_bureau_answers_on_record(
    reporter_client, admin_client, demo
):
    q1 = demo["q1"]
    Period.objects.filter(pk=q1.pk).update(published_at=timezone.now())
    reporter_client.post(
        f"/periods/{q1.pk}/objections/", {"text": "技术合同成交额应含3月31日登记的合同"}
    )
    from kaohe.web.models import Objection

    obj = Objection.objects.get(period=q1)
    assert obj.unit.name == "陈贵镇"
    admin_client.post(
        f"/periods/{q1.pk}/objections/", {"objection": obj.pk, "answer": "经核实，已计入。"}
    )
    obj.refresh_from_db()
    assert obj.answer == "经核实，已计入。" and obj.answered_by.username == "admin"
    assert "经核实" in reporter_client.get(f"/periods/{q1.pk}/objections/").content.decode()


def test_an_objection_after_the_window_is_refused(reporter_client, demo):
    q1 = demo["q1"]  # published 2023-04-21, 5-day window long past
    response = reporter_client.post(
        f"/periods/{q1.pk}/objections/", {"text": "迟到的异议"}, follow=True
    )
    from kaohe.web.models import Objection

    assert not Objection.objects.exists()
    assert "异议期已" in response.content.decode() or "已结束" in response.content.decode()


def test_a_returned_report_can_be_fixed_during_review(
    admin_client, reporter_client, demo, unit, indicator
):
    q2, chengui, staff = demo["q2"], unit("陈贵镇"), indicator("hitech_output")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    submit(reporter_client, url, {f"actual_{staff.pk}": "0.3"})
    admin_client.post(f"/periods/{q2.pk}/action/", {"action": "close", "confirmed": "on"})
    assert reporter_client.post(url, {f"actual_{staff.pk}": "3.5"}).status_code == 403
    admin_client.post(
        f"/periods/{q2.pk}/units/{chengui.pk}/review/",
        {"decision": "return", "comment": "研发人员数偏小，请核实"},
    )
    assert "研发人员数偏小" in reporter_client.get(url).content.decode()
    submit(reporter_client, url, {f"actual_{staff.pk}": "3.5"})
    assert Entry.objects.get(period=q2, unit=chengui, indicator=staff).actual == Decimal("3.5")
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED


def test_the_provider_enters_one_indicator_for_every_unit(provider_client, demo, unit, indicator):
    q2, rd = demo["q2"], indicator("rd_spending")
    page = provider_client.get(f"/periods/{q2.pk}/indicators/{rd.pk}/provide/")
    assert page.status_code == 200
    lingxiang = unit("灵乡镇")
    provider_client.post(
        f"/periods/{q2.pk}/indicators/{rd.pk}/provide/", {f"actual_{lingxiang.pk}": "26645.4"}
    )
    assert Entry.objects.get(period=q2, unit=lingxiang, indicator=rd).actual == Decimal("26645.4")
    assert AuditLog.objects.filter(username="tongji", unit=lingxiang, indicator=rd).exists()


def test_the_bulletin_download_is_the_generated_document_with_attachments_and_charts(
    admin_client, demo
):
    import io
    import zipfile

    from docx import Document

    q1 = demo["q1"]
    assert "download-bulletin" in admin_client.get(f"/periods/{q1.pk}/results/").content.decode()
    response = admin_client.get(f"/periods/{q1.pk}/bulletin.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "通报.docx" in names and "附件.xlsx" in names
    assert sum(name.endswith(".png") for name in names) == 4  # two charts per unit group
    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read("通报.docx"))).paragraphs)
    assert "规上企业研发投入实绩数为257255.4万元，完成任务数104.64%" in text
    assert "大冶湖高新区" in text or "高新区" in text
    assert "一季度" in text
