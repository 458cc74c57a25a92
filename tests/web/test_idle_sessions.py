"""等保 2.0: an idle session ends within a tenth of the configured idle time, for any setting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """Django's clock (session expiry and the idle middleware both read it), moved by hand."""
    now = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    return advance


def _busy_then_idle(clock, age: int, idle: float) -> int:
    """Sign in, click every 5% of the idle time for 15% of it, wait ``idle`` seconds, click:
    the status of that last click (200 signed in, 302 sent to the login page)."""
    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    for _ in range(4):
        assert c.get("/").status_code == 200
        clock(age * 0.05)
    clock(-age * 0.05)  # the last click was at the end of the busy stretch
    clock(idle)
    return c.get("/").status_code


@pytest.mark.parametrize("age", [90, 600, 1800])
def test_a_session_idle_for_nine_tenths_of_the_setting_is_still_signed_in(
    demo, settings, clock, age
):
    settings.SESSION_COOKIE_AGE = age
    assert _busy_then_idle(clock, age, age * 0.9 - 0.5) == 200


@pytest.mark.parametrize("age", [90, 600, 1800])
def test_a_session_idle_for_longer_than_the_setting_is_signed_out(demo, settings, clock, age):
    settings.SESSION_COOKIE_AGE = age
    assert _busy_then_idle(clock, age, age + 1) == 302


def test_a_request_right_after_a_renewal_writes_no_session(demo, clock):
    """Renewals are spaced a tenth of the idle time apart: reading pages writes no session row
    on every request."""
    from django.contrib.sessions.models import Session

    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    assert c.get("/").status_code == 200
    key = c.cookies["sessionid"].value
    expiry = Session.objects.get(pk=key).expire_date
    clock(1)
    assert c.get("/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == expiry
