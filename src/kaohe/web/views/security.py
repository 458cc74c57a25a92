"""Security views: the admin site's login door, password change, the lock list and unlock, the
audit log with its exports, and the Chinese error pages (403, 404, 500, CSRF failure)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_http_methods

from .. import access
from ..models import AuditLog, Indicator, LoginFailure, Period, Unit
from ..security import unlock
from ..services import security_log

# --- the admin site's door: /admin/login/ is the site's login, with its lockout -------------


def admin_login(request):
    """The admin site sends anyone it does not let in here. Signed-out users go to the site's one
    login form (and its lockout); a signed-in user without the admin role is told so."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("admin:index")
            return redirect(target)
        raise PermissionDenied("管理后台只对科技局管理员开放")
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("login") + (f"?{query}" if query else ""))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (the password validators apply), on record in the audit log."""

    template_name = "kaohe/password.html"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        security_log.record(self.request, security_log.PASSWORD_CHANGE, user=self.request.user)
        return response


# --- locks -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def locks(request):
    """Accounts and addresses locked after failed logins; the bureau unlocks them here."""
    access.require_admin(request.user)
    if request.method == "POST":
        key = request.POST.get("key", "").strip()
        if key and unlock(key):
            label = _lock_label(key)
            security_log.record(
                request, security_log.UNLOCK, user=request.user, detail=f"解锁{label}"
            )
            messages.success(request, f"已解锁{label}。")
        return redirect("locks")
    now = timezone.now()
    rows = [
        {"key": row.username, "label": _lock_label(row.username), "row": row}
        for row in LoginFailure.objects.filter(locked_until__gt=now).order_by("-last_failure")
    ]
    return render(request, "kaohe/locks.html", {"rows": rows})


def _lock_label(key: str) -> str:
    prefix = LoginFailure.ADDRESS_PREFIX
    if key.startswith(prefix):
        return f"来源地址 {key[len(prefix) :]}"
    return f"账号 {key}"


# --- the audit log ---------------------------------------------------------------------------

SECURITY = "security"
COLUMNS = [
    "时间",
    "用户",
    "操作",
    "考核期",
    "单位",
    "指标",
    "字段",
    "原值",
    "新值",
    "说明",
    "来源地址",
    "浏览器",
]


def _date(text: str):
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def _filtered(params):
    """The audit records the query asks for, and the filters as understood (for the form)."""
    qs = AuditLog.objects.select_related("period", "unit", "indicator").order_by("-at", "-id")
    filters = {}
    for name in ("period", "unit", "indicator", "user"):
        value = params.get(name, "").strip()
        if value.isdigit():
            filters[name] = int(value)
            qs = qs.filter(**{f"{name}_id": int(value)})
    action = params.get("action", "").strip()
    if action:
        qs = qs.filter(action__contains=action)
    kind = params.get("kind", "").strip()
    if kind == SECURITY:
        qs = qs.filter(action__in=security_log.KINDS)
    elif kind in security_log.KINDS:
        qs = qs.filter(action=kind)
    else:
        kind = ""
    tz = timezone.get_current_timezone()
    start, end = _date(params.get("from", "")), _date(params.get("to", ""))
    if start:
        qs = qs.filter(at__gte=datetime.combine(start, time.min, tz))
    if end:
        qs = qs.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, tz))
    shown = {
        "action": action,
        "kind": kind,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
    }
    return qs, filters, shown


def _query(filters, shown) -> str:
    items = [*filters.items(), *((k, v) for k, v in shown.items() if v)]
    return "&".join(f"{k}={quote(str(v))}" for k, v in items)


@login_required
@require_GET
def audit(request):
    access.require_overview(request.user)
    qs, filters, shown = _filtered(request.GET)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "kaohe/audit.html",
        {
            "page": page,
            "filters": filters,
            "shown": shown,
            "query": _query(filters, shown),
            "kinds": security_log.KINDS,
            "periods": Period.objects.all(),
            "units": Unit.objects.select_related("group").order_by("group__order", "order"),
            "indicators": Indicator.objects.select_related("group").order_by(
                "group__order", "order"
            ),
            "users": User.objects.order_by("username"),
        },
    )


def audit_rows(qs):
    """One row generator for both exports: every cell a string, as shown on the page."""
    for a in qs.iterator(chunk_size=2000):
        yield [
            timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M:%S"),
            a.username,
            a.action,
            str(a.period or ""),
            str(a.unit or ""),
            a.indicator.name if a.indicator else "",
            a.field,
            a.old,
            a.new,
            a.detail,
            a.address or "",
            a.user_agent,
        ]


def csv_safe(text: str) -> str:
    """OWASP CSV injection: a text cell starting with = + - @ tab or CR is prefixed with a quote
    so no spreadsheet reads it as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _download(data, content_type, filename):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="audit.{filename.rsplit(".", 1)[-1]}"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
@require_GET
def audit_csv(request):
    access.require_overview(request.user)
    qs, _, _ = _filtered(request.GET)
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Chinese Windows reads UTF-8 only with a BOM
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in audit_rows(qs):
        writer.writerow([csv_safe(cell) for cell in row])
    return _download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "审计日志.csv")


@login_required
@require_GET
def audit_xlsx(request):
    import xlsxwriter

    access.require_overview(request.user)
    qs, _, _ = _filtered(request.GET)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("审计日志")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(audit_rows(qs), start=1):
        for col, cell in enumerate(row):
            sheet.write_string(r, col, cell)  # text, never a formula, whatever the user typed
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, len(COLUMNS) - 1, 16)
    book.close()
    return _download(
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "审计日志.xlsx",
    )


# --- error pages -----------------------------------------------------------------------------


def _back_link(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else "您没有权限访问此页面。"
    html = loader.render_to_string(
        "kaohe/403.html", {"reason": reason, "back": _back_link(request)}, request
    )
    return HttpResponseForbidden(html)


def page_not_found(request, exception=None):
    html = loader.render_to_string("kaohe/404.html", {"back": _back_link(request)}, request)
    return HttpResponse(html, status=404)


@requires_csrf_token
def server_error(request):
    # no request context: whatever failed (the database, a context processor) must not fail again
    return HttpResponseServerError(loader.render_to_string("kaohe/500.html"))


def csrf_failure(request, reason=""):
    return permission_denied(
        request,
        PermissionDenied(
            "表单已过期或来源无法验证（CSRF 校验失败）。请返回上一页，刷新后重新提交；"
            "如仍出现，请确认浏览器允许本网站的 Cookie。"
        ),
    )
