"""On a phone (375 px) in a real browser (Playwright, Debian chromium, headless): a reporter saves
a draft, submits, the bureau returns it with a comment, the reporter sees the notice and
resubmits; every reporter and provider page fits the screen (no sideways scrolling) at 375 px
and at 1280 px.

Set KAOHE_SCREENSHOT_DIR to keep the screenshots (docs/screenshots is made this way)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_browser import (
    CHROMIUM,
    browser,  # noqa: F401  (the fixture, asked for by name below)
    login,
    shot,
)

from kaohe.web.models import Entry, Notice, UnitReport

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def fits(page) -> bool:
    """No sideways scrolling: the page is no wider than the screen."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_a_reporter_on_a_phone_drafts_submits_is_returned_and_resubmits(
    live_server,
    demo,
    request,
    unit,
    indicator,
):
    chromium = request.getfixturevalue("browser")
    base, q2, chengui = live_server.url, demo["q2"], unit("陈贵镇")
    talent = indicator("new_talent")
    phone = chromium.new_page(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    login(phone, base, "chengui")
    assert phone.is_visible("label.menu-button") and not phone.is_visible("header nav")
    phone.click("label.menu-button")  # the header collapses into a menu
    assert phone.is_visible("header nav")
    shot(phone, "phone-01-home-menu")
    phone.click("label.menu-button")
    phone.click("text=填报数据")
    phone.wait_for_selector("#entry-form")
    assert fits(phone)
    box = phone.locator("#entry-form tbody tr").first.bounding_box()
    assert box["width"] <= 375  # one card per indicator
    phone.fill(f"input[name=actual_{talent.pk}]", "3")
    phone.click("#save-draft")
    assert "已保存草稿" in phone.inner_text(".messages")
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.DRAFT
    shot(phone, "phone-02-entry-draft")

    phone.click("#submit-entry")
    phone.wait_for_selector("#confirm-submit")
    assert "尚未报送" in phone.inner_text("#submit-summary") and fits(phone)
    shot(phone, "phone-03-confirm")
    phone.click("#confirm-submit")
    assert "已报送" in phone.inner_text(".messages")
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED

    bureau = chromium.new_page(viewport=DESKTOP, locale="zh-CN")
    login(bureau, base, "admin")
    bureau.goto(f"{base}/periods/{q2.pk}/board/?show=pending")
    row = bureau.locator("tr", has_text="陈贵镇").first
    row.locator("input[name=comment]").fill("新招引科技人才请附名单")
    row.locator("button[value=return]").click()
    assert "已退回" in bureau.inner_text(".messages")
    shot(bureau, "desktop-01-board-returned")
    bureau.close()

    phone.goto(f"{base}/")
    assert phone.inner_text("#notice-count") == str(
        Notice.objects.filter(user__username="chengui", read_at=None).count()
    )
    phone.click("#inbox-link")
    assert "新招引科技人才请附名单" in phone.inner_text("#notices") and fits(phone)
    shot(phone, "phone-04-inbox")
    phone.locator("#notices li", has_text="新招引科技人才请附名单").locator("button").click()
    phone.wait_for_selector("#entry-form")
    assert "新招引科技人才请附名单" in phone.inner_text("main")
    phone.fill(f"input[name=actual_{talent.pk}]", "4")
    phone.click("#submit-entry")
    phone.click("#confirm-submit")
    assert "已报送" in phone.inner_text(".messages")
    assert UnitReport.objects.get(period=q2, unit=chengui).state == UnitReport.SUBMITTED
    assert Entry.objects.get(period=q2, unit=chengui, indicator=talent).actual == Decimal(4)
    phone.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_every_reporter_and_provider_page_fits_the_screen(
    live_server,
    demo,
    request,
    unit,
    indicator,
    viewport,
):
    chromium = request.getfixturevalue("browser")
    base, q1, q2 = live_server.url, demo["q1"], demo["q2"]
    chengui, rd = unit("陈贵镇"), indicator("rd_spending")
    width = viewport["width"]
    pages = {
        "chengui": [
            ("home", "/"),
            ("entry", f"/periods/{q2.pk}/units/{chengui.pk}/entry/"),
            ("submit", f"/periods/{q2.pk}/units/{chengui.pk}/submit/"),
            ("materials", f"/periods/{q2.pk}/units/{chengui.pk}/materials/"),
            ("period", f"/periods/{q2.pk}/"),
            ("notices", "/notices/"),
            ("results", f"/periods/{q1.pk}/results/"),
            ("unit-result", f"/periods/{q1.pk}/units/{chengui.pk}/result/"),
            ("unit-whatif", f"/periods/{q1.pk}/units/{chengui.pk}/whatif/"),
            ("objections", f"/periods/{q1.pk}/objections/"),
            ("entry-q1", f"/periods/{q1.pk}/units/{chengui.pk}/entry/"),
        ],
        "tongji": [
            ("provider-home", "/"),
            ("provide", f"/periods/{q2.pk}/indicators/{rd.pk}/provide/"),
            ("provide-upload", f"/periods/{q2.pk}/provide/upload/"),
            ("provider-results", f"/periods/{q1.pk}/results/"),
        ],
    }
    wide = []
    for username, urls in pages.items():
        page = chromium.new_page(viewport=viewport, locale="zh-CN")
        login(page, base, username)
        for name, url in urls:
            response = page.goto(base + url)
            assert response.status == 200, (username, url, response.status)
            if not fits(page):
                wide.append(f"{username} {url}")
            shot(page, f"{width}-{name}")
        page.close()
    assert not wide, f"wider than {width} px: {wide}"


def test_the_bureau_sees_the_rates_chart_and_copies_the_reminder_message(
    live_server, demo, request
):
    chromium = request.getfixturevalue("browser")
    base, q2 = live_server.url, demo["q2"]
    page = chromium.new_page(viewport=DESKTOP, locale="zh-CN")
    login(page, base, "admin")
    page.goto(f"{base}/periods/{q2.pk}/rates/")
    page.wait_for_selector("#rates-township svg")
    assert "报送率" in page.inner_text("#rates-township")
    assert "50.0%" in page.inner_text("#rates-table-township")
    shot(page, "desktop-02-rates")
    page.goto(f"{base}/periods/{q2.pk}/remind/")
    assert "请以下单位于" in page.input_value("#chat-message")
    page.click("#copy-message")
    assert page.inner_text("#copy-done") in ("已复制", "请按 Ctrl+C 复制")
    shot(page, "desktop-03-remind")
    page.close()
