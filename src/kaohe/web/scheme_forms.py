"""Forms of the scheme editor: they parse what is typed (numbers, lists, the scoring parameters'
fields built from scheme_params.PARAMS); whether the scheme is valid is the engine's scheme
checker's to say, in the editor service, which puts its message on the field it is about
(SchemeEditError.field)."""

from __future__ import annotations

import re

from django import forms

from ..numbers import plain
from ..scheme import CATEGORIES
from . import scheme_params
from .models import ALL_MATERIALS, MATERIAL_KINDS, VETO_CHOICES, Indicator, Period, Unit

SPLIT = re.compile(r"[、，,；;\n]+")


class ListField(forms.CharField):
    """Names separated by 、 or commas (or one a line): a list, blanks left out."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "多个用顿号“、”或逗号分隔")
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, (list, tuple)) else value

    def clean(self, value):
        return [p.strip() for p in SPLIT.split(super().clean(value) or "") if p.strip()]


class SchemeCopyForm(forms.Form):
    key = forms.CharField(
        label="新方案代号", max_length=80, help_text="如 daye-2024（小写字母、数字、连字符）"
    )
    name = forms.CharField(label="新方案名称", max_length=200)


class SchemeForm(forms.Form):
    name = forms.CharField(label="方案名称", max_length=200)
    region = forms.CharField(label="地区", max_length=100, required=False)
    issuer = forms.CharField(label="发文单位", max_length=100, required=False)
    pending_note = forms.CharField(label="数据未出说明", max_length=200, required=False)
    total_decimals = forms.IntegerField(label="总分小数位", min_value=0, max_value=10)


class GroupForm(forms.Form):
    name = forms.CharField(label="分组名称", max_length=100)
    title = forms.CharField(label="标题", max_length=100, required=False)


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    short = forms.CharField(label="简称", max_length=50, required=False)
    aliases = ListField(label="别名")


class KeyTaskForm(forms.Form):
    number = forms.IntegerField(label="序号", min_value=1, max_value=999)
    title = forms.CharField(
        label="任务名称", max_length=200, widget=forms.TextInput(attrs={"size": 40})
    )
    lead_units = forms.ModelMultipleChoiceField(
        label="牵头单位",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="牵头单位在每期填写这项任务的进展",
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_units"].queryset = Unit.objects.filter(group__scheme=scheme).order_by(
            "group__order", "order", "id"
        )


MATERIAL_CHOICES = [("", "否（填报数字）")] + MATERIAL_KINDS + [(ALL_MATERIALS, "全部材料")]


class IndicatorForm(forms.Form):
    key = forms.SlugField(
        label="指标代号", max_length=80, help_text="英文代号，如 rd_spending；建立后不能再改"
    )
    name = forms.CharField(label="指标名称", max_length=200)
    label = forms.CharField(
        label="得分表名称", max_length=200, required=False, help_text="留空则用“名称（计量单位）”"
    )
    aliases = ListField(label="别名")
    unit = forms.CharField(label="计量单位", max_length=20, required=False)
    category = forms.ChoiceField(label="类别", choices=[(c, c) for c in CATEGORIES])
    method = forms.ChoiceField(
        label="计分方法", choices=Indicator._meta.get_field("method").choices
    )
    max_points = forms.DecimalField(label="满分", max_digits=20, decimal_places=10)
    params = forms.Field(
        label="计分参数",
        required=False,
        widget=forms.HiddenInput,  # shown as the fields of each method (scheme_params)
        help_text="只填所选计分方法的参数；留空的项不写入方案，按“不填为……”所说的值计",
    )
    decimals = forms.IntegerField(label="小数位", min_value=0, max_value=10)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    annex_number = forms.IntegerField(
        label="附件序号",
        required=False,
        min_value=1,
        help_text="印入通报的附件表（附件N）；留空则不印",
    )
    annex_title = forms.CharField(label="附件中的名称", max_length=200, required=False)
    annex_header = forms.CharField(label="附件表头", max_length=200, required=False)
    annex_unit = forms.CharField(label="附件计量单位", max_length=20, required=False)
    annex_decimals = forms.IntegerField(
        label="附件小数位", required=False, min_value=0, max_value=10
    )
    veto = forms.ChoiceField(
        label="一票否决", choices=VETO_CHOICES, required=False, help_text="未完成目标任务时的后果"
    )
    material_kind = forms.ChoiceField(
        label="由材料计数",
        choices=MATERIAL_CHOICES,
        required=False,
        help_text="选择后，实绩数为本期按时报送的该类材料份数（谁提供数字）",
    )

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        if indicator is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(indicator)
        super().__init__(*args, **kwargs)
        self.fields.update(scheme_params.all_fields())
        if indicator is not None:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "建立后不能再改"
            # the scheme's own categories ([[categories]]: 加分项 …) besides the two built in
            rules = indicator.group.scheme.rules or {}
            names = [c.get("name") for c in rules.get("categories", [])] + [indicator.category]
            extra = [(n, n) for n in dict.fromkeys(names) if n and n not in CATEGORIES]
            self.fields["category"].choices = [*self.fields["category"].choices, *extra]

    def main_fields(self) -> list:
        """The form's fields but the parameters (shown in param_sets, in the params row)."""
        return [f for f in self if not f.name.startswith("p_")]

    def param_sets(self) -> list[tuple[str, str, list]]:
        """(method, its Chinese name, its parameter fields), one per method."""
        names = dict(self.fields["method"].choices)
        return [
            (m, names.get(m, m), [self[scheme_params.field_name(m, p.key)] for p in ps])
            for m, ps in scheme_params.PARAMS.items()
        ]

    def clean(self):
        """The selected method's fields as its params dict; the other methods' are not read."""
        data = super().clean()
        method = data.get("method") or ""
        params, errors = scheme_params.params_of(method, data)
        for name, message in errors.items():
            self.add_error(name, message)
        data["params"] = params
        return data

    def error_place(self, field: str, message: str) -> tuple[str, str]:
        """Where a refusal of the editor service goes, and its words there: a parameter's
        beside the field of the parameter it names (第一名得分：top 须大于 0), or at the top of
        the parameter section, without the scheme file's word `params`."""
        if field != "params":
            return field, message
        method = (self.cleaned_data or {}).get("method", "")
        name = scheme_params.field_of_message(method, message) or field
        message = re.sub(r"^params(\.|：| 的|)", "", message.strip()).lstrip()
        if name != field:
            message = f"{self.fields[name].label}：{message}"
        return name, message

    def values(self) -> dict:
        """The form as the editor service's indicator values."""
        d = self.cleaned_data
        annex_fields = ("number", "title", "header", "unit", "decimals")
        given = {k: d[f"annex_{k}"] for k in annex_fields if d.get(f"annex_{k}") not in (None, "")}
        return {
            "key": d["key"],
            "name": d["name"],
            "label": d["label"],
            "aliases": d["aliases"],
            "unit": d["unit"],
            "category": d["category"],
            "method": d["method"],
            "max_points": d["max_points"],
            "params": d["params"],
            "decimals": d["decimals"],
            "note": d["note"],
            "annex": given or None,
            "material_kind": d.get("material_kind") or "",
            "veto": d.get("veto") or "",
        }


def initial_of(ind: Indicator) -> dict:
    from .services.schemes import engine_scheme

    engine = engine_scheme(ind.group.scheme).group(ind.group.key).indicator(ind.key)
    annex = ind.annex or {}
    return {
        "key": ind.key,
        "name": ind.name,
        "label": ind.label,
        "aliases": list(ind.aliases or []),
        "unit": ind.unit,
        "category": ind.category,
        "method": ind.method,
        "max_points": plain(engine.max_points),  # 10, not the column's 10.0000000000
        **scheme_params.initial_fields(ind.method, engine.params),
        "decimals": ind.decimals,
        "note": ind.note,
        **{f"annex_{k}": annex.get(k) for k in ("number", "title", "header", "unit", "decimals")},
        "material_kind": ind.material_kind,
        "veto": ind.veto,
    }


class ImportForm(forms.Form):
    file = forms.FileField(label="方案文件（TOML）", required=False)
    text = forms.CharField(label="方案文件内容", required=False, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError("方案文件不能超过 2 MB")
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError("方案文件须为 UTF-8 编码的文本（.toml）") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("请选择方案文件（.toml）")
        return data


class PreviewForm(forms.Form):
    period = forms.ModelChoiceField(label="用哪一期的数据预览", queryset=Period.objects.none())

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(pk__in=[p.pk for p in periods])
