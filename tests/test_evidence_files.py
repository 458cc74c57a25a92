"""Nothing scores without evidence, in files (issue 10 rules 1 and 2): a blank actual is an error
naming its cell and how to declare 数据未出; a cell is a figure or an error."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import xlsxwriter

from .builders import kaohe, long_rows, write_csv

HITECH = 1  # row 2 of the seed's long CSV: 大冶湖高新区 · 高新技术产业产值 112.5 / 112.5


def seed_with(tmp_path, edits: dict[tuple[int, int], str]):
    rows = long_rows()
    for (r, c), value in edits.items():
        rows[r][c] = value
    return write_csv(tmp_path / "数据.csv", rows, "utf-8")


def score(path, *extra):
    return kaohe("score", path, "--scheme", "daye-2023", "--format", "json", *extra)


def units(output) -> dict:
    return {u["unit"]: u for u in json.loads(output, parse_float=Decimal)["units"]}


def status_of(output, unit="大冶湖高新区", name="高新技术产业产值"):
    entries = units(output)[unit]["indicators"]
    return next((e["status"], e["points"]) for e in entries if e["indicator"] == name)


def test_every_blank_actual_is_listed_with_its_cell_and_how_to_declare_pending(tmp_path):
    result = score(seed_with(tmp_path, {(HITECH, 3): "", (5, 3): " "}))
    assert result.exit_code == 2
    assert "文件" in result.output and "第 2 行，D 列（实绩数）" in result.output
    assert "第 6 行，D 列（实绩数）" in result.output and "共 2 个实绩数为空" in result.output
    assert "--pending 指标名" in result.output and "空白不算数据未出" in result.output


@pytest.mark.parametrize(
    "edits, extra",
    [
        ({(HITECH, 3): "未出"}, ()),
        ({(HITECH, 3): "数据未出"}, ()),
        ({(HITECH, 3): "一季度数据未出"}, ()),
        ({(HITECH, 3): "", (HITECH, 4): "一季度数据未出"}, ()),
        ({(HITECH, 3): ""}, ("--pending", "高新技术产业产值")),
        ({(HITECH, 3): ""}, ("--pending", "hitech_output")),
    ],
    ids=["cell 未出", "cell 数据未出", "scheme words", "note", "--pending name", "--pending key"],
)
def test_a_declared_pending_actual_scores_full_points(tmp_path, edits, extra):
    result = score(seed_with(tmp_path, edits), *extra)
    assert result.exit_code == 0, result.output
    assert status_of(result.output) == ("pending", 5)


def test_the_seeds_data_scores_exactly_as_before(tmp_path):
    result = score(seed_with(tmp_path, {}))
    assert result.exit_code == 0
    totals = {name: u["total"] for name, u in units(result.output).items()}
    assert totals["大冶湖高新区"] == Decimal("85.06") and totals["茗山乡"] == Decimal("68.06")


def test_an_unknown_pending_indicator_is_an_error(tmp_path):
    result = score(seed_with(tmp_path, {}), "--pending", "高新技术产值")
    assert result.exit_code == 2 and "--pending 指定的指标“高新技术产值”不在方案中" in result.output


@pytest.mark.parametrize(
    "value, message",
    [
        ("—", "实绩数不能填“—”"),
        ("-", "实绩数不能填“-”"),
        (" - ", "实绩数不能填“-”"),
        ("无", "实绩数不能填“无”"),
        ("4,25", "“4,25”中的逗号位置不对"),
        ("1,2345", "“1,2345”中的逗号位置不对"),
        ("12,34.5", "“12,34.5”中的逗号位置不对"),
        ("NaN", "“NaN”不是有效数字"),
        ("Infinity", "“Infinity”不是有效数字"),
        ("-inf", "“-inf”不是有效数字"),
        ("1e400", "“1e400”数值过大或过小"),
        ("1E-30", "“1E-30”数值过大或过小"),
    ],
)
def test_a_cell_is_a_figure_or_an_error(tmp_path, value, message):
    result = score(seed_with(tmp_path, {(HITECH, 3): value}))
    assert result.exit_code == 2, result.output
    assert f"第 2 行，D 列（实绩数）：{message}" in result.output


@pytest.mark.parametrize("value", ["1,234.5", "1，234", "112.5"])
def test_proper_thousands_separators_still_read(tmp_path, value):
    result = score(seed_with(tmp_path, {(HITECH, 3): value}))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value", ["/", "—", "-", "无"])
def test_in_the_target_column_dashes_still_mean_no_task(tmp_path, value):
    result = score(seed_with(tmp_path, {(HITECH, 2): value, (HITECH, 3): "/"}))
    assert result.exit_code == 0, result.output
    assert status_of(result.output) == ("no_task", 5)


def test_excel_error_values_and_formulas_without_a_value_are_named(tmp_path):
    path = tmp_path / "数据.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    for r, row in enumerate(long_rows()):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    ws.write_formula(2, 3, "=NA()", None, "#N/A")
    ws.write_formula(3, 3, "=B2*2", None, "")
    wb.close()
    result = score(path)
    assert result.exit_code == 2
    assert "第 2 行，D 列（实绩数）：“#DIV/0!”是 Excel 的错误值" in result.output
    assert "第 3 行，D 列（实绩数）：“#N/A”是 Excel 的错误值" in result.output
    assert "第 4 行，D 列（实绩数）：公式“=B2*2”没有保存计算结果" in result.output
    assert "请在 Excel 中打开并保存后再上传" in result.output


def test_a_template_or_targets_file_may_leave_actuals_blank(tmp_path):
    targets = seed_with(tmp_path, {(HITECH, 3): ""})
    out = tmp_path / "填报表.xlsx"
    result = kaohe("template", "--scheme", "daye-2023", "-o", out, "--prefill", targets)
    assert result.exit_code == 0, result.output


def test_the_json_contract_says_missing_for_a_figure_never_reported():
    from kaohe.dataset import Cell, Dataset
    from kaohe.engine import score as run
    from kaohe.exporters import JsonExporter
    from kaohe.scheme import load_scheme

    scheme = load_scheme("daye-2023")
    group = scheme.groups[0]
    data = Dataset(scheme, units_from_data=True)
    for ind in group.indicators:
        data.put(group, "甲", ind.key, Cell(Decimal(1), None, ""))
        data.put(group, "乙", ind.key, Cell(Decimal(1), Decimal(1), ""))
    result = run(scheme, data)
    unit = units(JsonExporter().render(result))["甲"]
    assert {e["status"] for e in unit["indicators"]} == {"missing"}
    assert all(e["points"] == 0 for e in unit["indicators"])
    assert unit["indicators"][0]["explain"] == "未报送实绩数，得 0 分"


# --- rule 10: outputs ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["score", "template"])
def test_an_output_naming_an_input_file_is_refused_and_the_input_is_kept(tmp_path, command):
    path = seed_with(tmp_path, {})
    before = path.read_bytes()
    if command == "score":
        result = kaohe("score", path, "--format", "csv", "-o", path)
    else:
        result = kaohe("template", "-o", path, "--prefill", path)
    assert result.exit_code == 2
    assert "就是输入文件" in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_users_umask(tmp_path, umask, mode):
    import os

    out = tmp_path / "排名.csv"
    old = os.umask(umask)
    try:
        result = kaohe("score", seed_with(tmp_path, {}), "--format", "csv", "-o", out)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == mode
