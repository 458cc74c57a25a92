"""Open a CSV or Excel file as sheets of rows, with clear errors for anything else."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path

from ..errors import InputError, Location

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


# Characters str.splitlines() breaks on but the csv module does not.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


_ODD_BREAK_BYTES = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")


def _odd_breaks_utf8(data: bytes) -> bool:
    """Whether UTF-8 `data` holds a character of _ODD_BREAKS. A lone byte is found by memchr;
    the longer needles are slow to search for, so only where their lead byte occurs."""
    if any(map(data.__contains__, _ODD_BREAK_BYTES)):
        return True
    if b"\xc2" in data and "\x85".encode() in data:
        return True
    return b"\xe2" in data and ("\u2028".encode() in data or "\u2029".encode() in data)


def read_unquoted(path: Path) -> str | None:
    """The text of a CSV file without quotes or odd line breaks (see `is_unquoted`), else None.
    A UTF-8 file is checked on its bytes, several times faster than on the text."""
    data = path.read_bytes()
    if b'"' in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_text(data, path)
        return text if is_unquoted(text) else None
    if b"\x00" in data[:4096] or _odd_breaks_utf8(data):
        return None
    return text


def delimiter_of(text: str) -> str:
    sample = text[:4096]
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        return "\t"
    return ","


def is_unquoted(text: str) -> bool:
    """True when every line is its fields joined by the delimiter (no quotes, no odd breaks)."""
    return '"' not in text and not _ODD_BREAKS.search(text)


def csv_rows(path: Path) -> list[list[str]]:
    text = read_text(path)
    delimiter = delimiter_of(text)
    if is_unquoted(text):
        # Without quotes a CSV line is its fields joined by the delimiter: split it directly,
        # several times faster than the csv module for large files.
        lines = text.splitlines()
        rows = list(map(methodcaller("split", delimiter), lines))
        if "" in lines:  # the csv module gives [] for an empty line
            rows = [r if r != [""] else [] for r in rows]
        return rows
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", Location(str(path))) from None


def excel_sheets(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of bad file
        raise InputError(
            f"无法作为 Excel 工作簿打开（文件可能已损坏）：{exc}", Location(str(path))
        ) from None
    sheets = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise InputError(f"无法读取：{exc}", Location(str(path), name)) from None
        merged = None
        try:
            merged = sheet.merged_cell_ranges
        except Exception:
            merged = None
        sheets.append(Sheet(str(path), name, [_clean_row(r) for r in rows], merged))
    return sheets


def _clean_row(row: list) -> list:
    return [None if (c == "" or c is None) else c for c in row]
