"""The whole flow in a real browser (Playwright, Debian chromium, headless).

Set KAOHE_SCREENSHOT_DIR to keep screenshots of the main pages (docs/screenshots is made this way).
Set KAOHE_CHROMIUM to another browser binary; without a browser the test is skipped."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kaohe.web.models import Entry, Period, Unit

CHROMIUM = os.environ.get("KAOHE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]
PASSWORD = "Kaohe@2023!"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()
        # ORM calls made while Playwright's loop runs get their own connection (a separate
        # context); close it here, or PostgreSQL cannot drop the test database
        from django.db import connections

        connections.close_all()


def shot(page, name):
    folder = os.environ.get("KAOHE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_reporter_submits_late_material_is_marked_and_bureau_publishes_the_ranking(
    live_server, demo, browser, tmp_path
):
    base = live_server.url
    q1, q2 = demo["q1"], demo["q2"]
    chengui = Unit.objects.get(group__scheme=demo["scheme"], name="陈贵镇")
    seed = {(e.unit_id, e.indicator_id): e for e in Entry.objects.filter(period=q1)}
    # every other unit has reported Q2 with the seed's figures, the statistics bureau has
    # provided its three indicators for every unit; 陈贵镇 types its own
    provided = ("rd_spending", "rd_staff", "new_product_sales")
    for e in Entry.objects.filter(period=q2).select_related("indicator"):
        s = seed[(e.unit_id, e.indicator_id)]
        if e.unit_id != chengui.pk or e.indicator.material_kind or e.indicator.key in provided:
            Entry.objects.filter(pk=e.pk).update(
                actual=s.actual, actual_na=s.actual_na, note=s.note, submitted_at=timezone.now()
            )
    page = browser.new_page(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN"
    )

    # 1. the reporter of 陈贵镇 logs in, fills in and submits
    page.goto(f"{base}/login/")
    shot(page, "01-login")
    login(page, base, "chengui")
    page.click("text=填报数据")
    page.wait_for_selector("#entry-form")
    for e in (
        Entry.objects.filter(period=q1, unit=chengui, indicator__material_kind="")
        .exclude(indicator__key__in=provided)
        .select_related("indicator")
    ):
        page.fill(f"input[name=actual_{e.indicator_id}]", format(e.actual.normalize(), "f"))
    for key in provided:  # the provider's figures are shown, not editable
        owned = Entry.objects.get(period=q2, unit=chengui, indicator__key=key).indicator
        assert page.locator(f"input[name=actual_{owned.pk}]").count() == 0
    tc = Entry.objects.get(period=q2, unit=chengui, indicator__key="tech_contracts").indicator
    page.fill(f"input[name=actual_{tc.pk}]", "73")  # a 万元/亿元-style slip: warned, not blocked
    page.dispatch_event(f"input[name=actual_{tc.pk}]", "change")
    assert "10 倍" in page.inner_text("#entry-form")
    shot(page, "02-entry-form")
    page.fill(f"input[name=actual_{tc.pk}]", "0.73194")
    page.click("#submit-entry")  # saves, then asks for confirmation
    page.click("#confirm-submit")
    assert "已报送" in page.inner_text(".messages")
    assert (
        str(Entry.objects.get(period=q2, unit=chengui, indicator=tc).actual.normalize())
        == "0.73194"
    )

    # 2. after the deadline a brief arrives: it is marked late
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    page.goto(f"{base}/periods/{q2.pk}/units/{chengui.pk}/materials/")
    page.select_option("select[name=kind]", "简报")
    brief = tmp_path / "陈贵镇二季度简报.pdf"
    brief.write_bytes(b"%PDF-1.4\n% brief\n")
    page.set_input_files("input[name=file]", str(brief))
    page.click("text=上传材料")
    assert "迟报" in page.inner_text(".messages")
    assert "迟报" in page.inner_text("table")
    page.click("text=退出")

    # 3. the bureau closes entry, sees the board, approves, locks, computes
    login(page, base, "admin")
    page.goto(f"{base}/periods/{q2.pk}/")
    page.click("#action-close")
    summary = page.inner_text("#confirm-summary")  # only 陈贵镇 submitted
    assert "个单位未报送" in summary and "茗山乡" in summary and "陈贵镇" not in summary
    page.click("#confirm-close")
    page.goto(f"{base}/periods/{q2.pk}/board/")
    row = page.locator("tr", has_text="陈贵镇").first
    assert "\t迟\t" in row.inner_text()  # the brief counted for 每月报送1篇简报 arrived late
    shot(page, "03-completeness-board")
    page.goto(f"{base}/periods/{q2.pk}/")
    shot(page, "07-period")
    page.click("#action-approve_all")
    for step in ("lock", "compute"):
        page.click(f"#action-{step}")
        page.click(f"#confirm-{step}")  # 13 units never submitted: the bureau confirms
    page.wait_for_url(f"{base}/periods/{q2.pk}/results/")
    first = page.locator("#ranking-township tbody tr").first
    assert "大冶湖高新区" in first.inner_text() and "85.06" in first.inner_text()
    page.wait_for_selector("#chart-township svg")
    shot(page, "04-results")

    # 4. downloads: the results workbook (and the bulletin once kaohe.report is merged)
    with page.expect_download() as info:
        page.click("#download-xlsx")
    path = info.value.path()
    assert Path(path).read_bytes()[:2] == b"PK"
    if page.locator("#download-bulletin").count():
        with page.expect_download() as info:
            page.click("#download-bulletin")
        assert Path(info.value.path()).read_bytes()[:2] == b"PK"

    # 5. each score is explained; the audit trail shows who changed what
    page.click("text=得分明细 >> nth=1")
    assert "排第" in page.inner_text("table")
    shot(page, "06-unit-detail")
    page.goto(f"{base}/audit/?unit={chengui.pk}")
    assert "chengui" in page.inner_text("table") and "0.73194" in page.inner_text("table")
    shot(page, "05-audit")
    page.close()
