"""Speed of the scoring engine and of `kaohe score` end to end (prints figures; not a test).

Targets (issue 2, on a 2-core machine):
  - 40,000 synthetic units × the 16 daye-2023 indicators scored by the engine in ≤ 0.5 s;
  - the same as a 640,000-row long CSV read and scored by `kaohe score … --format json` in ≤ 3 s.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.scheme import load_scheme

UNITS = int(os.environ.get("KAOHE_BENCH_UNITS", "40000"))
HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


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
                yield unit, ind.name, str(target), "", ""
            elif roll < 0.07:
                yield unit, ind.name, str(target), "0", "迟报材料"
            else:
                actual = (target * Decimal(rnd.randint(50, 200)) / 100).quantize(Decimal("0.001"))
                yield unit, ind.name, str(target), str(actual), ""


def bench_engine(scheme, path: Path) -> float:
    """Score the data as the readers deliver it; reading is not timed here."""
    dataset = read_files([path], scheme, units_from_data=True)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = score(scheme, dataset)
        best = min(best, time.perf_counter() - start)
        assert len(result.groups[0].unit_names) == UNITS
        del result  # freeing the previous result is not part of the next run
    return best


def synthetic_csv(scheme) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"long_{UNITS}.csv"
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
            writer.writerows(synthetic_rows(scheme, UNITS))
    return path


def bench_cli(path: Path) -> tuple[float, int]:
    """Wall time of the command, its JSON read from a pipe as it comes (like `| wc -c`)."""
    kaohe = Path(sys.executable).with_name("kaohe")
    cmd = [
        str(kaohe),
        "score",
        str(path),
        "--scheme",
        "daye-2023",
        "--units-from-data",
        "--format",
        "json",
    ]
    best, size = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        size = 0
        while chunk := os.read(proc.stdout.fileno(), 1 << 20):
            size += len(chunk)
        proc.stdout.close()
        if proc.wait() != 0:
            raise SystemExit(f"kaohe score failed with status {proc.returncode}")
        best = min(best, time.perf_counter() - start)
    return best, size


def stages(scheme, path: Path) -> dict[str, float]:
    """Where the time goes in one process (no interpreter start-up), stage by stage: the path
    every input but a large plain CSV goes through."""
    import tempfile

    from kaohe.allocator import keep_freed_memory
    from kaohe.engine import gc_paused
    from kaohe.exporters import JsonExporter

    keep_freed_memory()
    times = {}
    with gc_paused():
        start = time.perf_counter()
        dataset = read_files([path], scheme, units_from_data=True)
        times["read"] = time.perf_counter() - start
        start = time.perf_counter()
        result = score(scheme, dataset)
        times["score"] = time.perf_counter() - start
        for parallel in (False, True):
            with tempfile.TemporaryFile() as fh:
                start = time.perf_counter()
                JsonExporter().write(result, fh, parallel=parallel)
                times["json, 2 processes" if parallel else "json, 1 process"] = (
                    time.perf_counter() - start
                )
    return times


def two_process_path(path: Path) -> float:
    """The CLI's path for a large plain CSV (kaohe.parallel), timed in a fresh interpreter:
    forking this one, which has held several datasets, would measure its page tables too."""
    code = (
        "import sys, tempfile, time\n"
        "from kaohe.allocator import keep_freed_memory\n"
        "from kaohe.engine import gc_paused\n"
        "from kaohe.parallel import prepare_json\n"
        "from kaohe.scheme import load_scheme\n"
        "keep_freed_memory()\n"
        "scheme = load_scheme('daye-2023')\n"
        "with gc_paused(), tempfile.TemporaryFile() as fh:\n"
        "    start = time.perf_counter()\n"
        "    prepare_json(sys.argv[1], scheme, True)(fh)\n"
        "    print(time.perf_counter() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def main() -> None:
    scheme = load_scheme("daye-2023")
    rows = UNITS * len(scheme.groups[0].indicators)
    path = synthetic_csv(scheme)
    engine = bench_engine(scheme, path)
    print(
        f"engine: {UNITS} units × 16 indicators ({rows} figures) scored in {engine:.3f} s (target ≤ 0.5 s)"
    )
    parts = stages(scheme, path)
    print("  in one process: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))
    print(
        f"  the CLI's two-process path for this file (read, score, JSON to a file): "
        f"{two_process_path(path):.2f} s"
    )
    cli, size = bench_cli(path)
    print(
        f"cli: {rows}-row long CSV read, scored and written as JSON ({size / 1e6:.0f} MB) "
        f"in {cli:.3f} s (target ≤ 3 s)"
    )


if __name__ == "__main__":
    main()
