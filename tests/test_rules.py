"""Each scoring method and policy as a small table of cases, asserted as exact Decimals."""

from decimal import Decimal

import pytest

from kaohe.methods import rank_order

from .rules_helpers import one_indicator_scheme, run

D = Decimal


@pytest.mark.parametrize(
    "values, seconds, dense, expected",
    [
        ([3, 2, 1], None, False, [1, 2, 3]),
        ([1, 3, 2], None, False, [3, 1, 2]),
        ([30, 20, 20, 10], None, False, [1, 2, 2, 4]),
        ([30, 20, 20, 10], None, True, [1, 2, 2, 3]),
        ([10, 10], [2, 1], False, [1, 2]),
        ([10, 10], [1, 2], False, [2, 1]),
        ([10, 10, 5], [1, 1, 9], False, [1, 1, 3]),
        (["248.04906", "248.049"], None, False, [1, 2]),
        (["0.1000000000000000000000000001", "0.1"], None, False, [1, 2]),
    ],
)
def test_rank_values_orders_largest_first_with_tie_breaks(values, seconds, dense, expected):
    vals = [D(str(v)) for v in values]
    secs = None if seconds is None else [D(str(v)) for v in seconds]
    assert rank_order(vals, secs, "higher", dense) == expected


RANK_CASES = [
    # rows {unit: (target, actual)}, expected {unit: (rank_actual, rank_rate, points)}
    pytest.param(
        {"甲": (10, 30), "乙": (10, 20), "丙": (10, 10)},
        {"甲": (1, 1, "10"), "乙": (2, 2, "9.8"), "丙": (3, 3, "9.6")},
        id="plain order",
    ),
    pytest.param(
        {"甲": (10, 20), "乙": (5, 10), "丙": (10, 5)},
        {"甲": (1, 1, "10"), "乙": (2, 2, "9.8"), "丙": (3, 3, "9.6")},
        id="equal completion rate goes to the larger actual",
    ),
    pytest.param(
        {"甲": (10, 10), "乙": (5, 10)},
        {"甲": (2, 2, "9.8"), "乙": (1, 1, "10")},
        id="equal actual goes to the larger completion rate",
    ),
    pytest.param(
        {"甲": (10, 30), "乙": (10, 20), "丙": (10, 20), "丁": (10, 10)},
        {"甲": (1, 1, "10"), "乙": (2, 2, "9.8"), "丙": (2, 2, "9.8"), "丁": (4, 4, "9.4")},
        id="equal on both share the better rank",
    ),
    pytest.param(
        {f"单位{i}": (10, 100 - i) for i in range(7)},
        {"单位6": (7, 7, "8.8")},
        id="five minus 0.1 times 6 is exactly 4.4",
    ),
    pytest.param(
        {"甲": ("/", "/"), "乙": (10, "未出"), "丙": (10, 5), "丁": (10, 8)},
        {
            "甲": (None, None, "10"),
            "乙": (None, None, "10"),
            "丙": (2, 2, "9.8"),
            "丁": (1, 1, "10"),
        },
        id="no task and declared pending are full points and out of the ranking",
    ),
    pytest.param(
        {"甲": (10, None), "乙": (10, None, "已报送"), "丙": (10, 5), "丁": (10, 8)},
        {
            "甲": (None, None, "0"),
            "乙": (None, None, "0"),
            "丙": (2, 2, "9.8"),
            "丁": (1, 1, "10"),
        },
        id="a blank actual without a declaration is 未报送, 0 points and out of the ranking",
    ),
    pytest.param(
        {"甲": (10, None, "一季度数据未出"), "丙": (10, 5)},
        {"甲": (None, None, "10"), "丙": (1, 1, "10")},
        id="a note with the scheme's pending words declares 数据未出",
    ),
    pytest.param(
        {"甲": (10, 50, "迟报材料"), "乙": (10, 5), "丙": (10, 8)},
        {"甲": (None, None, "0"), "乙": (2, 2, "9.8"), "丙": (1, 1, "10")},
        id="late material is zero and out of the ranking",
    ),
    pytest.param(
        {"甲": (0, 5), "乙": (10, 5)},
        {"甲": (None, None, "10"), "乙": (1, 1, "10")},
        id="a zero target counts as no task",
    ),
]


@pytest.mark.parametrize("rows, expected", RANK_CASES)
def test_rank_method_gives_points_by_rank_on_actual_and_rate(rows, expected):
    result = run(one_indicator_scheme(), rows)
    for unit, (rank_actual, rank_rate, points) in expected.items():
        s = result.unit(unit).indicators[0]
        assert (s.rank_actual, s.rank_rate, s.points) == (rank_actual, rank_rate, D(points)), (
            s.explain
        )
        assert str(s.points) == points or s.points == D(points)


def test_rank_points_are_floored_at_zero():
    scheme = one_indicator_scheme(max_points="1", params="top = 0.5, step = 0.1")
    result = run(scheme, {f"单位{i}": (10, 100 - i) for i in range(8)})
    last = result.unit("单位7").indicators[0]
    assert (last.rank_actual, last.points) == (8, D(0))
    assert result.unit("单位5").indicators[0].points == D(0)
    assert result.unit("单位4").indicators[0].points == D("0.2")


def test_the_four_point_four_is_not_a_float():
    scheme = one_indicator_scheme(max_points="5", params='top = 5, step = 0.1, parts = ["actual"]')
    result = run(scheme, {f"单位{i}": (10, 100 - i) for i in range(7)})
    assert str(result.unit("单位6").indicators[0].points) == "4.4"


@pytest.mark.parametrize(
    "tie, actuals, expected",
    [
        ("cross", [20, 20, 10], [2, 1, 3]),  # the larger rate (20/5) wins the actual tie
        ("shared", [20, 20, 10], [1, 1, 3]),
        ("dense", [20, 20, 10], [1, 1, 2]),
    ],
)
def test_tie_policy_is_a_scheme_parameter(tie, actuals, expected):
    scheme = one_indicator_scheme(params=f'top = 5, step = 0.1, tie = "{tie}"')
    targets = [10, 5, 10]
    rows = {f"单位{i}": (t, a) for i, (t, a) in enumerate(zip(targets, actuals, strict=True))}
    result = run(scheme, rows)
    ranks = [result.unit(f"单位{i}").indicators[0].rank_actual for i in range(3)]
    assert ranks == expected


@pytest.mark.parametrize(
    "target, actual, note, points, status",
    [
        (10, 5, "", D("2.5"), "scored"),
        ("4.25", 4, "", D(20) / D("4.25"), "scored"),
        (3, 7, "", D(5), "scored"),
        (1, 0, "", D(0), "scored"),
        ("/", "/", "", D(5), "no_task"),
        ("/", None, "", D(5), "no_task"),
        (10, "未出", "", D(5), "pending"),
        (10, None, "数据未出", D(5), "pending"),
        (10, None, "", D(0), "missing"),
        (10, None, "已报送", D(0), "missing"),
        (11, 16, "迟报材料", D(0), "late"),
        (0, 3, "", D(5), "no_task"),
    ],
)
def test_ratio_method_gives_max_times_completion_capped_at_one(
    target, actual, note, points, status
):
    result = run(one_indicator_scheme("ratio", "5", ""), {"甲": (target, actual, note)})
    s = result.unit("甲").indicators[0]
    assert (s.points, s.status) == (points, status)
    assert s.rank_actual is None and s.rank_rate is None


@pytest.mark.parametrize("target, actual, points", [(10, 10, 5), (10, 11, 5), (10, "9.99", 0)])
def test_threshold_method_is_all_or_nothing(target, actual, points):
    result = run(one_indicator_scheme("threshold", "5", ""), {"甲": (target, actual)})
    assert result.unit("甲").indicators[0].points == D(points)


def test_total_is_rounded_half_up_not_to_even():
    # raw 0.01 of 200 points is 0.005 on the 100 scale
    scheme = one_indicator_scheme("ratio", "200", "")
    result = run(scheme, {"甲": (20000, 1)})
    assert result.unit("甲").raw == D("0.01")
    assert result.unit("甲").total == D("0.01")


def test_equal_totals_share_a_rank():
    scheme = one_indicator_scheme("ratio", "5", "")
    result = run(scheme, {"甲": (10, 10), "乙": (10, 20), "丙": (10, 5)})
    assert [(u.unit, u.rank) for u in result.units] == [("甲", 1), ("乙", 1), ("丙", 3)]


@pytest.mark.parametrize(
    "rows, unit, fragment",
    [
        (
            {"甲": (10, 30), "乙": (10, 20)},
            "乙",
            "实绩数 20 家，排第 2 名，得 4.9 分；完成率 200.00%，排第 2 名，得 4.9 分",
        ),
        ({"甲": ("/", "/")}, "甲", "未下达任务"),
        ({"甲": (10, "未出")}, "甲", "数据未出，完成任务数暂取目标任务数 10 家"),
        ({"甲": (10, None)}, "甲", "未报送实绩数，得 0 分"),
        ({"甲": (10, 1, "迟报材料")}, "甲", "迟报材料：完成任务数记为 0，得 0 分"),
    ],
)
def test_every_score_explains_itself_in_chinese(rows, unit, fragment):
    result = run(one_indicator_scheme(), rows)
    assert fragment in result.unit(unit).indicators[0].explain


@pytest.mark.parametrize(
    "target, actual, fragment",
    [
        ("4.25", 4, "完成率 94.12%，得 5 × 4 ÷ 4.25 ≈ 4.71 分"),
        (10, 5, "完成率 50.00%，得 5 × 5 ÷ 10 = 2.5 分"),
        (3, 7, "超过 100% 按 100% 计，得满分 5 分"),
    ],
)
def test_ratio_explanations_show_the_arithmetic(target, actual, fragment):
    result = run(one_indicator_scheme("ratio", "5", ""), {"甲": (target, actual)})
    assert fragment in result.unit("甲").indicators[0].explain


@pytest.mark.parametrize(
    ("params", "actuals", "expected"),
    [
        ('top = 5, step = 0.1, tie = "shared"', ["5", "5.0", "4", "5.00"], [1, 1, 4, 1]),
        ('top = 5, step = 0.1, tie = "dense"', ["5", "5.0", "4", "3"], [1, 1, 2, 3]),
        ('top = 5, step = 0.1, tie = "cross"', ["1E+300", "2E+300", "0", "2E+300"], [3, 1, 4, 1]),
    ],
)
def test_every_tie_policy_ranks_equal_values_alike_at_any_size(params, actuals, expected):
    rows = {f"单位{i}": ("1", a) for i, a in enumerate(actuals)}
    assert run(one_indicator_scheme(params=params), rows).columns[0].rank_actual == expected


@pytest.mark.parametrize(
    "maxes, figures, total",
    [
        # 7×4/13 + 15×9/13 + 10×11/13 = 21 exactly, ÷ 32 × 100 = 65.625: the points rounded to
        # 28 digits first add up to 20.99999999999999999999999999 and printed 65.62
        ((7, 15, 10), ((13, 4), (13, 9), (13, 11)), "65.63"),
        # 10 × 1/3 twice + 80 × 39101/48000 = 43101/600 = 71.835 exactly
        ((10, 10, 80), ((3, 1), (3, 1), (48000, 39101)), "71.84"),
    ],
)
def test_the_total_comes_from_exact_points_so_an_exact_half_rounds_up(maxes, figures, total):
    from decimal import Decimal as D

    from kaohe.dataset import Cell, Dataset
    from kaohe.engine import score
    from kaohe.scheme import parse_scheme

    indicators = "".join(
        f"""
[[groups.indicators]]
key = "i{n}"
name = "指标{n}"
max = {m}
method = "ratio"
"""
        for n, m in enumerate(maxes)
    )
    scheme = parse_scheme(
        f"""
key = "t"
name = "测试方案"
[[groups]]
key = "g"
name = "乡镇"
units = []
{indicators}""",
        source="test",
    )
    dataset = Dataset(scheme, units_from_data=True)
    group = scheme.groups[0]
    for n, (t, a) in enumerate(figures):
        dataset.put(group, "甲", f"i{n}", Cell(D(t), D(a), ""))
    assert str(score(scheme, dataset).groups[0].units[0].total) == total


@pytest.mark.parametrize(
    "value, places, expected",
    [("71.835", 2, "71.84"), ("71.8349999", 2, "71.83"), ("0.005", 2, "0.01"), ("2.5", 0, "3")],
)
def test_exact_fractions_round_half_up(value, places, expected):
    from fractions import Fraction

    from kaohe.numbers import fraction_half_up

    assert str(fraction_half_up(Fraction(value), places)) == expected
