"""Charts as PNG: the ranking of totals and a units × indicators completion-rate heat map."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..engine import NO_TASK, PENDING, GroupResult

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "FandolHei",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "AR PL UKai CN",
)
FANDOL_DIRS = ("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",)
LABELLED_UNITS = 60  # beyond this many units the charts drop per-unit labels
RATE_CAP = 1.5  # the heat map's colour scale tops out at 150%
DPI = 150


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font family matplotlib can use for Chinese, registering Fandol if fontconfig lacks it."""
    from matplotlib import font_manager

    for folder in FANDOL_DIRS:
        for path in sorted(Path(folder).glob("FandolHei-Regular.otf")):
            font_manager.fontManager.addfont(str(path))
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in known), None)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font]
        plt.rcParams["font.sans-serif"] = [font]
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


def heatmap_chart(g: GroupResult, names: list[str], path: Path, title: str) -> Path:
    """Completion rates (actual ÷ target) per unit and indicator; grey where no task."""
    plt = _pyplot()
    import numpy as np

    columns = [c for c in g.columns if any(r is not None for r in c.rate)]
    data = np.full((len(g.order), len(columns)), np.nan)
    for x, col in enumerate(columns):
        for y, i in enumerate(g.order):
            rate = col.rate[i]
            if rate is not None and col.status[i] not in (NO_TASK, PENDING):
                data[y, x] = min(float(rate), RATE_CAP)
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
