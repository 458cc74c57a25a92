"""The fast paths (float ranking, column-wide formatting, the split CSV reader, the column reader
in any row order, JSON rendered by two processes) must give exactly what the plain ones give."""

import csv
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe import engine, exporters
from kaohe.engine import score
from kaohe.exporters import JsonExporter
from kaohe.numbers import percent, percents, plain, plains, round_half_up, rounded
from kaohe.readers import read_files
from kaohe.readers.files import csv_rows

from .builders import synthetic_long_rows, write_long_csv
from .rules_helpers import one_indicator_scheme, run

CROSS = one_indicator_scheme()
SHARED = one_indicator_scheme(params='top = 5, step = 0.1, tie = "shared"')
DENSE = one_indicator_scheme(params='top = 5, step = 0.1, tie = "dense"')


def _reference_ranks(rows, first, second):
    """Competition ranks from exact fractions: larger first, then larger second; ties share."""
    keys = {u: (first(t, a), second(t, a) if second else 0) for u, (t, a) in rows.items()}
    return {u: 1 + sum(other > mine for other in keys.values()) for u, mine in keys.items()}


def _actual(t, a):
    return Fraction(a)


def _rate(t, a):
    return Fraction(a) / Fraction(t)


# Near-ties on purpose: equal rates written differently (1/3 and 2/6), rates a float cannot
# tell apart, equal actuals with different rates, and figures too large for floats.
tricky = st.sampled_from(
    [
        ("3", "1"),
        ("6", "2"),
        ("9", "3"),
        ("3", "2"),
        ("1", "0.6666666666666666666666666667"),
        ("1", "0.6666666666666666666666666666"),
        ("1", "0.33333333333333333"),
        ("1", "0.33333333333333334"),
        ("7", "7"),
        ("14", "14"),
        ("5", "7"),
        ("10", "7"),
        ("1E+200", "2E+200"),
        ("1", "0"),
        ("2", "0"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(tricky, min_size=1, max_size=30))
def test_float_ranking_with_exact_checks_equals_ranking_on_exact_values(pairs):
    rows = {f"单位{i}": pair for i, pair in enumerate(pairs)}
    group = run(CROSS, rows)
    col = group.columns[0]
    got_actual = {group.unit_names[i]: r for i, r in enumerate(col.rank_actual)}
    got_rate = {group.unit_names[i]: r for i, r in enumerate(col.rank_rate)}
    # The engine's rates are 28-digit Decimals; the reference uses those same values.
    exact_rate = {u: Decimal(a) / Decimal(t) for u, (t, a) in rows.items()}
    rate_of = {pair: Fraction(exact_rate[u]) for u, pair in rows.items()}
    assert got_actual == _reference_ranks(rows, _actual, lambda t, a: rate_of[(t, a)])
    assert got_rate == _reference_ranks(rows, lambda t, a: rate_of[(t, a)], _actual)


@pytest.mark.parametrize(
    ("scheme", "actuals", "expected"),
    [
        (SHARED, ["5", "5.0", "4", "5.00"], [1, 1, 4, 1]),
        (DENSE, ["5", "5.0", "4", "3"], [1, 1, 2, 3]),
        (CROSS, ["1E+300", "2E+300", "0", "2E+300"], [3, 1, 4, 1]),
    ],
)
def test_float_ranking_keeps_every_tie_policy(scheme, actuals, expected):
    rows = {f"单位{i}": ("1", a) for i, a in enumerate(actuals)}
    assert run(scheme, rows).columns[0].rank_actual == expected


def test_ranking_many_units_with_many_ties_matches_the_exact_reference():
    rnd = random.Random(5)
    rows = {f"单位{i}": (str(rnd.randint(1, 40)), str(rnd.randint(0, 60) / 4)) for i in range(3000)}
    group = run(CROSS, rows)
    col = group.columns[0]
    exact = {u: Fraction(Decimal(a) / Decimal(t)) for u, (t, a) in rows.items()}
    keys = {u: (Fraction(a), exact[u]) for u, (t, a) in rows.items()}
    want = {u: 1 + sum(o > k for o in keys.values()) for u, k in keys.items()}
    assert {group.unit_names[i]: r for i, r in enumerate(col.rank_actual)} == want


decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)


@settings(max_examples=200, deadline=None)
@given(st.lists(decimals, max_size=40))
def test_column_formatting_equals_formatting_one_by_one(values):
    assert plains(values) == [plain(v) for v in values]
    assert rounded(values, 2) == [round_half_up(v, 2) for v in values]
    assert percents(values) == [percent(v) for v in values]


@pytest.mark.parametrize(
    "text",
    [
        "单位,指标\n甲,1\n\n乙,2\n",
        "单位\t指标\r\n甲\t1\r\n",
        '单位,指标\n"甲,乙",1\n',
        "单位,指标\n甲,1\x0c2\n",
        "单位,指标\n甲,1",
    ],
)
def test_the_split_csv_reader_equals_the_csv_module(tmp_path, text):
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    delimiter = "\t" if "\t" in text else ","
    with open(path, newline="", encoding="utf-8") as fh:
        assert csv_rows(path) == list(csv.reader(fh, delimiter=delimiter))


def test_the_column_reader_reads_rows_in_any_order_and_split_across_files(tmp_path, daye):
    rows = list(synthetic_long_rows(daye, 300, 3))
    one = tmp_path / "one.csv"
    write_long_csv(one, rows)
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    # Units keep their first-appearance order, so the shuffled file lists them differently;
    # compare unit by unit.
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_long_csv(first, shuffled[: len(shuffled) // 2])
    write_long_csv(second, shuffled[len(shuffled) // 2 :])
    whole = score(daye, read_files([one], daye, units_from_data=True)).units
    parts = {
        u.unit: u
        for u in score(daye, read_files([first, second], daye, units_from_data=True)).units
    }
    assert [(u.unit, u.rank, u.raw) for u in whole] == [
        (u.unit, parts[u.unit].rank, parts[u.unit].raw) for u in whole
    ]


def test_a_blank_line_in_a_large_file_is_reported_as_by_the_row_reader(tmp_path, daye, monkeypatch):
    from kaohe.errors import InputErrors
    from kaohe.readers import bulk

    rows = list(synthetic_long_rows(daye, 300, 4))
    rows[40][2:] = ["", "", ""]
    path = tmp_path / "blank.csv"
    write_long_csv(path, rows)
    messages = []
    for min_rows in (bulk.MIN_ROWS, 10**9):
        monkeypatch.setattr(bulk, "MIN_ROWS", min_rows)
        with pytest.raises(InputErrors) as caught:
            score(daye, read_files([path], daye, units_from_data=True))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "单位2" in messages[0]


def test_json_rendered_by_two_processes_is_the_same_byte_for_byte(tmp_path, daye, monkeypatch):
    path = tmp_path / "big.csv"
    write_long_csv(path, synthetic_long_rows(daye, 400, 9))
    result = score(daye, read_files([path], daye, units_from_data=True))
    monkeypatch.setattr(exporters, "CHUNK_UNITS", 37)  # several chunks on both sides
    serial, parallel = tmp_path / "serial.json", tmp_path / "parallel.json"
    with open(serial, "wb") as fh:
        JsonExporter().write(result, fh)
    monkeypatch.setattr(exporters, "PARALLEL_MIN_ENTRIES", 1)
    with open(parallel, "wb") as fh:
        JsonExporter().write(result, fh, parallel=True)
    assert serial.read_bytes() == parallel.read_bytes()
    assert serial.read_bytes().count(b'"unit": ') == 400


def test_explanations_for_many_units_equal_explanations_one_by_one(daye):
    from .conftest import LONG_CSV

    result = score(daye, read_files([LONG_CSV], daye))
    for col in result.groups[0].columns:
        n = len(col.status)
        assert engine.explain_many(col, range(n)) == [engine.explain(col, i) for i in range(n)]
