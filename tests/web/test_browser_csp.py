"""In a real browser the Content-Security-Policy blocks nothing the pages need: the charts are
drawn, the figure check warns, a delete asks first; and the browser reports no violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from test_browser import CHROMIUM, browser, login  # noqa: F401  (the browser fixture)

from kaohe.web.models import Material, Unit
from kaohe.web.services import materials as material_service

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium browser"),
]


def test_the_pages_work_under_the_policy_and_the_browser_reports_no_violation(
    live_server,
    demo,
    browser,  # noqa: F811
):
    base = live_server.url
    q1, q2 = demo["q1"], demo["q2"]
    chengui = Unit.objects.get(group__scheme=demo["scheme"], name="陈贵镇")
    brief = material_service.upload_material(
        q2,
        chengui,
        User.objects.get(username="admin"),
        kind="简报",
        title="陈贵镇简报",
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief"),
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    complaints = []
    page.on(
        "console",
        lambda m: (
            complaints.append(m.text)
            if "Content Security Policy" in m.text or "Refused" in m.text
            else None
        ),
    )
    login(page, base, "admin")

    page.goto(f"{base}/periods/{q1.pk}/results/")
    page.wait_for_selector("#chart-township svg")

    page.goto(f"{base}/periods/{q2.pk}/units/{chengui.pk}/entry/")
    figure = page.locator("input.fig[data-target]").first
    target = float(figure.get_attribute("data-target"))
    figure.fill(str(target * 100))
    figure.dispatch_event("change")
    assert "数量级" in page.locator(".warn").first.inner_text() or target <= 0

    page.goto(f"{base}/periods/{q2.pk}/units/{chengui.pk}/materials/")
    page.once("dialog", lambda d: d.dismiss())
    page.click(f"#delete-{brief.pk}")
    page.wait_for_timeout(300)
    assert Material.objects.filter(pk=brief.pk).exists()  # cancelled: nothing deleted
    page.once("dialog", lambda d: d.accept())
    page.click(f"#delete-{brief.pk}")
    page.wait_for_load_state()
    assert not Material.objects.filter(pk=brief.pk).exists()

    page.goto(f"{base}/admin/kaohe/period/{q2.pk}/change/")
    page.wait_for_selector("#period_form")
    assert complaints == []
    page.close()
