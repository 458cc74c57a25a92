"""等保 2.0: password policy, lockout after failed logins, idle sessions, deploy checks, settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client

from kaohe.web.settings import env_bool, env_int, parse_database_url


@pytest.mark.parametrize(
    "password", ["short1!", "onlyletters", "letters123", "letters!!!", "12345678!", "Kaohe2023"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_mixing_letters_digits_and_symbols_is_accepted():
    validate_password("Kaohe@2023!")


def _login(client, password):
    return client.post("/login/", {"username": "chengui", "password": password})


def test_five_failed_logins_lock_the_account_for_thirty_minutes(demo):
    from kaohe.web.models import LoginFailure

    c = Client()
    for _ in range(4):
        assert "用户名或密码错误" in _login(c, "wrong-password").content.decode()
    assert "已被锁定" in _login(c, "wrong-password").content.decode()
    # even the right password is refused while locked
    response = _login(c, "Kaohe@2023!")
    assert response.status_code == 200 and "已被锁定" in response.content.decode()
    row = LoginFailure.objects.get(username="chengui")
    minutes = (row.locked_until - row.last_failure).total_seconds() / 60
    assert minutes == pytest.approx(30)


def test_the_lock_expires_and_a_good_login_clears_the_count(demo):
    from datetime import timedelta

    from django.utils import timezone

    from kaohe.web.models import LoginFailure

    c = Client()
    for _ in range(5):
        _login(c, "wrong-password")
    LoginFailure.objects.filter(username="chengui").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    response = _login(c, "Kaohe@2023!")
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="chengui").exists()


def test_logging_out_ends_the_session_at_once(demo):
    c = Client()
    c.force_login(User.objects.get(username="admin"))
    assert c.get(f"/periods/{demo['q1'].pk}/results/").status_code == 200
    stolen = c.cookies["sessionid"].value
    c.post("/logout/")
    thief = Client()
    thief.cookies["sessionid"] = stolen
    response = thief.get(f"/periods/{demo['q1'].pk}/results/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_deactivated_user_is_signed_out_on_the_next_request(demo):
    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    assert c.get("/").status_code == 200
    User.objects.filter(username="chengui").update(is_active=False)
    assert c.get("/").status_code == 302


def test_every_form_needs_a_csrf_token(demo):
    c = Client(enforce_csrf_checks=True)
    c.force_login(User.objects.get(username="admin"))
    response = c.post(f"/periods/{demo['q2'].pk}/action/", {"action": "close"})
    assert response.status_code == 403
    page = c.get(f"/periods/{demo['q2'].pk}/").content.decode()
    assert page.count("csrfmiddlewaretoken") >= page.count('<form method="post"')


def test_pages_declare_webkit_rendering_and_load_nothing_from_outside(admin_client, demo):
    page = admin_client.get(f"/periods/{demo['q1'].pk}/results/").content.decode()
    assert '<meta name="renderer" content="webkit">' in page
    assert "http://" not in page and "https://" not in page
    assert "/static/kaohe/echarts.min.js" in page


def _run_settings(env: dict, code: str):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAOHE_", "DATABASE_URL", "DJANGO_"))
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=120
    )


def test_manage_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "kaohe.web.settings",
        "KAOHE_DEBUG": "0",
        "KAOHE_DATA_DIR": str(tmp_path),
        "KAOHE_SECRET_KEY": "x7Gm#2qLr9!vT0pZ$kW4nB8sY1hD6fJ3cX5eR-aQ_uH*iO(oP)lK;zM:bN,gV.tS<",
        "KAOHE_ALLOWED_HOSTS": "kaohe.example.gov.cn",
    }
    code = (
        "import django;django.setup();from django.core.management import call_command;"
        "call_command('check','--deploy','--fail-level','WARNING')"
    )
    result = _run_settings(env, code)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "kaohe.web.settings",
        "KAOHE_DEBUG": "0",
        "KAOHE_DATA_DIR": str(tmp_path),
        "KAOHE_ALLOWED_HOSTS": "x",
    }
    result = _run_settings(env, "import django;django.setup()")
    assert result.returncode != 0 and "KAOHE_SECRET_KEY" in result.stderr


def test_development_generates_a_secret_key_into_the_data_dir(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "kaohe.web.settings",
        "KAOHE_DEBUG": "1",
        "KAOHE_DATA_DIR": str(tmp_path),
    }
    result = _run_settings(
        env,
        "import django;django.setup();from django.conf import settings;print(len(settings.SECRET_KEY))",
    )
    assert result.returncode == 0, result.stderr
    key_file = Path(tmp_path) / "secret_key.txt"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"


def test_bad_environment_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("KAOHE_X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KAOHE_X_BOOL"):
        env_bool("KAOHE_X_BOOL", False)
    monkeypatch.setenv("KAOHE_X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="KAOHE_X_INT"):
        env_int("KAOHE_X_INT", 1)
    monkeypatch.setenv("KAOHE_X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="不能小于"):
        env_int("KAOHE_X_INT", 1)


def test_database_urls_are_parsed(tmp_path):
    pg = parse_database_url("postgres://kaohe:p%40ss@db.local:5433/kaohe?sslmode=require", tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "kaohe",
        "kaohe",
        "p@ss",
        "db.local",
        "5433",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite://", tmp_path)["NAME"] == str(tmp_path / "kaohe.sqlite3")
    assert (
        parse_database_url("sqlite:////var/lib/kaohe/db.sqlite3", tmp_path)["NAME"]
        == "/var/lib/kaohe/db.sqlite3"
    )
    with pytest.raises(ImproperlyConfigured):
        parse_database_url("mysql://x/y", tmp_path)
    with pytest.raises(ImproperlyConfigured):
        parse_database_url("postgres://host:5432/", tmp_path)
