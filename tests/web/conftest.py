"""Web tests: Django settings for tests (kaohe_test_settings.py), the demo data and one persona per
role.

Run on SQLite (default) or PostgreSQL: KAOHE_TEST_DB=postgres (127.0.0.1:5432, user postgres,
database KAOHE_TEST_PG_NAME or test; Django creates test_<name>)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe_test_settings")
os.environ.setdefault("KAOHE_DEBUG", "1")
os.environ.setdefault("KAOHE_DATA_DIR", tempfile.mkdtemp(prefix="kaohe-test-"))
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402

PASSWORD = "Kaohe@2023!"


@pytest.fixture
def demo(db):
    """The seed's 2023 Q1 (published) and an open Q2 with targets, plus the demo accounts."""
    from kaohe.web.models import Period
    from kaohe.web.services.demo import load_demo

    q1 = load_demo()
    q2 = Period.objects.get(scheme=q1.scheme, number=2)
    return {"q1": q1, "q2": q2, "scheme": q1.scheme}


def _client(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


@pytest.fixture
def admin_client(demo):
    return _client("admin")


@pytest.fixture
def reporter_client(demo):
    """The reporter of 陈贵镇."""
    return _client("chengui")


@pytest.fixture
def provider_client(demo):
    """The statistics bureau, providing 规上企业研发投入, 研发人员 and 新产品销售收入 for all units."""
    return _client("tongji")


@pytest.fixture
def leader_client(demo):
    return _client("lingdao")


@pytest.fixture
def unit(demo):
    from kaohe.web.models import Unit

    def get(name, group="township"):
        return Unit.objects.get(group__scheme=demo["scheme"], group__key=group, name=name)

    return get


@pytest.fixture
def indicator(demo):
    from kaohe.web.models import Indicator

    def get(key, group="township"):
        return Indicator.objects.get(group__scheme=demo["scheme"], group__key=group, key=key)

    return get


@pytest.fixture
def bureau(db):
    """The bureau's account (kjj) without the demo: for schemes loaded by the test itself."""
    from kaohe.web.models import Membership

    user = User.objects.create_user("kjj", password="x")
    Membership.objects.create(user=user, can_admin=True)
    return _client("kjj")
