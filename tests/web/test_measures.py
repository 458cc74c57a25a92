"""Counts take whole numbers; the period form names itself and starts after the latest period;
the smaller defects of issue 15 (操作 cells, the provider's 考核结果, 本单位得分 when the group
was not scored)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.web.models import Entry, Period, ScoreRun, UnitResult


@pytest.mark.parametrize("key, value", [("sme_registered", "144.3"), ("new_talent", "2.5")])
def test_a_count_with_a_fraction_is_refused_with_a_message(
    reporter_client, demo, unit, indicator, key, value
):
    q2, chengui, ind = demo["q2"], unit("陈贵镇"), indicator(key)
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    page = reporter_client.post(
        url, {f"actual_{ind.pk}": value, "intent": "draft"}
    ).content.decode()
    assert f"以“{ind.unit}”计，实绩数应为整数，{value} 不是整数" in page
    assert Entry.objects.get(period=q2, unit=chengui, indicator=ind).actual is None


def test_a_whole_count_and_a_fraction_of_money_are_accepted(reporter_client, demo, unit, indicator):
    q2, chengui = demo["q2"], unit("陈贵镇")
    sme, hitech = indicator("sme_registered"), indicator("hitech_output")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    reporter_client.post(
        url, {f"actual_{sme.pk}": "144", f"actual_{hitech.pk}": "3.25", "intent": "draft"}
    )
    assert Entry.objects.get(period=q2, unit=chengui, indicator=sme).actual == Decimal(144)
    assert Entry.objects.get(period=q2, unit=chengui, indicator=hitech).actual == Decimal("3.25")


def test_a_count_with_a_fraction_in_an_upload_is_refused_naming_the_cell(
    reporter_client, demo, unit, tmp_path
):
    from kaohe.dataset import Cell, Dataset
    from kaohe.template import write_template
    from kaohe.web.services.schemes import engine_scheme

    scheme = engine_scheme(demo["scheme"])
    group = scheme.group("township")
    data = Dataset(scheme)
    data.put(group, "陈贵镇", "sme_registered", Cell(None, Decimal("144.3"), ""))
    path = tmp_path / "t.xlsx"
    write_template(scheme, path, [group], data, {"陈贵镇"})
    chengui = unit("陈贵镇")
    page = reporter_client.post(
        f"/periods/{demo['q2'].pk}/units/{chengui.pk}/upload/",
        {"file": SimpleUploadedFile("陈贵镇.xlsx", path.read_bytes())},
        follow=True,
    ).content.decode()
    assert "144.3 不是整数" in page and "陈贵镇.xlsx" in page


def test_the_provider_cannot_enter_a_fractional_head_count(provider_client, demo, unit, indicator):
    q2, staff, lingxiang = demo["q2"], indicator("rd_staff"), unit("灵乡镇")
    page = provider_client.post(
        f"/periods/{q2.pk}/indicators/{staff.pk}/provide/", {f"actual_{lingxiang.pk}": "10.5"}
    ).content.decode()
    assert "10.5 不是整数" in page
    assert Entry.objects.get(period=q2, unit=lingxiang, indicator=staff).actual is None


def test_a_target_split_by_quarter_may_be_a_fraction(demo, unit, indicator):
    e = Entry.objects.get(period=demo["q1"], unit=unit("陈贵镇"), indicator=indicator("new_talent"))
    assert e.target == Decimal("4.25")  # the seed's: only actual figures must be whole


def test_the_new_period_form_starts_after_the_latest_period_and_names_it(admin_client, demo):
    page = admin_client.get("/periods/new/")
    initial = page.context["form"].initial
    assert (initial["year"], initial["kind"], initial["number"]) == (2023, "quarter", 3)
    assert initial["name"] == "2023年三季度"
    assert str(initial["cutoff"]) == "2023-09-30"
    assert f"{initial['deadline']:%Y-%m-%d %H:%M}" == "2023-09-30 17:00"
    assert "kaohe/period_form.js" in page.content.decode()


@pytest.mark.parametrize(
    "kind, number, name", [("quarter", "4", "2023年四季度"), ("month", "7", "2023年7月")]
)
def test_a_period_without_a_name_is_named_from_its_year_and_number(
    admin_client, demo, kind, number, name
):
    data = {
        "scheme": demo["scheme"].pk,
        "name": "",
        "kind": kind,
        "year": "2023",
        "number": number,
        "deadline": "2023-12-31T17:00",
        "objection_days": "5",
    }
    admin_client.post("/periods/new/", data)
    assert Period.objects.get(scheme=demo["scheme"], kind=kind, number=int(number)).name == name


def test_the_home_pages_actions_are_inside_the_cell(reporter_client, demo):
    page = reporter_client.get("/").content.decode()
    assert '<td class="actions">' not in page  # a flex <td> broke the row's alignment
    assert '<td data-label="操作"><div class="actions">' in page


def test_the_provider_finds_the_published_results(provider_client, demo):
    q1 = demo["q1"]
    page = provider_client.get("/").content.decode()
    assert f'href="/periods/{q1.pk}/results/" class="provider-results"' in page
    assert provider_client.get(f"/periods/{q1.pk}/results/").status_code == 200
    assert (
        f"/periods/{q1.pk}/results/" in provider_client.get(f"/periods/{q1.pk}/").content.decode()
    )


def test_a_unit_whose_group_was_not_scored_sees_a_page_not_a_404(demo, unit):
    from django.contrib.auth.models import User
    from django.test import Client

    q1, jingxin = demo["q1"], unit("市经信局", "department")
    run = ScoreRun.objects.get(period=q1, current=True)
    UnitResult.objects.filter(run=run, unit__group=jingxin.group).delete()
    c = Client()
    c.force_login(User.objects.get(username="jingxin"))
    response = c.get(f"/periods/{q1.pk}/units/{jingxin.pk}/result/")
    assert response.status_code == 200
    assert "本期没有对" in response.content.decode() and "市经信局" in response.content.decode()
