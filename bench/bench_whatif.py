"""How long 如何前进一名 takes on the seed (14 units × 16 indicators): the engine's answer for
each unit, and the whole `kaohe whatif` command (start-up included) for the slowest unit.

Run: .venv/bin/python bench/bench_whatif.py   (issue 14's target: the CLI answers in a few seconds)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from kaohe.readers import read_files
from kaohe.scheme import load_scheme
from kaohe.whatif import what_if

ROOT = Path(__file__).parents[1]
SEED = ROOT / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"


def main() -> None:
    scheme = load_scheme("daye-2023")
    dataset = read_files([SEED], scheme)
    times = {}
    for unit in dataset.groups[0].units:
        start = time.perf_counter()
        answer = what_if(scheme, dataset, unit)
        times[unit] = time.perf_counter() - start
        print(f"{unit}\t第 {answer.rank} 名\t{len(answer.reachable)} 项可达\t{times[unit]:.3f} s")
    slowest = max(times, key=times.get)
    print(f"引擎：合计 {sum(times.values()):.2f} s，最慢 {slowest} {times[slowest]:.3f} s")
    kaohe = Path(sys.executable).with_name("kaohe")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([kaohe, "whatif", slowest, SEED], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(
        f"kaohe whatif {slowest}：{min(runs):.2f} s（3 次中最快，含启动），最慢 {max(runs):.2f} s"
    )


if __name__ == "__main__":
    main()
