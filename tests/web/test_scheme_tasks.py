"""Key tasks (重点任务) are edited in the scheme editor, on a draft only, audited; the admin
only shows them; an imported TOML's leads must be the scheme's units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.web.models import AuditLog, KeyTask
from kaohe.web.services import scheme_editor as editor
from kaohe.web.services.schemes import export_toml


@pytest.fixture
def draft(demo):
    return editor.copy_scheme(demo["scheme"], key="daye-2024", name="2024年方案", user=None)


def _unit(scheme, name):
    return scheme.groups.get(key="department").units.get(name=name)


def test_the_bureau_adds_a_key_task_with_its_leads_and_it_is_exported_and_audited(
    draft, admin_client
):
    lead = _unit(draft, "市经信局")
    response = admin_client.post(
        reverse("scheme_task_new", args=[draft.pk]),
        {"number": "9", "title": "着力推进科技成果转化", "lead_units": [lead.pk]},
    )
    assert response.status_code == 302
    task = KeyTask.objects.get(scheme=draft, number=9)
    assert list(task.lead_units.all()) == [lead]
    assert 'title = "着力推进科技成果转化"\nlead = [\n    "市经信局",\n]' in export_toml(draft)
    logged = AuditLog.objects.filter(action="新增重点任务", field="任务名称").get()
    assert logged.new == "着力推进科技成果转化"
    page = admin_client.get(reverse("scheme", args=[draft.pk])).content.decode()
    assert "着力推进科技成果转化" in page and "市经信局" in page


def test_a_number_another_task_has_is_refused_beside_the_number(draft, admin_client):
    page = admin_client.post(
        reverse("scheme_task_new", args=[draft.pk]), {"number": "2", "title": "重复序号的任务"}
    ).content.decode()
    assert "序号 2 已有重点任务“着力开展关键技术攻关”" in page
    assert not KeyTask.objects.filter(scheme=draft, title="重复序号的任务").exists()


def test_changing_a_task_s_title_and_leads_is_saved_and_audited_field_by_field(draft, admin_client):
    task = draft.key_tasks.get(number=2)
    lead = _unit(draft, "市科技局")
    admin_client.post(
        reverse("scheme_task", args=[draft.pk, task.pk]),
        {"number": "2", "title": "着力开展关键核心技术攻关", "lead_units": [lead.pk]},
    )
    task.refresh_from_db()
    assert task.title == "着力开展关键核心技术攻关" and list(task.lead_units.all()) == [lead]
    changes = dict(AuditLog.objects.filter(action="修改重点任务").values_list("field", "new"))
    assert changes == {"任务名称": "着力开展关键核心技术攻关", "牵头单位": "市科技局"}


def test_a_task_of_a_version_in_use_is_shown_but_never_changed(demo, admin_client):
    task = demo["scheme"].key_tasks.get(number=2)
    url = reverse("scheme_task", args=[demo["scheme"].pk, task.pk])
    assert "着力开展关键技术攻关" in admin_client.get(url).content.decode()
    page = admin_client.post(url, {"number": "2", "title": "改名"}).content.decode()
    assert "不能修改；请以它为基础新建一个版本" in page
    assert admin_client.post(url, {"delete": "1"}).status_code == 200
    assert KeyTask.objects.get(pk=task.pk).title == "着力开展关键技术攻关"


def test_deleting_a_draft_s_task_removes_it_and_is_audited(draft, admin_client):
    task = draft.key_tasks.get(number=2)
    admin_client.post(reverse("scheme_task", args=[draft.pk, task.pk]), {"delete": "1"})
    assert not KeyTask.objects.filter(pk=task.pk).exists()
    assert AuditLog.objects.filter(action="删除重点任务").exists()


def test_the_admin_shows_key_tasks_but_cannot_change_them(demo, admin_client):
    task = demo["scheme"].key_tasks.get(number=2)
    assert admin_client.get("/admin/kaohe/keytask/").status_code == 200
    assert admin_client.get("/admin/kaohe/keytask/add/").status_code == 403
    url = f"/admin/kaohe/keytask/{task.pk}/change/"
    assert admin_client.post(url, {"number": "2", "title": "改名"}).status_code == 403


def test_an_imported_toml_whose_lead_is_no_unit_is_refused_naming_the_task(draft, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = 'lead = [\n    "市经信局",'
    assert lead in export_toml(draft)
    text = export_toml(draft).replace(lead, lead.replace("经信", "经济"), 1)
    upload = SimpleUploadedFile("方案.toml", text.encode("utf-8"))
    page = admin_client.post(reverse("scheme_import_into", args=[draft.pk]), {"file": upload})
    assert "重点任务的牵头单位“市经济局”不是方案中的单位" in page.content.decode()


@pytest.mark.parametrize("name", ["scheme_task", "scheme_task_new"])
def test_another_unit_s_reporter_is_denied_the_task_pages_for_get_and_post(
    draft, reporter_client, name
):
    task = draft.key_tasks.get(number=2)
    kwargs = {"sid": draft.pk} | ({"tid": task.pk} if name == "scheme_task" else {})
    url = reverse(name, kwargs=kwargs)
    before = export_toml(draft)
    assert reporter_client.get(url).status_code == 403
    assert reporter_client.post(url, {"number": "2", "title": "改名"}).status_code == 403
    assert export_toml(draft) == before
