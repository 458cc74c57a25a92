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


def locked_until(username: str):
    row = LoginFailure.objects.filter(username=_key(username)).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def note_failure(username: str) -> LoginFailure:
    now = timezone.now()
    row, _ = LoginFailure.objects.select_for_update().get_or_create(username=_key(username))
    if row.locked_until and row.locked_until <= now:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure = now
    if row.failures >= settings.KAOHE_LOGIN_MAX_FAILURES:
        row.locked_until = now + timedelta(minutes=settings.KAOHE_LOGIN_LOCK_MINUTES)
    row.save()
    return row


def note_success(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form plus the lockout: a locked account cannot log in even with the right
    password, and every failure counts."""

    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错 %(max)s 次将锁定账号 %(minutes)s 分钟。",
        "inactive": "该账号已停用。",
        "locked": "该账号因连续登录失败已被锁定，请于 %(until)s 后再试或联系管理员解锁。",
    }

    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            until = locked_until(username)
            if until:
                raise ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(until).strftime("%H:%M")},
                )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                row = note_failure(username)
                if row.locked_until:
                    raise ValidationError(
                        self.error_messages["locked"],
                        code="locked",
                        params={"until": timezone.localtime(row.locked_until).strftime("%H:%M")},
                    ) from None
            raise
        note_success(username)
        return cleaned

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
