"""Category caps, extra points, veto, grades and classes: the helpers that turn indicator points
into a unit's total, rank and grade."""

from decimal import Decimal

import pytest

from kaohe.errors import SchemeError
from kaohe.methods import Figure
from kaohe.scheme import parse_scheme
from kaohe.totals import (
    assign_grades,
    rank_totals,
    share_count,
    split_by_class,
    unit_total,
    veto_reason,
)

D = Decimal

SCHEME = """
key = "t"
name = "测试"
{head}
[[groups]]
key = "g"
name = "乡镇"
units = ["甲镇", "乙镇", "丙镇", "丁镇"]
{classes}
[[groups.indicators]]
key = "a"
name = "目标甲"
max = 60
method = "ratio"
[[groups.indicators]]
key = "b"
name = "工作乙"
category = "工作任务"
max = 20
method = "ratio"
[[groups.indicators]]
key = "bonus"
name = "创新加分"
category = "加分项"
max = 8
method = "items"
params = {{ per = 2 }}
[[groups.indicators]]
key = "minus"
name = "工作失误"
category = "扣分项"
max = 6
method = "items"
params = {{ per = 1 }}
[[groups.indicators]]
key = "safety"
name = "安全事故"
unit = "起"
max = 0
method = "threshold"
params = {{ direction = "lower" }}
veto = "{veto}"
"""

CATEGORIES = """
[[categories]]
name = "加分项"
extra = true
cap = 5
[[categories]]
name = "扣分项"
extra = true
subtract = true
cap = 4
[grades]
levels = [
  { name = "优秀", min = 90, share = 0.25 },
  { name = "良好", min = 80 },
  { name = "合格", min = 60 },
  { name = "不合格" },
]
"""


def scheme(head=CATEGORIES, classes="", veto="total", scoring=""):
    return parse_scheme(
        SCHEME.format(head=scoring + head, classes=classes, veto=veto), source="t.toml"
    )


@pytest.mark.parametrize(
    "points, allow_over, total, notes",
    [
        pytest.param(
            ["60", "20", "0", "0", "0"], False, "100.00", [], id="base only: 80 of 80 is 100"
        ),
        pytest.param(["48", "16", "0", "0", "0"], False, "80.00", [], id="base scaled to 100"),
        pytest.param(
            ["48", "16", "4", "0", "0"], False, "84.00", [], id="bonus added after scaling"
        ),
        pytest.param(
            ["48", "16", "8", "0", "0"],
            False,
            "85.00",
            ["加分项合计 8 分，上限 5 分，计 5 分"],
            id="bonus capped",
        ),
        pytest.param(
            ["48", "16", "2", "6", "0"],
            False,
            "78.00",
            ["扣分项合计 6 分，上限 4 分，计 4 分"],
            id="deductions taken off, capped",
        ),
        pytest.param(
            ["60", "20", "8", "0", "0"],
            False,
            "100.00",
            ["加分项合计 8 分，上限 5 分，计 5 分", "总分 105.00 超过满分 100，按满分计"],
            id="capped at the scale unless the scheme allows more",
        ),
        pytest.param(
            ["60", "20", "8", "0", "0"],
            True,
            "105.00",
            ["加分项合计 8 分，上限 5 分，计 5 分"],
            id="allowed above the scale",
        ),
        pytest.param(
            ["1", "0", "0", "6", "0"],
            False,
            "0.00",
            ["扣分项合计 6 分，上限 4 分，计 4 分", "总分 -2.75 低于 0，按 0 计"],
            id="never below zero",
        ),
    ],
)
def test_unit_totals_with_category_caps(points, allow_over, total, notes):
    s = scheme(scoring=f"[scoring]\nallow_over = {'true' if allow_over else 'false'}\n")
    group = s.groups[0]
    assert group.max_points == D(80)
    result = unit_total(s, group, [D(p) for p in points])
    assert result.total == D(total)
    assert list(result.notes) == notes


def test_a_vetoed_total_is_zero_with_the_reason():
    s = scheme()
    group = s.groups[0]
    safety = group.indicator("safety")
    reason = veto_reason(safety, Figure(D(0), D(1)))
    assert reason == "一票否决：安全事故实绩数 1 起，高于任务数 0 起，总分记为 0"
    assert veto_reason(safety, Figure(D(0), D(0))) == ""
    assert veto_reason(safety, Figure(None, D(3))) == ""
    result = unit_total(s, group, [D(60), D(20), D(0), D(0), D(0)], vetoed=True)
    assert result.total == D("0.00")
    assert "一票否决，总分 100.00 记为 0" in result.notes


def test_total_ranks_share_equal_totals_and_order_by_the_exact_total():
    order, ranks = rank_totals(
        [D("90.00"), D("95.00"), D("90.00"), D("80.00")],
        [D("89.996"), D("95"), D("90.001"), D("80")],
    )
    assert order == [1, 2, 0, 3]
    assert ranks == [2, 1, 2, 4]


@pytest.mark.parametrize(
    "share, n, rounding, count",
    [
        ("0.3", 14, "half_up", 4),
        ("0.3", 14, "down", 4),
        ("0.3", 14, "up", 5),
        ("0.25", 10, "half_up", 3),
        ("0.25", 10, "down", 2),
        ("0.5", 4, "up", 2),
    ],
)
def test_a_share_of_the_ranking_is_rounded_as_the_scheme_says(share, n, rounding, count):
    assert share_count(D(share), n, rounding) == count


GRADES = CATEGORIES.split("[grades]")[1]


def grading(levels):
    return scheme(head=f"[grades]\n{levels}").grading


@pytest.mark.parametrize(
    "levels, totals, vetoed, expected",
    [
        pytest.param(
            GRADES,
            ["95", "92", "85", "70", "50"],
            [],
            ["优秀", "良好", "良好", "合格", "不合格"],
            id="thresholds and a 25% share: 1.25 of 5 rounds to 1",
        ),
        pytest.param(
            GRADES,
            ["95", "95", "85", "50"],
            [],
            ["优秀", "优秀", "良好", "不合格"],
            id="a tie inside the share keeps both",
        ),
        pytest.param(
            'levels = [{ name = "优秀", share = 0.3 }, { name = "良好", share = 0.7 }, { name = "一般" }]',
            ["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"],
            [],
            ["优秀"] * 3 + ["良好"] * 4 + ["一般"] * 3,
            id="cumulative shares of the ranking",
        ),
        pytest.param(
            'levels = [{ name = "优秀", share = 0.5, max_count = 1 }, { name = "合格" }]',
            ["9", "9", "5", "1"],
            [],
            ["合格", "合格", "合格", "合格"],
            id="a tie that would overflow the count goes down together",
        ),
        pytest.param(
            'levels = [{ name = "优秀", max_count = 2 }, { name = "合格" }]',
            ["9", "8", "5"],
            [True, False, False],
            ["合格", "优秀", "优秀"],
            id="a vetoed unit takes the lowest grade and no place",
        ),
    ],
)
def test_grades(levels, totals, vetoed, expected):
    g = grading(levels)
    values = [D(t) for t in totals]
    _order, ranks = rank_totals(values, values)
    assert [x.name for x in assign_grades(g, values, ranks, vetoed)] == expected


def test_a_grade_explains_itself():
    g = grading(GRADES)
    values = [D("95"), D("50")]
    grades = assign_grades(g, values, [1, 2])
    assert grades[0].reason == "总分 95 不低于 90，排第 1 名，在前 25%（前 1 名）内，定为优秀"
    assert grades[1].reason == "其余单位，定为不合格"


CLASSES = """classes = [
  { name = "一类乡镇", units = ["甲镇", "丙镇"] },
  { name = "二类乡镇", units = ["乙镇", "丁镇"] },
]"""


def test_classes_split_the_units_in_scheme_order():
    group = scheme(classes=CLASSES).groups[0]
    assert split_by_class(group, ["甲镇", "乙镇", "丙镇", "丁镇"]) == [
        ("一类乡镇", [0, 2]),
        ("二类乡镇", [1, 3]),
    ]
    assert split_by_class(scheme().groups[0], ["甲镇", "乙镇"]) == [("", [0, 1])]
    with pytest.raises(ValueError, match="单位 戊镇 不属于分组“乡镇”的任何一类"):
        split_by_class(group, ["甲镇", "戊镇"])


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("classes", '[{ name = "一类", units = ["甲镇", "乙镇", "丙镇", "丁镇"] }]'),
            "至少需要两类",
        ),
        (
            (
                "classes",
                '[{ name = "一类", units = ["甲镇", "乙"] }, { name = "二类", units = ["丙镇", "丁镇"] }]',
            ),
            "单位“乙”不在本组单位名单中，是否为“乙镇”",
        ),
        (
            (
                "classes",
                '[{ name = "一类", units = ["甲镇", "乙镇"] }, { name = "二类", units = ["乙镇", "丁镇"] }]',
            ),
            "同时在“一类”和“二类”两类中",
        ),
        (
            (
                "classes",
                '[{ name = "一类", units = ["甲镇"] }, { name = "二类", units = ["丙镇", "丁镇"] }]',
            ),
            "单位 乙镇 不属于任何一类",
        ),
        (("veto", "never"), "一票否决 veto“never”未知"),
        (
            (
                "grades",
                'levels = [{ name = "优秀", min = 80 }, { name = "良好", min = 90 }, { name = "差" }]',
            ),
            "min 须自上而下递减",
        ),
        (
            (
                "grades",
                'levels = [{ name = "优秀", share = 0.5 }, { name = "良好", share = 0.3 }, { name = "差" }]',
            ),
            "share 是累计比例",
        ),
        (("grades", 'levels = [{ name = "优秀", share = 1.5 }, { name = "差" }]'), "不超过 1"),
        (
            ("grades", 'levels = [{ name = "优秀", min = 90 }, { name = "差", min = 10 }]'),
            "收其余单位",
        ),
        (
            ("grades", 'levels = [{ name = "优秀" }, { name = "差" }]'),
            "须有 min、share 或 max_count",
        ),
        (
            ("grades", 'rounding = "bank"\nlevels = [{ name = "优秀", min = 1 }, { name = "差" }]'),
            "rounding“bank”未知",
        ),
        (("categories", '[[categories]]\nname = "扣分项"\nsubtract = true'), "须在基础满分之外"),
        (
            ("categories", '[[categories]]\nname = "加分项"\nextra = true\nlimit = 5'),
            "中没有“limit”这一项，可用：name、cap、extra、subtract",
        ),
    ],
)
def test_bad_categories_classes_grades_and_vetoes_are_refused(change, message):
    kind, text = change
    if kind == "classes":
        args = {"classes": f"classes = {text}"}
    elif kind == "veto":
        args = {"veto": text}
    elif kind == "grades":
        args = {"head": f"[grades]\n{text}"}
    else:
        args = {"head": text}
    with pytest.raises(SchemeError, match=message):
        scheme(**args)


def test_a_grade_veto_needs_grades():
    with pytest.raises(SchemeError, match="但方案没有 \\[grades\\]"):
        scheme(head="", veto="grade")


def test_standings_put_totals_vetoes_ranks_and_grades_together():
    from kaohe.totals import standings

    s = scheme(veto="grade")
    group = s.groups[0]
    points = [  # per indicator, per unit (甲 乙 丙)
        [D(60), D(54), D(30)],
        [D(20), D(20), D(20)],
        [D(6), D(0), D(0)],
        [D(0), D(0), D(2)],
        [D(0), D(0), D(0)],
    ]
    vetoes = [[("grade", "一票否决：安全事故")], [], []]
    result = standings(s, group, points, vetoes)
    assert result.total == [D("100.00"), D("92.50"), D("60.50")]
    assert result.raw == [D(85), D(74), D(48)]
    assert result.rank == [1, 2, 3]
    assert [g.name for g in result.grades] == ["不合格", "优秀", "合格"]
    assert result.vetoes == [["一票否决：安全事故"], [], []]
    assert result.totals[0].notes == (
        "加分项合计 6 分，上限 5 分，计 5 分",
        "总分 105.00 超过满分 100，按满分计",
    )


@pytest.mark.parametrize(
    "annual, message",
    [
        ('method = "median"', "method“median”未知"),
        ('method = "sum"\nweights = [1, 2]', "weights 只用于 average"),
        ("weights = [0, 0]", "不全为 0"),
        ('weights = [1, 2]\nperiods = ["一季度"]', "weights 有 2 个，periods 有 1 个"),
        ("span = 2", r"\[annual\] 中没有“span”这一项"),
    ],
)
def test_bad_annual_settings_are_refused(annual, message):
    with pytest.raises(SchemeError, match=message):
        scheme(head=f"[annual]\n{annual}")


def test_annual_settings_are_read():
    s = scheme(
        head='[annual]\nweights = [1, 1, 1, 2]\nperiods = ["一季度", "二季度", "三季度", "四季度"]'
    )
    assert s.annual.method == "average"
    assert s.annual.weights == (D(1), D(1), D(1), D(2))
    assert s.annual.periods[-1] == "四季度"


DEDUCTION = """
key = "t"
name = "测试"
[[categories]]
name = "扣分项"
extra = true
subtract = true
[[groups]]
key = "g"
name = "乡镇"
units = ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"]
[[groups.indicators]]
key = "a"
name = "目标甲"
max = 100
method = "ratio"
[[groups.indicators]]
key = "minus"
name = "安全生产事故"
unit = "起"
category = "扣分项"
max = 5
method = "{method}"
params = {{ {params} }}
"""


@pytest.mark.parametrize(
    "actual, note, total, explained",
    [
        pytest.param("2", "", "98.00", "2 起，每起 1 分", id="scored: one point off each"),
        pytest.param("0", "迟报材料", "95.00", "迟报材料：按扣满 5 分计", id="late deducts all"),
    ],
)
def test_a_late_deduction_deducts_in_full(actual, note, total, explained):
    from kaohe.dataset import Cell, Dataset
    from kaohe.engine import score
    from kaohe.numbers import NOT_APPLICABLE

    s = parse_scheme(DEDUCTION.format(method="items", params="per = 1"), source="t.toml")
    dataset = Dataset(s)
    group = s.groups[0]
    for u in group.units:
        dataset.put(group, u.name, "a", Cell(D(100), D(100), ""))
        figure = None if actual is None else D(actual)
        dataset.put(group, u.name, "minus", Cell(NOT_APPLICABLE, figure, note))
    result = score(s, dataset).groups[0].unit("甲镇")
    assert str(result.total) == total
    assert explained in result.indicator("minus").explain


def test_a_silent_deduction_is_refused_not_waived():
    from kaohe.dataset import Cell, Dataset
    from kaohe.engine import score
    from kaohe.errors import InputErrors

    s = parse_scheme(DEDUCTION.format(method="items", params="per = 1"), source="t.toml")
    dataset = Dataset(s)
    group = s.groups[0]
    for u in group.units:
        dataset.put(group, u.name, "a", Cell(D(100), D(100), ""))
        dataset.put(group, u.name, "minus", Cell(None, None, ""))
    with pytest.raises(InputErrors, match="安全生产事故.*实绩数为空"):
        score(s, dataset)


@pytest.mark.parametrize(
    "method, params",
    [("ratio", 'direction = "lower"'), ("deduct", "per = 1"), ("threshold", "")],
)
def test_a_deduction_category_takes_only_points_per_occurrence(method, params):
    with pytest.raises(SchemeError, match="须用 items 方法"):
        parse_scheme(DEDUCTION.format(method=method, params=params), source="t.toml")
