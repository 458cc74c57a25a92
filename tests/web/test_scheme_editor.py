"""The scheme editor: its forms refuse exactly what `kaohe check-scheme` refuses (shared cases),
every change is audited, a published period keeps its result when the scheme changes, and the
preview of a draft equals `kaohe score` on the same figures with the exported TOML."""

from __future__ import annotations

import csv
import json
import tomllib
from decimal import Decimal
from importlib import resources

import pytest
import tomli_w
from click.testing import CliRunner
from django.urls import reverse

from kaohe.cli import main
from kaohe.numbers import plain
from kaohe.web.models import AuditLog, Indicator, IndicatorResult, Period, Scheme, UnitResult
from kaohe.web.scheme_forms import initial_of
from kaohe.web.services import periods as period_service
from kaohe.web.services import scheme_editor as editor
from kaohe.web.services.errors import ServiceError
from kaohe.web.services.scheme_preview import preview_draft, preview_inputs
from kaohe.web.services.schemes import export_toml
from tests.scheme_cases import CASES


def _builtin_with(change: dict) -> str:
    text = (resources.files("kaohe") / "schemes" / "daye-2023.toml").read_text("utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    table = next(i for i in data["groups"][0]["indicators"] if i["key"] == "sme_registered")
    table.update(change)
    return tomli_w.dumps(data)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_check_scheme_refuses_each_shared_invalid_case(tmp_path, case):
    path = tmp_path / "bad.toml"
    path.write_text(_builtin_with(case.toml), encoding="utf-8")
    result = CliRunner().invoke(main, ["check-scheme", str(path)])
    assert result.exit_code == 2, result.output
    assert case.message in result.output


@pytest.fixture
def draft(demo):
    return editor.copy_scheme(demo["scheme"], key="daye-2024", name="2024年方案", user=None)


def _form(ind: Indicator, **changes) -> dict:
    """The indicator form as a browser posts it: an unticked box is not sent."""
    data = {k: v for k, v in initial_of(ind).items() if v is not None and v is not False}
    data["aliases"] = "、".join(data["aliases"])
    return {**data, **changes}


FORM_CASES = [c for c in CASES if c.form is not None]


@pytest.mark.parametrize("case", FORM_CASES, ids=[c.label for c in FORM_CASES])
def test_the_indicator_form_refuses_each_shared_case_beside_its_field(draft, admin_client, case):
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    before = export_toml(draft)
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    response = admin_client.post(url, _form(ind, **case.form))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert case.field in errors, errors
    assert any(case.message in e for e in errors[case.field]), errors
    assert case.message in response.content.decode()  # shown, in Chinese, on the page
    assert export_toml(draft) == before


def test_a_valid_indicator_change_is_saved_and_audited_field_by_field(draft, admin_client):
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    form = _form(ind, max_points="12", p_rank_top="6")
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors
    ind.refresh_from_db()
    assert ind.max_points == 12 and Decimal(ind.params["top"]) == 6
    assert AuditLog.objects.filter(
        action="修改方案指标", indicator=ind, field="满分", old="10", new="12"
    ).exists()
    assert AuditLog.objects.filter(action="修改方案指标", indicator=ind, field="计分参数").exists()


def test_a_unit_alias_that_repeats_another_unit_is_refused_beside_the_aliases(draft, admin_client):
    unit = draft.groups.get(key="township").units.get(name="陈贵镇")
    url = reverse("scheme_unit", args=[draft.pk, unit.pk])
    response = admin_client.post(url, {"name": "陈贵镇", "short": "", "aliases": "灵乡"})
    assert "单位名称或别名“灵乡”重复" in response.context["form"].errors["aliases"][0]


def test_reordering_units_by_number_is_audited(draft, admin_client):
    group = draft.groups.get(key="township")
    last = group.units.order_by("-order").first()
    url = reverse("scheme_reorder", args=[draft.pk, group.pk])
    admin_client.post(url, {"what": "units", f"order-{last.pk}": "1"})
    assert group.units.order_by("order").first() == last
    assert AuditLog.objects.filter(action="调整方案顺序", field="单位顺序").exists()


def test_a_version_in_use_cannot_be_edited_only_copied(demo):
    ind = Indicator.objects.get(group__scheme=demo["scheme"], key="sme_registered")
    values = {f: getattr(ind, f) for f in editor.INDICATOR_FIELDS} | {"max_points": Decimal(8)}
    with pytest.raises(ServiceError, match="不能修改；请以它为基础新建一个版本"):
        editor.save_indicator(ind.group, None, ind, **values)


def _q1_as_published(q1):
    run = period_service.current_run(q1)
    return (
        sorted(UnitResult.objects.filter(run=run).values_list("unit_id", "rank", "total")),
        sorted(
            IndicatorResult.objects.filter(unit_result__run=run).values_list(
                "unit_result__unit_id", "indicator_id", "points", "explain"
            )
        ),
        run.inputs,
    )


def test_a_published_period_keeps_its_result_and_explanations_when_the_scheme_changes(
    demo, admin_client
):
    q1 = demo["q1"]
    before = _q1_as_published(q1)
    page = _main(admin_client.get(reverse("unit_result", args=[q1.pk, before[0][0][0]])))
    draft = editor.copy_scheme(demo["scheme"], key="daye-2024", name="2024年方案", user=None)
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    admin_client.post(
        reverse("scheme_indicator", args=[draft.pk, ind.pk]),
        _form(ind, max_points="12", p_rank_top="6", name="科技型中小企业评价入库数"),
    )
    admin_client.post(reverse("scheme_action", args=[draft.pk]), {"action": "activate"})
    assert Scheme.objects.get(pk=draft.pk).status == Scheme.ACTIVE
    assert _q1_as_published(q1) == before
    again = _main(admin_client.get(reverse("unit_result", args=[q1.pk, before[0][0][0]])))
    assert again == page and "科技型中小企业入库数" in page
    # a correction of Q1 after the change is still scored with Q1's own version
    assert Period.objects.get(pk=q1.pk).scheme_id == demo["scheme"].pk


def _main(response) -> str:
    """The page's content: what lies between <main> and </main>, without the CSRF tokens."""
    import re

    text = response.content.decode()
    text = text[text.index("<main>") : text.index("</main>")]
    text = re.sub(r'<ul class="messages">.*?</ul>', "", text, flags=re.S)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_the_preview_equals_kaohe_score_with_the_exported_toml(demo, draft, tmp_path):
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    values = {f: getattr(ind, f) for f in editor.INDICATOR_FIELDS}
    values |= {"max_points": Decimal(16), "params": {"top": 8, "step": Decimal("0.5")}}
    editor.save_indicator(ind.group, None, ind, **values)
    preview = preview_draft(draft, demo["q1"])
    inputs, _ = preview_inputs(draft, demo["q1"])
    scheme_path = tmp_path / "daye-2024.toml"
    scheme_path.write_text(export_toml(draft), encoding="utf-8")
    names = {(i.group.key, i.key): i.name for i in Indicator.objects.filter(group__scheme=draft)}
    pending = set()
    data_path = tmp_path / "figures.csv"
    with data_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
        # the townships (the demo's example departments' names end in （示例）, which the
        # long table would read as a unit of measure)
        for group, unit, key, target, actual, note in inputs["cells"]:
            if group != "township":
                continue
            if actual == period_service.PENDING_TEXT:
                pending.add(names[(group, key)])
                actual = ""
            out.writerow([unit, names[(group, key)], target or "", actual or "", note])
    args = ["score", str(data_path), "--scheme", str(scheme_path), "--format", "json"]
    for name in sorted(pending):
        args += ["--pending", name]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output, parse_float=Decimal)
    assert cli["group"] == "乡镇"
    cli_rows = {(u["unit"], u["rank"], u["total"]) for u in cli["units"]}
    web_rows = {(r.unit, r.after_rank, r.after_total) for r in dict(preview.groups)["乡镇"]}
    assert web_rows == cli_rows
    assert any(r.rank_change for r in preview.movers)
    effect = next(e for e in preview.effects if e.name == "科技型中小企业入库数")
    assert effect.what == "满分、计分参数" and effect.changes


def test_a_reporter_of_a_unit_reports_for_the_same_unit_in_the_new_version(demo, draft):
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    draft = editor.activate_scheme(draft, None)
    period = period_service.create_period(
        draft,
        name="2024年一季度",
        kind="quarter",
        year=2024,
        number=1,
        deadline=timezone.now() + timezone.timedelta(days=9),
    )
    chengui = draft.groups.get(key="township").units.get(name="陈贵镇")
    lingxiang = draft.groups.get(key="township").units.get(name="灵乡镇")
    c = Client()
    c.force_login(User.objects.get(username="chengui"))
    assert c.get(reverse("entry", args=[period.pk, chengui.pk])).status_code == 200
    assert c.get(reverse("entry", args=[period.pk, lingxiang.pk])).status_code == 403
    assert c.post(reverse("entry", args=[period.pk, lingxiang.pk]), {}).status_code == 403
    assert f"/periods/{period.pk}/units/{chengui.pk}/entry/" in c.get("/").content.decode()


def test_a_provider_s_indicator_stays_the_provider_s_in_the_new_version(demo, draft):
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from kaohe.web.services.entries import provided_ids

    draft = editor.activate_scheme(draft, None)
    period = period_service.create_period(
        draft,
        name="2024年一季度",
        kind="quarter",
        year=2024,
        number=1,
        deadline=timezone.now() + timezone.timedelta(days=9),
    )
    rd = draft.groups.get(key="township").indicators.get(key="rd_spending")
    assert rd.pk in provided_ids(draft)
    c = Client()
    c.force_login(User.objects.get(username="tongji"))
    assert c.get(reverse("provide", args=[period.pk, rd.pk])).status_code == 200
    other = draft.groups.get(key="township").indicators.get(key="sme_registered")
    assert c.get(reverse("provide", args=[period.pk, other.pk])).status_code == 403


def test_a_period_cannot_be_created_on_a_draft(draft):
    from django.utils import timezone

    with pytest.raises(ServiceError, match="只能在启用的方案上新建考核期"):
        period_service.create_period(
            draft, name="x", kind="quarter", year=2024, number=1, deadline=timezone.now()
        )


def test_importing_a_toml_shows_the_changes_then_replaces_the_draft(draft, admin_client):
    text = export_toml(draft).replace('name = "灵乡镇"', 'name = "灵乡镇（新）"')
    url = reverse("scheme_import_into", args=[draft.pk])
    upload = {"file": _upload(text)}
    page = admin_client.post(url, upload)
    assert "新增单位 灵乡镇（新）" in page.content.decode()
    assert "删除单位 灵乡镇" in page.content.decode()
    assert not draft.groups.get(key="township").units.filter(name="灵乡镇（新）").exists()
    admin_client.post(url, {"text": text, "confirm": "1"})
    assert draft.groups.get(key="township").units.filter(name="灵乡镇（新）").exists()
    assert AuditLog.objects.filter(action="导入方案").exists()


def test_importing_a_toml_check_scheme_refuses_is_refused_with_its_message(admin_client, demo):
    text = _builtin_with(CASES[0].toml).replace('key = "daye-2023"', 'key = "daye-2030"')
    page = admin_client.post(reverse("scheme_import"), {"file": _upload(text)})
    assert "不一致" in page.content.decode()
    assert not Scheme.objects.filter(key="daye-2030").exists()


def test_importing_a_broken_toml_says_where_in_chinese(admin_client, demo):
    page = admin_client.post(reverse("scheme_import"), {"file": _upload("name = \n")})
    text = page.content.decode()
    assert "不是有效的 TOML：第 1 行第 8 列：值的写法有误" in text and "Invalid value" not in text


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("方案.toml", text.encode("utf-8"))


SCHEME_URLS = [
    ("schemes", {}),
    ("scheme_import", {}),
    ("scheme", {"sid": "draft"}),
    ("scheme_copy", {"sid": "draft"}),
    ("scheme_action", {"sid": "draft"}),
    ("scheme_export", {"sid": "draft"}),
    ("scheme_import_into", {"sid": "draft"}),
    ("scheme_preview", {"sid": "draft"}),
    ("scheme_group", {"sid": "draft", "gid": "group"}),
    ("scheme_reorder", {"sid": "draft", "gid": "group"}),
    ("scheme_unit_new", {"sid": "draft", "gid": "group"}),
    ("scheme_indicator_new", {"sid": "draft", "gid": "group"}),
    ("scheme_unit", {"sid": "draft", "uid": "other"}),
    ("scheme_indicator", {"sid": "draft", "iid": "indicator"}),
]


@pytest.mark.parametrize(("name", "kwargs"), SCHEME_URLS, ids=[n for n, _ in SCHEME_URLS])
def test_another_unit_s_reporter_is_denied_every_editor_page_for_get_and_post(
    draft, reporter_client, name, kwargs
):
    group = draft.groups.get(key="township")
    ids = {
        "draft": draft.pk,
        "group": group.pk,
        "other": group.units.get(name="灵乡镇").pk,
        "indicator": group.indicators.get(key="sme_registered").pk,
    }
    url = reverse(name, kwargs={k: ids[v] for k, v in kwargs.items()})
    before = export_toml(draft)
    for method in (reporter_client.get, reporter_client.post):
        assert method(url).status_code in (403, 405), url
    assert export_toml(draft) == before


def _next_period_on(draft, q1):
    """A period of the new version after q1, holding q1's figures (rows matched by identity)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from kaohe.web.models import Entry, PendingDeclaration, Unit

    draft = editor.activate_scheme(draft, None)
    period = period_service.create_period(
        draft,
        name="2024年一季度",
        kind="quarter",
        year=2024,
        number=1,
        deadline=timezone.now() + timezone.timedelta(days=9),
        previous=q1,
    )
    units = {u.identity: u for u in Unit.objects.filter(group__scheme=draft)}
    inds = {i.identity: i for i in Indicator.objects.filter(group__scheme=draft)}
    fields = ("target", "target_na", "actual", "actual_na", "note", "late")
    for e in Entry.objects.filter(period=q1).select_related("unit", "indicator"):
        values = {f: getattr(e, f) for f in fields}
        Entry.objects.update_or_create(
            period=period,
            unit=units[e.unit.identity],
            indicator=inds[e.indicator.identity],
            defaults=values,
        )
    for d in PendingDeclaration.objects.filter(period=q1):
        copy = PendingDeclaration.objects.create(
            period=period, indicator=inds[d.indicator.identity], reason=d.reason
        )
        copy.units.set([units[u.identity] for u in d.units.all()])
    admin = User.objects.get(username="admin")
    period_service.close_entry(period, admin, confirmed=True)
    period_service.compute_period(period, admin, confirmed=True)
    return period


def test_the_ranking_compares_with_the_previous_period_scored_under_an_earlier_version(
    demo, draft, admin_client
):
    period = _next_period_on(draft, demo["q1"])
    page = admin_client.get(reverse("results", args=[period.pk])).content.decode()
    # the same figures give the same ranks: every unit is 持平, none is without a comparison
    units = UnitResult.objects.filter(run=period_service.current_run(period)).count()
    assert page.count("持平") == units == 20 and '<span class="muted">—</span>' not in page


def test_a_figure_ten_times_the_previous_version_s_is_warned_about(demo, draft):
    from kaohe.web.models import Entry
    from kaohe.web.services.entries import magnitude_warnings

    period = _next_period_on(draft, demo["q1"])
    before = Entry.objects.get(
        period=demo["q1"], unit__name="陈贵镇", indicator__key="sme_registered"
    )
    entry = Entry.objects.get(period=period, unit__name="陈贵镇", indicator__key="sme_registered")
    warned = magnitude_warnings(period, entry.unit, entry.indicator, before.actual * 11, None)
    assert any("超过上期" in w for w in warned)


def test_a_unit_renamed_in_an_imported_toml_with_its_old_name_as_alias_stays_the_same_unit(
    draft, admin_client
):
    row = draft.groups.get(key="township").units.get(name="陈贵镇")
    data = tomllib.loads(export_toml(draft), parse_float=Decimal)
    unit = next(u for g in data["groups"] for u in g["units"] if u["name"] == "陈贵镇")
    unit["name"], unit["aliases"] = "陈贵新区", ["陈贵镇", *unit.get("aliases", [])]
    editor.import_toml(tomli_w.dumps(data), None, into=draft)
    renamed = draft.groups.get(key="township").units.get(name="陈贵新区")
    assert (renamed.pk, renamed.identity) == (row.pk, row.identity)
    assert not draft.groups.get(key="township").units.filter(name="陈贵镇").exists()


def test_the_indicator_form_shows_full_points_as_written(draft, admin_client):
    ind = Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")
    page = admin_client.get(reverse("scheme_indicator", args=[draft.pk, ind.pk])).content.decode()
    assert f'name="max_points" value="{plain(ind.max_points)}"' in page
    assert plain(ind.max_points) == "10" and "10.0000000000" not in page
