"""Data for the bulletin tests: the seed, its own §二–四, and a 30-unit county made up from it."""

from __future__ import annotations

import csv
import random
import re
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.scheme import load_scheme, parse_scheme

SAMPLES = Path(str(files("kaohe") / "samples"))
SEED = SAMPLES / "daye_2023q1_long.csv"
NARRATIVE = Path(__file__).parent / "data" / "daye_2023q1_narrative.md"
CUTOFF = "2023 年 3 月 31 日下午 17：00"
UNITS_30 = [
    f"第{n:02d}片区"
    for n in (5, 12, 1, 30, 8, 19, 7, 4, 22, 3)
    + tuple(n for n in range(1, 31) if n not in (5, 12, 1, 30, 8, 19, 7, 4, 22, 3))
]  # the scheme's own order, not by name


def seed_result():
    scheme = load_scheme("daye-2023")
    return score(scheme, read_files([SEED], scheme))


def scheme_30(extra: str = ""):
    """daye-2023 with 30 units in a county order of its own (no short names)."""
    text = (files("kaohe") / "schemes" / "daye-2023.toml").read_text(encoding="utf-8")
    units = "units = [\n" + "\n".join(f'  {{ name = "{u}" }},' for u in UNITS_30) + "\n]\n"
    text = re.sub(r"units = \[\n.*?\n\]\n", units, text, count=1, flags=re.S)
    text = re.sub(r"^templates = .*\n", "", text, flags=re.M)  # today's default sentences
    return parse_scheme(text.replace("[bulletin]\n", "[bulletin]\n" + extra), source="thirty")


def csv_30(path: Path, seed: int = 3) -> Path:
    """Every indicator for 30 units: some below target, some '/' (no task), some blank (the
    figures not out yet, declared in the note), one late."""
    scheme = scheme_30()
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
        for k, unit in enumerate(sorted(UNITS_30)):
            for ind in scheme.groups[0].indicators:
                target = Decimal(rng.randint(10, 900))
                roll = rng.random()
                if roll < 0.04:
                    out.writerow([unit, ind.name, "/", "/", ""])
                elif roll < 0.07 and ind.method == "ratio":
                    out.writerow([unit, ind.name, target, "", "数据未出"])
                else:
                    actual = target * Decimal(rng.randint(80, 160)) / 100
                    if ind.category == "工作任务" and k == 2:
                        out.writerow([unit, ind.name, target, 0, "迟报材料"])
                    else:
                        out.writerow([unit, ind.name, target, actual.quantize(Decimal("0.1")), ""])
    return path


def result_30(tmp: Path, extra: str = ""):
    scheme = scheme_30(extra)
    return score(scheme, read_files([csv_30(tmp / "thirty.csv")], scheme))
