"""Large clean CSVs are read column by column; the result must equal the row-by-row reader's."""

import csv
import random

import pytest

from kaohe.engine import score
from kaohe.exporters import JsonExporter
from kaohe.readers import bulk, read_files

from .builders import kaohe

UNITS = 200  # × 16 indicators = 3,200 rows, above bulk.MIN_ROWS


def _write(path, scheme, bad_row=None):
    rnd = random.Random(7)
    rows = []
    for u in range(UNITS):
        for ind in scheme.groups[0].indicators:
            roll = rnd.random()
            target = f"{rnd.randint(1, 9999) / 100}"
            if roll < 0.05:
                rows.append([f"单位{u}", ind.name, "/", "/", ""])
            elif roll < 0.1:
                rows.append([f"单位{u}", ind.name, target, "", ""])
            elif roll < 0.12:
                rows.append([f"单位{u}", ind.name, target, "0", "迟报材料"])
            else:
                rows.append([f"单位{u}", ind.name, target, str(rnd.randint(0, 20000) / 100), ""])
    if bad_row is not None:
        rows[bad_row][3] = "十二"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
        writer.writerows(rows)


def _json(scheme, path):
    return JsonExporter().render(score(scheme, read_files([path], scheme, units_from_data=True)))


def test_the_column_reader_gives_the_same_results_as_the_row_reader(tmp_path, daye, monkeypatch):
    path = tmp_path / "big.csv"
    _write(path, daye)
    fast = _json(daye, path)
    monkeypatch.setattr(bulk, "MIN_ROWS", 10**9)
    slow = _json(daye, path)
    assert fast == slow


def test_a_bad_cell_in_a_large_file_is_still_named_by_row_and_column(tmp_path, daye):
    path = tmp_path / "big.csv"
    _write(path, daye, bad_row=2500)
    result = kaohe("score", path, "--units-from-data")
    assert result.exit_code == 2
    assert "第 2502 行" in result.output and "D 列（实绩数）" in result.output
    assert "“十二”不是有效数字" in result.output


@pytest.mark.parametrize("mutation", ["negative", "unknown unit", "total row"])
def test_unusual_large_files_fall_back_to_the_row_reader(tmp_path, daye, mutation):
    path = tmp_path / "big.csv"
    _write(path, daye)
    lines = path.read_text(encoding="utf-8").splitlines()
    if mutation == "negative":
        lines[100] = "单位6,规上企业研发人员,10,-3,"
        expected = "数值不能为负"
    elif mutation == "unknown unit":
        lines = [line.replace("单位1,", "陈桂镇,", 1) for line in lines]
        expected = "未知单位“陈桂镇”"
    else:
        lines.append("合计,规上企业研发人员,1,1,")
        expected = "合计"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["score", path] + ([] if mutation == "unknown unit" else ["--units-from-data"])
    result = kaohe(*args)
    assert result.exit_code == 2
    assert expected in result.output
