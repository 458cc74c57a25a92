"""Materials are deleted or replaced by the unit's reporter while the period is open, and by the
bureau; a replacement arrives when it is replaced (late after the deadline); every deletion and
replacement is audited with the old and the new file name."""

import os
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kaohe.web.models import AuditLog, Entry, Material, Period
from kaohe.web.services import materials as material_service


def client_for(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def brief(demo, unit, name="简报一.pdf", title="一季度简报"):
    """A material filed by the unit's own reporter (陈贵镇) or, for other units, the bureau."""
    return material_service.upload_material(
        demo["q2"],
        unit,
        User.objects.get(username="chengui" if unit.name == "陈贵镇" else "admin"),
        kind="简报",
        title=title,
        upload=SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode()),
    )


def replace(client, material, name="简报二.pdf", content=b"%PDF-1.4 new", title=""):
    return client.post(
        f"/materials/{material.pk}/replace/",
        {"file": SimpleUploadedFile(name, content), "title": title},
        follow=True,
    )


def briefs_entry(demo, unit, indicator):
    return Entry.objects.get(period=demo["q2"], unit=unit, indicator=indicator("briefs"))


def past_deadline(demo):
    Period.objects.filter(pk=demo["q2"].pk).update(deadline=timezone.now() - timedelta(minutes=1))


def test_the_reporter_replaces_a_material_and_the_old_file_is_gone(
    reporter_client, demo, unit, django_capture_on_commit_callbacks
):
    m = brief(demo, unit("陈贵镇"))
    old_path = m.file.path
    with django_capture_on_commit_callbacks(execute=True):
        text = replace(reporter_client, m).content.decode()
    assert "已替换" in text and "按时到达" in text
    m.refresh_from_db()
    assert m.filename == "简报二.pdf" and m.title == "一季度简报" and not m.late
    assert m.file.read() == b"%PDF-1.4 new"
    assert not os.path.exists(old_path)
    log = AuditLog.objects.get(action="替换材料")
    assert (log.old, log.new, log.username, log.unit.name) == (
        "简报一.pdf",
        "简报二.pdf",
        "chengui",
        "陈贵镇",
    )
    assert "原文件到达" in log.detail and "新文件到达" in log.detail


def test_a_replacement_after_the_deadline_is_late_and_counts_as_late(
    reporter_client, demo, unit, indicator
):
    chengui = unit("陈贵镇")
    first, _second = brief(demo, chengui, "a.pdf"), brief(demo, chengui, "b.pdf")
    assert briefs_entry(demo, chengui, indicator).actual == 2
    before = first.uploaded_at
    past_deadline(demo)
    text = replace(reporter_client, first, "a2.pdf").content.decode()
    assert "记为迟报" in text
    first.refresh_from_db()
    assert first.late and first.uploaded_at > before
    e = briefs_entry(demo, chengui, indicator)
    assert e.actual == 1 and e.note == "迟报材料"  # 1 on time of 3, 1 late: the late rule
    assert "迟报" in AuditLog.objects.get(action="替换材料").detail


def test_the_reporter_deletes_a_material_and_the_count_follows(
    reporter_client, demo, unit, indicator, django_capture_on_commit_callbacks
):
    chengui = unit("陈贵镇")
    m = brief(demo, chengui)
    path = m.file.path
    assert briefs_entry(demo, chengui, indicator).actual == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = reporter_client.post(f"/materials/{m.pk}/delete/", follow=True)
    text = response.content.decode()
    assert "已删除" in text
    assert not Material.objects.filter(pk=m.pk).exists()
    assert not os.path.exists(path)
    assert briefs_entry(demo, chengui, indicator).actual == 0
    log = AuditLog.objects.get(action="删除材料")
    assert (log.old, log.new, log.username) == ("简报一.pdf", "", "chengui")
    assert m.sha256 in log.detail and "按时" in log.detail
    assert AuditLog.objects.filter(action="材料计数", unit=chengui, new="0").exists()


def test_the_reporter_cannot_delete_a_late_material_to_escape_the_late_rule(
    reporter_client, admin_client, demo, unit, indicator
):
    chengui = unit("陈贵镇")
    brief(demo, chengui, "a.pdf")
    past_deadline(demo)
    demo["q2"].refresh_from_db()
    late = brief(demo, chengui, "b.pdf")
    assert late.late and briefs_entry(demo, chengui, indicator).note == "迟报材料"
    response = reporter_client.post(f"/materials/{late.pk}/delete/")
    assert response.status_code == 403
    assert Material.objects.filter(pk=late.pk).exists()
    assert briefs_entry(demo, chengui, indicator).note == "迟报材料"
    assert admin_client.post(f"/materials/{late.pk}/delete/").status_code == 302
    assert not Material.objects.filter(pk=late.pk).exists()


def test_another_units_reporter_cannot_delete_or_replace(demo, unit):
    m = brief(demo, unit("灵乡镇"))
    c = client_for("chengui")
    assert c.post(f"/materials/{m.pk}/delete/").status_code == 403
    assert replace(c, m).status_code == 403
    assert c.get(f"/materials/{m.pk}/replace/").status_code == 403
    m.refresh_from_db()
    assert m.filename == "简报一.pdf"
    assert not AuditLog.objects.filter(action__in=["删除材料", "替换材料"]).exists()


def test_the_leader_and_the_provider_cannot_delete_or_replace(demo, unit):
    m = brief(demo, unit("陈贵镇"))
    for role in ("lingdao", "tongji"):
        c = client_for(role)
        assert c.post(f"/materials/{m.pk}/delete/").status_code == 403
        assert replace(c, m).status_code == 403
    assert Material.objects.filter(pk=m.pk).exists()


def test_the_reporter_cannot_change_materials_once_the_period_is_closed(demo, unit):
    m = brief(demo, unit("陈贵镇"))
    Period.objects.filter(pk=demo["q2"].pk).update(state=Period.REVIEW)
    c = client_for("chengui")
    assert c.post(f"/materials/{m.pk}/delete/").status_code == 403
    assert replace(c, m).status_code == 403
    assert Material.objects.filter(pk=m.pk).exists()


def test_the_bureau_replaces_and_deletes_any_units_material_during_review(admin_client, demo, unit):
    m = brief(demo, unit("灵乡镇"))
    Period.objects.filter(pk=demo["q2"].pk).update(state=Period.REVIEW)
    assert "已替换" in replace(admin_client, m, title="更正后的简报").content.decode()
    m.refresh_from_db()
    assert m.title == "更正后的简报" and m.uploaded_by.username == "admin"
    assert "已删除" in admin_client.post(f"/materials/{m.pk}/delete/", follow=True).content.decode()
    assert not Material.objects.filter(pk=m.pk).exists()
    assert AuditLog.objects.filter(action="删除材料", username="admin").exists()


def test_nobody_changes_materials_of_a_locked_period(admin_client, demo, unit):
    m = brief(demo, unit("陈贵镇"))
    Period.objects.filter(pk=demo["q2"].pk).update(state=Period.LOCKED)
    assert admin_client.post(f"/materials/{m.pk}/delete/").status_code == 403
    assert Material.objects.filter(pk=m.pk).exists()


def test_a_replacement_of_a_forbidden_type_keeps_the_old_file(reporter_client, demo, unit):
    m = brief(demo, unit("陈贵镇"))
    text = replace(reporter_client, m, "病毒.exe", b"MZ").content.decode()
    assert "不支持的文件类型" in text
    m.refresh_from_db()
    assert m.filename == "简报一.pdf" and m.file.read().startswith(b"%PDF")
    assert not AuditLog.objects.filter(action="替换材料").exists()


def test_a_material_that_is_gone_answers_404(admin_client, demo):
    assert admin_client.post("/materials/999999/delete/").status_code == 404
    assert admin_client.get("/materials/999999/replace/").status_code == 404
