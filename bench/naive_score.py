"""The naive reference for bench_score.py: a long CSV scored cell by cell with Decimal, written
the plainest way, totals only (no explanations, no checks, no exporters).

    python bench/naive_score.py data.csv > totals.tsv

Prints "unit<TAB>total" for every unit. Only the rules are taken from the scheme file.
"""

from __future__ import annotations

import csv
import sys
from decimal import ROUND_HALF_UP, Decimal

from kaohe.scheme import load_scheme


def main(path: str) -> None:
    scheme = load_scheme("daye-2023")
    group = scheme.groups[0]
    indicators = {ind.name: ind for ind in group.indicators}
    figures = {ind.name: {} for ind in group.indicators}  # indicator -> unit -> (t, a, note)
    units = {}  # in order of first appearance
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            unit = row["单位"]
            units.setdefault(unit, None)
            figures[row["指标"]][unit] = (row["任务数"], row["实绩数"], row["备注"])
    raw = {unit: Decimal(0) for unit in units}
    for name, ind in indicators.items():
        points = score_indicator(ind, figures[name], scheme.late_notes)
        for unit in units:
            raw[unit] += points[unit]
    scale = scheme.total_scale / group.max_points
    out = sys.stdout
    for unit in units:
        total = (raw[unit] * scale).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.write(f"{unit}\t{total}\n")


def score_indicator(ind, cells: dict, late_notes) -> dict:
    points = {}
    ranked = {}
    for unit, (t, a, note) in cells.items():
        if any(word in note for word in late_notes):
            points[unit] = Decimal(0)
        elif t in ("/", "") or Decimal(t) == 0:
            points[unit] = ind.max_points
        elif a in ("数据未出", "未出"):  # declared: completion taken as the target
            points[unit] = ind.max_points
        elif a == "":  # 未报送: nothing scores without evidence
            points[unit] = Decimal(0)
        else:
            target, actual = Decimal(t), Decimal(a)
            if ind.method == "rank":
                ranked[unit] = (actual, actual / target)
            elif ind.method == "ratio":
                points[unit] = ind.max_points * min(actual / target, Decimal(1))
            else:
                points[unit] = ind.max_points if actual >= target else Decimal(0)
    if ranked:
        top, step = ind.params["top"], ind.params["step"]
        by_actual = sorted(ranked, key=lambda u: ranked[u], reverse=True)
        by_rate = sorted(ranked, key=lambda u: (ranked[u][1], ranked[u][0]), reverse=True)
        for order, key in ((by_actual, lambda u: ranked[u]), (by_rate, lambda u: ranked[u])):
            rank = 0
            for position, unit in enumerate(order, start=1):
                if position == 1 or key(unit) != key(order[position - 2]):
                    rank = position
                points[unit] = points.get(unit, Decimal(0)) + max(
                    top - step * (rank - 1), Decimal(0)
                )
    return points


if __name__ == "__main__":
    main(sys.argv[1])
