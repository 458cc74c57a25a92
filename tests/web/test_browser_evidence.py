"""In a real browser (Debian chromium): one unit reports, the others stay silent; the bureau
ends the period after the confirmation page lists the missing units, and every missing figure
scores 0 (issue 10)."""

from __future__ import annotations

from decimal import ROUND_CEILING
from pathlib import Path

import pytest
from test_browser import CHROMIUM, browser, login  # noqa: F401  (the browser fixture)

from kaohe.web.models import Entry, IndicatorResult, Period, Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]


def test_a_period_with_silent_units_ends_after_confirmation_with_zero_for_each_missing_figure(
    live_server,
    demo,
    browser,  # noqa: F811
):
    base, q2 = live_server.url, demo["q2"]
    chengui = Unit.objects.get(group__scheme=demo["scheme"], name="陈贵镇")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, "chengui")
    page.goto(f"{base}/periods/{q2.pk}/units/{chengui.pk}/entry/")
    filled = (
        Entry.objects.filter(period=q2, unit=chengui, indicator__material_kind="")
        .exclude(indicator__key__in=("rd_spending", "rd_staff", "new_product_sales"))
        .exclude(target_na=True)
        .select_related("indicator")
    )
    for e in filled:  # the target, rounded up: counts (家, 人 …) take whole numbers only
        value = e.target.to_integral_value(ROUND_CEILING)
        page.fill(f"input[name=actual_{e.indicator_id}]", format(value, "f"))
    page.click("#submit-entry")  # saves, then asks for confirmation
    page.click("#confirm-submit")
    assert "已报送" in page.inner_text(".messages")
    page.click("text=退出")

    login(page, base, "admin")
    page.goto(f"{base}/periods/{q2.pk}/")
    page.click("#action-close")
    summary = page.inner_text("#confirm-summary")
    assert "茗山乡" in summary and "灵乡镇" in summary and "个单位未报送" in summary
    assert "：规上企业研发投入" in summary  # the statistics bureau never provided it
    page.click("#confirm-close")
    page.goto(f"{base}/periods/{q2.pk}/")
    page.click("#action-compute")
    assert "个单位未审核" in page.inner_text("#confirm-summary")
    page.click("#confirm-compute")
    page.wait_for_url(f"{base}/periods/{q2.pk}/results/")
    assert Period.objects.get(pk=q2.pk).state == Period.REVIEW
    results = IndicatorResult.objects.filter(unit_result__run__period=q2)
    missing = results.filter(status="missing")
    assert missing.count() >= 100 and all(r.points == 0 for r in missing)
    assert not results.filter(status="pending").exists()
    mine = results.filter(unit_result__unit=chengui, indicator__in=[e.indicator for e in filled])
    assert all(r.status == "scored" and r.points > 0 for r in mine)
    page.goto(f"{base}/periods/{q2.pk}/units/{Unit.objects.get(name='茗山乡').pk}/result/")
    assert "未报送实绩数，得 0 分" in page.inner_text("body")
    page.close()
