"""The floor for `kaohe score --format xlsx`: XlsxWriter alone writing as many cells as kaohe's
detail sheet holds (rows × 17 columns, half numbers, half short texts, each with a border), with
no scoring and no reading. Prints nothing; bench_score.py times it.

    python bench/xlsx_floor.py ROWS OUT.xlsx
"""

from __future__ import annotations

import sys

import xlsxwriter

COLUMNS = 17  # exporters.DETAIL_HEADER


def main(rows: int, path: str) -> None:
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
    cell = wb.add_format({"border": 1, "valign": "vcenter"})
    ws = wb.add_worksheet("明细")
    for r in range(1, rows + 1):
        for c in range(COLUMNS):
            if c % 2:
                ws.write_string(r, c, f"单位{r // 16:05d}·{c}", cell)
            else:
                ws.write_number(r, c, r * 0.5 + c, cell)
    wb.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
