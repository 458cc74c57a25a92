"""Key tasks and the bulletin's section 二, scheme loading, the admin's audit, the CLI demo."""

import os
import subprocess
import sys

from django.contrib.auth.models import User
from django.test import Client

from kaohe.web.models import AuditLog, Indicator, KeyTask, Period, Scheme, TaskProgress, Unit
from kaohe.web.services import tasks as task_service


def test_the_demo_scheme_holds_townships_example_departments_and_eight_key_tasks(demo):
    scheme = demo["scheme"]
    assert [g.name for g in scheme.groups.order_by("order")] == ["乡镇", "部门（示例）"]
    assert Unit.objects.filter(group__scheme=scheme, group__key="township").count() == 14
    assert Indicator.objects.filter(group__scheme=scheme, group__key="township").count() == 16
    names = set(Indicator.objects.filter(group__key="department").values_list("name", flat=True))
    assert "制订年度工作计划（示例）" in names and "成立工作专班（示例）" in names
    assert KeyTask.objects.filter(scheme=scheme).count() == 8
    assert Indicator.objects.get(group__key="township", key="briefs").material_kind == "简报"


def test_loading_a_builtin_scheme_by_command_creates_it(db):
    from django.core.management import call_command

    call_command("kaohe_load_scheme", "daye-2023")
    scheme = Scheme.objects.get(key="daye-2023")
    assert scheme.groups.get().units.count() == 14


def test_section_two_is_assembled_from_the_lead_departments_progress(demo):
    q1 = demo["q1"]
    text = task_service.assemble_narrative(q1)
    assert text.startswith("# 二、工作进展情况")
    assert "科技创新行动共有“八大重点任务”" in text
    assert "（一）着力推进国家创新型县（市）建设。一是组织申报创新型乡镇" in text
    assert "（八）着力推进科技创新惠民。" in text


def test_a_lead_department_reports_progress_and_the_bureau_edits_the_narrative(demo, admin_client):
    q2 = demo["q2"]
    jingxin = Client()
    jingxin.force_login(User.objects.get(username="jingxin"))
    task = KeyTask.objects.get(scheme=demo["scheme"], number=2)  # 市经信局 leads 关键技术攻关
    other = KeyTask.objects.get(scheme=demo["scheme"], number=1)
    page = jingxin.get(f"/periods/{q2.pk}/tasks/").content.decode()
    assert task.title in page and other.title not in page
    jingxin.post(
        f"/periods/{q2.pk}/tasks/", {"task": task.pk, "text": "征集技术难题和需求 11 项。"}
    )
    assert (
        jingxin.post(f"/periods/{q2.pk}/tasks/", {"task": other.pk, "text": "越权"}).status_code
        == 403
    )
    assert TaskProgress.objects.get(period=q2, task=task).text == "征集技术难题和需求 11 项。"
    admin_client.post(f"/periods/{q2.pk}/narrative/", {"assemble": "1"})
    q2.refresh_from_db()
    assert "（二）着力开展关键技术攻关。征集技术难题和需求 11 项。" in q2.narrative
    admin_client.post(f"/periods/{q2.pk}/narrative/", {"narrative": q2.narrative + "\n补充说明。"})
    assert AuditLog.objects.filter(
        action="编辑工作进展情况", period=q2, new__contains="补充说明"
    ).exists()


def test_the_admin_shows_a_scheme_s_indicators_and_units_but_cannot_change_them(demo, admin_client):
    """A change here would reach periods already scored; schemes are written in 方案管理."""
    ind = Indicator.objects.get(
        group__scheme=demo["scheme"], group__key="township", key="new_talent"
    )
    url = f"/admin/kaohe/indicator/{ind.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Save" not in page.content.decode()
    form = {"max_points": "6", "name": ind.name, "group": ind.group_id, "key": ind.key}
    assert admin_client.post(url, form).status_code == 403
    unit = ind.group.units.first()
    assert (
        admin_client.post(f"/admin/kaohe/unit/{unit.pk}/change/", {"name": "改名"}).status_code
        == 403
    )
    assert admin_client.get("/admin/kaohe/indicator/add/").status_code == 403
    ind.refresh_from_db()
    assert (
        ind.max_points == 5 and not AuditLog.objects.filter(action__startswith="后台修改").exists()
    )


def test_kaohe_web_demo_loads_the_demo_into_sqlite(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAOHE_", "DJANGO_", "DATABASE_URL"))
    }
    env.update({"KAOHE_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "kaohe.cli", "web-demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "chengui" in result.stdout and "Kaohe@2023!" in result.stdout
    assert (tmp_path / "kaohe.sqlite3").exists()


def test_the_period_page_offers_only_the_next_steps(demo, admin_client):
    page = admin_client.get(f"/periods/{demo['q2'].pk}/").content.decode()
    assert "结束填报、进入审核" in page and "发布结果" not in page
    Period.objects.filter(pk=demo["q2"].pk).update(state=Period.LOCKED)
    page = admin_client.get(f"/periods/{demo['q2'].pk}/").content.decode()
    assert "发布结果" in page and "结束填报" not in page


def test_every_demo_figure_has_an_audit_record_of_the_demo_import(demo):
    from kaohe.web.models import Entry

    logged = set(
        AuditLog.objects.filter(action="演示数据导入").values_list(
            "period_id", "unit_id", "indicator_id", "field"
        )
    )
    figures = Entry.objects.filter(period__in=[demo["q1"], demo["q2"]])
    for e in figures:
        for field, value, na in (
            ("任务数", e.target, e.target_na),
            ("实绩数", e.actual, e.actual_na),
        ):
            if value is not None or na:
                assert (e.period_id, e.unit_id, e.indicator_id, field) in logged, (e, field)
    sample = AuditLog.objects.filter(action="演示数据导入", period=demo["q1"]).first()
    assert sample.username == "admin" and sample.detail.startswith("来源：")


def test_only_a_unit_that_leads_a_task_is_offered_the_key_tasks_page(demo, reporter_client):
    q2 = demo["q2"]
    jingxin = Client()
    jingxin.force_login(User.objects.get(username="jingxin"))
    link = f'href="/periods/{q2.pk}/tasks/"'
    assert link in jingxin.get(f"/periods/{q2.pk}/").content.decode()
    # 陈贵镇 leads no key task: no link to a page that would refuse it
    assert link not in reporter_client.get(f"/periods/{q2.pk}/").content.decode()
    assert reporter_client.get(f"/periods/{q2.pk}/tasks/").status_code == 403


def test_collection_records_are_read_only_in_the_admin(demo, admin_client):
    for model in ("notice", "reminder", "bulletinsettings", "pendingdeclaration"):
        assert admin_client.get(f"/admin/kaohe/{model}/").status_code == 200
        assert admin_client.get(f"/admin/kaohe/{model}/add/").status_code == 403
