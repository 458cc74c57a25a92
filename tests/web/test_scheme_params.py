"""The indicator form's scoring parameters as labelled fields per method: they give back exactly
the params dict the TOML lines gave (every built-in scheme's indicators round-trip), only the
selected method's fields are read, an empty field is a parameter left out, and a line of bands
that cannot be read is refused in Chinese, naming the line."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest
import tomli_w
from django.urls import reverse

from kaohe.scheme import _PARAMS
from kaohe.web.models import Indicator
from kaohe.web.scheme_forms import IndicatorForm, initial_of
from kaohe.web.scheme_params import PARAMS
from kaohe.web.services import scheme_editor as editor
from kaohe.web.services.schemes import _plain, engine_scheme, load_scheme_file


def old_textarea(params: dict) -> dict:
    """What the former 计分参数 textarea showed for stored params (one `key = value` a line,
    lists and tables inline) read back as it read it: the reference the fields must equal."""

    def inline(v):
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(inline(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + " }"
        return tomli_w.dumps({"v": v}).strip()[len("v = ") :]

    text = "\n".join(f"{k} = {inline(v)}" for k, v in _plain(dict(params)).items())
    return tomllib.loads(text, parse_float=Decimal)


def posted(ind: Indicator, **changes) -> dict:
    """The form as a browser posts it after showing `ind`: an unticked box is not sent."""
    data = {k: v for k, v in initial_of(ind).items() if v is not None and v is not False}
    data["aliases"] = "、".join(data["aliases"])
    return {**data, **changes}


def _draft_of(key: str, demo):
    scheme = demo["scheme"] if key == "daye-2023" else load_scheme_file(key)
    return editor.copy_scheme(scheme, key=f"{key}-draft", name=f"{key} 草稿", user=None)


@pytest.mark.parametrize("key", ["daye-2023", "example-wujin", "example-efficacy"])
def test_every_builtin_indicator_s_params_come_back_from_the_fields_unchanged(
    demo, admin_client, key
):
    draft = _draft_of(key, demo)
    indicators = Indicator.objects.filter(group__scheme=draft, tier_of="").order_by("id")
    methods = set()
    for ind in indicators:
        before = engine_scheme(draft).group(ind.group.key).indicator(ind.key).params
        form = IndicatorForm(posted(ind), indicator=ind)
        assert form.is_valid(), (ind.key, form.errors)
        assert form.values()["params"] == old_textarea(before), ind.key
        url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
        response = admin_client.post(url, posted(ind))
        assert response.status_code == 302, (ind.key, response.context["form"].errors)
        after = engine_scheme(draft).group(ind.group.key).indicator(ind.key).params
        assert after == before, ind.key
        methods.add(ind.method)
    assert len(methods) >= 2  # each scheme tries several methods' fields


def test_the_parameter_table_lists_exactly_the_engine_s_parameters_of_each_method():
    for method, keys in _PARAMS.items():
        assert {p.key.split(".")[0] for p in PARAMS[method]} == set(keys), method


@pytest.fixture
def draft(demo):
    return editor.copy_scheme(demo["scheme"], key="daye-2024", name="2024年方案", user=None)


def _sme(draft) -> Indicator:
    return Indicator.objects.get(group__scheme=draft, group__key="township", key="sme_registered")


def test_a_bad_bands_line_is_refused_in_chinese_naming_the_line(draft, admin_client):
    ind = _sme(draft)
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    form = posted(ind, method="bands", p_bands_bands="1.0 10\n0.8 六分")
    response = admin_client.post(url, form)
    assert response.status_code == 200
    errors = response.context["form"].errors["p_bands_bands"]
    assert errors == ["“分档”第 2 行“0.8 六分”应写成“门槛 得分”，如 1.0 16"]
    assert "第 2 行“0.8 六分”" in response.content.decode()
    assert Indicator.objects.get(pk=ind.pk).method == "rank"


def test_typed_bands_are_saved_as_the_scheme_file_would_give_them(draft, admin_client):
    ind = _sme(draft)
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    form = posted(ind, method="bands", p_bands_on="rate", p_bands_bands="1.0 10\n0.8，6\n\n0.5 2")
    assert admin_client.post(url, form).status_code == 302
    params = engine_scheme(draft).group("township").indicator("sme_registered").params
    bands = [(b["at"], b["points"]) for b in params["bands"]]
    assert bands == [(1, 10), (Decimal("0.8"), 6), (Decimal("0.5"), 2)]
    assert params["below"] == 0 and params["interpolate"] is False


def test_only_the_selected_method_s_fields_are_read(draft, admin_client):
    # the rank fields are still posted (filled from the indicator), as without the script
    ind = _sme(draft)
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    response = admin_client.post(url, posted(ind, method="threshold"))
    assert response.status_code == 302, response.context["form"].errors
    assert Indicator.objects.get(pk=ind.pk).params == {"direction": "higher"}


def test_an_empty_field_leaves_the_parameter_out_and_the_engine_s_default_applies(
    draft, admin_client
):
    group = draft.groups.get(key="township")
    url = reverse("scheme_indicator_new", args=[draft.pk, group.pk])
    page = admin_client.get(url).content.decode()
    assert 'placeholder="不填为 指标满分"' in page and "每次扣分" in page
    form = {
        "key": "accidents",
        "name": "安全事故",
        "unit": "次",
        "category": "目标任务",
        "method": "deduct",
        "max_points": "5",
        "decimals": "2",
        "p_deduct_per": "1",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors
    ind = Indicator.objects.get(group=group, key="accidents")
    assert ind.params == {"start": "5", "per": "1", "floor": "0"}


def test_a_check_that_names_a_parameter_stands_beside_its_field_in_the_page(draft, admin_client):
    ind = _sme(draft)
    url = reverse("scheme_indicator", args=[draft.pk, ind.pk])
    page = admin_client.post(url, posted(ind, p_rank_step="-1")).content.decode()
    row = page[page.index('id="row-p_rank_step"') :]
    row = row[: row.index("</div>\n")]
    assert "每降一名减：step 不能小于 0" in row


def test_without_the_script_every_method_s_parameters_show_under_its_heading(draft, admin_client):
    ind = _sme(draft)
    page = admin_client.get(reverse("scheme_indicator", args=[draft.pk, ind.pk])).content.decode()
    for method, name in (
        ("rank", "排名"),
        ("ratio", "比例"),
        ("bands", "分档"),
        ("deduct", "扣分"),
    ):
        assert f"<legend>{name}（{method}）的参数</legend>" in page
    assert "hidden" not in page[page.index('id="row-params"') : page.index('id="row-decimals"')]
    assert 'id="id_p_ratio_over_cap"' in page and "每降一名减" in page
    assert "kaohe/scheme_params.js" in page
