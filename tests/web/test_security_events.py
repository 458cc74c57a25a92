"""等保 2.0: one login door with one lockout, security events in the audit log with their
exports, and the password policy wherever a password is set."""

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kaohe.web.models import AuditLog, LoginFailure
from kaohe.web.services import security_log

PASSWORD = "Kaohe@2023!"  # the demo accounts

AGENT = "Mozilla/5.0 (Windows NT 10.0) kaohe-test"


def _client(address="10.1.2.3"):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT)


def _signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("door", ["/login/", "/admin/login/"])
def test_six_wrong_passwords_then_the_right_one_log_in_at_no_door(demo, door):
    c = _client()
    for _ in range(6):
        c.post(door, {"username": "admin", "password": "wrong-password"}, follow=True)
    c.post(door, {"username": "admin", "password": PASSWORD}, follow=True)
    assert not _signed_in(c)
    assert c.get("/admin/").status_code == 302


def test_an_account_locked_at_the_login_page_is_locked_at_the_admin_door_too(demo):
    c = _client()
    for _ in range(6):
        c.post("/login/", {"username": "admin", "password": "wrong-password"})
    for door in ("/admin/login/", "/login/"):
        page = c.post(door, {"username": "admin", "password": PASSWORD}, follow=True)
        assert not _signed_in(c)
    assert "已被锁定" in page.content.decode()
    assert c.get("/admin/kaohe/period/").status_code == 302


def test_the_admin_login_door_is_the_sites_login_form(demo):
    response = Client().get("/admin/login/?next=/admin/kaohe/period/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/kaohe/period/"
    c = _client()
    response = c.post(
        "/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/kaohe/period/"}
    )
    assert response["Location"] == "/admin/kaohe/period/"
    assert c.get("/admin/kaohe/period/").status_code == 200


def test_a_signed_in_user_without_the_admin_role_is_told_the_admin_is_closed(demo):
    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    response = c.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "管理后台只对科技局管理员开放" in response.content.decode()


def test_one_address_locks_itself_after_ten_failures_across_accounts(demo):
    attacker = _client("10.9.9.9")
    for name in ["admin", "chengui", "tongji", "lingdao", "jingxin"] * 2:
        attacker.post("/login/", {"username": name, "password": "wrong-password"})
    page = attacker.post("/login/", {"username": "jingxin", "password": PASSWORD})
    assert not _signed_in(attacker) and "您所在的地址" in page.content.decode()
    # no account reached five failures, so from another address everyone logs in
    other = _client("10.1.1.1")
    other.post("/login/", {"username": "jingxin", "password": PASSWORD})
    assert _signed_in(other)
    assert AuditLog.objects.filter(action=security_log.ADDRESS_LOCKOUT, address="10.9.9.9").exists()


def test_the_bureau_unlocks_an_account_on_a_page_and_it_is_on_record(demo):
    c = _client()
    for _ in range(5):
        c.post("/login/", {"username": "chengui", "password": "wrong-password"})
    assert LoginFailure.objects.get(username="chengui").locked_until
    bureau = _client("10.0.0.1")
    bureau.force_login(User.objects.get(username="admin"))
    page = bureau.get("/security/locks/").content.decode()
    assert "账号 chengui" in page and "来源地址 10.1.2.3" not in page  # 5 < 10 for the address
    response = bureau.post("/security/locks/", {"key": "chengui"})
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="chengui").exists()
    log = AuditLog.objects.get(action=security_log.UNLOCK)
    assert (log.username, log.detail, log.address) == ("admin", "解锁账号 chengui", "10.0.0.1")
    c.post("/login/", {"username": "chengui", "password": PASSWORD})
    assert _signed_in(c)


@pytest.mark.parametrize("role", ["chengui", "tongji", "lingdao"])
def test_only_the_bureau_sees_and_lifts_locks(demo, role):
    LoginFailure.objects.create(
        username="admin", failures=5, locked_until=timezone.now() + timedelta(minutes=30)
    )
    c = Client()
    c.force_login(User.objects.get(username=role))
    assert c.get("/security/locks/").status_code == 403
    assert c.post("/security/locks/", {"key": "admin"}).status_code == 403
    assert LoginFailure.objects.filter(username="admin").exists()


def _events(action):
    return list(AuditLog.objects.filter(action=action).order_by("at", "id"))


def test_logins_failures_lockouts_logouts_and_password_changes_are_on_record(demo):
    c = _client()
    c.post("/login/", {"username": "chengui", "password": "wrong-password"})
    (failed,) = _events(security_log.LOGIN_FAILED)
    assert failed.username == "chengui" and "尝试的用户名：chengui" in failed.detail
    assert (failed.address, failed.user_agent) == ("10.1.2.3", AGENT)
    assert timezone.now() - failed.at < timedelta(minutes=1)
    c.post("/login/", {"username": "no-such-user", "password": "x"})
    assert _events(security_log.LOGIN_FAILED)[-1].username == "no-such-user"
    for _ in range(4):
        c.post("/login/", {"username": "chengui", "password": "wrong-password"})
    (lock,) = _events(security_log.LOCKOUT)
    assert lock.username == "chengui" and "锁定至" in lock.detail
    c.post("/login/", {"username": "chengui", "password": PASSWORD})
    assert _events(security_log.LOGIN_REFUSED)[-1].username == "chengui"
    LoginFailure.objects.all().delete()

    c.post("/login/", {"username": "chengui", "password": PASSWORD})
    (login,) = _events(security_log.LOGIN)
    assert (login.username, login.address, login.user_agent) == ("chengui", "10.1.2.3", AGENT)
    new = "Kaohe#2024?new"
    response = c.post(
        "/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    (change,) = _events(security_log.PASSWORD_CHANGE)
    assert change.username == "chengui" and change.address == "10.1.2.3"
    c.post("/logout/")
    (logout,) = _events(security_log.LOGOUT)
    assert logout.username == "chengui" and logout.user_agent == AGENT


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(demo, settings):
    settings.KAOHE_BEHIND_PROXY = True
    c = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.7.7.7")
    c.post("/login/", {"username": "chengui", "password": "wrong-password"})
    assert AuditLog.objects.get(action=security_log.LOGIN_FAILED).address == "10.7.7.7"


@pytest.fixture
def bureau(demo):
    c = Client()
    c.force_login(User.objects.get(username="admin"))
    return c


def _audit_record(action, days_ago, **fields):
    record = AuditLog.objects.create(username="chengui", action=action, **fields)
    AuditLog.objects.filter(pk=record.pk).update(at=timezone.now() - timedelta(days=days_ago))
    return record


def test_the_audit_log_filters_by_kind_and_date_range(bureau):
    _audit_record(security_log.LOGIN_FAILED, 10, detail="十天前的失败")
    _audit_record(security_log.LOGIN, 3, detail="三天前的登录")
    _audit_record("修改实绩数", 3, detail="三天前的修改")
    today = timezone.localdate()
    frm, to = (today - timedelta(days=5)).isoformat(), (today - timedelta(days=1)).isoformat()
    page = bureau.get("/audit/", {"kind": "security", "from": frm, "to": to}).content.decode()
    assert "三天前的登录" in page and "十天前的失败" not in page and "三天前的修改" not in page
    page = bureau.get("/audit/", {"kind": security_log.LOGIN_FAILED}).content.decode()
    assert "十天前的失败" in page and "三天前的登录" not in page
    assert f"kind={security_log.LOGIN_FAILED}" not in page  # links carry the filter, quoted
    assert "/audit/export.xlsx?kind=%E7%99%BB%E5%BD%95%E5%A4%B1%E8%B4%A5" in page


FORMULA = '=HYPERLINK("http://evil.example/","点此查看佐证")'


def test_the_audit_export_to_xlsx_writes_every_cell_as_text(bureau):
    from python_calamine import CalamineWorkbook

    _audit_record("修改备注", 1, detail=FORMULA, new="+1", old="-2")
    response = bureau.get("/audit/export.xlsx", {"action": "修改备注"})
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%AE%A1%E8%AE%A1" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("审计日志").to_python()
    assert rows[0][:3] == ["时间", "用户", "操作"]
    (row,) = rows[1:]
    assert row[2] == "修改备注" and row[9] == FORMULA and (row[7], row[8]) == ("-2", "+1")
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml  # no formula anywhere


def test_the_audit_export_to_csv_neutralises_formulas(bureau):
    _audit_record("修改备注", 1, detail=FORMULA, new="+1", old="@SUM(A1)")
    _audit_record("修改备注", 1, detail="\t=1+1", new="\r=2", old="普通文字")
    response = bureau.get("/audit/export.csv", {"action": "修改备注"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "时间"
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells and "'+1" in cells and "'@SUM(A1)" in cells
    assert "'\t=1+1" in cells and "'\r=2" in cells and "普通文字" in cells
    assert not any(cell[:1] in "=+-@\t\r" for cell in cells if cell)


@pytest.mark.parametrize("url", ["/audit/export.xlsx", "/audit/export.csv"])
@pytest.mark.parametrize("role", ["chengui", "tongji"])
def test_only_the_bureau_and_leaders_export_the_audit_log(demo, url, role):
    c = Client()
    c.force_login(User.objects.get(username=role))
    assert c.get(url).status_code == 403


def test_pruning_removes_only_security_events_older_than_the_retention(demo):
    old = _audit_record(security_log.LOGIN, 181)
    young = _audit_record(security_log.LOGIN_FAILED, 179)
    old_change = _audit_record("修改实绩数", 400)
    out = io.StringIO()
    call_command("kaohe_prune_audit", stdout=out)
    assert "已删除" in out.getvalue() and " 1 条" in out.getvalue()
    remaining = set(AuditLog.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {young.pk, old_change.pk} <= remaining


def test_pruning_never_keeps_less_than_180_days(demo):
    young = _audit_record(security_log.LOGIN, 100)
    with pytest.raises(CommandError, match="不能少于 180 天"):
        call_command("kaohe_prune_audit", "--days", "179")
    call_command("kaohe_prune_audit", "--days", "180", "--dry-run", stdout=io.StringIO())
    assert AuditLog.objects.filter(pk=young.pk).exists()


# --- the password policy wherever a password is set -----------------------------------------


def test_the_password_change_form_refuses_a_weak_password(demo):
    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    page = c.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert page.status_code == 200 and "密码须" in page.content.decode()
    assert User.objects.get(username="chengui").check_password(PASSWORD)


def test_the_admin_refuses_a_weak_password_for_a_new_or_existing_user(bureau):
    page = bureau.post(
        "/admin/auth/user/add/",
        {
            "username": "newuser",
            "password1": "abcdefgh",
            "password2": "abcdefgh",
            "usable_password": "true",
        },
    )
    assert page.status_code == 200 and "密码须" in page.content.decode()
    assert not User.objects.filter(username="newuser").exists()
    chengui = User.objects.get(username="chengui")
    url = f"/admin/auth/user/{chengui.pk}/password/"
    page = bureau.post(url, {"password1": "12345678", "password2": "12345678"})
    assert page.status_code == 200 and "密码须" in page.content.decode()
    assert User.objects.get(username="chengui").check_password(PASSWORD)
    good = "Strong#Pass2024"
    assert bureau.post(url, {"password1": good, "password2": good}).status_code == 302
    assert User.objects.get(username="chengui").check_password(good)
    assert "chengui" in AuditLog.objects.get(action=security_log.PASSWORD_CHANGE).detail


def _createsuperuser(tmp_path, password):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kaohe.web.settings",
        KAOHE_DEBUG="1",
        KAOHE_DATA_DIR=str(tmp_path),
        DJANGO_SUPERUSER_PASSWORD=password,
        DJANGO_SUPERUSER_EMAIL="a@example.gov.cn",
    )
    code = (
        "import django;django.setup();from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['m','createsuperuser','--noinput','--username','boss'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )


def test_createsuperuser_refuses_a_weak_password_even_without_prompting(tmp_path):
    weak = _createsuperuser(tmp_path, "password")
    assert weak.returncode != 0 and "不符合密码策略" in weak.stderr
    assert "Traceback" not in weak.stderr
    strong = _createsuperuser(tmp_path, "Boss#2024!strong")
    assert strong.returncode == 0, strong.stderr
