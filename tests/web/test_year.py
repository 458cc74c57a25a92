"""The year view: a year's result from its computed periods as the scheme's [annual] says, the
bureau seeing every unit, a unit its own once the periods are published; with downloads."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from examples import computed
from python_calamine import CalamineWorkbook

from kaohe.web.models import Membership, Period, Scheme, Unit
from kaohe.web.services import periods as period_service


def keep_ledger(row):
    """In Q2 西湖镇 keeps its ledger: 78.50 → 88.50."""
    if row["单位"] == "西湖镇" and row["指标"] == "建立科技工作台账":
        row["实绩数"] = "4"


def publish(period):
    admin = User.objects.get(username="kjj")
    period_service.lock_period(period, admin, confirmed=True)
    period_service.publish_results(period, admin, confirmed=True)


@pytest.fixture
def year(bureau):
    """example-wujin's 2024 Q1 (the sample) and Q2 (西湖镇 keeps its ledger), both published."""
    q1 = computed(bureau, "example-wujin", 1)
    q2 = computed(bureau, "example-wujin", 2, change=keep_ledger)
    publish(q1)
    publish(q2)
    scheme = Scheme.objects.get(key="example-wujin")
    return {"scheme": scheme, "q1": q1, "q2": q2, "url": f"/schemes/{scheme.pk}/years/2024/"}


def reporter(unit_name):
    unit = Unit.objects.get(name=unit_name)
    user = User.objects.create_user(f"r{unit.pk}", password="x")
    Membership.objects.create(user=user, unit=unit, can_report=True)
    c = Client()
    c.force_login(user)
    return c


def test_the_bureau_sees_each_class_with_the_periods_averaged(bureau, year):
    page = bureau.get(year["url"]).content.decode()
    assert "各期总得分按权重加权平均" in page and "2024年一季度" in page
    assert page.index("一类镇（街道）年度排名") < page.index("二类镇（乡）年度排名")
    assert "各期平均：(78.50 + 88.50) ÷ 2" in page
    row = page[page.index("西湖镇") :]
    assert "83.50" in row[:600] and "良好" in row[:600]
    assert "南山镇" in page  # every unit


def test_a_unit_sees_only_its_own_year(year):
    c = reporter("西湖镇")
    page = c.get(year["url"]).content.decode()
    assert "西湖镇" in page and "83.50" in page
    for other in ("东城镇", "青石街道", "南山镇"):
        assert other not in page


def test_a_units_year_page_lists_each_period(year):
    xihu = Unit.objects.get(name="西湖镇")
    c = reporter("西湖镇")
    page = c.get(f"{year['url']}units/{xihu.pk}/").content.decode()
    assert "年度总得分" in page and "83.50" in page and "一类镇（街道）第 <b>2</b> 名" in page
    table = page[page.index("<table") :]
    assert table.index("2024年一季度") < table.index("78.50") < table.index("88.50")


def test_another_units_year_is_denied_for_get_and_post(year):
    dongcheng = Unit.objects.get(name="东城镇")
    c = reporter("西湖镇")
    url = f"{year['url']}units/{dongcheng.pk}/"
    assert c.get(url).status_code == 403
    assert c.post(url).status_code in (403, 405)
    assert c.post(year["url"]).status_code in (403, 405)


def test_a_unit_does_not_see_a_year_with_an_unpublished_period(bureau, year):
    computed(bureau, "example-wujin", 3)  # computed, not published
    c = reporter("西湖镇")
    assert c.get(year["url"]).status_code == 403
    assert c.get(year["url"] + "annual.xlsx").status_code == 403
    page = bureau.get(year["url"]).content.decode()
    assert "尚未发布，各单位暂看不到年度结果" in page


def test_a_period_without_a_result_is_named_and_not_counted(bureau, year):
    from examples import load

    load("example-wujin", 3)
    page = bureau.get(year["url"]).content.decode()
    assert "2024年三季度尚未计分，未计入" in page
    assert "各期平均：(78.50 + 88.50) ÷ 2" in page


def test_the_year_downloads_match_the_page_and_a_unit_gets_its_own_rows(bureau, year):
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(bureau.get(year["url"] + "annual.xlsx").content)
    )
    rows = book.get_sheet_by_name("年度排名").to_python()
    assert rows[1][4:6] == ["2024年一季度", "2024年二季度"]
    xihu = next(r for r in rows if r[3] == "西湖镇")
    assert xihu[4:8] == [78.5, 88.5, 83.5, "良好"]
    assert len(rows) == 2 + 6
    text = bureau.get(year["url"] + "annual.csv").content.decode()
    assert "镇（街道）,一类镇（街道）,2,西湖镇,78.50,88.50,83.50,良好," in text
    own = reporter("西湖镇").get(year["url"] + "annual.csv").content.decode()
    assert len(own.splitlines()) == 2 and "西湖镇" in own


def test_a_scheme_naming_other_periods_says_why_there_is_no_year(bureau, year):
    scheme = year["scheme"]
    scheme.rules = {
        **scheme.rules,
        "annual": {"method": "average", "periods": ["上半年", "下半年", "全年"]},
    }
    scheme.save()
    for p in (year["q1"], year["q2"]):  # the runs hold the scheme as computed: compute again
        admin = User.objects.get(username="kjj")
        period_service.compute_period(p, admin, reason="方案改为三期")
    page = bureau.get(year["url"]).content.decode()
    assert "无法合成年度结果" in page and "列出 3 期" in page
    assert bureau.get(year["url"] + "annual.xlsx").status_code == 404


def test_the_seeds_year_is_its_first_quarter_unchanged(admin_client, demo):
    url = f"/schemes/{demo['scheme'].pk}/years/2023/"
    page = admin_client.get(url).content.decode()
    assert "2023年一季度" in page or demo["q1"].name in page
    assert "85.06" in page and "68.06" in page
    assert Period.objects.get(pk=demo["q2"].pk).name in page  # Q2 not computed: named
    rows = CalamineWorkbook.from_filelike(io.BytesIO(admin_client.get(url + "annual.xlsx").content))
    first = rows.get_sheet_by_name("年度排名").to_python()[2]
    assert (first[3], Decimal(str(first[5]))) == ("大冶湖高新区", Decimal("85.06"))
