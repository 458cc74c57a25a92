"""Outputs (issue 10 rule 10): an XLSX never truncates (its detail goes on in 明细(2) …), a
figure a format cannot hold ends in a message naming unit and indicator, and bad input to any
command ends in a Chinese message with exit status 2, never exit 1."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kaohe import exporters
from kaohe.errors import KaoheError

from .builders import kaohe, long_rows, write_csv

SEED = Path(__file__).parent.parent / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"
HITECH = 1  # row 2 of the seed's long CSV: 大冶湖高新区 · 高新技术产业产值


def sheets(path) -> dict[str, list]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


@pytest.mark.parametrize(
    "limit, names",
    [
        (exporters.XLSX_MAX_ROWS, ["排名", "明细"]),
        (225, ["排名", "明细"]),  # 224 detail rows and the heading fill one sheet exactly
        (224, ["排名", "明细", "明细(2)"]),
        (50, ["排名", "明细", "明细(2)", "明细(3)", "明细(4)", "明细(5)"]),
    ],
)
def test_an_xlsx_detail_longer_than_a_sheet_goes_on_in_the_next_sheet(
    tmp_path, monkeypatch, limit, names
):
    whole = tmp_path / "whole.xlsx"
    assert kaohe("score", SEED, "--format", "xlsx", "-o", whole).exit_code == 0
    monkeypatch.setattr(exporters, "XLSX_MAX_ROWS", limit)
    split = tmp_path / "split.xlsx"
    assert kaohe("score", SEED, "--format", "xlsx", "-o", split).exit_code == 0
    got = sheets(split)
    assert list(got) == names
    heading = sheets(whole)["明细"][0]
    details = [got[n] for n in names[1:]]
    assert all(d[0] == heading and len(d) <= limit for d in details)
    rows = [row for d in details for row in d[1:]]
    assert rows == sheets(whole)["明细"][1:] and len(rows) == 224  # nothing lost, same order


def test_a_ranking_longer_than_a_sheet_is_refused_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr(exporters, "XLSX_MAX_ROWS", 10)
    out = tmp_path / "r.xlsx"
    result = kaohe("score", SEED, "--format", "xlsx", "-o", out)
    assert result.exit_code == 2
    assert "有 14 个单位，排名表超过 Excel 每个工作表 10 行的上限" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "actual, message",
    [
        (
            "1234567890123456.7",
            "实绩数 1234567890123456.7 有 17 位有效数字，Excel 只能准确保存 15 位",
        ),
        ("0.12345678901234567", "实绩数 0.12345678901234567 有 17 位有效数字"),
        ("112.500000000000001", "实绩数 112.500000000000001 有 18 位有效数字"),
        ("9007199254740993", "实绩数 9007199254740993 有 16 位有效数字"),  # 2⁵³ + 1
        ("123456789012345", None),  # 15 digits
        # more digits, but exactly a double, as a figure read from an Excel file is
        ("0.30000000000000004", None),
        ("1234567890123456", None),
        ("112.5", None),
    ],
)
def test_a_figure_excel_cannot_hold_is_named_and_nothing_is_written(tmp_path, actual, message):
    rows = long_rows()
    rows[HITECH][3] = actual
    data = write_csv(tmp_path / "数据.csv", rows, "utf-8")
    out = tmp_path / "out"
    result = kaohe("score", data, "--out-dir", out)
    if message is None:
        assert result.exit_code == 0, result.output
        assert (out / "results.xlsx").exists()
        return
    assert result.exit_code == 2, result.output
    assert f"单位“大冶湖高新区”的指标“高新技术产业产值”{message}" in result.output
    assert not out.exists() or not list(out.iterdir())  # not even the JSON and CSV


@pytest.mark.parametrize(
    "value, message",
    [
        (Decimal("1E+400"), "超出 Excel 能保存的数值范围"),
        (Decimal("-1E+309"), "超出 Excel 能保存的数值范围"),
        (Decimal("1E-400"), "超出 Excel 能保存的数值范围"),
        (Decimal("12345678901234567890"), "有 20 位有效数字"),
    ],
)
def test_excel_numbers_beyond_a_double_are_refused_naming_unit_and_indicator(value, message):
    with pytest.raises(KaoheError, match=message) as info:
        exporters.excel_number(value, "甲镇", "指标甲", "任务数")
    assert str(info.value).startswith("单位“甲镇”的指标“指标甲”任务数 ")


@pytest.mark.parametrize(
    "actual, message",
    [
        ("123456789012345678901234567890", "数值过大或过小"),
        ("12345678901234567", "数值过大或过小"),
        ("0.0000000000000000001", "数值过大或过小"),
    ],
)
def test_long_plain_figures_are_checked_like_any_other(tmp_path, actual, message):
    rows = long_rows()
    rows[HITECH][3] = actual
    result = kaohe("score", write_csv(tmp_path / "数据.csv", rows, "utf-8"))
    assert result.exit_code == 2
    assert f"第 2 行，D 列（实绩数）：“{actual}”{message}" in result.output


def _bad_inputs(tmp: Path) -> list[tuple[list, str]]:
    (tmp / "folder").mkdir()
    (tmp / "binary.csv").write_bytes(b"\x00\xff\xfe rubbish")
    (tmp / "broken.xlsx").write_bytes(b"PK\x03\x04rubbish")
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "gbk.toml").write_bytes("name = '方案'".encode("gbk"))
    (tmp / "bad.toml").write_text("key = = 1", encoding="utf-8")
    (tmp / "binary.md").write_bytes(b"\xff\xfe\x00")
    f = tmp / "folder"
    return [
        (["score", tmp / "binary.csv"], "不是 CSV 或 Excel 文件"),
        (["score", tmp / "broken.xlsx"], "无法作为 Excel 工作簿打开"),
        (["score", tmp / "empty.csv"], "文件是空的"),
        (["score", f], "这是一个文件夹"),
        (["score", tmp / "none.csv"], "文件不存在"),
        (["score", SEED, "--scheme", tmp / "gbk.toml"], "不是 UTF-8 编码的文字"),
        (["score", SEED, "--scheme", tmp / "bad.toml"], "第 1 行第 7 列：值的写法有误"),
        (["score", SEED, "-o", f], "是一个文件夹，不是文件"),
        (["score", SEED, "--format", "json", "-o", tmp / "no" / "such" / "x.json"], None),
        (["score", SEED, "--format", "json", "-o", "/proc/no/x.json"], "文件或文件夹不存在"),
        (["report", tmp / "binary.csv", "-o", tmp / "r"], "不是 CSV 或 Excel 文件"),
        (["report", SEED, "-o", tmp / "r2", "--date", "明天"], "无法识别日期"),
        (["report", SEED, "-o", tmp / "r3", "--narrative", tmp / "binary.md"], "不是 UTF-8"),
        (["template", "-o", f], "是一个文件夹，不是文件"),
        (["template", "-o", tmp / "t.xlsx", "--group", "none"], "没有单位分组“none”"),
        (["template", "-o", tmp / "t2.xlsx", "--prefill", tmp / "binary.csv"], "不是 CSV"),
        (["check-scheme", tmp / "gbk.toml"], "不是 UTF-8 编码的文字"),
        (["check-scheme", tmp / "bad.toml"], "不是有效的 TOML"),
        (["check-scheme", tmp / "none.toml"], "找不到方案文件"),
        (["check-scheme", tmp / "binary.csv"], "无法读取方案文件"),
    ]


def test_bad_input_to_any_command_ends_in_a_chinese_message_and_exit_2(tmp_path):
    for args, message in _bad_inputs(tmp_path):
        result = kaohe(*args)
        if message is None:  # a missing output folder is made
            assert result.exit_code == 0, (args, result.output)
            continue
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "内部错误" not in result.output and "Error" not in result.output, result.output


def test_the_reports_score_table_longer_than_a_sheet_goes_on_in_the_next(tmp_path, monkeypatch):
    from kaohe.report import annex_xlsx

    monkeypatch.setattr(annex_xlsx, "MAX_SHEET_ROWS", 60)  # 3 units of 16 rows after the heading
    out = tmp_path / "通报"
    result = kaohe("report", SEED, "-o", out)
    assert result.exit_code == 0, result.output
    got = sheets(out / "附件.xlsx")
    parts = [n for n in got if n.startswith("附件6")]
    assert parts == ["附件6", "附件6(2)", "附件6(3)", "附件6(4)", "附件6(5)"]
    assert all(len(got[n]) <= 60 for n in parts)
    assert got["附件6(2)"][0][0] == "附件6（续）" and got["附件6(2)"][2] == got["附件6"][2]
    seqs = [row[0] for n in parts for row in got[n][3:] if row[0] != ""]
    assert seqs == list(range(1, 15))  # every unit, in order, none split or lost


def test_an_attachment_longer_than_a_sheet_is_refused_not_cut(tmp_path, monkeypatch):
    from kaohe.report import annex_xlsx

    monkeypatch.setattr(annex_xlsx, "MAX_SHEET_ROWS", 15)
    out = tmp_path / "通报"
    result = kaohe("report", SEED, "-o", out)
    assert result.exit_code == 2
    assert "有 14 个单位，超过 Excel 每个工作表 15 行的上限" in result.output
    assert not list(out.iterdir())
