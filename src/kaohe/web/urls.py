from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.views.static import serve

from . import views
from .views import scheme_tasks as views_scheme_tasks
from .views import schemes as views_schemes
from .views import security as views_security

admin.site.site_header = admin.site.site_title = "科技创新行动考核 · 管理后台"
admin.site.index_title = "数据管理"

handler403 = views_security.permission_denied
handler404 = views_security.page_not_found
handler500 = views_security.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views_security.PasswordChangeView.as_view(), name="password_change"),
    path("security/locks/", views_security.locks, name="locks"),
    path("periods/new/", views.period_new, name="period_new"),
    path("periods/<int:pid>/", views.period_detail, name="period"),
    path("periods/<int:pid>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:pid>/action/", views.period_action, name="period_action"),
    path("periods/<int:pid>/units/<int:uid>/entry/", views.entry, name="entry"),
    path(
        "periods/<int:pid>/units/<int:uid>/template.xlsx",
        views.entry_template,
        name="entry_template",
    ),
    path("periods/<int:pid>/units/<int:uid>/submit/", views.entry_submit, name="entry_submit"),
    path("periods/<int:pid>/remind/", views.remind, name="remind"),
    path("notices/", views.inbox, name="inbox"),
    path("notices/<int:nid>/read/", views.notice_read, name="notice_read"),
    path("periods/<int:pid>/units/<int:uid>/upload/", views.entry_upload, name="entry_upload"),
    path("periods/<int:pid>/units/<int:uid>/materials/", views.materials, name="materials"),
    path("periods/<int:pid>/units/<int:uid>/review/", views.review, name="review"),
    path("periods/<int:pid>/units/<int:uid>/deadline/", views.deadline, name="deadline"),
    path("periods/<int:pid>/pending/", views.pending, name="pending"),
    path("periods/<int:pid>/units/<int:uid>/result/", views.unit_result, name="unit_result"),
    path("periods/<int:pid>/units/<int:uid>/whatif/", views.unit_whatif, name="unit_whatif"),
    path("periods/<int:pid>/units/<int:uid>/correct/", views.correct, name="correct"),
    path("periods/<int:pid>/indicators/<int:iid>/provide/", views.provide, name="provide"),
    path("periods/<int:pid>/provide/upload/", views.provide_upload, name="provide_upload"),
    path(
        "periods/<int:pid>/provide/template.xlsx", views.provide_template, name="provide_template"
    ),
    path("periods/<int:pid>/targets/", views.targets_import, name="targets_import"),
    path("periods/<int:pid>/board/", views.board, name="board"),
    path("periods/<int:pid>/board.xlsx", views.board_export, name="board_export"),
    path("periods/<int:pid>/rates/", views.rates, name="rates"),
    path("periods/<int:pid>/template.xlsx", views.period_template, name="period_template"),
    path("periods/<int:pid>/results/", views.results, name="results"),
    path("periods/<int:pid>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("periods/<int:pid>/results.csv", views.results_csv, name="results_csv"),
    path("periods/<int:pid>/results.json", views.results_json, name="results_json"),
    path("schemes/<int:sid>/years/<int:year>/", views.year_view, name="year"),
    path("schemes/<int:sid>/years/<int:year>/units/<int:uid>/", views.year_unit, name="year_unit"),
    path("schemes/<int:sid>/years/<int:year>/annual.xlsx", views.year_xlsx, name="year_xlsx"),
    path("schemes/<int:sid>/years/<int:year>/annual.csv", views.year_csv, name="year_csv"),
    path("periods/<int:pid>/bulletin.zip", views.bulletin, name="bulletin"),
    path("periods/<int:pid>/bulletin/", views.bulletin_settings, name="bulletin_settings"),
    path("periods/<int:pid>/tasks/", views.tasks, name="tasks"),
    path("periods/<int:pid>/narrative/", views.narrative, name="narrative"),
    path("periods/<int:pid>/objections/", views.objections, name="objections"),
    path("materials/<int:mid>/", views.material_download, name="material_download"),
    path("materials/<int:mid>/replace/", views.material_replace, name="material_replace"),
    path("materials/<int:mid>/delete/", views.material_delete, name="material_delete"),
    path("materials/<int:mid>/kind/", views.material_kind, name="material_kind"),
    path("schemes/", views_schemes.schemes, name="schemes"),
    path("schemes/import/", views_schemes.scheme_import, name="scheme_import"),
    path("schemes/<int:sid>/", views_schemes.scheme_detail, name="scheme"),
    path("schemes/<int:sid>/copy/", views_schemes.scheme_copy, name="scheme_copy"),
    path("schemes/<int:sid>/action/", views_schemes.scheme_action, name="scheme_action"),
    path("schemes/<int:sid>/export.toml", views_schemes.scheme_export, name="scheme_export"),
    path("schemes/<int:sid>/import/", views_schemes.scheme_import_into, name="scheme_import_into"),
    path("schemes/<int:sid>/preview/", views_schemes.scheme_preview_page, name="scheme_preview"),
    path("schemes/<int:sid>/groups/<int:gid>/", views_schemes.scheme_group, name="scheme_group"),
    path(
        "schemes/<int:sid>/groups/<int:gid>/order/",
        views_schemes.scheme_reorder,
        name="scheme_reorder",
    ),
    path(
        "schemes/<int:sid>/groups/<int:gid>/units/new/",
        views_schemes.scheme_unit_new,
        name="scheme_unit_new",
    ),
    path(
        "schemes/<int:sid>/groups/<int:gid>/indicators/new/",
        views_schemes.scheme_indicator_new,
        name="scheme_indicator_new",
    ),
    path("schemes/<int:sid>/units/<int:uid>/", views_schemes.scheme_unit, name="scheme_unit"),
    path(
        "schemes/<int:sid>/tasks/new/", views_scheme_tasks.scheme_task_new, name="scheme_task_new"
    ),
    path("schemes/<int:sid>/tasks/<int:tid>/", views_scheme_tasks.scheme_task, name="scheme_task"),
    path(
        "schemes/<int:sid>/indicators/<int:iid>/",
        views_schemes.scheme_indicator,
        name="scheme_indicator",
    ),
    path("audit/", views_security.audit, name="audit"),
    path("audit/export.xlsx", views_security.audit_xlsx, name="audit_xlsx"),
    path("audit/export.csv", views_security.audit_csv, name="audit_csv"),
    # the admin site logs in through the site's own form and lockout (one door)
    path("admin/login/", views_security.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

if settings.KAOHE_SERVE_STATIC:
    from django.contrib.staticfiles.views import serve as static_serve

    if settings.DEBUG:
        urlpatterns.append(re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}))
    else:
        from pathlib import Path

        urlpatterns.append(
            re_path(
                r"^static/(?P<path>.*)$",
                serve,
                {"document_root": str(Path(__file__).resolve().parent / "static")},
            )
        )
