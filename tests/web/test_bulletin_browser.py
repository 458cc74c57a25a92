"""The bulletin settings page in a real browser (Playwright, Debian chromium), at 1280 and 375 px:
the bureau sets the theme, saves, and downloads the zip under its Chinese name. Skipped without
a browser; KAOHE_SCREENSHOT_DIR keeps screenshots."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import test_browser
from docx import Document
from test_browser import CHROMIUM, login, shot

browser = test_browser.browser  # the same Playwright fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_bureau_sets_the_theme_and_downloads_the_bulletin_in_a_browser(
    live_server, demo, browser, width, tmp_path
):
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/periods/{demo['q1'].pk}/")
    page.click("#bulletin-settings")
    assert page.locator("h1").inner_text().endswith("通报设置")
    # the form fits the phone: nothing of it reaches past the screen's right edge
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#bulletin-form *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= width
    page.fill("#id_theme", "开门红")
    page.click("#save-bulletin")
    assert "已保存通报设置" in page.locator(".messages").inner_text()
    shot(page, f"bulletin-settings-{width}")
    with page.expect_download() as info:
        page.click("#download-bulletin")
    download = info.value
    assert download.suggested_filename == "2023年一季度-通报.zip"
    path = tmp_path / "bulletin.zip"
    download.save_as(path)
    archive = zipfile.ZipFile(path)
    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read("通报.docx"))).paragraphs)
    assert "“开门红”" in text
    page.close()
