"""等保 2.0 security: password policy and account lockout after repeated failed logins."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import LoginFailure


class MixedCharactersValidator:
    """At least 8 characters mixing letters, digits and symbols."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        problems = []
        if len(password) < self.min_length:
            problems.append(f"至少 {self.min_length} 个字符")
        if not re.search(r"[A-Za-z]", password):
            problems.append("包含字母")
        if not re.search(r"[0-9]", password):
            problems.append("包含数字")
        if not re.search(r"[^A-Za-z0-9]", password):
            problems.append("包含符号（如 ! @ # ￥ %）")
        if problems:
            raise ValidationError("密码须" + "、".join(problems) + "。", code="password_too_simple")

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符，须同时包含字母、数字和符号。"


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _address_key(address: str | None) -> str | None:
    return f"{LoginFailure.ADDRESS_PREFIX}{address}" if address else None


def locked_until(key: str | None):
    """When the lock on an account key (or an address key) ends; None when it is not locked."""
    if not key:
        return None
    row = LoginFailure.objects.filter(username=key).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def note_failure(key: str, limit: int) -> tuple[LoginFailure, bool]:
    """Count one failure; returns the row and whether this failure locked it. Failures older
    than the lock time, and an expired lock, start the count again."""
    now = timezone.now()
    window = timedelta(minutes=settings.KAOHE_LOGIN_LOCK_MINUTES)
    row, _ = LoginFailure.objects.select_for_update().get_or_create(username=key)
    expired = row.locked_until and row.locked_until <= now
    stale = not row.locked_until and row.last_failure and row.last_failure < now - window
    if expired or stale:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure = now
    locks = row.locked_until is None and row.failures >= limit
    if locks:
        row.locked_until = now + window
    row.save()
    return row, locks


def note_success(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


def unlock(key: str) -> bool:
    """Lift a lock (or clear a failure count); True when there was something to clear."""
    deleted, _ = LoginFailure.objects.filter(username=key).delete()
    return bool(deleted)


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form plus the lockout: a locked account, or a login from a locked address,
    cannot log in even with the right password, and every failure counts for both the account
    and the address (so one address cannot try every account, nor lock every account out
    unnoticed: it locks itself after a few tries)."""

    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错 %(max)s 次将锁定账号 %(minutes)s 分钟。",
        "inactive": "该账号已停用。",
        "locked": "该账号因连续登录失败已被锁定，请于 %(until)s 后再试或联系管理员解锁。",
        "address_locked": "您所在的地址登录失败次数过多，已暂停登录，请于 %(until)s 后再试或联系管理员解锁。",
    }

    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    def _locked(self, code: str, until) -> ValidationError:
        return ValidationError(
            self.error_messages[code],
            code=code,
            params={"until": timezone.localtime(until).strftime("%H:%M")},
        )

    def clean(self):
        from .services import security_log

        username = self.cleaned_data.get("username")
        address = security_log.client_address(self.request)
        address_key = _address_key(address)
        if username:
            for code, key in (("locked", _key(username)), ("address_locked", address_key)):
                until = locked_until(key)
                if until:
                    security_log.record(
                        self.request,
                        security_log.LOGIN_REFUSED,
                        username=username,
                        detail=f"尝试的用户名：{username}；{'账号' if code == 'locked' else '来源地址'}锁定至 "
                        f"{timezone.localtime(until):%Y-%m-%d %H:%M}",
                    )
                    raise self._locked(code, until)
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                self._count_failure(username, address, address_key)
            raise
        note_success(username)
        return cleaned

    def _count_failure(self, username, address, address_key):
        from .services import security_log

        row, locked = note_failure(_key(username), settings.KAOHE_LOGIN_MAX_FAILURES)
        if locked:
            security_log.record(
                self.request,
                security_log.LOCKOUT,
                username=username,
                detail=f"连续 {row.failures} 次登录失败，锁定至 "
                f"{timezone.localtime(row.locked_until):%Y-%m-%d %H:%M}",
            )
        if address_key:
            arow, alocked = note_failure(address_key, settings.KAOHE_LOGIN_MAX_ADDRESS_FAILURES)
            if alocked:
                security_log.record(
                    self.request,
                    security_log.ADDRESS_LOCKOUT,
                    username=username,
                    detail=f"来源地址 {address} 连续 {arow.failures} 次登录失败，锁定至 "
                    f"{timezone.localtime(arow.locked_until):%Y-%m-%d %H:%M}",
                )
            if arow.locked_until and not row.locked_until:
                raise self._locked("address_locked", arow.locked_until) from None
        if row.locked_until:
            raise self._locked("locked", row.locked_until) from None

    def get_invalid_login_error(self):
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "max": settings.KAOHE_LOGIN_MAX_FAILURES,
                "minutes": settings.KAOHE_LOGIN_LOCK_MINUTES,
            },
        )


class IdleSessionMiddleware:
    """Idle logout without a database write per request.

    A session expires SESSION_COOKIE_AGE seconds after it was last saved (Django keeps the expiry
    in the session row and checks it on every load). Django's SESSION_SAVE_EVERY_REQUEST would
    rewrite the row on every page view, a write transaction per GET that serialises concurrent
    readers on SQLite. Here a request that uses a session renews it only when the last renewal is
    a tenth of SESSION_COOKIE_AGE old, so an idle session ends between 90% and 100% of the
    setting after the last request, whatever the setting: never later than the policy allows."""

    KEY = "_kaohe_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response  # no session, or not used by this request
        now = timezone.now().timestamp()
        renew = settings.SESSION_COOKIE_AGE / 10
        if session.modified or now - session.get(self.KEY, 0) >= renew:
            session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP of
    its own). Pages load scripts and styles only from this site, as files: no inline script, no
    inline event handler, no inline style, nothing from outside."""

    CSP = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    PERMISSIONS = ", ".join(
        f"{feature}=()"
        for feature in (
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "bluetooth",
            "magnetometer",
            "gyroscope",
            "accelerometer",
            "display-capture",
            "browsing-topics",
        )
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response
