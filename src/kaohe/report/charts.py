"""Charts as PNG: the ranking of totals and a units × indicators completion-rate heat map."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..engine import NO_TASK, PENDING, GroupResult

FONT_FILE = "KaoheSans-SC.otf"  # Noto Sans CJK SC cut to GB 2312 (OFL), see fonts/make_subset.py
FONT_FAMILY = "Kaohe Sans SC"
LABELLED_UNITS = 60  # beyond this many units the charts drop per-unit labels
RATE_CAP = 1.5  # the heat map's colour scale tops out at 150%
DPI = 150


def font_path() -> Path:
    return Path(str(resources.files("kaohe.report") / "fonts" / FONT_FILE))


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The packaged Chinese font, registered with matplotlib (no system font needed)."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return FONT_FAMILY


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # DejaVu Sans (bundled with matplotlib) draws any sign the subset lacks, glyph by glyph.
    families = [cjk_font(), "DejaVu Sans"]
    plt.rcParams["font.family"] = families
    plt.rcParams["font.sans-serif"] = families
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def ranking_chart(g: GroupResult, names: list[str], path: Path, title: str) -> Path:
    """Horizontal bars of the totals, best at the top; `names` are in g.order."""
    plt = _pyplot()
    totals = [float(g.total[i]) for i in g.order]
    n = len(totals)
    labelled = n <= LABELLED_UNITS
    height = min(max(3.0, 0.32 * n + 1.2), 11.0) if labelled else 8.0
    fig, ax = plt.subplots(figsize=(7.5, height))
    positions = list(range(n))
    ax.barh(positions, totals, color="#2f6fa8", height=0.7 if labelled else 1.0)
    ax.invert_yaxis()
    if labelled:
        ax.set_yticks(positions, names, fontsize=9)
        for y, value, i in zip(positions, totals, g.order, strict=True):
            ax.text(value, y, f" {g.total[i]}", va="center", fontsize=8)
    else:
        ax.set_ylabel(f"名次（共 {n} 个）")
    low = min(totals, default=0)
    ax.set_xlim(
        max(0.0, low - (max(totals, default=1) - low) * 0.6 - 5), max(totals, default=1) * 1.06
    )
    ax.set_xlabel("总得分")
    ax.set_title(title, fontsize=12)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def heat_value(col, i: int) -> float:
    """A cell's colour value; NaN (grey, as the legend says) where no task or no figure yet."""
    rate = col.rate[i]
    if rate is None or col.status[i] in (NO_TASK, PENDING):
        return float("nan")
    return min(float(rate), RATE_CAP)


def heatmap_chart(g: GroupResult, names: list[str], path: Path, title: str) -> Path:
    """Completion rates (actual ÷ target) per unit and indicator; grey where no task."""
    plt = _pyplot()
    import numpy as np

    columns = [c for c in g.columns if any(r is not None for r in c.rate)]
    data = np.full((len(g.order), len(columns)), np.nan)
    for x, col in enumerate(columns):
        for y, i in enumerate(g.order):
            data[y, x] = heat_value(col, i)
    n = len(g.order)
    labelled = n <= LABELLED_UNITS
    height = min(max(3.5, 0.3 * n + 3.0), 11.0) if labelled else 9.0
    fig, ax = plt.subplots(figsize=(10, height))
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#d9d9d9")
    image = ax.imshow(
        np.ma.masked_invalid(data),
        aspect="auto",
        cmap=cmap,
        vmin=0.5,
        vmax=RATE_CAP,
        interpolation="nearest",
    )
    labels = [c.indicator.name for c in columns]
    ax.set_xticks(range(len(columns)), labels, rotation=60, ha="right", fontsize=7)
    if labelled:
        ax.set_yticks(range(n), names, fontsize=8)
    else:
        ax.set_ylabel(f"单位（按总得分排序，共 {n} 个）")
        ax.set_yticks([])
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    bar.set_label("完成率（150% 以上按 150% 着色，灰色为未下达任务或数据未出）", fontsize=8)
    bar.ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_title(title, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
