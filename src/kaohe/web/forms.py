"""Forms: validation only. Figures are parsed to Decimal; '/' and blank are kept apart."""

from __future__ import annotations

from django import forms

from .models import MATERIAL_KINDS, BulletinSettings, Period, Scheme
from .services import uploads
from .services.bulletin import FIELDS as BULLETIN_FIELDS
from .services.entries import parse_figure
from .services.errors import ServiceError
from .services.measures import is_count, whole_number_error

DATETIME = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
DATETIME_FORMATS = [DATETIME, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
PERIOD_NUMBERS = {"quarter": (4, "季度"), "month": (12, "月份")}


class FigureField(forms.CharField):
    """A non-negative number, '/' (no task) or blank. cleaned value: (Decimal|None, na)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_figure(value or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ChangeFigureField(FigureField):
    """On a correction: blank means unchanged (cleaned value None), never cleared."""

    def clean(self, value):
        if value is None or not str(value).strip():
            return None
        return super().clean(value)


def _entry_row(n, ind, e, with_targets: bool, owned=frozenset()) -> dict:
    """One row of the entry table as plain values (the template only prints them)."""
    from .services.entries import show_figure

    def cell(name, value):
        return {"name": f"{name}_{ind.id}", "value": value, "errors": ""}

    target = show_figure(e.target, e.target_na) if e is not None else ""
    return {
        "n": n,
        "id": ind.id,
        "name": ind.name,
        "material": bool(ind.material_kind),
        "category": ind.category,
        "unit": ind.unit,
        "target": cell("target", target) if with_targets else None,
        "target_text": target,
        "actual": dict(
            cell("actual", show_figure(e.actual, e.actual_na) if e is not None else ""),
            disabled=(bool(ind.material_kind) or ind.id in owned) and not with_targets,
        ),
        "provided": ind.id in owned,
        "data_target": format(e.target, "f") if e is not None and e.target else "",
        "note": cell("note", e.note if e is not None else ""),
        "version": e.version if e is not None else 0,
        "late": e is not None and e.late,
        "submitted": e is not None and e.submitted_at is not None,
        "count": is_count(ind),
        "draft": e is not None
        and e.submitted_at is None
        and (e.actual is not None or e.actual_na or bool(e.note)),
    }


def entry_rows(indicators, entries, with_targets: bool, owned=frozenset()) -> list[dict]:
    """The entry table of a unit as stored (no form needed to show it). ``owned``: indicators a
    data-providing department reports, read-only for the unit."""
    return [
        _entry_row(n, ind, entries.get(ind.id), with_targets, owned)
        for n, ind in enumerate(indicators, start=1)
    ]


class EntryForm(forms.Form):
    """One unit's figures: actual (and, for the bureau, target), note and the version seen."""

    def __init__(self, *args, indicators, entries, with_targets: bool, owned=frozenset(), **kw):
        super().__init__(*args, **kw)
        self.indicators, self.entries, self.with_targets = indicators, entries, with_targets
        self.owned = owned
        for ind in indicators:
            e = entries.get(ind.id)
            read_only = ind.id in owned and not with_targets  # the provider's, not the unit's
            if with_targets:
                self.fields[f"target_{ind.id}"] = FigureField(label="任务数")
            self.fields[f"actual_{ind.id}"] = FigureField(
                label="实绩数", disabled=(bool(ind.material_kind) and not with_targets) or read_only
            )
            self.fields[f"note_{ind.id}"] = forms.CharField(
                label="备注", required=False, max_length=200, disabled=read_only
            )
            self.fields[f"version_{ind.id}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            if not self.is_bound:
                from .services.entries import show_figure

                if e is not None:
                    self.initial[f"actual_{ind.id}"] = show_figure(e.actual, e.actual_na)
                    self.initial[f"target_{ind.id}"] = show_figure(e.target, e.target_na)
                    self.initial[f"note_{ind.id}"] = e.note
                self.initial[f"version_{ind.id}"] = e.version if e is not None else 0

    def clean(self):
        data = super().clean()
        for ind in self.indicators:
            name = f"actual_{ind.id}"
            if name in data and (problem := whole_number_error(ind, data[name][0])):
                self.add_error(name, problem)
        return data

    def rows(self) -> list[dict]:
        """The table rows with what the user typed and the errors (entry_rows' shape)."""
        rows = entry_rows(self.indicators, self.entries, self.with_targets, self.owned)
        for row in rows:
            for name in ("target", "actual", "note"):
                cell = row[name]
                if cell is None:
                    continue
                bf = self[cell["name"]]
                value = bf.value()
                cell["value"] = "" if value is None else value
                cell["errors"] = bf.errors
            version = self[f"version_{row['id']}"].value()
            row["version"] = 0 if version is None else version
        return rows


class ProvideForm(forms.Form):
    def __init__(self, *args, units, entries, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.indicator = [], indicator
        from .services.entries import show_figure

        for unit in units:
            e = entries.get(unit.id)
            self.fields[f"actual_{unit.id}"] = FigureField(label="实绩数")
            self.fields[f"version_{unit.id}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            if not self.is_bound:
                self.initial[f"actual_{unit.id}"] = show_figure(e.actual, e.actual_na) if e else ""
                self.initial[f"version_{unit.id}"] = e.version if e else 0
            self.rows.append(
                {
                    "unit": unit,
                    "entry": e,
                    "actual": self[f"actual_{unit.id}"],
                    "version": self[f"version_{unit.id}"],
                }
            )

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if name.startswith("actual_") and self.indicator is not None:
                if problem := whole_number_error(self.indicator, value[0]):
                    self.add_error(name, problem)
        return data


def check_size(upload):
    try:
        uploads.check_size(upload)
    except ServiceError as exc:
        raise forms.ValidationError(exc.message) from None
    return upload


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label="填报表（Excel）", error_messages={"required": "请选择要上传的文件"}
    )

    def clean_file(self):
        upload = check_size(self.cleaned_data["file"])
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".xlsm", ".xls", ".csv")):
            raise forms.ValidationError(
                "请上传 Excel 文件（.xlsx）或 CSV 文件；这个文件不是 Excel。"
            )
        return upload


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=MATERIAL_KINDS)
    title = forms.CharField(label="标题", max_length=200, required=False)
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件"})

    def clean_file(self):
        return check_size(self.cleaned_data["file"])


class MaterialReplaceForm(forms.Form):
    title = forms.CharField(label="新标题（可不填，沿用原标题）", max_length=200, required=False)
    file = forms.FileField(label="新文件", error_messages={"required": "请选择要上传的文件"})

    def clean_file(self):
        return check_size(self.cleaned_data["file"])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "审核通过"), ("return", "退回修改")])
    comment = forms.CharField(
        label="意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    days = forms.IntegerField(label="重新报送期限（天）", min_value=1, max_value=60, required=False)

    def clean_days(self):
        from .services.periods import RESUBMIT_DAYS

        return self.cleaned_data["days"] or RESUBMIT_DAYS


class DeadlineForm(forms.Form):
    until = forms.DateTimeField(
        label="新的截止时间",
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME),
    )
    reason = forms.CharField(label="延期原因", max_length=300)


class PendingForm(forms.Form):
    """数据未出 for one indicator: every unit, or the units ticked."""

    indicator = forms.TypedChoiceField(label="指标", coerce=int)
    units = forms.TypedMultipleChoiceField(
        label="单位（不选即全部单位）", coerce=int, required=False
    )
    reason = forms.CharField(label="说明", max_length=300)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {i.id: i for i in indicators}
        self.fields["indicator"].choices = [
            (i.id, f"{i.group.name} · {i.name}") for i in indicators
        ]
        from .models import Unit

        groups = {i.group_id for i in indicators}
        self.all_units = {u.id: u for u in Unit.objects.filter(group_id__in=groups)}
        self.fields["units"].choices = [
            (u.id, u.name) for u in sorted(self.all_units.values(), key=lambda u: u.order)
        ]

    def clean(self):
        data = super().clean()
        if "indicator" in data:
            self.indicator = self.by_id[data["indicator"]]
            self.units = [self.all_units[i] for i in data.get("units", [])]
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="更正原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(forms.Form):
    indicator = forms.TypedChoiceField(label="指标", coerce=int)
    target = ChangeFigureField(label="任务数（留空则不变）")
    actual = ChangeFigureField(label="实绩数（留空则不变）")
    reason = forms.CharField(
        label="更正原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.id, str(i)) for i in indicators]

    def clean(self):
        data = super().clean()
        if data.get("target") is None and data.get("actual") is None and not self.errors:
            raise forms.ValidationError("请填写要更正的任务数或实绩数（留空的不变）")
        return data


class ObjectionForm(forms.Form):
    indicator = forms.TypedChoiceField(
        label="涉及指标（可不选）", coerce=int, required=False, empty_value=None
    )
    text = forms.CharField(
        label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "（整体）")] + [(i.id, str(i)) for i in indicators]


class AnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="进展情况", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label="二、工作进展情况（Markdown）",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 24}),
    )


class PeriodActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("close", "结束填报、进入审核"),
            ("reopen", "重新开放填报"),
            ("approve_all", "全部审核通过"),
            ("lock", "锁定数据"),
            ("unlock", "解除锁定"),
            ("compute", "计算得分"),
            ("publish", "发布结果"),
            ("withdraw", "撤回发布"),
        ]
    )
    confirmed = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, max_length=1000)


def period_name(kind: str, year: int, number: int) -> str:
    """2023, quarter 2 → 2023年二季度; 2023, month 7 → 2023年7月."""
    from ..chinese import quarter_name

    return f"{year}年{quarter_name(number)}" if kind == "quarter" else f"{year}年{number}月"


class PeriodForm(forms.Form):
    """A period's settings; its state moves only by the period actions. The scheme is chosen when
    the period is created and fixed afterwards (figures belong to its indicators)."""

    scheme = forms.ModelChoiceField(
        label="考核方案", queryset=Scheme.objects.all(), empty_label=None
    )
    name = forms.CharField(
        label="考核期名称",
        max_length=100,
        required=False,
        help_text="留空则按年度和季度（月份）自动填写，如“2023年二季度”",
    )
    kind = forms.ChoiceField(label="周期", choices=Period._meta.get_field("kind").choices)
    year = forms.IntegerField(label="年度", error_messages={"required": "请填写年度"})
    number = forms.IntegerField(
        label="季度或月份", error_messages={"required": "请填写第几季度或几月"}
    )
    cutoff = forms.DateField(
        label="数据截止日",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline = forms.DateTimeField(
        label="填报截止时间",
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME),
        error_messages={"required": "请填写填报截止时间"},
    )
    late_until = forms.DateTimeField(
        label="迟报截止时间",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME),
        help_text="截止时间之后、此时间之前仍可填报，但记为迟报；留空则截止后即关闭填报",
    )
    objection_days = forms.IntegerField(label="异议期（天）", min_value=0, max_value=60)
    previous = forms.ModelChoiceField(
        label="上一期", queryset=Period.objects.none(), required=False, empty_label="（无）"
    )

    def __init__(self, *args, period: Period | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        previous = Period.objects.select_related("scheme")
        if period is not None:
            del self.fields["scheme"]
            previous = previous.filter(scheme_id=period.scheme_id).exclude(pk=period.pk)
        self.fields["previous"].queryset = previous

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("年度应在 2000 到 2100 之间")
        return year

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), data.get("number")
        if number is not None and kind in PERIOD_NUMBERS:
            top, label = PERIOD_NUMBERS[kind]
            if not 1 <= number <= top:
                self.add_error("number", f"{label}应在 1 到 {top} 之间")
        if not data.get("name") and data.get("year") and number and kind in PERIOD_NUMBERS:
            data["name"] = period_name(kind, data["year"], number)
        deadline, late_until = data.get("deadline"), data.get("late_until")
        if deadline and late_until and late_until <= deadline:
            self.add_error("late_until", "迟报截止时间应晚于填报截止时间")
        scheme = self.period.scheme if self.period is not None else data.get("scheme")
        previous = data.get("previous")
        if previous is not None and scheme is not None and previous.scheme_id != scheme.pk:
            self.add_error("previous", "上一期必须属于同一考核方案")
        if scheme is not None and not self.errors:
            self._check_unique(scheme, data)
        return data

    def _check_unique(self, scheme, data):
        keys = {k: data[k] for k in ("year", "kind", "number")}
        clash = Period.objects.filter(scheme=scheme, **keys)
        if self.period is not None:
            clash = clash.exclude(pk=self.period.pk)
        clash = clash.first()
        if clash is not None:
            self.add_error(None, f"该方案已有同一年度、同一季度（月份）的考核期：{clash.name}")

    def settings(self) -> dict:
        """The cleaned values the period services take (everything but the scheme)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "scheme"}


class BulletinSettingsForm(forms.ModelForm):
    """The bureau's settings of a period's bulletin and its §二–四; blank fields take the
    defaults shown as placeholders (the scheme's [bulletin], the period's cut-off day)."""

    narrative = forms.CharField(
        label="二、三、四部分（Markdown）",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="“# 二、工作进展情况”“# 三、存在的问题”等一级标题分节，“## ”标题为（一）（二）……；"
        "“# 各部门…”一节写入“一、（三）”。",
    )

    class Meta:
        model = BulletinSettings
        fields = list(BULLETIN_FIELDS)
        widgets = {"doc_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "title": "留空则按方案措辞生成（如“关于2023年科技创新行动一季度工作进展情况的通报”）；"
            "正文开头“现将…通报如下：”随标题变化。",
            "doc_date": "留空则取下载当天。",
            "cutoff": "附件表头下的截止时间，如“2023 年 3 月 31 日下午 17：00”。",
            "theme": "标题中的主题词，如“开门红”；留空则用方案中的设置。",
            "masthead": "红色发文机关标志，如“大冶市科学技术局文件”；留空则用方案中的设置（方案也没有则不印版头）。",
            "doc_number": "如“大冶科技〔2023〕5号”；留空则用方案中的设置。",
            "copy_to": "版记中的抄送机关；留空则用方案中的设置。",
            "printer": "版记中的印发机关；留空则用方案中的设置。",
        }
        error_messages = {"doc_date": {"invalid": "成文日期应为日期，如 2023-04-21"}}

    def __init__(self, *args, defaults: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in (defaults or {}).items():
            if value:
                self.fields[name].widget.attrs["placeholder"] = f"默认：{value}"

    def clean_cutoff(self):
        """The cut-off must name its day: the sentence 截至X月X日 and the annex year come from it."""
        from ..report.errors import ReportError
        from ..report.facts import parse_date

        cutoff = self.cleaned_data["cutoff"].strip()
        if cutoff:
            try:
                parse_date(cutoff)
            except ReportError:
                raise forms.ValidationError(
                    "数据截止时间应含年月日，如“2023 年 3 月 31 日下午 17：00”"
                ) from None
        return cutoff
