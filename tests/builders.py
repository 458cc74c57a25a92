"""Shared helpers: sample paths, workbook builders and a scorer for the reader tests."""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import xlsxwriter
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kaohe.cli import main
from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.scheme import load_scheme

SAMPLES = Path(str(files("kaohe") / "samples"))
DATA = Path(__file__).parent / "data"
LONG_CSV = SAMPLES / "daye_2023q1_long.csv"
ANNEX_XLSX = SAMPLES / "daye_2023q1_annex1-5.xlsx"
OTHER11 = DATA / "daye_2023q1_other11.csv"
SCHEME = "daye-2023"


def expected_totals() -> dict[str, str]:
    with open(DATA / "daye_2023q1_expected_totals.csv", encoding="utf-8") as fh:
        return {row["单位"]: row["总得分"] for row in csv.DictReader(fh)}


def annex_sheets() -> dict[str, list[list]]:
    """The sample annex workbook as {sheet name: rows}, blanks as None."""
    wb = CalamineWorkbook.from_path(str(ANNEX_XLSX))
    return {
        name: [
            [None if c == "" else c for c in row] for row in wb.get_sheet_by_name(name).to_python()
        ]
        for name in wb.sheet_names
    }


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Decimal):
                    value = float(value)
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def long_rows() -> list[list[str]]:
    with open(LONG_CSV, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def read(*paths, units_from_data: bool = False):
    return read_files(paths, load_scheme(SCHEME), units_from_data=units_from_data)


def totals(*paths) -> dict[str, str]:
    scheme = load_scheme(SCHEME)
    result = score(scheme, read_files(paths, scheme))
    return {u.unit: str(u.total) for u in result.units}


def cell(dataset, unit: str, key: str):
    return dataset.groups[0].cell(key, unit)


def kaohe(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


LONG_HEADER = ["单位", "指标", "任务数", "实绩数", "备注"]


def synthetic_long_rows(scheme, units: int, seed: int, ties: float = 0.0):
    """Long-table rows for `units` made-up units with every case the rules know ('/', 数据未出
    actual, late material); `ties`: the share of figures drawn from a handful of values."""
    rnd = random.Random(seed)
    for u in range(units):
        for ind in scheme.groups[0].indicators:
            roll = rnd.random()
            target = str(rnd.randint(1, 9999) / 100)
            if roll < 0.05:
                yield [f"单位{u}", ind.name, "/", "/", ""]
            elif roll < 0.08:
                yield [f"单位{u}", ind.name, target, "数据未出", ""]  # declared, not blank
            elif roll < 0.1:
                yield [f"单位{u}", ind.name, target, "0", "迟报材料"]
            elif roll < 0.1 + ties:
                yield [f"单位{u}", ind.name, "10", str(rnd.randint(0, 4) * 5), ""]
            else:
                yield [f"单位{u}", ind.name, target, str(rnd.randint(0, 20000) / 100), ""]


def write_long_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(LONG_HEADER)
        writer.writerows(rows)
    return path
