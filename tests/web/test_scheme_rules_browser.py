"""The pages of a scheme with classes, grades and vetoes, and the year view, in a real browser
(Debian chromium, headless) at 1280 and 375 px: what the bureau and a unit see, and that a phone
never scrolls the page sideways (wide tables scroll in their own box).

KAOHE_SCREENSHOT_DIR keeps the screenshots."""

from __future__ import annotations

import pytest
from examples import computed, enter_sample, load
from test_browser import CHROMIUM, browser, shot  # noqa: F401  (the fixture, asked for by name below)
from test_year import keep_ledger, publish, reporter

from kaohe.web.models import Scheme, Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no chromium"),
]
WIDTHS = (1280, 375)


def login(page, base, username, password="x"):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_results_and_the_year_of_a_scheme_with_classes_grades_and_vetoes(
    live_server, bureau, request
):
    chromium = request.getfixturevalue("browser")
    q1 = computed(bureau, "example-wujin", 1)
    q2 = computed(bureau, "example-wujin", 2, change=keep_ledger)
    publish(q1)
    publish(q2)
    scheme = Scheme.objects.get(key="example-wujin")
    qingshi, xihu = Unit.objects.get(name="青石街道"), Unit.objects.get(name="西湖镇")
    reporter("西湖镇")
    base = live_server.url
    pages = {
        "20-rules-results": f"/periods/{q1.pk}/results/",
        "21-rules-unit-vetoed": f"/periods/{q1.pk}/units/{qingshi.pk}/result/",
        "22-year": f"/schemes/{scheme.pk}/years/2024/",
        "23-year-unit": f"/schemes/{scheme.pk}/years/2024/units/{xihu.pk}/",
    }
    for width in WIDTHS:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        login(page, base, "kjj")
        for name, url in pages.items():
            page.goto(base + url)
            shot(page, f"{name}-{width}")
            assert no_sideways_scroll(page), f"{name} at {width} px scrolls sideways"
        page.goto(base + pages["20-rules-results"])
        headings = page.locator("h2").all_inner_texts()
        assert headings[:2] == ["镇（街道）·一类镇（街道）排名", "镇（街道）·二类镇（乡）排名"]
        first = page.locator("#ranking-township-0")
        assert first.locator("th").all_inner_texts()[:4] == ["名次", "单位", "总得分", "等次"]
        assert "一票否决" in first.inner_text() and first.locator(".veto").is_visible()
        page.goto(base + pages["22-year"])
        assert "83.50" in page.locator("table").first.inner_text()
        page.close()
    # a unit's own year, on a phone
    page = chromium.new_page(viewport={"width": 375, "height": 800})
    login(page, base, f"r{xihu.pk}")
    page.goto(base + pages["22-year"])
    shot(page, "24-year-own-unit-375")
    text = page.inner_text("main")
    assert "西湖镇" in text and "东城镇" not in text
    assert no_sideways_scroll(page)
    page.close()


def test_a_tiered_indicators_entry_form_at_both_widths(live_server, bureau, request):
    chromium = request.getfixturevalue("browser")
    period = load("example-efficacy")
    enter_sample(bureau, period, "example-efficacy")
    unit = Unit.objects.get(name="临江区")
    for width in WIDTHS:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        login(page, live_server.url, "kjj")
        page.goto(f"{live_server.url}/periods/{period.pk}/units/{unit.pk}/entry/")
        shot(page, f"25-entry-tiers-{width}")
        text = page.inner_text("main")
        assert "承担科技项目·国家级" in text and "承担科技项目·市级" in text
        assert no_sideways_scroll(page)
        page.close()
