"""Spreadsheets in and out: user text never becomes a formula, a zip bomb is refused unread."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from kaohe.exporters import safe_text
from kaohe.readers.files import MAX_COLUMNS, size_text

from .builders import kaohe, long_rows, write_csv

FORMULA = '=HYPERLINK("http://x","y")'


def _with_note(tmp_path, note: str) -> Path:
    rows = long_rows()
    rows[23][4] = note  # 陈贵镇, 规上企业研发投入
    return write_csv(tmp_path / "数据.csv", rows)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )


def test_a_note_written_as_a_formula_comes_back_from_the_xlsx_as_text(tmp_path):
    result = kaohe("score", _with_note(tmp_path, FORMULA), "--out-dir", tmp_path / "out")
    assert result.exit_code == 0, result.output
    xlsx = tmp_path / "out" / "results.xlsx"
    assert "<f>" not in _sheet_xml(xlsx)
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("明细").to_python()
    notes = [row[15] for row in rows if row[1] == "陈贵镇" and row[4] == "规上企业研发投入"]
    assert notes == [FORMULA]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_text_cells_that_a_spreadsheet_would_run_start_with_a_quote(tmp_path, start):
    note = f"{start}1+1 备注"
    result = kaohe("score", _with_note(tmp_path, note), "--out-dir", tmp_path / "out")
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "results.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    chen = next(r for r in rows if r["单位"] == "陈贵镇" and r["指标"] == "规上企业研发投入")
    assert chen["备注"].startswith("'") and chen["备注"].endswith("1+1 备注")
    assert all(not r["得分"].startswith("'") and not r["总得分"].startswith("'") for r in rows)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("迟报材料", "迟报材料"),
        ("1-2", "1-2"),
    ],
)
def test_safe_text_quotes_only_text_a_spreadsheet_would_run(text, written):
    assert safe_text(text) == written


def test_a_prefilled_template_keeps_a_formula_like_note_as_text(tmp_path):
    out = tmp_path / "填报表.xlsx"
    result = kaohe("template", "-o", out, "--prefill", _with_note(tmp_path, FORMULA))
    assert result.exit_code == 0, result.output
    assert "<f>" not in _sheet_xml(out)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert any(FORMULA in row for row in sheet)


# --- zip bombs and oversized sheets --------------------------------------------------------------


def _bomb(path: Path, megabytes: int) -> Path:
    """An xlsx-shaped zip whose one sheet unpacks to `megabytes` MB of XML."""
    chunk = b"<row>" + b" " * (1024 * 1024 - 11) + b"</row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return path


def _run_cli(*args) -> tuple[subprocess.CompletedProcess, float, int]:
    """The installed `kaohe` in its own process: (result, seconds, peak memory in MB)."""
    kaohe_bin = Path(sys.executable).with_name("kaohe")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(kaohe_bin), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    done = subprocess.CompletedProcess(proc.args, os.waitstatus_to_exitcode(status), out, err)
    return done, elapsed, usage.ru_maxrss // 1024


def test_a_zip_bomb_is_refused_by_the_cli_quickly_and_without_unpacking_it(tmp_path):
    bomb = _bomb(tmp_path / "炸弹.xlsx", 400)
    assert bomb.stat().st_size < 3 * 1024 * 1024
    done, seconds, peak_mb = _run_cli("score", bomb)
    assert done.returncode == 2, done.stderr
    assert f"文件 {bomb}" in done.stderr
    assert "解压后为 400.1 MB，上限为 50 MB" in done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 2 and peak_mb < 300, (seconds, peak_mb)


def test_an_entry_that_unpacks_far_beyond_its_size_is_refused(tmp_path):
    bomb = _bomb(tmp_path / "压缩.xlsx", 20)
    result = kaohe("score", bomb)
    assert result.exit_code == 2
    assert "压缩比异常" in result.output and "xl/worksheets/sheet1.xml" in result.output


def test_a_sheet_wider_than_the_cap_is_refused_naming_the_file_and_sheet(tmp_path):
    path = tmp_path / "宽表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_string(0, 0, "单位")
    ws.write_string(0, MAX_COLUMNS + 5, "x")
    wb.close()
    result = kaohe("score", path)
    assert result.exit_code == 2
    assert (
        f"文件 {path}：工作簿中的“xl/worksheets/sheet1.xml”过大（1 行 × {MAX_COLUMNS + 6} 列"
        in (result.output)
    )


def _two_cells_far_apart(path: Path) -> Path:
    """A 5 KB workbook whose two cells span 100,001 × 501 cells."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_string(0, 0, "单位")
    ws.write_string(100_000, 500, "x")
    wb.close()
    return path


def test_two_cells_far_apart_are_refused_before_the_sheet_is_read(tmp_path):
    """Such a file once took 1.5 GB and 10 s before the check came after reading."""
    path = _two_cells_far_apart(tmp_path / "稀疏.xlsx")
    done, seconds, peak_mb = _run_cli("score", path)
    assert done.returncode == 2, done.stderr
    assert "100001 行 × 501 列" in done.stderr
    assert seconds < 2 and peak_mb < 300, (seconds, peak_mb)


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (20 * 1024 * 1024, "20.0 MB"),
        (20 * 1024 * 1024 + 1, "20.1 MB"),
        (21_000_000, "20.1 MB"),
        (21 * 1024 * 1024, "21.0 MB"),
    ],
)
def test_a_size_over_a_limit_never_reads_as_the_limit(size, shown):
    assert size_text(size) == shown


def test_a_sheet_without_a_dimension_element_is_measured_from_its_cells(tmp_path):
    made = _two_cells_far_apart(tmp_path / "原表.xlsx")
    path = tmp_path / "无尺寸.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = src.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
                assert b"<dimension" not in data
            dst.writestr(entry, data)
    result = kaohe("score", path)
    assert result.exit_code == 2
    assert "100001 行 × 501 列" in result.output


def _ods(path: Path, rows_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="数据">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
        )
    return path


def _ods_row(values) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        if v
        else "<table:table-cell/>"
        for v in values
    )
    return f"<table:table-row>{cells}</table:table-row>"


def test_an_ods_cell_repeated_twenty_million_times_is_refused_before_it_is_read(tmp_path):
    repeated = (
        '<table:table-row table:number-rows-repeated="20000"><table:table-cell '
        'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    done, seconds, peak_mb = _run_cli("score", _ods(tmp_path / "重复.ods", repeated))
    assert done.returncode == 2, done.stderr
    assert "工作表过大（至少 20000 行 × 1000 列" in done.stderr
    assert seconds < 2 and peak_mb < 300, (seconds, peak_mb)


def test_an_ods_with_libreoffices_empty_trailing_rows_is_read_as_usual(tmp_path):
    rows = "".join(_ods_row(r) for r in long_rows())
    # How LibreOffice ends a sheet: empty rows and columns repeated to the sheet's edge.
    rows += (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    result = kaohe("score", _ods(tmp_path / "长表.ods", rows), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "陈贵镇,84.77" in result.output
