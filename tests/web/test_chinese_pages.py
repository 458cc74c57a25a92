"""Chinese everywhere a user looks: the error pages, and every model and field of the admin."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import translation
from pagecheck import check_page

from kaohe.web.views import security as views_security


def _signed_in(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_the_403_page_gives_the_reason_and_a_way_back(demo):
    c = _signed_in("chengui")
    response = c.get("/audit/", HTTP_REFERER="http://testserver/periods/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "只有科技局和领导可以查看" in page
    assert 'href="http://testserver/periods/"' in page and "返回首页" in page
    assert "Forbidden" not in page
    check_page(response)


def test_the_way_back_never_leads_to_another_site(demo):
    response = _signed_in("chengui").get("/audit/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()


def test_the_404_page_is_in_chinese(demo):
    response = _signed_in("chengui").get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page and "Not Found" not in page
    check_page(response)
    admin_page = _signed_in("admin").get("/admin/no-such-thing/")
    assert admin_page.status_code == 404 and "页面不存在" in admin_page.content.decode()


def test_the_500_page_is_in_chinese_and_needs_nothing_from_the_request():
    response = views_security.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "Server Error" not in page


def test_a_failed_csrf_check_is_explained_in_chinese(demo):
    c = Client(enforce_csrf_checks=True)
    c.force_login(User.objects.get(username="admin"))
    response = c.post(f"/periods/{demo['q2'].pk}/action/", {"action": "close"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF 校验失败" in page and "CSRF verification failed" not in page


def test_static_files_carry_the_security_headers(demo):
    response = Client().get("/static/kaohe/kaohe.css")
    assert response.status_code == 200
    check_page(response)


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _our_models():
    return apps.get_app_config("kaohe").get_models()


@pytest.mark.parametrize("model", list(_our_models()), ids=lambda m: m.__name__)
def test_every_model_and_field_has_a_chinese_name(model):
    with translation.override("zh-hans"):
        assert CHINESE.search(str(model._meta.verbose_name)), model.__name__
        for f in model._meta.get_fields():
            if f.auto_created or not hasattr(f, "verbose_name"):
                continue  # the id, reverse relations
            assert CHINESE.search(str(f.verbose_name)), f"{model.__name__}.{f.name}"


def test_the_admin_pages_show_no_english_column_names(demo):
    c = _signed_in("admin")
    for url in ("/admin/", "/admin/kaohe/loginfailure/", "/admin/kaohe/auditlog/"):
        page = c.get(url).content.decode()
        for english in ("Login failures", "Audit logs", "Username", "Locked until", "Failures"):
            assert english not in page, (url, english)
    assert "登录失败记录" in c.get("/admin/").content.decode()


def test_the_migrations_match_the_models(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "kaohe", "--check", "--dry-run", stdout=out)
