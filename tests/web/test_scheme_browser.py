"""The bureau writes the 2024 scheme in a real browser (Playwright, Debian chromium, headless):
copies the demo's 2023 scheme, gives one indicator more points, previews who moves on the
published 一季度 and activates it; the 2023 result stays as published. The editor's pages fit
a 375 px phone screen and a 1280 px desktop one.

Set KAOHE_SCREENSHOT_DIR to keep the screenshots."""

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

from kaohe.web.models import Indicator, Scheme, UnitResult
from kaohe.web.services.periods import current_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]


def fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_the_bureau_copies_the_2023_scheme_changes_points_previews_and_activates(
    live_server,
    demo,
    browser,  # noqa: F811
):
    base = live_server.url
    q1 = demo["q1"]
    published = sorted(
        UnitResult.objects.filter(run=current_run(q1)).values_list("unit_id", "total")
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.on("dialog", lambda d: d.accept())
    login(page, base, "admin")
    page.click("text=方案管理")
    shot(page, "scheme-01-list")
    page.click("#scheme-list .copy-scheme >> nth=0")
    assert page.input_value("#id_key") == "daye-2024-demo"
    assert page.input_value("#id_name") == "大冶市2024年科技创新行动考核（演示）"
    page.click("#copy-submit")
    page.wait_for_selector("#scheme-status")
    assert page.inner_text("#scheme-status") == "草稿"
    shot(page, "scheme-02-draft")

    # 科技型中小企业入库数: 10 points (5 + 5 by rank) become 16 (8 + 8); first a wrong maximum
    page.click("#indicators-township .edit-indicator[data-key=sme_registered]")
    # the parameters of rank only, labelled in Chinese, filled from the scheme; is_visible does
    # not wait, so first the new page, then its script's work
    page.wait_for_selector("#params-rank")
    page.wait_for_selector("#params-ratio", state="hidden")
    assert page.is_visible("#params-rank") and not page.is_visible("#params-ratio")
    assert page.inner_text("label[for=id_p_rank_top]") == "第一名得分"
    assert page.input_value("#id_p_rank_top") == "5"
    assert page.input_value("#id_p_rank_tie") == "cross"
    page.select_option("#id_method", "bands")  # another method shows its own fields
    assert page.is_visible("#params-bands") and not page.is_visible("#params-rank")
    page.select_option("#id_method", "rank")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert fits(page), f"the indicator form is wider than {width} px"
        shot(page, f"scheme-params-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#id_max_points", "16")
    page.click("#save-item")
    error = page.inner_text("#row-params .errorlist")
    assert "满分 16 与排名得分上限 5 × 2 不一致" in error
    shot(page, "scheme-03-error-beside-field")
    page.fill("#id_p_rank_top", "8")
    page.click("#save-item")
    page.wait_for_selector("text=已保存指标")

    page.select_option("#id_period", str(q1.pk))
    page.click("#preview-go")
    page.wait_for_selector("#movers")
    effects = page.inner_text("#effects")
    assert "科技型中小企业入库数" in effects and "满分、计分参数" in effects
    assert page.locator("#movers tbody tr").count() > 0
    shot(page, "scheme-04-preview")
    page.set_viewport_size({"width": 375, "height": 812})
    assert fits(page), "the preview is wider than a phone"
    shot(page, "scheme-05-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#activate")
    page.wait_for_selector("text=方案已启用")
    assert page.inner_text("#scheme-status") == "启用"
    draft = Scheme.objects.get(key="daye-2024-demo")
    assert draft.status == Scheme.ACTIVE and "max = 16" in draft.source
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    assert ind.max_points == Decimal(16)
    # 2023 stays exactly as published
    assert (
        sorted(UnitResult.objects.filter(run=current_run(q1)).values_list("unit_id", "total"))
        == published
    )
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/schemes/", f"/schemes/{draft.pk}/"):
            page.goto(base + path)
            assert fits(page), f"{path} is wider than {width} px"
        shot(page, f"scheme-06-active-{width}")
    page.close()
