"""How long `kaohe report` takes (PDF aside): the seed, and 3,000 synthetic units × 16 indicators.

Run: .venv/bin/python bench/bench_report.py   (issue 9's targets: seed ≤ 1 s, 3,000 units ≤ 5 s)
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.report import write_report
from kaohe.scheme import load_scheme

ROOT = Path(__file__).parents[1]
SEED = ROOT / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"
DATA = ROOT / "bench" / "_data"


def synthetic_csv(path: Path, units: int, seed: int = 7) -> Path:
    """A long CSV shaped like the seed: every indicator for every unit, some '/', some late."""
    scheme = load_scheme("daye-2023")
    indicators = scheme.groups[0].indicators
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
        for u in range(units):
            name = f"测试单位{u + 1:04d}"
            for ind in indicators:
                target = Decimal(rng.randint(1, 5000)) / (10 ** min(ind.decimals, 2))
                if rng.random() < 0.03:
                    out.writerow([name, ind.name, "/", "/", ""])
                    continue
                actual = (target * Decimal(rng.randint(50, 160)) / 100).quantize(Decimal("0.01"))
                note = "迟报材料" if ind.category == "工作任务" and rng.random() < 0.01 else ""
                out.writerow([name, ind.name, target, "0" if note else actual, note])
    return path


def timed(label: str, files, units_from_data: bool) -> float:
    scheme = load_scheme("daye-2023")
    start, cpu0 = time.perf_counter(), time.process_time()
    result = score(scheme, read_files(files, scheme, units_from_data=units_from_data))
    scored, cpu1 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        # as `kaohe report` writes it by default: the .docx and the workbook, no charts
        write_report(result, tmp, doc_date="2023-04-21", cutoff="2023年3月31日", charts=False)
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}
    end, cpu2 = time.perf_counter(), time.process_time()
    print(
        f"{label}: read+score {scored - start:.2f} s, report {end - scored:.2f} s, "
        f"total {end - start:.2f} s (CPU: read+score {cpu1 - cpu0:.2f} s, report "
        f"{cpu2 - cpu1:.2f} s, total {cpu2 - cpu0:.2f} s); docx {sizes['通报.docx'] / 1e6:.1f} MB, "
        f"xlsx {sizes['附件.xlsx'] / 1e6:.1f} MB"
    )
    parts = stages(result)
    print(
        "  the report again, by stage (wall / CPU): "
        + ", ".join(f"{k} {wall:.2f} / {cpu:.2f} s" for k, (wall, cpu) in parts.items())
    )
    return end - start


def stages(result) -> dict[str, tuple[float, float]]:
    """Where the report's time goes: the facts, the .docx and the workbook."""
    from kaohe.report import build_facts
    from kaohe.report.annex_xlsx import write_annex_xlsx
    from kaohe.report.docx_writer import write_docx
    from kaohe.report.narrative import placeholders

    marks = [(time.perf_counter(), time.process_time())]
    facts = build_facts(result, doc_date="2023-04-21", cutoff="2023年3月31日")
    marks.append((time.perf_counter(), time.process_time()))
    with tempfile.TemporaryDirectory() as tmp:
        write_docx(facts, placeholders(), [], Path(tmp) / "a.docx")
        marks.append((time.perf_counter(), time.process_time()))
        write_annex_xlsx(facts, Path(tmp) / "a.xlsx")
        marks.append((time.perf_counter(), time.process_time()))
    names = ("facts", "通报.docx", "附件.xlsx")
    return {
        name: (b[0] - a[0], b[1] - a[1])
        for name, a, b in zip(names, marks[:-1], marks[1:], strict=True)
    }


def main() -> int:
    seed = timed("seed (14 units)", [SEED], False)
    DATA.mkdir(exist_ok=True)
    big = synthetic_csv(DATA / "report_3000.csv", 3000)
    large = timed("synthetic (3,000 units × 16 indicators)", [big], True)
    ok = seed <= 1 and large <= 5
    print("OK" if ok else "SLOWER THAN TARGET (seed ≤ 1 s, 3,000 units ≤ 5 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
