"""Read the files a bureau circulates into one checked Dataset.

Each file may be a long table (CSV or Excel), attachment-style sheets (附件1–5), or the entry
workbook written by `kaohe template`; the layout is recognised per sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..dataset import Dataset
from ..errors import InputError, InputErrors, KaoheError, Location
from ..scheme import Scheme
from .files import Sheet, csv_rows, excel_sheets, kind_of
from .long import long_header_row, read_long
from .resolve import Resolver
from .wide import read_wide

MAX_ERRORS = 200


def read_files(
    paths: Iterable[str | Path], scheme: Scheme, *, units_from_data: bool = False
) -> Dataset:
    """Merge every file into one Dataset; raises InputErrors listing every problem found."""
    dataset = Dataset(scheme, units_from_data)
    resolver = Resolver(scheme, units_from_data)
    errors: list[KaoheError] = []
    for path in paths:
        path = Path(path)
        try:
            read_file(path, dataset, resolver, errors)
        except InputError as exc:
            errors.append(exc)
        dataset.sources.append(str(path))
        if len(errors) >= MAX_ERRORS:
            break
    errors.extend(dataset.errors)
    dataset.errors = []
    if errors:
        raise InputErrors(errors[:MAX_ERRORS])
    return dataset


def read_file(path: Path, dataset: Dataset, resolver: Resolver, errors: list) -> None:
    kind = kind_of(path)
    if kind == "csv":
        _read_csv(path, dataset, resolver, errors)
        return
    recognised = 0
    for sheet in excel_sheets(path):
        first = long_header_row(sheet.rows)
        if first is not None:
            read_long(
                sheet.rows[first:],
                sheet.file,
                sheet.name,
                dataset,
                resolver,
                errors,
                first,
                sheet.merged,
            )
            recognised += 1
        elif read_wide(sheet, dataset, resolver, errors):
            recognised += 1
    if not recognised:
        raise InputError(
            "没有找到可识别的考核数据表：应为长表（单位,指标,任务数,实绩数,备注）、"
            "通报附件样式的表格（序号、乡镇、实绩数、任务数、完成率）或 kaohe template 生成的填报表",
            Location(str(path)),
        )


def _read_csv(path: Path, dataset: Dataset, resolver: Resolver, errors: list) -> None:
    rows = csv_rows(path)
    filled = next((r for r, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if filled is None:
        raise InputError("文件是空的", Location(str(path)))
    first = long_header_row(rows)
    if first is not None:
        read_long(rows[first:], str(path), None, dataset, resolver, errors, first)
        return
    all_rows = [[c if c.strip() else None for c in r] for r in rows]
    if not read_wide(Sheet(str(path), None, all_rows), dataset, resolver, errors):
        raise InputError(
            "不是可识别的考核数据：CSV 第一行应为表头 单位,指标,任务数,实绩数,备注",
            Location(str(path), row=filled + 1),
        )
