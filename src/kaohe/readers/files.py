"""Open a CSV or Excel file as sheets of rows, with clear errors for anything else."""

from __future__ import annotations

import csv
import html
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Location
from ..numbers import BadCell

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
OTHER_FORMATS = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"{\\rtf": "RTF 文档",
}


@dataclass
class Sheet:
    file: str
    name: str | None  # None for CSV
    rows: list[list]  # cells as read: str, float, int, bool, date, None
    merged: list = None  # ((r0, c0), (r1, c1)) pairs, 0-based, where the reader knows them

    def where(self, row: int | None = None, column: int | None = None, header: str | None = None):
        return Location(self.file, self.name, None if row is None else row + 1, column, header)


def kind_of(path: Path) -> str:
    """'excel' or 'csv', judged from the file's first bytes, not only its name."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise InputError("文件不存在", Location(str(path))) from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹，不是 CSV 或 Excel 文件", Location(str(path))) from None
    except OSError as exc:
        raise InputError(f"无法读取：{exc.strerror or exc}", Location(str(path))) from None
    if not head:
        raise InputError("文件是空的", Location(str(path)))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    for magic, what in OTHER_FORMATS.items():
        if head.startswith(magic):
            raise InputError(
                f"这是 {what}，不是 CSV 或 Excel 文件：请把表格另存为 Excel（.xlsx）或 CSV 再读取",
                Location(str(path)),
            )
    if path.suffix.lower() in EXCEL_SUFFIXES:
        raise InputError(
            "扩展名是 Excel，但内容不是 Excel 工作簿（文件可能已损坏）", Location(str(path))
        )
    return "csv"


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes(), path)


def decode_text(data: bytes, path: Path) -> str:
    if b"\x00" in data[:4096]:
        raise InputError("不是 CSV 或 Excel 文件（内容是二进制数据）", Location(str(path)))
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel 文件", Location(str(path))
    )


def delimiter_of(text: str) -> str:
    sample = text[:4096]
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        return "\t"
    return ","


def csv_rows(path: Path) -> list[list[str]]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(text))
    try:
        return list(reader)
    except csv.Error as exc:
        where = Location(str(path), None, reader.line_num or None)
        raise InputError(f"CSV 格式错误：{_csv_reason(exc)}", where) from None


def _csv_reason(exc: csv.Error) -> str:
    """The csv module's (English) reason in Chinese."""
    if "field larger than field limit" in str(exc):
        return f"有一格内容过长（超过 {csv.field_size_limit():,} 个字符），可能引号没有配对"
    if "NUL" in str(exc):
        return "含有空字符（NUL），可能不是文本文件"
    return "无法按 CSV 解析（请检查引号是否配对）"


# Limits checked before a workbook is parsed: a small zip can expand to gigabytes of XML.
MAX_UNPACKED = 50 * 1024 * 1024  # bytes, all entries together
MAX_ENTRIES = 10_000
MAX_RATIO = 200  # uncompressed ÷ compressed, for an entry over 1 MB unpacked
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000  # kaohe's tables are far narrower
MAX_CELLS = 4_000_000  # rows × columns of one sheet as the reader holds them (a 640,000-row long table fits)


def size_text(size: int) -> str:
    """A size in MB rounded up, so a file over a limit never reads as the limit."""
    return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f} MB"


def check_zip(path: Path) -> None:
    """Refuse an xlsx/ods whose zip directory shows too much data to unpack (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip (an old .xls) or damaged: calamine says which
    with archive:
        _check_entries(path, archive.infolist())
        try:
            check_sheet_extents(path, archive)
            check_ods_extents(path, archive)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            pass  # a damaged entry: calamine reports the file as damaged


def _check_entries(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    where = Location(str(path))
    if len(entries) > MAX_ENTRIES:
        raise InputError(
            f"工作簿内部文件过多（{len(entries)} 个，上限为 {MAX_ENTRIES} 个），拒绝读取", where
        )
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED:
        raise InputError(
            f"工作簿解压后为 {size_text(unpacked)}，上限为 {MAX_UNPACKED // (1024 * 1024)} MB，"
            "拒绝读取（请删去多余的工作表或空白区域后再试）",
            where,
        )
    for e in entries:
        if e.file_size > 1024 * 1024 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            raise InputError(
                f"工作簿中的“{e.filename}”压缩比异常（{size_text(e.compress_size)} 解压为 "
                f"{size_text(e.file_size)}），拒绝读取",
                where,
            )


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_CELL_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')


def check_sheet_extents(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse an xlsx sheet spanning more cells than the caps before calamine reads it: the
    reader holds every cell of the rectangle, so two cells far apart would take gigabytes.
    Excel, LibreOffice and XlsxWriter write the rectangle as <dimension>; without one, every
    cell reference is looked at (the sheet's XML is at most MAX_UNPACKED bytes)."""
    for entry in archive.infolist():
        if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
            continue
        with archive.open(entry) as fh:
            head = fh.read(4096)
        found = _DIMENSION.search(head)
        if found:
            first_col, first_row, last_col, last_row = found.groups()
            refs = [(first_col, first_row), (last_col or first_col, last_row or first_row)]
        else:
            refs = _CELL_REF.findall(archive.read(entry)) or [(b"A", b"1")]
        rows = [int(r) for _, r in refs]
        cols = [_column_number(c) for c, _ in refs]
        height, width = max(rows) - min(rows) + 1, max(cols) - min(cols) + 1
        if height > MAX_ROWS or width > MAX_COLUMNS or height * width > MAX_CELLS:
            raise InputError(
                f"工作簿中的“{entry.filename}”过大（{height} 行 × {width} 列；上限为 {MAX_ROWS} 行、"
                f"{MAX_COLUMNS} 列、共 {MAX_CELLS} 个单元格），拒绝读取",
                Location(str(path)),
            )


_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell)\b([^>]*)>")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')


def check_ods_extents(path: Path, archive: zipfile.ZipFile) -> None:
    """The same for an ods: a row or cell may say it repeats a million times, and the reader
    would hold every repeated cell up to the last one with a value."""
    try:
        content = archive.read("content.xml")
    except KeyError:
        return
    height = width = row_end = 0
    row_start, rows_repeated, column, filled = 0, 0, 0, 0
    for tag, attributes in _ODS_TAG.findall(content):
        if tag == b"table-row":
            row_start += rows_repeated  # the previous row's extent, then this row's
            found = _ROWS_REPEATED.search(attributes)
            rows_repeated = int(found.group(1)) if found else 1
            column = filled = 0
            continue
        found = _COLUMNS_REPEATED.search(attributes)
        column += int(found.group(1)) if found else 1
        if b"office:value-type" in attributes:
            filled = column
            width = max(width, filled)
            row_end = row_start + rows_repeated
        height = max(height, row_end)
        if height * width > MAX_CELLS or height > MAX_ROWS or width > MAX_COLUMNS:
            raise InputError(
                f"工作表过大（至少 {height} 行 × {width} 列；上限为 {MAX_ROWS} 行、{MAX_COLUMNS} 列、"
                f"共 {MAX_CELLS} 个单元格），拒绝读取",
                Location(str(path)),
            )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _check_size(path: Path, name: str, sheet) -> None:
    height, width = sheet.height, sheet.width
    if height > MAX_ROWS or width > MAX_COLUMNS or height * width > MAX_CELLS:
        raise InputError(
            f"工作表过大（{height} 行 × {width} 列；上限为 {MAX_ROWS} 行、{MAX_COLUMNS} 列、"
            f"共 {MAX_CELLS} 个单元格），拒绝读取",
            Location(str(path), name),
        )


def excel_sheets(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    check_zip(path)
    unusable = unusable_cells(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises its own types (in English) for every kind of bad file
        raise InputError(
            "无法作为 Excel 工作簿打开（文件可能已损坏或不完整）：请用 Excel 或 WPS 打开后另存为 "
            ".xlsx 再试",
            Location(str(path)),
        ) from None
    sheets = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            _check_size(path, name, sheet)
            rows = sheet.to_python(skip_empty_area=False)
        except InputError:
            raise
        except Exception:  # calamine's own (English) error types
            raise InputError(
                "无法读取这个工作表（文件可能已损坏）：请用 Excel 或 WPS 打开后另存为 .xlsx 再试",
                Location(str(path), name),
            ) from None
        merged = None
        try:
            merged = sheet.merged_cell_ranges
        except Exception:
            merged = None
        cleaned = [_clean_row(r) for r in rows]
        for (r, c), bad in unusable.get(name, {}).items():  # rows are read from A1
            if r < len(cleaned):
                row = cleaned[r]
                if c >= len(row):
                    row.extend([None] * (c + 1 - len(row)))
                row[c] = bad
        sheets.append(Sheet(str(path), name, cleaned, merged))
    return sheets


_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA = re.compile(rb"<f\b[^>]*>([^<]*)</f>")


def unusable_cells(path: Path) -> dict[str, dict[tuple[int, int], BadCell]]:
    """Cells calamine reads as blank though they are not: Excel error values (#DIV/0!, #N/A …)
    and formulas saved without a computed value; by sheet name, (row, column) 0-based."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    found: dict[str, dict[tuple[int, int], BadCell]] = {}
    with archive:
        try:
            book = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
        except KeyError:
            return {}
        targets = {i: t for i, t in _REL.findall(rels)}
        targets.update({i: t for t, i in _REL_REVERSED.findall(rels)})
        for name, rid in _SHEET.findall(book):
            target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            try:
                xml = archive.read(member)
            except KeyError:
                continue
            if b't="e"' not in xml and b"<f" not in xml:
                continue  # the common case: no errors, no formulas
            cells = _bad_cells(xml)
            if cells:
                found[html.unescape(name.decode("utf-8", "replace"))] = cells
    return found


def _bad_cells(xml: bytes) -> dict[tuple[int, int], BadCell]:
    cells = {}
    for letters, row, attributes, body in _CELL.findall(xml):
        body = body or b""
        value = _VALUE.search(body)
        if b't="e"' in attributes:
            text = value.group(1).decode() if value else "#错误"
            cells[(int(row) - 1, _column_number(letters) - 1)] = BadCell(text)
        elif b"<f" in body and (value is None or not value.group(1)):
            formula = _FORMULA.search(body)
            text = "=" + html.unescape(formula.group(1).decode()) if formula else "公式"
            cells[(int(row) - 1, _column_number(letters) - 1)] = BadCell(text, formula=True)
    return cells


def _clean_row(row: list) -> list:
    return [None if (c == "" or c is None) else c for c in row]
