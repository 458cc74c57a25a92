"""The bulletin: the bureau's settings of a period's bulletin and §二–四, and the download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, forms
from ..services import bulletin as bulletin_service
from ..services import periods as period_service
from ..services.errors import ServiceError
from .common import download, fail, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_settings(request, pid):
    """The bureau sets the title, date, cut-off, theme, 版头/版记 and charts, and edits §二–四."""
    access.require_admin(request.user)
    period, _ = access.get_period(request.user, pid)
    settings = bulletin_service.settings_of(period)
    scheme_words = bulletin_service.scheme_bulletin(period)
    defaults = {
        "cutoff": bulletin_service.default_cutoff(period),
        "theme": scheme_words.theme,
        "masthead": scheme_words.masthead,
        "doc_number": scheme_words.doc_number,
        "copy_to": scheme_words.copy_to,
        "printer": scheme_words.printer,
    }
    if request.method == "POST":
        form = forms.BulletinSettingsForm(request.POST, instance=settings, defaults=defaults)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bulletin_service.save_settings(
                    period,
                    request.user,
                    narrative=data["narrative"],
                    **{f: data[f] for f in bulletin_service.FIELDS},
                )
            except ServiceError as exc:
                fail(request, exc)
            else:
                messages.success(request, "已保存通报设置。")
                return redirect("bulletin_settings", pid=period.pk)
        else:
            form_errors(request, form)
    else:
        form = forms.BulletinSettingsForm(
            instance=settings,
            defaults=defaults,
            initial={"narrative": bulletin_service.narrative_draft(period)},
        )
    return render(
        request,
        "kaohe/bulletin_settings.html",
        {
            "period": period,
            "form": form,
            "run": period_service.current_run(period),
            "to_fill": "【待填写" in (form["narrative"].value() or ""),
        },
    )


@login_required
@require_GET
def bulletin(request, pid):
    """The bulletin (kaohe report: .docx, attachments .xlsx, charts) as a zip, for the bureau and
    leaders, with the bureau's settings."""
    period = access.get_results(request.user, pid)
    c = access.require_overview(request.user)
    if period_service.current_run(period) is None:
        raise Http404("尚未计算得分")
    try:
        data = bulletin_service.bulletin_zip(period)
    except ServiceError as exc:
        fail(request, exc)
        return redirect("bulletin_settings" if c.admin else "results", pid=period.pk)
    return download(
        data,
        "application/zip",
        f"{period.name}-通报.zip",
        fallback=bulletin_service.ascii_name(period),
    )
