"""Database models. Figures are Decimal end to end; '/' and blank are separate flags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DIGITS = {"max_digits": 30, "decimal_places": 10}


class Scheme(models.Model):
    """One version of a scheme. A period is scored with the version it was created on; only a
    draft (草稿) is edited, and a draft has no periods, so no edit reaches a scored period.
    Editing an active scheme means copying it to a new draft and activating that."""

    DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"
    STATES = [(DRAFT, "草稿"), (ACTIVE, "启用"), (RETIRED, "停用")]
    key = models.SlugField("方案代号", max_length=80, unique=True)
    name = models.CharField("方案名称", max_length=200)
    region = models.CharField("地区", max_length=100, blank=True)
    issuer = models.CharField("发文单位", max_length=100, blank=True)
    late_notes = models.JSONField("迟报字样", default=list, blank=True)
    pending_note = models.CharField("数据未出说明", max_length=200, blank=True)
    total_scale = models.DecimalField("总分折算", default=100, **DIGITS)
    total_decimals = models.PositiveSmallIntegerField("总分小数位", default=2)
    source = models.TextField("方案文件原文", blank=True)
    # the scheme's [bulletin] table (wording, 版头/版记), so web bulletins word as the scheme does
    bulletin = models.JSONField("通报措辞（方案 [bulletin]）", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATES, default=ACTIVE)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="基于方案",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # the scheme's own scoring rules as its TOML gave them: [[categories]], [grades], [annual]
    # and scoring.allow_over (see scheme.py); empty for a scheme without them (daye-2023)
    rules = models.JSONField("计分规则（类别、等次、年度）", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == self.DRAFT


class UnitGroup(models.Model):
    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="groups", verbose_name="方案"
    )
    key = models.SlugField("分组代号", max_length=80)
    name = models.CharField("分组名称", max_length=100)
    title = models.CharField("标题", max_length=100, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    # classes of units ranked apart (一类 / 二类): [{"name": …, "units": [names]}], in order
    classes = models.JSONField("分类排名", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位分组"
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="group_key_unique")]

    def __str__(self):
        return f"{self.scheme.key} / {self.name}"


class Unit(models.Model):
    group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, related_name="units", verbose_name="分组"
    )
    name = models.CharField("单位名称", max_length=100)
    short = models.CharField("简称", max_length=50, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    # the unit of the first scheme version this one was copied from: a reporter of 陈贵镇 in
    # the 2023 scheme reports for 陈贵镇 of the 2024 scheme, even renamed (see `identity`)
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="原单位（前一版本）",
    )

    class Meta:
        verbose_name = verbose_name_plural = "被考核单位"
        ordering = ["group", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="unit_name_unique")]

    def __str__(self):
        return self.name

    @property
    def identity(self) -> int:
        """The same number for this unit in every scheme version."""
        return self.origin_id or self.id


MATERIAL_KINDS = [
    ("工作计划", "年度工作计划"),
    ("简报", "简报"),
    ("总结", "总结"),
    ("议题", "议题"),
    ("会议纪要", "会议纪要"),
    ("其他", "其他材料"),
]
ALL_MATERIALS = "全部"


METHOD_CHOICES = [
    ("rank", "排名"),
    ("ratio", "比例"),
    ("threshold", "达标"),
    ("efficacy", "功效系数"),
    ("average", "平均值基准"),
    ("bands", "分档"),
    ("items", "计件"),
    ("deduct", "扣分"),
]
VETO_CHOICES = [("", "否"), ("total", "总分记 0"), ("grade", "定为最低等次")]


class IndicatorQuerySet(models.QuerySet):
    def entered(self):
        """What units enter: every indicator, except that a tiered `items` indicator is entered
        as one count per tier (its tier rows)."""
        return self.exclude(method="items", params__has_key="tiers")

    def scored(self):
        """What the scheme scores: every indicator but the tier rows."""
        return self.filter(tier_of="")


class Indicator(models.Model):
    group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, related_name="indicators", verbose_name="分组"
    )
    key = models.SlugField("指标代号", max_length=80)
    name = models.CharField("指标名称", max_length=200)
    label = models.CharField("得分表名称", max_length=200, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    max_points = models.DecimalField("满分", **DIGITS)
    category = models.CharField(
        "类别", max_length=20, help_text="目标任务、工作任务，或方案 [[categories]] 中的类别"
    )
    method = models.CharField("计分方法", max_length=20, choices=METHOD_CHOICES)
    params = models.JSONField("计分参数", default=dict, blank=True)
    decimals = models.PositiveSmallIntegerField("小数位", default=2)
    note = models.TextField("说明", blank=True)
    annex = models.JSONField("附件表设置", null=True, blank=True)
    material_kind = models.CharField(
        "由材料计数",
        max_length=20,
        blank=True,
        choices=[("", "否（填报数字）")] + MATERIAL_KINDS + [(ALL_MATERIALS, "全部材料")],
        help_text="填写后，实绩数 = 本期按时报送的该类材料份数，迟报按方案的迟报规则计分",
    )
    veto = models.CharField("一票否决", max_length=10, blank=True, choices=VETO_CHOICES)
    # a tier row (承担科技项目·国家级) holds one tier's count of a tiered `items` indicator: the
    # indicator's key here, and the tier's key; the scheme itself lists the tiers in params
    tier_of = models.CharField("所属分档指标", max_length=80, blank=True)
    tier = models.CharField("档次代号", max_length=80, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="原指标（前一版本）",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["group", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "key"], name="indicator_key_unique")
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def identity(self) -> int:
        """The same number for this indicator in every scheme version."""
        return self.origin_id or self.id


class KeyTask(models.Model):
    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="key_tasks", verbose_name="方案"
    )
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("任务名称", max_length=200)
    lead_units = models.ManyToManyField(
        Unit, blank=True, verbose_name="牵头部门", related_name="led_tasks"
    )

    class Meta:
        verbose_name = verbose_name_plural = "重点任务"
        ordering = ["scheme", "number"]

    def __str__(self):
        return f"（{self.number}）{self.title}"


class Period(models.Model):
    OPEN, REVIEW, LOCKED, PUBLISHED = "open", "review", "locked", "published"
    STATES = [(OPEN, "填报中"), (REVIEW, "审核中"), (LOCKED, "已锁定"), (PUBLISHED, "已发布")]
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="periods", verbose_name="方案"
    )
    name = models.CharField("考核期名称", max_length=100)
    kind = models.CharField(
        "周期", max_length=10, choices=[("quarter", "季度"), ("month", "月度")], default="quarter"
    )
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("季度或月份")
    cutoff = models.DateField("数据截止日", null=True, blank=True)
    deadline = models.DateTimeField("填报截止时间")
    late_until = models.DateTimeField(
        "迟报截止时间",
        null=True,
        blank=True,
        help_text="截止时间之后、此时间之前仍可填报，但记为迟报；留空则截止后即关闭填报",
    )
    state = models.CharField("状态", max_length=12, choices=STATES, default=OPEN)
    objection_days = models.PositiveSmallIntegerField("异议期（天）", default=5)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="上一期"
    )
    narrative = models.TextField("工作进展情况（通报第二部分）", blank=True)
    withdrawn_at = models.DateTimeField("撤回发布时间", null=True, blank=True)
    withdrawal_reason = models.TextField("撤回发布原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核期"
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "kind", "number"], name="period_unique"
            )
        ]

    def __str__(self):
        return self.name

    def is_late(self, when=None) -> bool:
        return (when or timezone.now()) > self.deadline

    def reporters_may_enter(self, when=None) -> bool:
        when = when or timezone.now()
        if self.state != self.OPEN:
            return False
        return when <= self.deadline or (self.late_until is not None and when <= self.late_until)

    def objection_deadline(self):
        if self.published_at is None:
            return None
        return self.published_at + timezone.timedelta(days=self.objection_days)


class BulletinSettings(models.Model):
    """What the bureau sets for one period's bulletin before the download. Blank means the
    default: the title from the scheme's wording, today's date, the period's cut-off day, the
    scheme's [bulletin] theme, 版头 and 版记."""

    period = models.OneToOneField(
        Period, on_delete=models.CASCADE, related_name="bulletin_settings", verbose_name="考核期"
    )
    title = models.CharField("标题", max_length=200, blank=True)
    doc_date = models.DateField("成文日期", null=True, blank=True)
    cutoff = models.CharField("数据截止时间", max_length=100, blank=True)
    theme = models.CharField("主题词", max_length=40, blank=True)
    masthead = models.CharField("发文机关标志", max_length=100, blank=True)
    doc_number = models.CharField("发文字号", max_length=100, blank=True)
    copy_to = models.CharField("抄送", max_length=300, blank=True)
    printer = models.CharField("印发机关", max_length=100, blank=True)
    charts = models.BooleanField("附图（得分排名图和完成率图）", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "通报设置"

    def __str__(self):
        return f"{self.period} 通报设置"


class Entry(models.Model):
    """One unit's target and actual figure for one indicator in one period."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="entries", verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="entries", verbose_name="单位"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="entries", verbose_name="指标"
    )
    target = models.DecimalField("任务数", null=True, blank=True, **DIGITS)
    target_na = models.BooleanField("未下达任务（/）", default=False)
    actual = models.DecimalField("实绩数", null=True, blank=True, **DIGITS)
    actual_na = models.BooleanField("实绩数为 /", default=False)
    note = models.CharField("备注", max_length=500, blank=True)
    late = models.BooleanField("迟报", default=False)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="报送人",
    )
    source = models.CharField("来源", max_length=40, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "填报数据"
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "indicator"], name="entry_unique")
        ]
        indexes = [models.Index(fields=["period", "unit"])]


class PendingDeclaration(models.Model):
    """数据未出, declared for one indicator in one period by the bureau or the indicator's
    providing department: for every unit (no units chosen) or for the chosen ones."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="pending", verbose_name="考核期"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, verbose_name="指标")
    units = models.ManyToManyField(Unit, blank=True, verbose_name="单位（不选则为全部单位）")
    reason = models.CharField("说明", max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="声明人"
    )
    declared_at = models.DateTimeField("声明时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "数据未出声明"
        ordering = ["declared_at", "id"]


class UnitReport(models.Model):
    """A unit's submission for a period and its review."""

    DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
    STATES = [(DRAFT, "未报送"), (SUBMITTED, "已报送"), (RETURNED, "已退回"), (APPROVED, "已审核")]
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="reports", verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="reports", verbose_name="单位"
    )
    state = models.CharField("状态", max_length=12, choices=STATES, default=DRAFT)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("迟报", default=False)
    comment = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    deadline = models.DateTimeField(
        "本单位截止时间",
        null=True,
        blank=True,
        help_text="退回重报或延期后本单位的截止时间；留空则为考核期的填报截止时间",
    )
    deadline_reason = models.CharField("截止时间说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位报送"
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="report_unique")]


def material_path(instance, filename):
    return f"materials/{instance.period_id}/{instance.unit_id}/{timezone.now():%Y%m%d%H%M%S%f}_{filename}"


class Material(models.Model):
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="materials", verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="materials", verbose_name="单位"
    )
    kind = models.CharField("材料类型", max_length=20, choices=MATERIAL_KINDS)
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to=material_path, max_length=500)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256 校验值", max_length=64, blank=True)
    uploaded_at = models.DateTimeField("到达时间", default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="上传人"
    )
    late = models.BooleanField("迟报", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "报送材料"
        ordering = ["uploaded_at", "id"]

    @property
    def filename(self) -> str:
        """The file's name as uploaded (stored names carry an arrival-time prefix)."""
        return self.file.name.rsplit("/", 1)[-1].split("_", 1)[-1]


class TaskProgress(models.Model):
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="progress", verbose_name="考核期"
    )
    task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="progress", verbose_name="重点任务"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="progress", verbose_name="单位"
    )
    text = models.TextField("进展情况")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="更新人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "重点任务进展"
        constraints = [
            models.UniqueConstraint(fields=["period", "task", "unit"], name="progress_unique")
        ]


class ScoreRun(models.Model):
    """One computation of a period's results; corrections add a run and keep the earlier ones."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="runs", verbose_name="考核期"
    )
    created_at = models.DateTimeField("计算时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="计算人"
    )
    current = models.BooleanField("当前结果", default=True)
    published = models.BooleanField("已发布", default=False)
    reason = models.TextField("更正原因", blank=True)
    inputs = models.JSONField("计分输入")

    class Meta:
        verbose_name = verbose_name_plural = "计分结果"
        ordering = ["-created_at", "-id"]


class UnitResult(models.Model):
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="units", verbose_name="计分结果"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="results", verbose_name="单位"
    )
    rank = models.PositiveIntegerField("名次")
    raw = models.DecimalField("原始得分", **DIGITS)
    total = models.DecimalField("总分", **DIGITS)
    # with classes, `rank` is the rank within the class (class_order: the class's place)
    class_name = models.CharField("分类", max_length=100, blank=True)
    class_order = models.PositiveSmallIntegerField("分类顺序", default=0)
    grade = models.CharField("等次", max_length=20, blank=True)
    grade_reason = models.CharField("定等依据", max_length=300, blank=True)
    vetoes = models.JSONField("一票否决原因", default=list, blank=True)
    notes = models.JSONField("总分说明（封顶、折算、否决）", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位得分"
        ordering = ["run", "unit__group__order", "class_order", "rank", "unit__order"]


class IndicatorResult(models.Model):
    unit_result = models.ForeignKey(
        UnitResult, on_delete=models.CASCADE, related_name="indicators", verbose_name="单位得分"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, verbose_name="指标")
    target = models.DecimalField("任务数", null=True, **DIGITS)
    actual = models.DecimalField("实绩数", null=True, **DIGITS)
    rate = models.DecimalField("完成率", null=True, max_digits=40, decimal_places=20)
    points = models.DecimalField("得分", **DIGITS)
    status = models.CharField("状态", max_length=20)
    explain = models.TextField("计分说明")
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标得分"
        ordering = ["unit_result", "indicator__order"]


class Objection(models.Model):
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="objections", verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="objections", verbose_name="单位"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="指标"
    )
    text = models.TextField("异议内容")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="提出人",
    )
    raised_at = models.DateTimeField("提出时间", default=timezone.now)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议"
        ordering = ["-raised_at"]


class Membership(models.Model):
    """What a user may do, as capability flags. unit: the user's own unit (reporter / department)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name="用户",
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="所属单位"
    )
    organisation = models.CharField("所属机构（无被考核单位时）", max_length=100, blank=True)
    can_admin = models.BooleanField("管理员（科技局）", default=False)
    can_report = models.BooleanField("填报本单位", default=False)
    can_read_all = models.BooleanField("查看全部（领导）", default=False)
    can_provide = models.ManyToManyField(
        Indicator, blank=True, verbose_name="为全部单位提供这些指标"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户权限"

    def __str__(self):
        return f"{self.user.username}：{self.role_label}"

    @property
    def role_label(self) -> str:
        if self.can_admin:
            return "管理员"
        parts = []
        if self.can_report:
            parts.append(f"{self.unit.name if self.unit else ''}填报员")
        provides = getattr(self, "_provides", None)
        if provides is None and self.pk:
            provides = self.can_provide.exists()
        if provides:
            parts.append(f"{self.organisation or (self.unit.name if self.unit else '')}数据提供")
        if self.can_read_all:
            parts.append("领导")
        return "、".join(parts) or "无权限"


class LoginFailure(models.Model):
    """Failed logins counted per account (the username, lower case) and per source address
    (ADDRESS_PREFIX + the address: Django usernames cannot contain a colon, so the two never
    meet)."""

    ADDRESS_PREFIX = "ip:"
    username = models.CharField("账号或来源地址", max_length=150, unique=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_failure = models.DateTimeField("最近失败时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败记录"

    def __str__(self):
        return self.username


class AuditLog(models.Model):
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="用户"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=60)
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="单位"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="指标"
    )
    field = models.CharField("字段", max_length=60, blank=True)
    old = models.TextField("原值", blank=True)
    new = models.TextField("新值", blank=True)
    detail = models.TextField("说明", blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]


class Notice(models.Model):
    """A message in one user's inbox (returned, objection, deadline near, results published…)."""

    RETURNED, OBJECTION, ANSWERED, DEADLINE, PUBLISHED, EXTENDED = (
        "returned",
        "objection",
        "answered",
        "deadline",
        "published",
        "extended",
    )
    KINDS = [
        (RETURNED, "退回修改"),
        (OBJECTION, "新的异议"),
        (ANSWERED, "异议已答复"),
        (DEADLINE, "截止提醒"),
        (PUBLISHED, "结果发布"),
        (EXTENDED, "延长截止时间"),
    ]
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="收件人",
    )
    kind = models.CharField("类型", max_length=20, choices=KINDS)
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.CASCADE, verbose_name="考核期"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, verbose_name="单位"
    )
    text = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]


class Reminder(models.Model):
    """A reminder sent to one unit (by hand, or scheduled N days before the deadline): a
    scheduled run sends each one once."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="reminders", verbose_name="考核期"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, verbose_name="单位")
    days_before = models.PositiveSmallIntegerField(
        "提前天数（手动催报为空）", null=True, blank=True
    )
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="发送人",
    )
    recipients = models.JSONField("邮件收件人", default=list, blank=True)
    text = models.TextField("内容")

    class Meta:
        verbose_name = verbose_name_plural = "催报记录"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "days_before"],
                condition=models.Q(days_before__isnull=False),
                name="scheduled_reminder_once",
            )
        ]
