"""`kaohe whatif 单位 FILE…`: the answer in Chinese tables; bad input is exit status 2."""

import pytest
from click.testing import CliRunner

from kaohe.cli import main

from .conftest import LONG_CSV, SAMPLES


@pytest.fixture
def runner():
    return CliRunner()


def _run(runner, *args):
    return runner.invoke(main, ["whatif", *map(str, args)], env={"COLUMNS": "160"})


def test_whatif_prints_the_unit_above_and_each_smallest_change(runner):
    result = _run(runner, "陈贵镇", LONG_CSV)
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "陈贵镇：在乡镇排第 2 名（共 14 个单位），总得分 84.77；上一名 大冶湖高新区，总得分 85.06"
        in out
    )
    row = next(line for line in out.splitlines() if "科技型中小企业入库数（家）" in line)
    assert row.split() == [
        "科技型中小企业入库数（家）",
        "28",
        "30",
        "+2",
        "9.5",
        "→",
        "9.8",
        "85.12",
        "1",
    ]
    assert "无法单独达到" in out and "此项已得 5 分，再提高实绩数得分也不增加" in out
    assert "共 16 项，其中 7 项单独改变即可前进一名" in out


def test_whatif_on_the_leader_says_there_is_no_one_to_overtake(runner):
    result = _run(runner, "大冶湖高新区", LONG_CSV)
    assert result.exit_code == 0
    assert "已在乡镇排第 1 名，没有可超越的单位" in result.output
    assert "需改为" not in result.output


def test_whatif_takes_another_scheme_and_ranks_within_the_class(runner):
    result = _run(
        runner, "青石街道", SAMPLES / "example_wujin_long.csv", "--scheme", "example-wujin"
    )
    assert result.exit_code == 0, result.output
    assert "在镇（街道）·一类镇（街道）排第 3 名（共 3 个单位）" in result.output
    assert "一票否决：科研诚信失信事件" in result.output
    assert "单位被一票否决，总分记为 0，单独改变此项不能解除" in result.output


def test_an_unknown_unit_is_exit_status_2_with_the_close_names(runner):
    result = _run(runner, "陈贵村", LONG_CSV)
    assert result.exit_code == 2
    assert "错误：数据中没有单位“陈贵村”，相近的有：陈贵镇" in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_exit_status_2_in_chinese(runner, tmp_path):
    result = _run(runner, "陈贵镇", tmp_path / "没有.csv")
    assert result.exit_code == 2
    assert "错误" in result.output and "Error" not in result.output


def test_whatif_without_files_is_a_chinese_usage_error(runner):
    result = _run(runner, "陈贵镇")
    assert result.exit_code == 2
    assert "缺少参数" in result.output or "缺少" in result.output
