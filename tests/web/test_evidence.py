"""Nothing scores without evidence, and nobody writes what is not theirs (issue 10, web rules;
issue 15 item 1): 未报送 is 0 points, 数据未出 only by declaration, the services check the period's
state and the actor's role, returns and extensions give a unit its own deadline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from submitting import submit
from test_uploads import fill, long_xlsx, upload

from kaohe.web.models import (
    AuditLog,
    Entry,
    IndicatorResult,
    Material,
    Period,
    UnitReport,
)
from kaohe.web.services import entries as entry_service
from kaohe.web.services import materials as material_service
from kaohe.web.services import pending as pending_service
from kaohe.web.services import periods as period_service
from kaohe.web.services.errors import NeedsConfirmation, ServiceError


def user(name):
    return User.objects.get(username=name)


def set_state(period, state):
    Period.objects.filter(pk=period.pk).update(state=state)
    period.refresh_from_db()
    return period


def close_and_compute(q2):
    admin = user("admin")
    q2 = period_service.close_entry(q2, admin, confirmed=True)
    return period_service.compute_period(q2, admin, confirmed=True)


def points(run, unit_name, key):
    return IndicatorResult.objects.get(
        unit_result__run=run, unit_result__unit__name=unit_name, indicator__key=key
    )


# --- rule 1: 未报送 is 0 points; 数据未出 only by declaration ---------------------------


def test_the_demo_q2_closed_and_computed_with_nothing_reported_gives_no_free_point(demo):
    run = close_and_compute(demo["q2"])
    rows = IndicatorResult.objects.filter(unit_result__run=run)
    assert rows.exists()
    for r in rows:
        if r.status == "no_task":  # the bureau set no task ('/'): the scheme's full points
            continue
        assert r.points == 0, (r.unit_result.unit.name, r.indicator.key, r.explain)
        assert r.status in ("missing", "scored")  # materials: 0 done
    missing = rows.filter(status="missing")
    assert missing.exists() and all(r.explain == "未报送实绩数，得 0 分" for r in missing)
    assert not rows.filter(status="pending").exists()


def test_a_declared_pending_indicator_scores_full_points_only_for_the_chosen_units(
    demo, unit, indicator
):
    q2, sales = demo["q2"], indicator("new_product_sales")
    pending_service.declare_pending(
        q2, sales, user("tongji"), units=[unit("陈贵镇")], reason="统计局一季度数据未发布"
    )
    assert AuditLog.objects.filter(action="声明数据未出", indicator=sales).exists()
    run = close_and_compute(q2)
    chengui = points(run, "陈贵镇", "new_product_sales")
    assert chengui.status == "pending" and chengui.points == sales.max_points
    assert points(run, "灵乡镇", "new_product_sales").points == 0


def test_the_declaration_is_shown_on_the_units_entry_form(reporter_client, demo, indicator):
    q2 = demo["q2"]
    pending_service.declare_pending(
        q2, indicator("rd_staff"), user("admin"), units=None, reason="年报数据未出"
    )
    page = reporter_client.get(f"/periods/{q2.pk}/units/{demo_unit(demo).pk}/entry/")
    text = page.content.decode()
    assert "全部单位数据未出（年报数据未出）" in text
    assert "实绩数留空表示数据未出" not in text and "未报送，得 0 分" in text


def demo_unit(demo, name="陈贵镇"):
    return demo["scheme"].groups.get(key="township").units.get(name=name)


@pytest.mark.parametrize(
    "who, key, refused",
    [
        ("admin", "hitech_output", None),
        ("tongji", "rd_spending", None),
        ("tongji", "hitech_output", "数据提供部门不能声明数据未出"),
        ("chengui", "hitech_output", "您的账号不能声明数据未出"),
        ("lingdao", "rd_spending", "您的账号不能声明数据未出"),
    ],
)
def test_only_the_bureau_or_the_indicators_provider_declares_pending(
    demo, indicator, who, key, refused
):
    call = lambda: pending_service.declare_pending(  # noqa: E731
        demo["q2"], indicator(key), user(who), units=None, reason="未出"
    )
    if refused is None:
        call()
    else:
        with pytest.raises(ServiceError, match=refused.replace("数据提供部门", ".*")):
            call()


# --- rule 3: materials --------------------------------------------------------------


def brief(demo, content=b"%PDF-1.4 brief", who="chengui", name="b.pdf"):
    return material_service.upload_material(
        demo["q2"],
        demo_unit(demo),
        user(who),
        kind="简报",
        title=name,
        upload=SimpleUploadedFile(name, content),
    )


def test_identical_files_count_once_and_the_reporter_is_told(reporter_client, demo, indicator):
    brief(demo)
    url = f"/periods/{demo['q2'].pk}/units/{demo_unit(demo).pk}/materials/"
    again = SimpleUploadedFile("copy.pdf", b"%PDF-1.4 brief")
    text = reporter_client.post(url, {"kind": "简报", "file": again}, follow=True).content.decode()
    assert "内容完全相同" in text and "只计 1 份" in text
    assert Material.objects.count() == 2
    e = Entry.objects.get(period=demo["q2"], unit=demo_unit(demo), indicator=indicator("briefs"))
    assert e.actual == 1
    brief(demo, b"%PDF-1.4 another")
    e.refresh_from_db()
    assert e.actual == 2


def test_the_bureau_changes_a_materials_kind_on_record_and_the_counts_follow(
    admin_client, reporter_client, demo, indicator
):
    m = brief(demo)
    assert reporter_client.post(f"/materials/{m.pk}/kind/", {"kind": "总结"}).status_code == 403
    admin_client.post(f"/materials/{m.pk}/kind/", {"kind": "总结"})
    m.refresh_from_db()
    assert m.kind == "总结"
    assert AuditLog.objects.filter(action="修改材料类型", old="简报", new="总结").exists()
    chengui = demo_unit(demo)

    def get(key):
        return Entry.objects.get(period=demo["q2"], unit=chengui, indicator=indicator(key)).actual

    assert (get("briefs"), get("summaries")) == (0, 1)


# --- rule 4: a unit never writes what a providing department owns ---------------------


def test_a_forged_post_of_the_providers_figure_changes_nothing(reporter_client, demo, indicator):
    q2, rd, chengui = demo["q2"], indicator("rd_spending"), demo_unit(demo)
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    page = reporter_client.get(url).content.decode()
    assert f'name="actual_{rd.pk}"' not in page and "数据提供部门" in page
    reporter_client.post(url, {f"actual_{rd.pk}": "999", f"note_{rd.pk}": "数据未出"})
    e = Entry.objects.get(period=q2, unit=chengui, indicator=rd)
    assert e.actual is None and e.note == ""


def test_the_service_refuses_a_reporter_writing_the_providers_indicator(demo, indicator):
    change = entry_service.Change(indicator=indicator("rd_spending"), actual=(Decimal(1), False))
    with pytest.raises(ServiceError, match="由数据提供部门报送") as info:
        entry_service.submit_values(demo["q2"], demo_unit(demo), user("chengui"), [change])
    assert "规上企业研发投入" in info.value.details


def test_a_units_upload_lists_the_providers_figures_as_ignored(
    reporter_client, demo, indicator, tmp_path
):
    chengui = demo_unit(demo)
    data = fill(demo, tmp_path, {("陈贵镇", "rd_spending"): 999, ("陈贵镇", "hitech_output"): 3})
    text = upload(reporter_client, demo, chengui.pk, "x.xlsx", data).content.decode()
    assert "由数据提供部门报送" in text and "已忽略" in text
    reporter_client.post(f"/periods/{demo['q2'].pk}/units/{chengui.pk}/upload/", {"confirm": "1"})
    e = Entry.objects.get(period=demo["q2"], unit=chengui, indicator=indicator("rd_spending"))
    assert e.actual is None


# --- rule 5: every service checks the period's state, with the row locked ---------------


def _submit(demo, ind):
    change = entry_service.Change(indicator=ind("hitech_output"), actual=(Decimal(9), False))
    entry_service.submit_values(demo["q2"], demo_unit(demo), user("admin"), [change])


def _provide(demo, ind):
    change = entry_service.Change(
        indicator=ind("rd_spending"), unit=demo_unit(demo), actual=(Decimal(9), False)
    )
    entry_service.provide_values(demo["q2"], ind("rd_spending"), user("tongji"), [change])


def _import(demo, ind):
    row = {
        "unit_id": demo_unit(demo).pk,
        "indicator_id": ind("hitech_output").pk,
        "new_target": "999",
        "new_actual": "",
        "note": "",
    }
    entry_service.apply_upload(demo["q2"], user("admin"), [row], with_targets=True, only_unit=None)


def _material(demo, ind):
    brief(demo, who="admin")


def _declare(demo, ind):
    pending_service.declare_pending(
        demo["q2"], ind("hitech_output"), user("admin"), units=None, reason="未出"
    )


def _extend(demo, ind):
    period_service.extend_deadline(
        demo["q2"], demo_unit(demo), user("admin"), timezone.now() + timedelta(days=30), "延期"
    )


def _return(demo, ind):
    UnitReport.objects.update_or_create(
        period=demo["q2"], unit=demo_unit(demo), defaults={"state": UnitReport.SUBMITTED}
    )
    period_service.return_report(demo["q2"], demo_unit(demo), user("admin"), "请核实")


SERVICES = [_submit, _provide, _import, _material, _declare, _extend, _return]


@pytest.mark.parametrize("state", [Period.LOCKED, Period.PUBLISHED])
@pytest.mark.parametrize("service", SERVICES, ids=lambda f: f.__name__.strip("_"))
def test_no_service_changes_a_locked_or_published_period(demo, indicator, service, state):
    set_state(demo["q2"], state)
    before = AuditLog.objects.count()
    with pytest.raises(ServiceError, match="不能"):
        service(demo, indicator)
    assert AuditLog.objects.count() == before
    assert not Entry.objects.filter(period=demo["q2"], target=999).exists()
    assert not Entry.objects.filter(period=demo["q2"], actual=9).exists()


def test_a_targets_import_confirmed_after_the_period_was_locked_stores_nothing(
    admin_client, demo, tmp_path
):

    q2 = demo["q2"]
    data = long_xlsx(tmp_path, [["陈贵镇", "高新技术产业产值", 999, None, ""]])
    url = f"/periods/{q2.pk}/targets/"
    preview = admin_client.post(url, {"file": SimpleUploadedFile("t.xlsx", data)})
    assert "999" in preview.content.decode()
    set_state(q2, Period.LOCKED)
    admin_client.post(url, {"confirm": "1"})
    assert not Entry.objects.filter(period=q2, target=999).exists()


def test_the_period_pages_buttons_come_from_the_rule_table(admin_client, demo):
    q2 = demo["q2"]
    for state, shown, hidden in [
        (Period.OPEN, ["close", "approve_all"], ["lock", "publish", "withdraw"]),
        (Period.REVIEW, ["lock", "compute", "reopen"], ["close", "publish"]),
        (Period.LOCKED, ["publish", "unlock", "compute"], ["close", "lock"]),
        (Period.PUBLISHED, ["withdraw"], ["close", "lock", "compute", "publish"]),
    ]:
        set_state(q2, state)
        page = admin_client.get(f"/periods/{q2.pk}/").content.decode()
        for action in shown:
            assert f'id="action-{action}"' in page, (state, action)
        for action in hidden:
            assert f'id="action-{action}"' not in page, (state, action)


# --- rule 6: workflow guards ----------------------------------------------------------


def test_a_unit_that_never_submitted_cannot_be_approved(admin_client, demo):
    q2, chengui = demo["q2"], demo_unit(demo)
    with pytest.raises(ServiceError, match="只有已报送的才能审核通过"):
        period_service.approve_report(q2, chengui, user("admin"))
    admin_client.post(f"/periods/{q2.pk}/units/{chengui.pk}/review/", {"decision": "approve"})
    assert not UnitReport.objects.filter(
        period=q2, unit=chengui, state=UnitReport.APPROVED
    ).exists()


@pytest.mark.parametrize("action", ["close", "lock", "compute", "publish"])
def test_each_step_shows_what_is_missing_and_needs_a_confirmation(admin_client, demo, action):
    q2 = demo["q2"]
    before = {"close": Period.OPEN, "lock": Period.REVIEW, "compute": Period.REVIEW}
    set_state(q2, before.get(action, Period.LOCKED))
    if action == "publish":
        period_service.compute_period(q2, user("admin"), confirmed=True)
    page = admin_client.post(f"/periods/{q2.pk}/action/", {"action": action}).content.decode()
    assert "前请确认" in page and "个单位未报送" in page and "茗山乡" in page
    assert "项实绩数未报送（计 0 分）" in page and "还没有到" in page
    assert Period.objects.get(pk=q2.pk).state == before.get(action, Period.LOCKED)
    admin_client.post(f"/periods/{q2.pk}/action/", {"action": action, "confirmed": "on"})
    assert Period.objects.get(pk=q2.pk).state != before.get(action, Period.LOCKED) or (
        action == "compute" and q2.runs.exists()
    )


def test_the_service_itself_refuses_an_unconfirmed_close(demo):
    with pytest.raises(NeedsConfirmation) as info:
        period_service.close_entry(demo["q2"], user("admin"))
    assert any("未报送" in d for d in info.value.details)


def test_a_publication_is_withdrawn_with_a_reason_that_units_see(
    admin_client, reporter_client, demo
):
    q1 = demo["q1"]
    admin_client.post(f"/periods/{q1.pk}/action/", {"action": "withdraw", "reason": ""})
    assert Period.objects.get(pk=q1.pk).state == Period.PUBLISHED
    admin_client.post(
        f"/periods/{q1.pk}/action/", {"action": "withdraw", "reason": "研发投入数据有误"}
    )
    q1.refresh_from_db()
    assert q1.state == Period.LOCKED and q1.withdrawal_reason == "研发投入数据有误"
    assert AuditLog.objects.filter(action="撤回发布", detail="研发投入数据有误").exists()
    page = reporter_client.get(f"/periods/{q1.pk}/").content.decode()
    assert "已撤回发布" in page and "研发投入数据有误" in page
    assert reporter_client.get(f"/periods/{q1.pk}/results/").status_code == 403


def test_the_django_admin_shows_periods_and_figures_read_only(admin_client, demo):
    q1 = demo["q1"]
    url = f"/admin/kaohe/period/{q1.pk}/change/"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"state": "open", "name": q1.name})
    assert Period.objects.get(pk=q1.pk).state == Period.PUBLISHED
    assert admin_client.get("/admin/kaohe/entry/").status_code == 200
    assert admin_client.get("/admin/kaohe/entry/add/").status_code == 403


# --- rule 7 and issue 15 item 1: a unit's own deadline ----------------------------------


def _report_figure(reporter_client, demo, ind, value):
    url = f"/periods/{demo['q2'].pk}/units/{demo_unit(demo).pk}/entry/"
    return submit(reporter_client, url, {f"actual_{ind.pk}": value}, follow=True)


def test_a_returned_unit_resubmits_within_three_days_without_being_late(
    admin_client, reporter_client, demo, indicator
):
    q2, chengui, hitech = demo["q2"], demo_unit(demo), indicator("hitech_output")
    _report_figure(reporter_client, demo, hitech, "2")
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(days=1))
    admin_client.post(
        f"/periods/{q2.pk}/units/{chengui.pk}/review/", {"decision": "return", "comment": "偏小"}
    )
    report = UnitReport.objects.get(period=q2, unit=chengui)
    assert report.state == UnitReport.RETURNED
    left = report.deadline - timezone.now()
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)
    text = _report_figure(reporter_client, demo, hitech, "3").content.decode()
    assert "迟报" not in text.split("填报截止")[0]
    e = Entry.objects.get(period=q2, unit=chengui, indicator=hitech)
    assert e.actual == 3 and not e.late and "迟报材料" not in e.note


def test_the_bureau_extends_one_units_deadline_with_a_reason(
    admin_client, reporter_client, demo, indicator
):
    q2, chengui, hitech = demo["q2"], demo_unit(demo), indicator("hitech_output")
    Period.objects.filter(pk=q2.pk).update(deadline=timezone.now() - timedelta(hours=1))
    url = f"/periods/{q2.pk}/units/{chengui.pk}/deadline/"
    until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert reporter_client.post(url, {"until": until, "reason": "x"}).status_code == 403
    admin_client.post(url, {"until": until, "reason": ""})
    assert not UnitReport.objects.filter(unit=chengui, deadline__isnull=False).exists()
    admin_client.post(url, {"until": until, "reason": "镇里停电，延期两天"})
    assert AuditLog.objects.filter(action="延长截止时间", detail="镇里停电，延期两天").exists()
    _report_figure(reporter_client, demo, hitech, "3")
    assert not Entry.objects.get(period=q2, unit=chengui, indicator=hitech).late
    brief(demo)
    assert not Material.objects.get(unit=chengui).late
    # another unit is judged against the period's deadline: late
    other = demo_unit(demo, "灵乡镇")
    q2.refresh_from_db()
    assert period_service.rules.is_late(q2, period_service.rules.report_of(q2, other))


# --- rule 8: forms ----------------------------------------------------------------------


def test_a_blank_field_on_the_correction_form_leaves_the_figure_unchanged(
    admin_client, demo, indicator
):
    q1, chengui, staff = demo["q1"], demo_unit(demo), indicator("rd_staff")
    before = Entry.objects.get(period=q1, unit=chengui, indicator=staff)
    admin_client.post(
        f"/periods/{q1.pk}/units/{chengui.pk}/correct/",
        {"indicator": staff.pk, "target": "", "actual": "600", "reason": "统计局更正"},
    )
    after = Entry.objects.get(period=q1, unit=chengui, indicator=staff)
    assert after.target == before.target and after.actual == 600


def test_figures_the_bureau_imported_are_not_reported_for_the_unit(
    admin_client, reporter_client, demo, tmp_path
):

    q2 = demo["q2"]
    data = long_xlsx(tmp_path, [["陈贵镇", "高新技术产业产值", 4, None, ""]])
    url = f"/periods/{q2.pk}/targets/"
    admin_client.post(url, {"file": SimpleUploadedFile("t.xlsx", data)})
    admin_client.post(url, {"confirm": "1"})
    assert Entry.objects.filter(period=q2, unit=demo_unit(demo), target=4).exists()
    page = reporter_client.get(f"/periods/{q2.pk}/units/{demo_unit(demo).pk}/entry/")
    assert "已报</span>" not in page.content.decode()
    assert not UnitReport.objects.filter(state=UnitReport.SUBMITTED).exists()


def test_a_units_file_cannot_declare_pending_itself(reporter_client, demo, tmp_path):
    data = long_xlsx(tmp_path, [["陈贵镇", "高新技术产业产值", 3, "数据未出", ""]])
    text = upload(reporter_client, demo, demo_unit(demo).pk, "x.xlsx", data).content.decode()
    assert "填报表中不能填写" in text and "高新技术产业产值" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()
