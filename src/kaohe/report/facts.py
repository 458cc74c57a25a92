"""The bulletin's figures and generated sentences, computed from a scoring Result.

Pure: no files, no fonts. Every figure is a Decimal from the engine; texts are built from them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..engine import LATE, NO_TASK, PENDING, SCORED, GroupResult, IndicatorColumn, Result
from ..numbers import HUNDRED, ZERO, fixed, percent, plain, round_half_up
from ..scheme import Indicator
from .errors import ReportError
from .narrative import Paragraph, Run, cn_number

NAME_LIST_LIMIT = 20  # prose lists at most this many unit names, then "等 N 个"
RANKING_LIMIT = 30  # the ranking paragraph names at most this many places
TOP_N = 3
DASH = "/"


def join_names(names: list[str]) -> str:
    """甲、乙和丙."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def rate_words(rate: Decimal) -> str:
    """The completion rate as prose prints it: two places at most, trailing zeros dropped."""
    return plain(round_half_up(rate * HUNDRED, 2)) + "%"


def figure(value: Decimal, decimals: int | None) -> str:
    return plain(value) if decimals is None else fixed(value, decimals)


def points_text(value: Decimal) -> str:
    return plain(round_half_up(value, 2))


# --- dates --------------------------------------------------------------------

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_date(text: str | dt.date | None) -> dt.date | None:
    if text is None or isinstance(text, dt.date):
        return text
    for pattern in (_CN_DATE, _ISO_DATE):
        m = pattern.search(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise ReportError(f"无法识别日期“{text}”，请写成 2023年4月21日 或 2023-04-21")


def date_words(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def quarter_words(month: int) -> str:
    return f"{cn_number((month - 1) // 3 + 1)}季度"


# --- tables -------------------------------------------------------------------


@dataclass
class AnnexRow:
    seq: int
    unit: str
    actual: Decimal | None  # in the attachment's unit; None: no figure ("/")
    target: Decimal | None
    rate: Decimal | None
    note: str = ""


@dataclass
class AnnexTable:
    """附件1–5: one indicator, a row per unit by actual value, and a 合计 row."""

    number: int
    indicator: Indicator
    group_name: str
    title: str
    heading: str  # 规上企业研发投入（万元）
    decimals: int | None
    rows: list[AnnexRow]
    total_actual: Decimal
    total_target: Decimal
    total_rate: Decimal | None
    has_notes: bool

    def actual_text(self, value: Decimal | None) -> str:
        return DASH if value is None else figure(value, self.decimals)

    @staticmethod
    def target_text(value: Decimal | None) -> str:
        return DASH if value is None else plain(value)

    @staticmethod
    def rate_text(value: Decimal | None) -> str:
        return DASH if value is None else percent(value)


@dataclass
class ScoreRow:
    label: str
    target: str
    actual: str
    max_points: str
    points: str
    note: str


@dataclass
class ScoreUnit:
    seq: int
    unit: str
    total: str
    rows: list[ScoreRow]


#: The score table's (附件6) columns, in the Word document and the workbook alike.
SCORE_HEADINGS = (
    "序号",
    "乡镇",
    "指标名称",
    "目标任务数",
    "完成任务数",
    "目标分值",
    "考核得分",
    "总得分",
    "备注",
)


@dataclass
class ScoreTable:
    """附件6: every unit's points on every indicator, units by total."""

    number: int
    title: str
    group_name: str
    units: list[ScoreUnit]


# --- the whole bulletin ---------------------------------------------------------


@dataclass
class Facts:
    title: str
    intro: str
    year: int
    period: str
    cutoff: str
    doc_date: str
    issuer: str
    sections: list[Paragraph]  # 一、目标任务进展情况 …, generated
    annexes: list[AnnexTable]
    scores: list[ScoreTable]
    results: list[GroupResult] = field(default_factory=list)

    @property
    def attachment_titles(self) -> list[tuple[int, str]]:
        items = [(a.number, a.title) for a in self.annexes]
        return items + [(s.number, s.title) for s in self.scores]


def subject_of(scheme) -> str:
    """大冶市2023年科技创新行动考核 -> 大冶市2023年科技创新行动."""
    name = scheme.name.strip()
    return name[:-2] if name.endswith("考核") and len(name) > 2 else name


def build_facts(
    result: Result,
    *,
    title: str | None = None,
    issuer: str | None = None,
    doc_date: str | dt.date | None = None,
    cutoff: str | None = None,
    year: int | None = None,
    period: str | None = None,
) -> Facts:
    scheme = result.scheme
    day = parse_date(doc_date)
    cut_day = _cutoff_day(cutoff)
    year = year or _year(scheme, cut_day, day)
    if period is None:
        period = _period(cut_day, day)
    subject = subject_of(scheme)
    local = subject.removeprefix(scheme.region) if scheme.region else subject
    title = title or f"关于{subject}{period}工作进展情况的通报"
    intro = f"现将{local}{period}工作进展情况通报如下："
    annexes: list[AnnexTable] = []
    scores: list[ScoreTable] = []
    sections: list[Paragraph] = [Paragraph("heading1", [Run("一、目标任务进展情况")])]
    for g in result.groups:
        tables = annex_tables(g, year)
        for t in tables:
            t.number = len(annexes) + 1
            annexes.append(t)
        sections += group_paragraphs(g, tables, scheme, cut_day, period)
    for g in result.groups:
        number = len(annexes) + len(scores) + 1
        scores.append(
            score_table(g, scheme, number, f"{subject}{period}考核得分（{g.group.name}）")
        )
    return Facts(
        title=title,
        intro=intro,
        year=year,
        period=period,
        cutoff=(cutoff or "").strip(),
        doc_date=date_words(day) if day else "",
        issuer=issuer if issuer is not None else scheme.issuer,
        sections=sections,
        annexes=annexes,
        scores=scores,
        results=list(result.groups),
    )


def _cutoff_day(cutoff: str | None) -> dt.date | None:
    if not cutoff:
        return None
    try:
        return parse_date(cutoff)
    except ReportError:
        return None


def _year(scheme, cut_day, day) -> int:
    for d in (cut_day, day):
        if d:
            return d.year
    m = re.search(r"(\d{4})\s*年", scheme.name)
    return int(m[1]) if m else dt.date.today().year


def _period(cut_day: dt.date | None, day: dt.date | None) -> str:
    """The quarter the cut-off falls in; else the quarter before the document's month."""
    if cut_day:
        return quarter_words(cut_day.month)
    if day:
        return quarter_words(12 if day.month == 1 else day.month - 1)
    return ""


# --- 附件1–5 -----------------------------------------------------------------------


def _annex_value(value, factor: Decimal) -> Decimal | None:
    return value * factor if isinstance(value, Decimal) else None


def annex_tables(g: GroupResult, year: int) -> list[AnnexTable]:
    columns = [c for c in g.columns if c.indicator.annex is not None]
    columns.sort(key=lambda c: c.indicator.annex.number)
    return [annex_table(g, c, year) for c in columns]


def annex_table(g: GroupResult, col: IndicatorColumn, year: int) -> AnnexTable:
    ind = col.indicator
    annex = ind.annex
    rows = []
    for i in g.order:
        status = col.status[i]
        actual = col.given_actual[i] if status == LATE else col.actual[i]
        if status == PENDING:
            actual = None
        actual = _annex_value(actual, annex.factor)
        target = _annex_value(col.target[i], annex.factor)
        rate = actual / target if actual is not None and target else None
        rows.append(AnnexRow(0, g.unit_names[i], actual, target, rate, col.note[i]))
    rows.sort(key=lambda r: (r.actual is None, -(r.actual or ZERO), -(r.rate or ZERO)))
    for seq, row in enumerate(rows, start=1):
        row.seq = seq
    total_actual = sum((r.actual for r in rows if r.actual is not None), ZERO)
    total_target = sum((r.target for r in rows if r.target is not None), ZERO)
    measure = f"（{annex.unit}）" if annex.unit else ""
    return AnnexTable(
        number=annex.number,
        indicator=ind,
        group_name=g.group.name,
        title=f"各{g.group.name}{year}年{annex.title}完成情况表",
        heading=f"{annex.header}{measure}",
        decimals=annex.decimals,
        rows=rows,
        total_actual=total_actual,
        total_target=total_target,
        total_rate=total_actual / total_target if total_target else None,
        has_notes=any(r.note for r in rows),
    )


# --- 附件6 --------------------------------------------------------------------------


def score_table(g: GroupResult, scheme, number: int, title: str) -> ScoreTable:
    units = []
    first = g.order[0] if g.order else None
    others = f"（其它{g.group.name}同上）" if len(g.order) > 1 else ""
    places = scheme.total_decimals
    for i in g.order:
        rows = [_score_row(c, i, first, others, scheme) for c in g.columns]
        units.append(ScoreUnit(g.rank[i], g.unit_names[i], fixed(g.total[i], places), rows))
    return ScoreTable(number, title, g.group.name, units)


def _score_row(col: IndicatorColumn, i: int, first: int, others: str, scheme) -> ScoreRow:
    ind = col.indicator
    status, target, actual = col.status[i], col.target[i], col.actual[i]
    if status == NO_TASK:
        shown_target = DASH if target is None else plain(target)
        shown_actual = DASH if actual is None else plain(actual)
    else:
        shown_target, shown_actual = plain(target) if target is not None else DASH, plain(actual)
    return ScoreRow(
        label=ind.display_label,
        target=shown_target,
        actual=shown_actual,
        max_points=plain(ind.max_points),
        points=points_text(col.points[i]),
        note=_score_note(col, i, first, others, scheme),
    )


def _score_note(col: IndicatorColumn, i: int, first: int, others: str, scheme) -> str:
    ind = col.indicator
    if col.note[i]:
        return col.note[i]
    status = col.status[i]
    if i == first:
        general = ind.note or (scheme.pending_note if status == PENDING else "")
        if general:
            return general + others
    elif status == PENDING and col.status[first] != PENDING and not ind.note:
        return scheme.pending_note
    if ind.method == "rank" and status == SCORED and col.actual[i] < col.target[i]:
        gap = col.target[i] - col.actual[i]
        return f"{ind.name}差{plain(gap)}{ind.unit}"
    return ""


# --- 一、目标任务进展情况 ---------------------------------------------------------------


@dataclass
class IndicatorStanding:
    table: AnnexTable
    assessed: list[str]  # units with a task and a figure
    met: list[str]
    missed: list[tuple[str, Decimal]]  # unit, rate
    excluded: int  # no task, or figures not out yet
    top: list[str]

    @property
    def all_met(self) -> bool:
        return bool(self.assessed) and not self.missed


def standings(g: GroupResult, tables: list[AnnexTable]) -> list[IndicatorStanding]:
    short = short_names(g)
    out = []
    for t in tables:
        col = g.column(t.indicator.key)
        assessed, met, missed, excluded = [], [], [], 0
        ranked = []
        for i in g.order:
            status = col.status[i]
            if status in (NO_TASK, PENDING):
                excluded += 1
                continue
            name = short[i]
            assessed.append(name)
            if status == SCORED and col.actual[i] >= col.target[i]:
                met.append(name)
            else:
                missed.append((name, col.rate[i] if col.rate[i] is not None else ZERO))
            if status == SCORED:
                ranked.append((-col.actual[i], -col.rate[i], len(ranked), name))
        ranked.sort()
        top = [r[3] for r in ranked[:TOP_N]]
        out.append(IndicatorStanding(t, assessed, met, missed, excluded, top))
    return out


def short_names(g: GroupResult) -> list[str]:
    names = []
    for name in g.unit_names:
        unit = g.group.find_unit(name)
        names.append(unit.short_name if unit is not None and unit.name == name else name)
    return names


def region_word(scheme) -> str:
    """大冶市 -> 全市; 某某县 -> 全县."""
    return f"全{scheme.region[-1]}" if scheme.region else "全部单位"


def _names(names: list[str], word: str, counted: bool = False) -> str:
    """A prose list of names, cut short for very long lists; `counted`: the caller adds 等N个."""
    if len(names) > NAME_LIST_LIMIT:
        head = "、".join(names[:NAME_LIST_LIMIT])
        return head if counted else f"{head}等{len(names)}个{word}"
    return join_names(names)


def group_paragraphs(g: GroupResult, tables, scheme, cut_day, period) -> list[Paragraph]:
    if not tables:
        return [ranking_paragraph(g, scheme, "（一）")]
    word = g.group.title or g.group.name
    overall = region_word(scheme) + "；".join(
        f"{t.indicator.annex.title}实绩数为"
        f"{t.actual_text(t.total_actual)}{t.indicator.annex.unit}，完成任务数"
        f"{rate_words(t.total_rate) if t.total_rate is not None else DASH}"
        for t in tables
    )
    paras = [
        Paragraph(
            "body",
            [Run(f"（一）{region_word(scheme)}指标整体完成情况。", "kai"), Run(overall + "。")],
        )
    ]
    found = standings(g, tables)
    paras.append(
        Paragraph(
            "body",
            [Run(f"（二）各{g.group.name}指标完成情况。", "kai"), Run(_standing_text(found, word))],
        )
    )
    paras.append(Paragraph("body", [Run(_all_met_text(g, found, word, cut_day, period))]))
    paras.append(ranking_paragraph(g, scheme, "（三）"))
    return paras


def _standing_text(found: list[IndicatorStanding], word: str) -> str:
    clauses = []
    k = 0
    while k < len(found):
        batch = [found[k]]
        if found[k].all_met and not found[k].excluded:
            while (
                k + len(batch) < len(found)
                and found[k + len(batch)].all_met
                and not found[k + len(batch)].excluded
                and len(found[k + len(batch)].assessed) == len(found[k].assessed)
            ):
                batch.append(found[k + len(batch)])
        clauses.append(f"{cn_number(len(clauses) + 1)}是{_clause(batch, word)}")
        k += len(batch)
    return "".join(clauses)


def _clause(batch: list[IndicatorStanding], word: str) -> str:
    names = [s.table.indicator.annex.title for s in batch]
    first = batch[0]
    if len(batch) > 1:
        tops = "，".join(
            f"{n}完成较高的为{join_names(s.top)}" for n, s in zip(names, batch, strict=True)
        )
        count = len(first.assessed)
        return f"{join_names(names)}，{count}个{word}全部完成目标任务，其中{tops}。"
    s = first
    head = f"{names[0]}，"
    with_task = (
        f"下达任务的{len(s.assessed)}个{word}" if s.excluded else f"{len(s.assessed)}个{word}"
    )
    if not s.assessed:
        return f"{head}各{word}均未下达任务或数据未出。"
    if s.all_met:
        text = f"{head}{with_task}全部完成目标任务"
    elif not s.met:
        text = f"{head}{with_task}均未完成目标任务"
    else:
        text = f"{head}{_names(s.met, word, True)}等{len(s.met)}个{word}完成该目标任务"
        missed = [f"{n}（完成{percent(r)}）" for n, r in s.missed]
        text += f"，{_names(missed, word)}未完成"
    if s.top:
        text += f"，完成较高的为{join_names(s.top)}"
    return text + "。"


def _all_met_text(g, found, word, cut_day, period) -> str:
    short = short_names(g)
    missed_by: dict[str, list[str]] = {}
    for s in found:
        for name, rate in s.missed:
            missed_by.setdefault(name, []).append(
                f"{s.table.indicator.annex.title}完成{percent(rate)}"
            )
    complete = [short[i] for i in g.order if short[i] not in missed_by]
    when = f"截至{cut_day.month}月{cut_day.day}日，" if cut_day else "目前，"
    n = len(found)
    see = f"（各{g.group.name}{period}指标进展情况及考核结果详见附件）"
    if not complete:
        return f"{when}尚无{word}全面完成{n}项指标的目标任务{see}。"
    if not missed_by:
        return f"{when}{len(complete)}个{word}全部全面完成{n}项指标的目标任务{see}。"
    text = f"{when}{_names(complete, word, True)}等{len(complete)}个{word}全面完成{n}项指标的目标任务{see}。"
    if len(missed_by) <= NAME_LIST_LIMIT:
        text += "".join(
            f"{name}{'，'.join(parts)}，未全面完成。" for name, parts in missed_by.items()
        )
    else:
        text += f"其余{len(missed_by)}个{word}未全面完成。"
    return text


def ranking_paragraph(g: GroupResult, scheme, label: str) -> Paragraph:
    short = short_names(g)
    places = scheme.total_decimals
    parts = []
    previous = None
    for i in g.order[:RANKING_LIMIT]:
        rank = g.rank[i]
        shared = rank == previous or _ties_next(g, i)
        place = f"{'并列' if shared else ''}第{cn_number(rank)}名"
        parts.append(f"{place}{short[i]}（{fixed(g.total[i], places)}分）")
        previous = rank
    text = "，".join(parts)
    if len(g.order) > RANKING_LIMIT:
        text += f"……（共{len(g.order)}个{g.group.title or g.group.name}，完整排名见附件）"
    lead = f"按照{scheme.name}办法，各{g.group.name}考核得分排名依次为："
    return Paragraph("body", [Run(f"{label}考核得分排名情况。", "kai"), Run(lead + text + "。")])


def _ties_next(g: GroupResult, i: int) -> bool:
    pos = g.order.index(i)
    return pos + 1 < len(g.order) and g.rank[g.order[pos + 1]] == g.rank[i]
