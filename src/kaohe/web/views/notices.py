"""The inbox: each user's own notices, the badge in the top bar, marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ..models import Notice
from ..services import notices as notice_service


def badge(request):
    """Context processor: the number of unread notices for the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": notice_service.unread_count(user)}


@login_required
@require_GET
def inbox(request):
    notices = Notice.objects.filter(user=request.user).select_related("period", "unit")[:200]
    return render(request, "kaohe/notices.html", {"notices": notices})


@login_required
@require_POST
def notice_read(request, nid):
    """Mark one notice (or, with nid 0, all) read and open its page. Only the user's own."""
    if nid:
        try:
            notice = Notice.objects.get(pk=nid, user=request.user)
        except Notice.DoesNotExist:
            raise Http404("没有这条通知") from None
        notice_service.mark_read(request.user, notice.pk)
        if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
            return redirect(notice.url)
    else:
        notice_service.mark_read(request.user)
    return redirect("inbox")
