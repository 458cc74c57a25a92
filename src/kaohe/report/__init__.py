"""The quarterly bulletin (通报): .docx per GB/T 9704, attachments as .xlsx, charts, PDF.

`write_report(result, out_dir, …)` is the one entry point; the CLI and the web app call it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..engine import Result
from .errors import ReportError
from .facts import Facts, build_facts, short_names
from .narrative import read_narrative_parts

__all__ = ["ReportError", "write_report", "build_facts", "Facts"]

DOCX_NAME = "通报.docx"
XLSX_NAME = "附件.xlsx"


def write_report(
    result: Result,
    out_dir: str | Path,
    *,
    title: str | None = None,
    issuer: str | None = None,
    doc_date: str | dt.date | None = None,
    cutoff: str | None = None,
    narrative: str | Path | None = None,
    pdf: bool = False,
    year: int | None = None,
    period: str | None = None,
    theme: str | None = None,
    charts: bool = True,
    masthead: str | None = None,
    doc_number: str | None = None,
    copy_to: str | None = None,
    printer: str | None = None,
) -> dict[str, Path]:
    """Write the bulletin into out_dir; returns the files written by kind.

    Kinds: docx, xlsx, with charts (the default here; the CLI asks for them with --charts)
    chart_ranking[_N], chart_heatmap[_N] (one pair per unit group, also printed as the last
    attachment) and, with pdf=True, pdf. `narrative` is a Markdown
    file (Path) or Markdown text (str) for sections 二、三、四 (a '# 各部门…' section is §一（三）);
    without it those sections are marked placeholders. theme, masthead (发文机关标志),
    doc_number (发文字号), copy_to and printer (版记) default to the scheme's [bulletin].
    """
    from .annex_xlsx import write_annex_xlsx
    from .docx_writer import Masthead, write_docx

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    departments, body = read_narrative_parts(narrative, first_number=2)
    facts = build_facts(
        result,
        title=title,
        issuer=issuer,
        doc_date=doc_date,
        cutoff=cutoff,
        year=year,
        period=period,
        theme=theme,
        departments=departments,
    )
    bulletin = result.scheme.bulletin
    head = Masthead(
        masthead=bulletin.masthead if masthead is None else masthead,
        doc_number=bulletin.doc_number if doc_number is None else doc_number,
        copy_to=bulletin.copy_to if copy_to is None else copy_to,
        printer=bulletin.printer if printer is None else printer,
        print_date=facts.doc_date,
    )
    files: dict[str, Path] = {}
    figures = draw_charts(result, out, files) if charts else []
    files["docx"] = write_docx(facts, body, figures, out / DOCX_NAME, head)
    files["xlsx"] = write_annex_xlsx(facts, out / XLSX_NAME)
    if pdf:
        from .pdf import convert_to_pdf

        files["pdf"] = convert_to_pdf(files["docx"], out)
    return files


def draw_charts(result: Result, out: Path, files: dict[str, Path]) -> list[tuple[str, Path]]:
    """The ranking and heat-map PNGs of every unit group; (caption, path) for the document."""
    from .charts import heatmap_chart, ranking_chart

    figures = []
    for k, g in enumerate(result.groups):
        suffix = "" if k == 0 else f"_{k + 1}"
        short = short_names(g)
        names = [short[i] for i in g.order]
        label = g.group.name
        ranking = ranking_chart(
            g, names, out / f"图_{label}考核总得分排名.png", f"各{label}考核总得分"
        )
        heat = heatmap_chart(
            g, names, out / f"图_{label}指标完成率.png", f"各{label}各项指标完成率"
        )
        files[f"chart_ranking{suffix}"] = ranking
        files[f"chart_heatmap{suffix}"] = heat
        figures += [(f"各{label}考核总得分排名", ranking), (f"各{label}各项指标完成率", heat)]
    return figures
