"""`kaohe score --format json` on a large plain long CSV runs in two processes (kaohe.parallel).
Its output must be the one-process output byte for byte, and anything unusual must fall back
to the usual reader before anything is written."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaohe import parallel
from kaohe.cli import main
from kaohe.engine import score
from kaohe.exporters import JsonExporter
from kaohe.readers import read_files

from .builders import synthetic_long_rows, write_long_csv
from .conftest import LONG_CSV
from .rules_helpers import one_indicator_scheme


@pytest.fixture
def any_size(monkeypatch):
    """Let small files take the two-process path, in several chunks."""
    monkeypatch.setattr(parallel, "MIN_LINES", 0)
    monkeypatch.setattr(parallel, "CHUNK_UNITS", 7)


def _rows(scheme, units: int, seed: int):
    return synthetic_long_rows(scheme, units, seed, ties=0.2)


def _one_process(path, scheme, units_from_data=True) -> bytes:
    result = score(scheme, read_files([path], scheme, units_from_data=units_from_data))
    out = io.BytesIO()
    JsonExporter().write(result, out)
    return out.getvalue()


def _two_processes(path, scheme, units_from_data=True) -> bytes | None:
    writer = parallel.prepare_json(path, scheme, units_from_data)
    if writer is None:
        return None
    out = io.BytesIO()
    writer(out)
    return out.getvalue()


def test_two_processes_write_the_same_json_byte_for_byte(tmp_path, daye, any_size):
    path = write_long_csv(tmp_path / "big.csv", _rows(daye, 150, 1))
    two = _two_processes(path, daye)
    assert two is not None
    assert two == _one_process(path, daye)
    assert two.count(b'"unit": ') == 150


def test_the_seed_scored_in_two_processes_matches_the_bulletin_run(daye, any_size):
    two = _two_processes(LONG_CSV, daye, units_from_data=False)
    assert two is not None
    assert two == _one_process(LONG_CSV, daye, units_from_data=False)
    assert (
        b'"unit": "\xe5\xa4\xa7\xe5\x86\xb6\xe6\xb9\x96\xe9\xab\x98\xe6\x96\xb0\xe5\x8c\xba", "rank": 1'
        in two
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(units=st.integers(2, 40), seed=st.integers(0, 10**6))
def test_any_plain_file_gives_the_one_process_output(tmp_path, daye, any_size, units, seed):
    path = write_long_csv(tmp_path / f"h{seed}.csv", _rows(daye, units, seed))
    assert _two_processes(path, daye) == _one_process(path, daye)


def _variants(scheme):
    base = list(_rows(scheme, 30, 5))
    m = len(scheme.groups[0].indicators)

    def swap_units(rows):  # one indicator lists the units in another order
        rows[3], rows[3 + m] = rows[3 + m], rows[3]
        return rows

    def set_cell(r, c, value):
        def change(rows):
            rows[r][c] = value
            return rows

        return change

    def drop(r):
        def change(rows):
            del rows[r]
            return rows

        return change

    def extra_field(rows):
        rows[20].append("多余")
        return rows

    def same_unit_twice(rows):
        for row in rows[m : 2 * m]:
            row[0] = "单位0"
        return rows

    return {
        "units in another order": swap_units,
        "text in a number cell": set_cell(17, 3, "十二"),
        "a negative figure": set_cell(17, 3, "-1"),
        "a blank target with an actual": set_cell(17, 2, ""),
        "a blank line": lambda rows: _blank(rows, 17),
        "an unknown indicator": set_cell(m + 2, 1, "不存在的指标"),
        "a total row": set_cell(5 * m, 0, "合计"),
        "a missing line": drop(40),
        "a line with an extra field": extra_field,
        "a unit given twice": same_unit_twice,
    }, base


def _blank(rows, r):
    rows[r][2:] = ["", "", ""]
    return rows


@pytest.mark.parametrize(
    "case",
    [
        "units in another order",
        "text in a number cell",
        "a negative figure",
        "a blank target with an actual",
        "a blank line",
        "an unknown indicator",
        "a total row",
        "a missing line",
        "a line with an extra field",
        "a unit given twice",
    ],
)
def test_an_unusual_file_falls_back_to_the_usual_reader(tmp_path, daye, any_size, case):
    variants, base = _variants(daye)
    path = write_long_csv(tmp_path / "odd.csv", variants[case]([list(r) for r in base]))
    assert _two_processes(path, daye) is None


def test_a_fault_in_the_childs_half_alone_falls_back(tmp_path, daye, any_size):
    rows = [list(r) for r in _rows(daye, 30, 6)]
    last = daye.groups[0].indicators[-1].name
    bad = next(r for r in rows if r[1] == last)
    bad[3] = "abc"  # the last indicator is read by the child
    path = write_long_csv(tmp_path / "child.csv", rows)
    assert _two_processes(path, daye) is None


def test_quotes_excel_several_groups_and_a_unit_list_miss_fall_back(tmp_path, daye, any_size):
    rows = [list(r) for r in _rows(daye, 30, 7)]
    rows[4][4] = "含,逗号"  # the csv module quotes it
    assert _two_processes(write_long_csv(tmp_path / "q.csv", rows), daye) is None
    plain = write_long_csv(tmp_path / "p.csv", _rows(daye, 30, 7))
    assert _two_processes(plain, daye, units_from_data=False) is None  # 单位0 is not a township
    assert _two_processes(tmp_path / "missing.csv", daye) is None


def test_the_cli_gives_the_usual_message_when_the_fast_path_declines(tmp_path, daye, any_size):
    rows = [list(r) for r in _rows(daye, 30, 8)]
    rows[25][3] = "十二"
    path = write_long_csv(tmp_path / "bad.csv", rows)
    result = CliRunner().invoke(
        main,
        [
            "score",
            str(path),
            "--units-from-data",
            "--format",
            "json",
            "-o",
            str(tmp_path / "o.json"),
        ],
    )
    assert result.exit_code == 2
    assert "“十二”不是有效数字" in result.output
    assert "第 27 行" in result.output
    assert not (tmp_path / "o.json").exists()


def test_the_cli_writes_the_two_process_json_to_a_file_and_to_stdout(tmp_path, daye, any_size):
    path = write_long_csv(tmp_path / "big.csv", _rows(daye, 60, 9))
    expected = _one_process(path, daye)
    out = tmp_path / "out.json"
    runner = CliRunner()
    result = runner.invoke(
        main, ["score", str(path), "--units-from-data", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expected
    result = runner.invoke(main, ["score", str(path), "--units-from-data", "--format", "json"])
    assert result.exit_code == 0
    assert result.stdout_bytes == expected


def test_the_console_script_exits_cleanly_after_a_large_two_process_run(tmp_path, daye):
    units = parallel.MIN_LINES // len(daye.groups[0].indicators) + 1
    path = write_long_csv(tmp_path / "large.csv", _rows(daye, units, 10))
    kaohe = Path(sys.executable).with_name("kaohe")
    done = subprocess.run(
        [str(kaohe), "score", str(path), "--units-from-data", "--format", "json"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == _one_process(path, daye)


def test_a_one_indicator_scheme_takes_the_usual_path(tmp_path, any_size):
    scheme = one_indicator_scheme()
    rows = [[f"单位{u}", "指标甲", "10", str(u), ""] for u in range(50)]
    path = write_long_csv(tmp_path / "one.csv", rows)
    assert _two_processes(path, scheme) is None


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [("gb18030", ",", "\r\n"), ("utf-8-sig", ",", "\r\n"), ("utf-8", "\t", "\n")],
)
def test_gbk_bom_crlf_and_tab_files_take_the_fast_path_with_the_same_output(
    tmp_path, daye, any_size, encoding, delimiter, newline
):
    rows = [
        ["单位", "指标", "任务数", "实绩数", "备注"],
        *synthetic_long_rows(daye, 40, 3, ties=0.2),
    ]
    path = tmp_path / "export.csv"
    path.write_bytes(newline.join(map(delimiter.join, rows)).encode(encoding) + newline.encode())
    two = _two_processes(path, daye)
    assert two is not None
    assert two == _one_process(path, daye)
