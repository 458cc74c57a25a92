"""The kaohe command line: every command documented, every format written."""

import csv
import io
import json
from decimal import Decimal

import click
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kaohe.cli import main

from .conftest import LONG_CSV, ROOT


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.fixture
def runner():
    return CliRunner()


def test_every_command_and_option_has_help_text():
    assert main.help
    for path, command in _commands(main):
        assert command.help, f"kaohe {' '.join(path)} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"kaohe {' '.join(path)} {param.opts[0]} has no help"


@pytest.mark.parametrize("path", [(), *[p for p, _ in _commands(main)]])
def test_help_prints_for_every_command(runner, path):
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "用法：" in result.output and "显示此帮助并退出" in result.output
    assert "Usage" not in result.output and "Show this" not in result.output


def test_score_prints_the_ranking_as_a_table(runner):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--scheme", "daye-2023"])
    assert result.exit_code == 0, result.output
    lines = [
        line for line in result.output.splitlines() if "大冶湖高新区" in line or "茗山乡" in line
    ]
    assert "85.06" in lines[0] and "68.06" in lines[-1]


def test_score_detail_lists_every_explanation(runner):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--detail"])
    assert result.exit_code == 0
    assert "排第 3 名" in result.output


def test_json_output_keeps_the_documented_contract(runner):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert {"scheme", "max_points", "units"} <= data.keys()
    assert data["scheme"] == "daye-2023" and data["max_points"] == 85
    first = data["units"][0]
    assert {"unit", "rank", "raw", "total", "indicators"} <= first.keys()
    assert (first["unit"], first["rank"], first["total"]) == ("大冶湖高新区", 1, Decimal("85.06"))
    ind = first["indicators"][1]
    keys = {
        "indicator",
        "target",
        "actual",
        "rate",
        "rank_actual",
        "rank_rate",
        "points",
        "max",
        "explain",
    }
    assert keys <= ind.keys()
    assert ind["indicator"] == "科技型中小企业入库数"
    assert (ind["rank_actual"], ind["rank_rate"], ind["points"]) == (1, 7, Decimal("9.4"))
    assert first["indicators"][0]["rank_actual"] is None
    assert data["units"][-1]["total"] == Decimal("68.06")


def test_csv_output_has_a_row_per_unit_and_indicator(runner):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 224
    assert rows[0]["单位"] == "大冶湖高新区" and rows[0]["总得分"] == "85.06"


def test_xlsx_output_needs_a_file_and_is_readable(runner, tmp_path):
    assert runner.invoke(main, ["score", str(LONG_CSV), "--format", "xlsx"]).exit_code == 2
    out = tmp_path / "r.xlsx"
    result = runner.invoke(main, ["score", str(LONG_CSV), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    assert rows[3][:3] == [1, "大冶湖高新区", 85.06]


def test_out_dir_gets_json_csv_and_xlsx(runner, tmp_path):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "results.csv",
        "results.json",
        "results.xlsx",
    ]


def test_template_round_trips_through_score(runner, tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(main, ["template", "-o", str(out), "--prefill", str(LONG_CSV)])
    assert result.exit_code == 0, result.output
    direct = runner.invoke(main, ["score", str(LONG_CSV), "--format", "csv"]).stdout
    again = runner.invoke(main, ["score", str(out), "--format", "csv"]).stdout
    assert again == direct


def test_empty_template_lists_every_unit_and_indicator(runner, tmp_path):
    out = tmp_path / "t.xlsx"
    assert runner.invoke(main, ["template", "-o", str(out)]).exit_code == 0
    wb = CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    assert rows[2][2] == "高新技术产业产值（亿元）"
    assert rows[3][2:5] == ["任务数", "实绩数", "备注"]
    assert [r[1] for r in rows[4:]][:2] == ["大冶湖高新区", "临空区·还地桥镇"]  # the scheme's order
    assert len(rows) == 4 + 14 and len(rows[2]) == 2 + 3 * 16
    # the help line says how to declare 数据未出; a blank is not a declaration
    assert "填“未出”" in rows[1][0] and "空白不算数据未出" in rows[1][0]
    assert "留空表示数据未出" not in rows[1][0]


def test_schemes_lists_the_builtin_scheme(runner):
    result = runner.invoke(main, ["schemes"])
    assert "daye-2023" in result.output and "14 个单位、16 项指标、满分 85" in result.output


def test_check_scheme_accepts_the_builtin_file(runner):
    path = ROOT / "src" / "kaohe" / "schemes" / "daye-2023.toml"
    result = runner.invoke(main, ["check-scheme", str(path)])
    assert result.exit_code == 0 and "方案有效" in result.output


def test_unknown_scheme_name_is_a_clear_error(runner):
    result = runner.invoke(main, ["score", str(LONG_CSV), "--scheme", "nope"])
    assert result.exit_code == 2
    assert "没有名为“nope”的内置方案" in result.output
    assert "Traceback" not in result.output
