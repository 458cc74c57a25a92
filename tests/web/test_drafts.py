"""Drafts: a reporter saves without submitting, the bureau sees 未报送 until the reporter
confirms 提交报送, and lateness is judged when it submits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from submitting import submit

from kaohe.web.models import Entry, Period, UnitReport
from kaohe.web.services import periods as period_service


@pytest.fixture
def urls(demo, unit):
    q2, chengui = demo["q2"], unit("陈贵镇")
    base = f"/periods/{q2.pk}/units/{chengui.pk}"
    return {"entry": f"{base}/entry/", "submit": f"{base}/submit/"}


def _board_cells(q2, unit_name):
    for g in period_service.completeness(q2):
        for r in g["rows"]:
            if r["unit"].name == unit_name:
                return r
    raise AssertionError(unit_name)


def test_a_saved_draft_keeps_the_figures_but_the_bureau_sees_not_submitted(
    reporter_client, admin_client, demo, unit, indicator, urls
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    response = reporter_client.post(
        urls["entry"], {f"actual_{talent.pk}": "3", "intent": "draft"}, follow=True
    )
    page = response.content.decode()
    assert "已保存草稿" in page and "尚未报送" in page and "草稿" in page
    e = Entry.objects.get(period=q2, unit=chengui, indicator=talent)
    assert e.actual == Decimal(3) and e.submitted_at is None
    report = UnitReport.objects.get(period=q2, unit=chengui)
    assert report.state == UnitReport.DRAFT and report.get_state_display() == "未报送"
    row = _board_cells(q2, "陈贵镇")
    talent_index = [i.key for i in chengui.group.indicators.order_by("order")].index("new_talent")
    assert row["cells"][talent_index] == "missing"
    board = admin_client.get(f"/periods/{q2.pk}/board/").content.decode()
    assert "未报送" in board


def test_submitting_asks_for_confirmation_and_then_stamps_the_drafted_figures(
    reporter_client, demo, unit, indicator, urls
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    reporter_client.post(urls["entry"], {f"actual_{talent.pk}": "3", "intent": "draft"})
    response = reporter_client.post(urls["entry"], {f"actual_{talent.pk}": "4", "intent": "submit"})
    assert response.status_code == 302 and response["Location"] == urls["submit"]
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.DRAFT
    confirm = reporter_client.get(urls["submit"]).content.decode()
    assert "确认提交报送" in confirm and "仍未填写" in confirm
    assert indicator("hitech_output").name in confirm  # still empty, named
    done = reporter_client.post(urls["submit"], follow=True).content.decode()
    assert "已报送" in done
    e = Entry.objects.get(period=q2, unit=chengui, indicator=talent)
    assert e.actual == Decimal(4) and e.submitted_at is not None and not e.late
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED


def test_a_draft_saved_on_time_but_submitted_late_is_late(
    reporter_client, demo, unit, indicator, urls
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    reporter_client.post(urls["entry"], {f"actual_{talent.pk}": "3", "intent": "draft"})
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert "迟报" in reporter_client.get(urls["submit"]).content.decode()
    reporter_client.post(urls["submit"])
    e = Entry.objects.get(period=q2, unit=chengui, indicator=talent)
    assert e.late and "迟报材料" in e.note
    assert UnitReport.objects.get(period=q2, unit=chengui).late


def test_changing_a_submitted_report_as_a_draft_takes_it_back_to_not_submitted(
    reporter_client, demo, unit, indicator, urls
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    submit(reporter_client, urls["entry"], {f"actual_{talent.pk}": "3"})
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED
    reporter_client.post(urls["entry"], {f"actual_{talent.pk}": "5", "intent": "draft"})
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.DRAFT
    assert Entry.objects.get(period=q2, unit=chengui, indicator=talent).submitted_at is None


def test_a_returned_report_saved_as_a_draft_stays_returned_with_its_comment(
    reporter_client, admin_client, demo, unit, indicator, urls
):
    q2, chengui, talent = demo["q2"], unit("陈贵镇"), indicator("new_talent")
    submit(reporter_client, urls["entry"], {f"actual_{talent.pk}": "3"})
    admin_client.post(
        f"/periods/{q2.pk}/units/{chengui.pk}/review/",
        {"decision": "return", "comment": "引进人才数请附名单"},
    )
    reporter_client.post(urls["entry"], {f"actual_{talent.pk}": "4", "intent": "draft"})
    report = UnitReport.objects.get(period=q2, unit=chengui)
    assert report.state == UnitReport.RETURNED and report.comment == "引进人才数请附名单"


def test_another_units_submit_page_is_denied_for_get_and_post(reporter_client, demo, unit):
    q2, lingxiang = demo["q2"], unit("灵乡镇")
    url = f"/periods/{q2.pk}/units/{lingxiang.pk}/submit/"
    assert reporter_client.get(url).status_code == 403
    assert reporter_client.post(url).status_code == 403
    assert not UnitReport.objects.filter(period=q2, unit=lingxiang, state="submitted").exists()


def test_leaders_and_providers_cannot_submit_for_a_unit(leader_client, provider_client, demo, unit):
    url = f"/periods/{demo['q2'].pk}/units/{unit('陈贵镇').pk}/submit/"
    for c in (leader_client, provider_client):
        assert c.get(url).status_code == 403
        assert c.post(url).status_code == 403
