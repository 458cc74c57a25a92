"""Speed of `kaohe score` end to end against a naive reference (prints figures; not a test).

Targets (issue 9, on a 2-core machine shared with other work, so the ratio in one run counts):
  - 40,000 units × 16 indicators (640,000 rows): `kaohe score --format json` and `--format csv`
    each at least 1.5 × faster than bench/naive_score.py, with identical totals; peak memory
    ≤ 1.5 GB;
  - 3,000 units: scoring to JSON, CSV and XLSX each ≤ 2 s;
  - growth: time per unit at 40,000 units at most 1.3 × the time per unit at 3,000.

At 3,000 units it also times bench/xlsx_floor.py, XlsxWriter alone writing as many cells as the
detail sheet, as the floor any XLSX output with this library has.

KAOHE_BENCH_UNITS sets the large size (default 40000), KAOHE_BENCH_SMALL the small (3000).
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from kaohe.scheme import load_scheme

LARGE = int(os.environ.get("KAOHE_BENCH_UNITS", "40000"))
SMALL = int(os.environ.get("KAOHE_BENCH_SMALL", "3000"))
HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
BIN = Path(sys.executable).parent


def synthetic_rows(scheme, n_units: int, seed: int = 2023):
    """(unit, indicator name, target, actual, note) with every case the rules know."""
    rnd = random.Random(seed)
    group = scheme.groups[0]
    for u in range(n_units):
        unit = f"单位{u:05d}"
        for ind in group.indicators:
            roll = rnd.random()
            target = Decimal(rnd.randint(1, 50000)) / 100
            if roll < 0.03:
                yield unit, ind.name, "/", "/", ""
            elif roll < 0.06:
                yield unit, ind.name, str(target), "数据未出", ""  # declared, never blank
            elif roll < 0.07:
                yield unit, ind.name, str(target), "0", "迟报材料"
            else:
                actual = (target * Decimal(rnd.randint(50, 200)) / 100).quantize(Decimal("0.001"))
                yield unit, ind.name, str(target), str(actual), ""


def synthetic_csv(scheme, n_units: int) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"long_{n_units}.csv"
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
            writer.writerows(synthetic_rows(scheme, n_units))
    return path


def timed(cmd: list[str], out: Path) -> tuple[float, int]:
    """Wall time and peak memory (kB) of a command, its output written to `out`."""
    with open(out, "wb") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"{cmd[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss


def kaohe(path: Path, fmt: str, out: Path) -> tuple[float, int]:
    args = [str(BIN / "kaohe"), "score", str(path), "--units-from-data", "--format", fmt]
    if fmt == "xlsx":
        return timed([*args, "-o", str(out)], out.with_suffix(".log"))
    return timed(args, out)


def naive(path: Path, out: Path) -> tuple[float, int]:
    return timed([sys.executable, str(HERE / "naive_score.py"), str(path)], out)


def xlsx_floor(rows: int, out: Path) -> tuple[float, int]:
    return timed(
        [sys.executable, str(HERE / "xlsx_floor.py"), str(rows), str(out)], out.with_suffix(".log")
    )


def totals_from_json(path: Path) -> dict[str, Decimal]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh, parse_float=Decimal)
    return {u["unit"]: u["total"] for u in data["units"]}


def totals_from_csv(path: Path) -> dict[str, Decimal]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["单位"]: Decimal(row["总得分"]) for row in csv.DictReader(fh)}


def totals_from_naive(path: Path) -> dict[str, Decimal]:
    with open(path, encoding="utf-8") as fh:
        return {u: Decimal(t) for u, t in (line.rstrip("\n").split("\t") for line in fh)}


def best(runs: int, fn, *args) -> tuple[float, int]:
    figures = [fn(*args) for _ in range(runs)]
    return min(f[0] for f in figures), max(f[1] for f in figures)


def main() -> None:
    scheme = load_scheme("daye-2023")
    runs = int(os.environ.get("KAOHE_BENCH_RUNS", "2"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        times: dict[tuple[int, str], float] = {}
        for n in (SMALL, LARGE):
            path = synthetic_csv(scheme, n)
            rows = n * len(scheme.groups[0].indicators)
            # Every command runs before any output is parsed: a child's peak memory counts the
            # parent's pages at fork, and parsing a 227 MB JSON makes the parent large.
            ref, ref_mem = best(runs, naive, path, out / "naive.tsv")
            figures = {}
            for fmt in ("json", "csv", "xlsx"):
                if fmt == "xlsx" and n > SMALL:
                    continue  # targets name XLSX at 3,000 units only
                figures[fmt] = best(runs, kaohe, path, fmt, out / f"results.{fmt}")
            floor = best(runs, xlsx_floor, rows, out / "floor.xlsx") if n == SMALL else None
            expected = totals_from_naive(out / "naive.tsv")
            print(f"{n} units ({rows} rows):")
            print(f"  naive reference (totals only)   {ref:6.2f} s  {ref_mem / 1024:6.0f} MB")
            for fmt, (t, mem) in figures.items():
                times[n, fmt] = t
                same = ""
                if fmt != "xlsx":
                    read = totals_from_json if fmt == "json" else totals_from_csv
                    same = (
                        "totals identical"
                        if read(out / f"results.{fmt}") == expected
                        else "TOTALS DIFFER"
                    )
                print(
                    f"  kaohe score --format {fmt:5s}    {t:6.2f} s  {mem / 1024:6.0f} MB  "
                    f"{ref / t:4.2f} × the reference  {same}"
                )
            if floor:
                print(
                    f"  XlsxWriter alone, {rows} × 17 cells  {floor[0]:6.2f} s  "
                    f"{floor[1] / 1024:6.0f} MB  (the floor for --format xlsx; "
                    f"kaohe takes {times[n, 'xlsx'] / floor[0]:.2f} × it)"
                )
        for fmt in ("json", "csv"):
            growth = (times[LARGE, fmt] / LARGE) / (times[SMALL, fmt] / SMALL)
            print(f"growth, {fmt}: time per unit at {LARGE} ÷ at {SMALL} = {growth:.2f}")


if __name__ == "__main__":
    main()
