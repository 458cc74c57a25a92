"""Security events in the audit log (等保 2.0): logins, failed logins, lockouts, unlocks, logouts
and password changes, each with the time, the source address and the browser's user agent.

Logins, failures and logouts come from Django's auth signals, so every door that signs a user in
or out (the site's login page, the admin's logout, the test client) is on record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ..models import AuditLog

LOGIN = "登录"
LOGIN_FAILED = "登录失败"
LOGIN_REFUSED = "锁定期间尝试登录"
LOCKOUT = "锁定账号"
ADDRESS_LOCKOUT = "锁定来源地址"
UNLOCK = "解锁"
LOGOUT = "退出登录"
PASSWORD_CHANGE = "修改密码"
KINDS = [
    LOGIN,
    LOGIN_FAILED,
    LOGIN_REFUSED,
    LOCKOUT,
    ADDRESS_LOCKOUT,
    UNLOCK,
    LOGOUT,
    PASSWORD_CHANGE,
]


def client_address(request) -> str | None:
    """The address the request came from. Behind a reverse proxy (KAOHE_BEHIND_PROXY=1) the
    proxy's own address is REMOTE_ADDR and the client is the last entry it appended to
    X-Forwarded-For; entries before that are the client's own claim and are not trusted."""
    if request is None:
        return None
    meta = request.META
    if settings.KAOHE_BEHIND_PROXY:
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1][:45]
    return meta.get("REMOTE_ADDR") or None


def record(request, action: str, *, user=None, username: str = "", detail: str = "") -> AuditLog:
    if user is not None and not user.is_authenticated:
        user = None
    meta = request.META if request is not None else {}
    return AuditLog.objects.create(
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        action=action,
        detail=detail,
        address=client_address(request),
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


@receiver(user_logged_in, dispatch_uid="kaohe-audit-login")
def _logged_in(sender, request, user, **kwargs):
    record(request, LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="kaohe-audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="kaohe-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    tried = str(credentials.get("username", ""))
    record(request, LOGIN_FAILED, username=tried, detail=f"尝试的用户名：{tried}")
