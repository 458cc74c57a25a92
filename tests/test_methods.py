"""Each scoring method as a table of cases (exact Decimals and the explanation's arithmetic),
then properties every method keeps: a better figure never lowers points, points stay within
bounds, and the order of the units changes nothing."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.methods import METHODS, Figure, rank_order, score_figures, to_decimal
from kaohe.scheme import _check_params

D = Decimal


def as_toml(value):
    """Numbers as a TOML file read with parse_float=Decimal gives them."""
    if isinstance(value, float):
        return D(str(value))
    if isinstance(value, dict):
        return {k: as_toml(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_toml(v) for v in value]
    return value


def params(method, raw=None, max_points="10"):
    """Parameters as the scheme file gives them, through the scheme's checks."""
    return _check_params(method, as_toml(dict(raw or {})), D(max_points), "测试")


def fig(target, actual):
    t = None if target is None else D(str(target))
    a = actual if isinstance(actual, dict) else D(str(actual))
    return Figure(t, a)


def run(method, raw, max_points, rows):
    marks = score_figures(method, params(method, raw, max_points), D(max_points), rows)
    return marks


def check(method, raw, max_points, rows, expected, fragments=()):
    marks = run(method, raw, max_points, [fig(*r) for r in rows])
    assert [m.points for m in marks] == [D(e) if isinstance(e, str) else e for e in expected]
    for pos, fragment in fragments:
        assert fragment in marks[pos].text, marks[pos].text


# --- ratio ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {},
            [("4.25", 4), (3, 7), (5, 5)],
            [D(5) * 4 / D("4.25"), "5", "5"],
            [
                (0, "任务数 4.25，实绩数 4，完成率 94.12%，得 5 × 4 ÷ 4.25 ≈ 4.71 分"),
                (1, "超过 100% 按 100% 计，得满分 5 分"),
            ],
            id="proportional below the target, full at or above it",
        ),
        pytest.param(
            {}, [(None, 3), (0, 3)], ["5", "5"], [(0, "未下达任务")], id="no task is full points"
        ),
        pytest.param(
            {"direction": "lower"},
            [(100, 125), (100, 80)],
            ["4", "5"],
            [(0, "（越低越好）"), (0, "5 × 100 ÷ 125 = 4 分"), (1, "不高于任务数，得满分 5 分")],
            id="lower is better: target over actual",
        ),
        pytest.param(
            {"over": {"per": 0.1, "points": 1, "cap": 4}},
            [(100, 125), (100, 190), (100, 100)],
            ["7.5", "9", "5"],
            [(0, "超出任务 25.00%，每超出 10% 加 1 分，加 2.5 分（至多 4 分），共得 7.5 分")],
            id="excess rewarded in proportion up to the cap",
        ),
        pytest.param(
            {"over": {"per": 0.1, "points": 1, "cap": 4, "whole": True}},
            [(100, 125), (100, 129.99), (100, 130)],
            ["7", "7", "8"],
            [(0, "（满一档计）")],
            id="whole steps of excess only",
        ),
        pytest.param(
            {"direction": "lower", "over": {"per": 0.1, "points": 1, "cap": 4}},
            [(100, 75), (100, 0)],
            ["7.5", "9"],
            [(0, "低于任务 25.00%")],
            id="lower: the saving under the target is the excess",
        ),
    ],
)
def test_ratio(raw, rows, expected, fragments):
    check("ratio", raw, "5", rows, expected, fragments)


# --- threshold ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, rows, expected",
    [
        ({}, [(10, 10), (10, "9.99"), (10, 11)], ["5", "0", "5"]),
        ({"direction": "lower"}, [(0, 0), (0, 1), (3, 2)], ["5", "0", "5"]),
        ({}, [(None, 0)], ["5"]),
    ],
    ids=["met at the target exactly", "lower: at most the target", "no task"],
)
def test_threshold(raw, rows, expected):
    check("threshold", raw, "5", rows, expected)


# --- rank -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, seconds, direction, dense, expected",
    [
        ([3, 2, 1], None, "higher", False, [1, 2, 3]),
        ([3, 2, 1], None, "lower", False, [3, 2, 1]),
        ([30, 20, 20, 10], None, "higher", False, [1, 2, 2, 4]),
        ([30, 20, 20, 10], None, "higher", True, [1, 2, 2, 3]),
        ([10, 10], [1, 2], "higher", False, [2, 1]),
        ([10, 10], [1, 2], "lower", False, [1, 2]),
    ],
)
def test_rank_order(values, seconds, direction, dense, expected):
    assert (
        rank_order([D(v) for v in values], seconds and [D(v) for v in seconds], direction, dense)
        == expected
    )


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {"top": 5, "step": 0.1},
            [(10, 30), (10, 20), (5, 10)],
            ["10", "9.8", "9.6"],
            [
                (
                    1,
                    "实绩数 20，排第 2 名，得 4.9 分；完成率 200.00%，排第 2 名，得 4.9 分；合计 9.8 分",
                )
            ],
            id="equal rates go to the larger actual (cross)",
        ),
        pytest.param(
            {"top": 5, "step": 0.1, "direction": "lower"},
            [(10, 30), (10, 20), (5, 10)],
            ["9.6", "9.8", "10"],
            [(0, "越低越好")],
            id="lower: smallest first, ties on rate to the smaller actual",
        ),
        pytest.param(
            {"top": 5, "step": 0.1, "tie": "shared"},
            [(10, 20), (5, 10), (10, 5)],
            ["10", "9.9", "9.6"],
            [],
            id="shared ties keep the tie on rate",
        ),
        pytest.param(
            {"top": 10, "step": 4, "parts": ["actual"]},
            [(1, 3), (1, 2), (1, 1), (None, 0)],
            ["10", "6", "2", "10"],
            [(3, "未下达任务")],
            id="one part, never below zero, no task out of the ranking",
        ),
        pytest.param(
            {"top": 10, "step": 6, "parts": ["actual"]},
            [(1, 3), (1, 2), (1, 1)],
            ["10", "4", "0"],
            [],
            id="points stop at zero",
        ),
    ],
)
def test_rank(raw, rows, expected, fragments):
    check("rank", raw, "10", rows, expected, fragments)


# --- efficacy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {"on": "rate"},
            [(10, 12), (10, 8), (10, 15)],
            [D(10) * (60 + D(40) * 4 / 7) / 100, "6", "10"],
            [(0, "功效系数 60 + 40 × (120.00% − 80.00%) ÷ (150.00% − 80.00%) ≈ 82.86")],
            id="best and worst from the group",
        ),
        pytest.param(
            {"direction": "lower"},
            [(None, 2), (None, 4), (None, 3)],
            ["10", "6", "8"],
            [(2, "（越低越好）")],
            id="lower: the smallest is the best",
        ),
        pytest.param(
            {"best": 100, "worst": 50},
            [(None, 75), (None, 120), (None, 10)],
            ["8", "10", "6"],
            [(1, "超出范围按 100 计"), (2, "超出范围按 60 计")],
            id="fixed best and worst, figures beyond them kept in range",
        ),
        pytest.param(
            {"base": 0, "span": 100},
            [(None, 5), (None, 5)],
            ["10", "10"],
            [(0, "最优等于最差")],
            id="all equal: every unit at the best",
        ),
        pytest.param(
            {"on": "rate"},
            [(None, 5), (10, 5), (10, 10)],
            ["10", "6", "10"],
            [(0, "未下达任务")],
            id="no task on rates is left out of best and worst",
        ),
    ],
)
def test_efficacy(raw, rows, expected, fragments):
    check("efficacy", raw, "10", rows, expected, fragments)


# --- average ----------------------------------------------------------------------

WUJIN = {"base": 8, "step": 0.05, "points": 0.5}  # 武进 2011: ±0.5 per ±5% around the average


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            WUJIN,
            [(10, 11), (10, 10), (10, 9)],
            ["9", "8", "7"],
            [
                (
                    0,
                    "组内平均 100.00%，高于平均 10 个百分点，每 5 个百分点 ±0.5 分，得 8 + 0.5 × 10 ÷ 5 = 9 分",
                )
            ],
            id="plus and minus around the group average of rates",
        ),
        pytest.param(
            {**WUJIN, "cap": 8.6, "floor": 7.6},
            [(10, 14), (10, 10), (10, 6)],
            ["8.6", "8", "7.6"],
            [(0, "不超过 8.6 分"), (2, "不低于 7.6 分")],
            id="floor and cap",
        ),
        pytest.param(
            {**WUJIN, "whole": True},
            [(10, "10.99"), (10, 10), (10, "9.01")],
            ["8.5", "8", "7.5"],
            [(0, "满 5 个百分点计一档")],
            id="whole steps, each side of the average",
        ),
        pytest.param(
            {**WUJIN, "on": "actual", "step": 10, "direction": "lower"},
            [(None, 40), (None, 60)],
            ["8.5", "7.5"],
            [],
            id="lower actual below the average gains",
        ),
        pytest.param(
            {**WUJIN, "on": "actual", "relative": True},
            [(None, 55), (None, 45)],
            ["9", "7"],
            [(0, "高于平均 10%")],
            id="relative: steps are shares of the average",
        ),
    ],
)
def test_average(raw, rows, expected, fragments):
    check("average", raw, "10", rows, expected, fragments)


# --- bands ---------------------------------------------------------------------------

BANDS = [{"at": 1, "points": 10}, {"at": 0.9, "points": 8}, {"at": 0.8, "points": 6}]


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {"bands": BANDS},
            [(10, 11), (10, 10), (10, "9.5"), (10, 9), (10, "8.99"), (10, 7)],
            ["10", "10", "8", "8", "6", "0"],
            [(3, "达到 90.00% 档，得 8 分"), (5, "未达到最低档 80.00%，得 0 分")],
            id="steps; a figure on an edge takes that band",
        ),
        pytest.param(
            {"bands": BANDS, "interpolate": True},
            [(10, "9.5"), (10, 9), (10, "8.5"), (10, 7), (10, 12)],
            ["9", "8", "7", "0", "10"],
            [
                (
                    0,
                    "在 90.00%～100.00% 档间按比例计，得 8 + (10 − 8) × (95.00% − 90.00%) ÷ (100.00% − 90.00%) = 9 分",
                )
            ],
            id="interpolated between edges, flat above the top and below the bottom",
        ),
        pytest.param(
            {"bands": BANDS, "below": 2},
            [(10, 1)],
            ["2"],
            [],
            id="points below the lowest band",
        ),
        pytest.param(
            {
                "on": "actual",
                "direction": "lower",
                "bands": [{"at": 0, "points": 10}, {"at": 2, "points": 5}],
                "interpolate": True,
            },
            [(None, 0), (None, 1), (None, 2), (None, 3)],
            ["10", "7.5", "5", "0"],
            [],
            id="lower: bands from the smallest up",
        ),
        pytest.param(
            {"bands": BANDS},
            [(None, 1)],
            ["10"],
            [(0, "未下达任务")],
            id="no task on rates",
        ),
    ],
)
def test_bands(raw, rows, expected, fragments):
    check("bands", raw, "10", rows, expected, fragments)


# --- items and deduct -----------------------------------------------------------------

TIERS = [
    {"key": "national", "name": "国家级", "points": 7},
    {"key": "province", "name": "省级", "points": 5},
    {"key": "city", "name": "市级", "points": 3},
]


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {"per": 2},
            [(None, 0), (None, 3), (None, 4)],
            ["0", "6", "6"],
            [(1, "3 项，每项 2 分，计 2 × 3 = 6 分，得 6 分"), (2, "上限 6 分")],
            id="per item, capped at the full points",
        ),
        pytest.param(
            {"per": 1.5, "cap": 4},
            [(None, 3)],
            ["4"],
            [],
            id="per item with a lower cap",
        ),
        pytest.param(
            {"tiers": TIERS},
            [(None, {"province": D(2), "city": D(1)}), (None, {"national": D(1)}), (None, {})],
            ["5", "6", "0"],
            [(0, "只计最高一档：省级 5 分"), (1, "上限 6 分")],
            id="highest tier only",
        ),
        pytest.param(
            {"tiers": TIERS, "take": "sum", "cap": 6},
            [(None, {"city": D(1)}), (None, {"city": D(1), "province": D(1)})],
            ["3", "6"],
            [(1, "5 × 1 + 3 × 1 = 8 分，上限 6 分")],
            id="tiers summed, capped",
        ),
    ],
)
def test_items(raw, rows, expected, fragments):
    check("items", raw, "6", rows, expected, fragments)


@pytest.mark.parametrize(
    "raw, rows, expected, fragments",
    [
        pytest.param(
            {"per": 2},
            [(None, 0), (None, 1), (None, 3)],
            ["5", "3", "0"],
            [(1, "发生 1 次，每次扣 2 分，得 5 − 2 × 1 = 3 分"), (2, "最低 0 分")],
            id="from the full points, floored at zero",
        ),
        pytest.param(
            {"per": 0.5, "start": 4, "floor": 2},
            [(None, 1), (None, 10)],
            ["3.5", "2"],
            [],
            id="own start and floor",
        ),
    ],
)
def test_deduct(raw, rows, expected, fragments):
    check("deduct", raw, "5", rows, expected, fragments)


# --- exactness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [("1/4", "0.25"), ("7/8", "0.875"), ("3", "3"), ("1/3", str(D(1) / D(3)))],
)
def test_fractions_become_exact_decimals_when_they_can(value, expected):
    from fractions import Fraction

    assert to_decimal(Fraction(value)) == D(expected)
    assert str(to_decimal(Fraction(value))) == expected


# --- properties --------------------------------------------------------------------------

figures = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)
targets = st.decimals(min_value="0.5", max_value=1000, places=2, allow_nan=False)

CASES = {
    "ratio": [{}, {"direction": "lower"}, {"over": {"per": 0.1, "points": 1, "cap": 4}}],
    "threshold": [{}, {"direction": "lower"}],
    "rank": [{"top": 5, "step": 1}, {"top": 5, "step": 0.5, "direction": "lower", "tie": "dense"}],
    "efficacy": [{}, {"on": "rate", "direction": "lower"}, {"best": 500, "worst": 100}],
    "average": [
        {"base": 6, "step": 0.1, "points": 1},
        {"base": 6, "step": 50, "points": 1, "on": "actual", "direction": "lower", "whole": True},
    ],
    "bands": [{"bands": BANDS}, {"bands": BANDS, "interpolate": True, "below": 1}],
    "items": [{"per": 2}, {"tiers": TIERS, "take": "sum"}],
    "deduct": [{"per": 3, "floor": 1}],
}
ALL = [(m, raw) for m, options in CASES.items() for raw in options]


def _bounds(method, raw, max_points):
    high = max_points + (D(raw["over"]["cap"]) if "over" in raw else 0)
    low = D(str(raw.get("floor", 0))) if method == "deduct" else D(0)
    return low, high


def _figure(method, raw, t, a):
    if method == "items" and "tiers" in raw:
        return Figure(None, {"city": a})
    return Figure(t, a)


def _better(method, raw, value, more):
    """A better figure: more of it, unless lower is better (or it is an occurrence count)."""
    lower = raw.get("direction") == "lower" or method == "deduct"
    return value - more if lower else value + more


def test_every_method_has_property_cases():
    assert set(CASES) == set(METHODS)


@pytest.mark.parametrize("method, raw", ALL)
@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(targets, figures), min_size=2, max_size=6),
    more=figures,
    pick=st.integers(0, 5),
)
def test_a_better_figure_never_lowers_points(method, raw, rows, more, pick):
    pick %= len(rows)
    t, a = rows[pick]
    better = _better(method, raw, a, more)
    if better < 0:
        return
    before = run(method, raw, "10", [_figure(method, raw, *r) for r in rows])
    after_rows = list(rows)
    after_rows[pick] = (t, better)
    after = run(method, raw, "10", [_figure(method, raw, *r) for r in after_rows])
    # For group-relative methods the others' points may change; the unit's own cannot fall.
    assert after[pick].points >= before[pick].points, (before[pick].text, after[pick].text)


@pytest.mark.parametrize("method, raw", ALL)
@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(targets, figures), min_size=1, max_size=8))
def test_points_stay_within_bounds(method, raw, rows):
    low, high = _bounds(method, raw, D(10))
    for mark in run(method, raw, "10", [_figure(method, raw, *r) for r in rows]):
        assert low <= mark.points <= high, mark.text


@pytest.mark.parametrize("method, raw", ALL)
@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(targets, figures), min_size=1, max_size=8), data=st.data())
def test_input_order_changes_nothing(method, raw, rows, data):
    shuffled = data.draw(st.permutations(range(len(rows))))
    marks = run(method, raw, "10", [_figure(method, raw, *r) for r in rows])
    again = run(method, raw, "10", [_figure(method, raw, *rows[i]) for i in shuffled])
    assert [again[p] for p in range(len(rows))] == [marks[i] for i in shuffled]


# --- parameter checks (what check-scheme reports) ------------------------------------------


@pytest.mark.parametrize(
    "method, raw, message",
    [
        ("ratio", {"direction": "down"}, "direction“down”未知，可选：higher、lower"),
        ("ratio", {"over": {"per": 0.1, "points": 1}}, "over缺少“cap”"),
        ("ratio", {"over": {"per": 0, "points": 1, "cap": 1}}, "over.per 须大于 0"),
        ("ratio", {"over": {"per": 0.1, "points": 1, "cap": 1, "max": 3}}, "over 不认识“max”"),
        ("threshold", {"top": 1}, "计分方法 threshold 不接受参数“top”，可用：direction"),
        ("rank", {"top": 5, "step": 0.1, "direction": "up"}, "direction“up”未知"),
        ("efficacy", {"best": 10}, "best 与 worst 须同时给出"),
        ("efficacy", {"best": 10, "worst": 20}, "best 10 须大于 worst 20"),
        ("efficacy", {"best": 10, "worst": 5, "direction": "lower"}, "best 10 须小于 worst 5"),
        ("efficacy", {"on": "share"}, "on“share”未知，可选：actual、rate"),
        ("average", {"step": 0.05, "points": 0.5}, "缺少“base”"),
        ("average", {"base": 12, "step": 0.05, "points": 0.5}, "须 floor 0 ≤ base 12 ≤ cap 10"),
        (
            "average",
            {"base": 8, "step": 0.05, "points": 0.5, "cap": 12},
            "cap 12 超过了指标满分 10",
        ),
        ("bands", {}, "bands 须列出各档"),
        ("bands", {"bands": [{"at": 0.8, "points": 6}, {"at": 1, "points": 10}]}, "须从高到低排列"),
        (
            "bands",
            {"bands": [{"at": 2, "points": 10}, {"at": 1, "points": 6}], "direction": "lower"},
            "须从低到高（越低越好）排列",
        ),
        (
            "bands",
            {"bands": [{"at": 1, "points": 6}, {"at": 0.8, "points": 8}]},
            "得分须随档次降低而不增",
        ),
        ("bands", {"bands": [{"at": 1, "points": 12}]}, "points 12 超过了指标满分 10"),
        (
            "bands",
            {"bands": [{"at": 1, "points": 6}], "below": 7},
            "below 7 不能高于最低一档的得分",
        ),
        ("bands", {"bands": [{"at": 1, "points": 6}], "interpolate": "yes"}, "应为 true 或 false"),
        ("items", {}, "须给出 per（每项得分）或 tiers（分档得分）之一"),
        ("items", {"per": 1, "tiers": TIERS}, "之一"),
        ("items", {"per": 1, "take": "sum"}, "take 只用于分档 tiers"),
        ("items", {"tiers": [TIERS[2], TIERS[0]]}, "tiers 须从高到低排列"),
        ("items", {"tiers": TIERS, "take": "all"}, "take“all”未知，可选：highest、sum"),
        ("items", {"per": 1, "cap": 11}, "cap 11 超过了指标满分 10"),
        ("deduct", {}, "缺少“per”"),
        ("deduct", {"per": 1, "start": 3, "floor": 4}, "floor 4 不能高于起始分 start 3"),
        ("deduct", {"per": 1, "start": 11}, "start 11 超过了指标满分 10"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(method, raw, message):
    from kaohe.errors import SchemeError

    with pytest.raises(SchemeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        params(method, raw)


def test_rates_that_round_alike_are_still_ranked_exactly():
    third = Figure(D(3), D(1))  # 1 ÷ 3 rounds to 0.3333333333333333333333333333
    close = Figure(D(1), D("0.3333333333333333333333333333"))  # that Decimal exactly
    same = Figure(D(6), D(2))  # 2 ÷ 6 is 1 ÷ 3 exactly
    marks = run(
        "rank", {"top": 5, "step": 1, "parts": ["rate"], "tie": "shared"}, "5", [close, third, same]
    )
    assert [m.ranks for m in marks] == [(3,), (1,), (1,)]
