"""Properties of the engine that must hold for any data, checked with hypothesis."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from .rules_helpers import one_indicator_scheme, run

figures = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
targets = st.one_of(st.just("/"), st.decimals(min_value="0.001", max_value=10**6, places=3))
actuals = st.one_of(st.none(), figures)
notes = st.sampled_from(["", "", "", "迟报材料"])
rows_strategy = st.lists(st.tuples(targets, actuals, notes), min_size=1, max_size=25)

RANK = one_indicator_scheme()
RATIO = one_indicator_scheme("ratio", "5", "")
SHARED = one_indicator_scheme(params='top = 5, step = 0.1, tie = "shared"')


def _rows(data):
    return {f"单位{i}": row for i, row in enumerate(data)}


def _snapshot(result):
    return {
        u.unit: (
            u.rank,
            u.total,
            u.raw,
            [(s.points, s.rank_actual, s.rank_rate) for s in u.indicators],
        )
        for u in result.units
    }


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.randoms())
def test_input_order_changes_nothing(data, rnd):
    for scheme in (RANK, RATIO, SHARED):
        rows = _rows(data)
        shuffled = list(rows.items())
        rnd.shuffle(shuffled)
        assert _snapshot(run(scheme, rows)) == _snapshot(run(scheme, dict(shuffled)))


@settings(max_examples=150, deadline=None)
@given(rows_strategy)
def test_points_stay_within_zero_and_max(data):
    for scheme in (RANK, RATIO, SHARED):
        for unit in run(scheme, _rows(data)).units:
            for s in unit.indicators:
                assert Decimal(0) <= s.points <= s.max
            assert Decimal(0) <= unit.total <= Decimal(100)


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.integers(min_value=0, max_value=24), figures)
def test_a_larger_actual_never_lowers_rank_method_points(data, index, extra):
    rows = _rows(data)
    unit = f"单位{index % len(data)}"
    target, actual, note = rows[unit]
    if target == "/" or actual is None or note:
        return
    for scheme in (RANK, SHARED):
        before = run(scheme, rows).unit(unit).indicators[0].points
        bigger = dict(rows)
        bigger[unit] = (target, actual + extra, note)
        after = run(scheme, bigger).unit(unit).indicators[0].points
        assert after >= before
