"""The bulletin's figures and generated sentences, computed from a scoring Result.

Pure: no files, no fonts. Every figure is a Decimal from the engine; texts are built from them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..chinese import quarter_name
from ..engine import LATE, NO_TASK, PENDING, SCORED, GroupResult, IndicatorColumn, Result
from ..numbers import HUNDRED, ZERO, fixed, percent, plain, round_half_up
from ..scheme import Indicator
from .errors import ReportError
from .narrative import Paragraph, Run, cn_number

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
    return quarter_name((month - 1) // 3 + 1)


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
    theme: str | None = None,
    departments: list[Paragraph] | None = None,
    ranking: bool | None = None,
) -> Facts:
    """`departments`: §一（三） from the narrative, used when no 部门 group has results;
    `ranking`: the score-ranking paragraph (default: the scheme's [bulletin] ranking)."""
    scheme = result.scheme
    bulletin = scheme.bulletin
    day = parse_date(doc_date)
    cut_day = _cutoff_day(cutoff)
    year = year or _year(scheme, cut_day, day)
    if period is None:
        period = _period(cut_day, day)
    theme = bulletin.theme if theme is None else theme
    subject = subject_of(scheme)
    theme_words = bulletin.text("theme", word=theme) if theme else ""
    title = title or bulletin.text("title", subject=subject, period=period, theme=theme_words)
    intro = bulletin.text("intro", matter=matter_of(title, scheme, period, theme_words))
    annexes: list[AnnexTable] = []
    scores: list[ScoreTable] = []
    sections: list[Paragraph] = [Paragraph("heading1", [Run("一、目标任务进展情况")])]
    towns = [g for g in result.groups if not is_departments(g)]
    offices = [g for g in result.groups if is_departments(g) and g.unit_names]
    for g in result.groups:
        tables = annex_tables(g, year)
        for t in tables:
            t.number = len(annexes) + 1
            annexes.append(t)
        if g in towns:
            sections += group_paragraphs(g, tables, scheme, cut_day, period)
    # the next （N） after those §一 has so far (none when no indicator has an annex table)
    next_number = 1 + sum(1 for p in sections if p.runs and p.runs[0].text.startswith("（"))
    if offices:
        sections += [departments_paragraph(g, scheme) for g in offices]
        next_number += 1
    elif departments:
        first = departments[0]
        sections.append(
            Paragraph(
                "body",
                [Run(f"（{cn_number(next_number)}）" + first.runs[0].text, "kai"), *first.runs[1:]],
            )
        )
        sections += departments[1:]
        next_number += 1
    if bulletin.ranking if ranking is None else ranking:
        # a group split into classes is one paragraph: each class's ranking in turn
        by_group = {id(g.group): [t for t in towns if t.group is g.group] for g in towns}
        for classes in by_group.values():
            sections.append(ranking_paragraph(classes, scheme, cn_number(next_number)))
            next_number += 1
    for g in result.groups:
        number = len(annexes) + len(scores) + 1
        scores.append(score_table(g, scheme, number, f"{subject}{period}考核得分（{g.title}）"))
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


def matter_of(title: str, scheme, period: str, theme_words: str) -> str:
    """What the opening says is reported: the title's 关于X的通报 without the region (as the
    seed writes "现将2023年科技创新行动一季度“开门红”工作进展情况通报如下")."""
    m = re.fullmatch(r"\s*关于(.+)的通报\s*", title)
    if m:
        return m[1].removeprefix(scheme.region) if scheme.region else m[1]
    local = subject_of(scheme).removeprefix(scheme.region) if scheme.region else subject_of(scheme)
    return f"{local}{period}{theme_words}工作进展情况"


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
        total = fixed(g.total[i], places)
        if g.grades[i] is not None:  # the grade goes with the total it comes from
            total += f"\n{g.grades[i].name}"
        units.append(ScoreUnit(g.rank[i], g.unit_names[i], total, rows))
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
    if col.veto[i]:  # why this indicator vetoed the unit, on its own row
        return "；".join(t for t in (col.note[i], col.veto[i]) if t)
    if col.note[i]:
        return col.note[i]
    status = col.status[i]
    if i == first:
        general = ind.note or (scheme.pending_note if status == PENDING else "")
        if general:
            return general + others
    elif status == PENDING and col.status[first] != PENDING and not ind.note:
        return scheme.pending_note
    if ind.method == "rank" and status == SCORED and col.target[i] is not None:
        gap = col.target[i] - col.actual[i]
        if ind.direction == "lower" and gap < 0:  # lower is better: over the target misses it
            return f"{ind.name}高于目标{plain(-gap)}{ind.unit}"
        if ind.direction != "lower" and gap > 0:
            return f"{ind.name}差{plain(gap)}{ind.unit}"
    return ""


# --- 一、目标任务进展情况 ---------------------------------------------------------------


@dataclass
class IndicatorStanding:
    table: AnnexTable
    assessed: list[str]  # units with a task and a figure, in the scheme's order
    met: list[str]
    missed: list[tuple[str, Decimal]]  # unit, rate
    excluded: int  # no task, or figures not out yet
    top: list[str]  # the highest actual figures among the units that met the target

    @property
    def all_met(self) -> bool:
        return bool(self.assessed) and not self.missed


def scheme_order(g: GroupResult) -> list[int]:
    """Units in the scheme's own order (the county's list); units outside it after, as read."""
    position = {}
    for k, unit in enumerate(g.group.units):
        position[unit.name] = k
    last = len(position)
    return sorted(range(len(g.unit_names)), key=lambda i: position.get(g.unit_names[i], last))


def standings(g: GroupResult, tables: list[AnnexTable]) -> list[IndicatorStanding]:
    short = short_names(g)
    listed = scheme_order(g)
    out = []
    for t in tables:
        col = g.column(t.indicator.key)
        assessed, met, missed, excluded = [], [], [], 0
        ranked = []
        for i in listed:
            status = col.status[i]
            if status in (NO_TASK, PENDING):
                excluded += 1
                continue
            name = short[i]
            assessed.append(name)
            if status == SCORED and col.actual[i] >= col.target[i]:
                met.append(name)
                ranked.append((-col.actual[i], -col.rate[i], len(ranked), name))
            else:
                missed.append((name, col.rate[i] if col.rate[i] is not None else ZERO))
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


def _cut(names: list[str], word: str, bulletin) -> str:
    """Past the limit: "甲、乙……等20个乡镇及其余4个乡镇" (等N counts exactly the names printed)."""
    limit = bulletin.list_limit
    return bulletin.text(
        "others", names="、".join(names[:limit]), count=limit, rest=len(names) - limit, word=word
    )


def counted_names(names: list[str], word: str, bulletin) -> str:
    """甲、乙和丙等3个乡镇; one name alone; past the limit as _cut."""
    if len(names) > bulletin.list_limit:
        return _cut(names, word, bulletin)
    if len(names) == 1:
        return names[0]
    return bulletin.text("counted", names=join_names(names), count=len(names), word=word)


def listed(names: list[str], word: str, bulletin) -> str:
    """甲、乙和丙 without a count; past the limit as _cut."""
    return _cut(names, word, bulletin) if len(names) > bulletin.list_limit else join_names(names)


def work_words(scheme) -> str:
    """大冶市2023年科技创新行动 -> 科技创新行动 (what the departments' section is about)."""
    subject = subject_of(scheme).removeprefix(scheme.region)
    return re.sub(r"^\d{4}\s*年", "", subject)


def group_paragraphs(g: GroupResult, tables, scheme, cut_day, period) -> list[Paragraph]:
    bulletin = scheme.bulletin
    if not tables:
        return []
    word = g.group.title or g.group.name
    region = region_word(scheme)
    overall = region + "；".join(
        bulletin.text(
            "overall_item",
            indicator=t.indicator.annex.title,
            actual=t.actual_text(t.total_actual),
            unit=t.indicator.annex.unit,
            rate=rate_words(t.total_rate) if t.total_rate is not None else DASH,
        )
        for t in tables
    )
    paras = [
        Paragraph(
            "body",
            [Run(bulletin.text("overall_heading", region=region), "kai"), Run(overall + "。")],
        )
    ]
    found = standings(g, tables)
    paras.append(
        Paragraph(
            "body",
            [
                Run(bulletin.text("units_heading", group=g.group.name), "kai"),
                Run(_standing_text(found, word, bulletin)),
            ],
        )
    )
    paras.append(Paragraph("body", [Run(_all_met_text(g, found, word, cut_day, period, bulletin))]))
    return paras


def _batches(found: list[IndicatorStanding], bulletin) -> list[list[IndicatorStanding]]:
    """Indicators the scheme puts in one clause share it when all of them were met by the same
    units; every other indicator has its own clause."""
    clause_of = {k: n for n, keys in enumerate(bulletin.clauses) for k in keys}
    batches: list[list[IndicatorStanding]] = []
    for s in found:
        key = s.table.indicator.key
        last = batches[-1] if batches else None
        if (
            last
            and key in clause_of
            and clause_of.get(last[0].table.indicator.key) == clause_of[key]
            and all(x.all_met and not x.excluded for x in (*last, s))
            and len(last[0].assessed) == len(s.assessed)
        ):
            last.append(s)
        else:
            batches.append([s])
    return batches


def _standing_text(found: list[IndicatorStanding], word: str, bulletin) -> str:
    return "".join(
        f"{cn_number(n)}是{_clause(batch, word, bulletin)}"
        for n, batch in enumerate(_batches(found, bulletin), start=1)
    )


def _clause(batch: list[IndicatorStanding], word: str, bulletin) -> str:
    names = [s.table.indicator.annex.title for s in batch]
    first = batch[0]
    indicators = join_names(names)
    if len(batch) > 1:
        tops = "，".join(
            bulletin.text("top", indicator=n, names=join_names(s.top))
            for n, s in zip(names, batch, strict=True)
        )
        text = bulletin.text("all_met", indicators=indicators, count=len(first.assessed), word=word)
        return f"{text}，其中{tops}。"
    s = first
    if not s.assessed:
        return f"{indicators}，各{word}均未下达任务或数据未出。"
    count = len(s.assessed)
    counted_word = f"下达任务的{count}个{word}" if s.excluded else None
    if s.all_met:
        text = bulletin.text("all_met", indicators=indicators, count=count, word=word)
        if counted_word:
            text = text.replace(f"{count}个{word}", counted_word, 1)
    elif not s.met:
        text = bulletin.text("none_met", indicators=indicators, count=count, word=word)
        if counted_word:
            text = text.replace(f"{count}个{word}", counted_word, 1)
    else:
        text = bulletin.text(
            "some_met", indicators=indicators, names=counted_names(s.met, word, bulletin)
        )
        missed = [f"{n}（完成{percent(r)}）" for n, r in s.missed]
        told = bulletin.text("missed", names=listed(missed, word, bulletin))
        if told:
            text += "，" + told
    if s.top:
        text += "，" + bulletin.text("top", indicator="", names=join_names(s.top))
    return text + "。"


def _all_met_text(g, found, word, cut_day, period, bulletin) -> str:
    short = short_names(g)
    missed_by: dict[str, list[str]] = {}
    for s in found:
        for name, rate in s.missed:
            missed_by.setdefault(name, []).append(
                f"{s.table.indicator.annex.title}完成{percent(rate)}"
            )
    ordered = [short[i] for i in scheme_order(g)]
    complete = [name for name in ordered if name not in missed_by]
    when = bulletin.text("as_of", month=cut_day.month, day=cut_day.day) if cut_day else "目前，"
    n = len(found)
    see = bulletin.text("see", group=g.group.name, period=period)
    if not complete:
        return f"{when}尚无{word}全面完成{n}项指标的目标任务{see}。"
    if not missed_by:
        return f"{when}{len(complete)}个{word}全部全面完成{n}项指标的目标任务{see}。"
    text = bulletin.text(
        "complete", when=when, names=counted_names(complete, word, bulletin), n=n, see=see
    )
    short_of = [name for name in ordered if name in missed_by]
    if len(short_of) <= bulletin.list_limit:
        text += "".join(
            bulletin.text("short_of", name=name, parts="，".join(missed_by[name]))
            for name in short_of
        )
    else:
        text += f"其余{len(short_of)}个{word}未全面完成。"
    return text


def departments_paragraph(g: GroupResult, scheme) -> Paragraph:
    """§一（三） from a 部门 group's results: what they were assessed on, the best three by
    total, and those that fell short of a target."""
    bulletin = scheme.bulletin
    short = short_names(g)
    indicators = join_names([c.indicator.name for c in g.columns])
    best = join_names([short[i] for i in g.order[:TOP_N]])
    text = bulletin.text("departments", scheme=scheme.name, indicators=indicators, best=best)
    fell_short = [
        short[i]
        for i in scheme_order(g)
        if any(
            c.status[i] == LATE or (c.status[i] == SCORED and c.actual[i] < c.target[i])
            for c in g.columns
        )
    ]
    if fell_short:
        names = listed(fell_short, "部门", bulletin)
        text += "，" + bulletin.text("departments_short", names=names)
    heading = bulletin.text("departments_heading", work=work_words(scheme))
    return Paragraph("body", [Run(heading, "kai"), Run(text + "。")])


def is_departments(g: GroupResult) -> bool:
    return "部门" in g.group.name or "部门" in (g.group.title or "")


def ranking_paragraph(classes: list[GroupResult], scheme, number: str) -> Paragraph:
    """（N）考核得分排名情况: the group's ranking, or each of its classes' in turn."""
    heading = scheme.bulletin.text("ranking_heading", number=number)
    lead = f"按照{scheme.name}办法，"
    texts = [ranking_text(g, scheme) for g in classes]
    return Paragraph("body", [Run(heading, "kai"), Run(lead + "。".join(texts) + "。")])


def ranking_text(g: GroupResult, scheme) -> str:
    """一类镇（街道）考核得分排名依次为：第一名…（…分，优秀）…, with any veto's reason."""
    short = short_names(g)
    places = scheme.total_decimals
    parts = []
    previous = None
    for i in g.order[:RANKING_LIMIT]:
        rank = g.rank[i]
        shared = rank == previous or _ties_next(g, i)
        place = f"{'并列' if shared else ''}第{cn_number(rank)}名"
        grade = f"，{g.grades[i].name}" if g.grades[i] else ""
        parts.append(f"{place}{short[i]}（{fixed(g.total[i], places)}分{grade}）")
        previous = rank
    text = "，".join(parts)
    if len(g.order) > RANKING_LIMIT:
        text += f"……（共{len(g.order)}个{g.group.title or g.group.name}，完整排名见附件）"
    # The veto's reason goes with the ranking it changed (一票否决).
    vetoes = [f"{short[i]}{r}" for i in g.order for r in g.standings.vetoes[i]]
    text += "".join(f"。{v}" for v in vetoes)
    who = g.class_name if g.class_name else f"各{g.group.name}"
    return f"{who}考核得分排名依次为：{text}"


def _ties_next(g: GroupResult, i: int) -> bool:
    pos = g.order.index(i)
    return pos + 1 < len(g.order) and g.rank[g.order[pos + 1]] == g.rank[i]
