"""What every response of the site must carry: the security headers; and what no page may hold:
an inline script, an inline event handler, an inline style."""

import re


def check_page(response):
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert_no_inline_script(html)


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def assert_no_inline_script(html: str):
    for attrs, body in SCRIPT.findall(html):
        if "application/json" in attrs:
            continue  # data for a script, never run
        assert "src=" in attrs and not body.strip(), f"inline script: {attrs} {body[:80]}"
    assert not HANDLER.search(html), HANDLER.search(html).group(0)
    assert "javascript:" not in html.lower()
    assert ' style="' not in html
