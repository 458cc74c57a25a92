"""The board: filters (未报送, 迟报, 待审核, 已退回), the xlsx export, and each unit's reporting and
on-time rates over the year's periods, as a table and a chart."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook
from submitting import submit

from kaohe.web.models import Period, UnitReport


@pytest.fixture
def states(demo, unit, reporter_client, admin_client):
    """陈贵镇 submitted late, 灵乡镇 returned, 金山店镇 submitted on time, the rest 未报送."""
    q2 = demo["q2"]
    for name, state, late in (("灵乡镇", "returned", False), ("金山店镇", "submitted", False)):
        UnitReport.objects.create(
            period=q2,
            unit=unit(name),
            state=state,
            late=late,
            comment="请补充" if state == "returned" else "",
        )
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    chengui = unit("陈贵镇")
    talent = chengui.group.indicators.get(key="new_talent")
    submit(
        reporter_client, f"/periods/{q2.pk}/units/{chengui.pk}/entry/", {f"actual_{talent.pk}": "1"}
    )
    return q2


def _rows(client, q2, show):
    page = client.get(f"/periods/{q2.pk}/board/?show={show}").content.decode()
    return {name for name in ("陈贵镇", "灵乡镇", "金山店镇", "茗山乡") if f">{name}</a>" in page}


@pytest.mark.parametrize(
    "show, expected",
    [
        ("missing", {"茗山乡"}),
        ("late", {"陈贵镇"}),
        ("pending", {"陈贵镇", "金山店镇"}),
        ("returned", {"灵乡镇"}),
        ("", {"陈贵镇", "灵乡镇", "金山店镇", "茗山乡"}),
    ],
)
def test_each_filter_shows_only_its_units(admin_client, states, show, expected):
    assert _rows(admin_client, states, show) == expected


def test_the_export_is_a_workbook_of_text_cells_following_the_filter(admin_client, states):
    response = admin_client.get(f"/periods/{states.pk}/board.xlsx?show=returned")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "%E5%B7%B2%E9%80%80%E5%9B%9E" in response["Content-Disposition"]  # 已退回
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][0].endswith("填报完成情况（已退回）")
    units = [r[1] for r in rows[1:] if r[0] != "分组"]
    assert units == ["灵乡镇"]
    lingxiang = next(r for r in rows if r[1] == "灵乡镇")
    assert lingxiang[2] == "已退回" and lingxiang[4] == "请补充"
    assert all(isinstance(v, str) for r in rows for v in r)  # written with write_string


def test_all_units_are_in_the_unfiltered_export(admin_client, states):
    response = admin_client.get(f"/periods/{states.pk}/board.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    units = [r[1] for r in rows.to_python()[1:] if r[0] != "分组"]
    assert "茗山乡" in units and "陈贵镇" in units and len(units) >= 20
    late = next(r for r in rows.to_python() if r[1] == "陈贵镇")
    assert late[2] == "已报送（迟报）"


def test_reporting_and_on_time_rates_over_the_year(admin_client, states):
    page = admin_client.get(f"/periods/{states.pk}/rates/").content.decode()
    # Q1 (seed, on time) and Q2 (late): 陈贵镇 reported 2 of 2, on time 1 of 2
    row = page.split(">陈贵镇</td>")[1].split("</tr>")[0]
    assert "按时" in row and "迟报" in row
    assert "100.0%" in row and "50.0%" in row
    row = page.split(">茗山乡</td>")[1].split("</tr>")[0]
    assert "未报送" in row and "50.0%" in row
    assert 'id="rates-data" type="application/json"' in page
    assert "kaohe/rates.js" in page and "<script>" not in page  # no inline script


def test_board_export_and_rates_are_denied_to_units_and_providers(
    reporter_client, provider_client, leader_client, demo
):
    q2 = demo["q2"]
    for url in (f"/periods/{q2.pk}/board.xlsx", f"/periods/{q2.pk}/rates/"):
        for c in (reporter_client, provider_client):
            assert c.get(url).status_code == 403
            assert c.post(url).status_code in (403, 405)
        assert leader_client.get(url).status_code == 200
