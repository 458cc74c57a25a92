"""The completeness board's filters and export, and each unit's reporting and on-time rates
over the periods of a year. One row generator feeds the page and the workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..models import Period, Unit, UnitReport
from .periods import completeness

# filter key → (label, does a board row pass)
FILTERS = {
    "missing": ("未报送", lambda r: r["report"] is None or r["report"].state == UnitReport.DRAFT),
    "late": ("迟报", lambda r: r["report"] is not None and r["report"].late),
    "pending": (
        "待审核",
        lambda r: r["report"] is not None and r["report"].state == UnitReport.SUBMITTED,
    ),
    "returned": (
        "已退回",
        lambda r: r["report"] is not None and r["report"].state == UnitReport.RETURNED,
    ),
}
CELL_TEXT = {"ok": "按时", "late": "迟报", "missing": "未报"}


def state_text(report) -> str:
    if report is None:
        return "未报送"
    return report.get_state_display() + ("（迟报）" if report.late else "")


def board(period: Period, show: str | None = None) -> list[dict]:
    """completeness() with only the rows that pass the filter (all rows without one)."""
    groups = completeness(period)
    if show in FILTERS:
        keep = FILTERS[show][1]
        for g in groups:
            g["rows"] = [r for r in g["rows"] if keep(r)]
    return groups


def board_rows(period: Period, show: str | None = None):
    """The board as rows of text: a header per group, then one row per unit."""
    for g in board(period, show):
        names = [f"{i.name}（{i.unit}）" if i.unit else i.name for i in g["indicators"]]
        yield ["分组", "单位", "报送状态", "报送时间", "审核意见", "已填指标", "材料份数", *names]
        for r in g["rows"]:
            report = r["report"]
            when = report.submitted_at if report is not None else None
            yield [
                g["group"].name,
                r["unit"].name,
                state_text(report),
                f"{when:%Y-%m-%d %H:%M}" if when else "",
                report.comment if report is not None else "",
                f"{r['filled']}/{len(g['indicators'])}",
                str(r["materials"][0]),
                *[CELL_TEXT[c] for c in r["cells"]],
            ]


def board_xlsx(period: Period, show: str | None = None) -> bytes:
    """The board as a workbook; every cell a string (unit names and states stay text)."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("填报完成情况")
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    title = f"{period.name}填报完成情况" + (f"（{FILTERS[show][0]}）" if show in FILTERS else "")
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    r = 1
    for row in board_rows(period, show):
        fmt = head if row[0] == "分组" else cell
        for c, value in enumerate(row):
            ws.write_string(r, c, value, fmt)
        r += 1
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 6, 12)
    wb.close()
    return out.getvalue()


@dataclass
class UnitRates:
    unit: Unit
    marks: list[str] = field(default_factory=list)  # per period: 按时 / 迟报 / 未报送
    periods: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self) -> Fraction:
        return Fraction(self.submitted, self.periods) if self.periods else Fraction(0)

    @property
    def on_time_rate(self) -> Fraction:
        return Fraction(self.on_time, self.periods) if self.periods else Fraction(0)


def percent(rate: Fraction) -> str:
    """A rate as a percentage to one decimal, rounded half up (exact until shown)."""
    tenths = (rate * 1000 + Fraction(1, 2)) // 1
    return f"{tenths // 10}.{tenths % 10}%"


def year_rates(period: Period) -> tuple[list[Period], list[tuple]]:
    """Each unit's reporting rate (submitted periods / periods) and on-time rate over the
    periods of the year of `period` in its scheme, by group. A draft, or a return not yet resubmitted, is not a submission."""
    periods = list(
        Period.objects.filter(scheme_id=period.scheme_id, year=period.year).order_by(
            "kind", "number"
        )
    )
    reports = {
        (r.period_id, r.unit_id): r
        for r in UnitReport.objects.filter(
            period__in=periods, state__in=(UnitReport.SUBMITTED, UnitReport.APPROVED)
        )
    }
    groups = []
    for group in period.scheme.groups.order_by("order"):
        rows = []
        for unit in group.units.order_by("order", "id"):
            rates = UnitRates(unit, periods=len(periods))
            for p in periods:
                report = reports.get((p.id, unit.id))
                if report is None:
                    rates.marks.append("未报送")
                    continue
                rates.submitted += 1
                rates.on_time += 0 if report.late else 1
                rates.marks.append("迟报" if report.late else "按时")
            rows.append(rates)
        groups.append((group, rows))
    return periods, groups
