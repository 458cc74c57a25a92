"""The bulletin as .docx, laid out per GB/T 9704-2012 (党政机关公文格式).

Paragraphs go through python-docx; tables are written as WordprocessingML text and spliced into
document.xml after saving, so a table of tens of thousands of rows costs no lxml tree.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from .facts import SCORE_HEADINGS, AnnexTable, Facts, ScoreTable
from .narrative import Paragraph

FANG = "仿宋_GB2312"
KAI = "楷体_GB2312"
HEI = "黑体"
SONG = "宋体"
XBS = "方正小标宋简体"
FONT_OF = {"fang": FANG, "kai": KAI, "hei": HEI, "todo": FANG}

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUM_PT = 14  # 4号
LINES, CHARS = 22, 28
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm
A4 = (210, 297)
TWIPS_PER_MM = 1440 / 25.4

# 28 characters of 16 pt need 158.1 mm where GB/T 9704 draws a 156 mm version core. Word squeezes
# them in through a character grid (w:charSpace < 0), which LibreOffice reads as two grid cells a
# character (14 to a line). So there is no character grid: the line is 28 × 320 twips, the 2 mm
# taken from the margins (27 mm and 24.9 mm, within the standard's ±1 mm of 28 mm), and Word, WPS
# and LibreOffice all set 28 characters without condensing any.
PORTRAIT_WIDTH = CHARS * BODY_PT * 20 + 2
_SHORT = PORTRAIT_WIDTH - round((A4[0] - MARGINS["left"] - MARGINS["right"]) * TWIPS_PER_MM)
LEFT_TWIPS = round(MARGINS["left"] * TWIPS_PER_MM) - (_SHORT - _SHORT // 2)
RIGHT_TWIPS = round(MARGINS["right"] * TWIPS_PER_MM) - _SHORT // 2
PORTRAIT_HEIGHT = round((A4[1] - MARGINS["top"] - MARGINS["bottom"]) * TWIPS_PER_MM)
LANDSCAPE_WIDTH = PORTRAIT_HEIGHT

PLACEHOLDER = "KAOHE-TABLE-{}"
RED = RGBColor(0xFF, 0, 0)

# 附件6: small type in exact lines, so that each row's height is known and the table can be cut
# into pages ahead of Word, WPS or LibreOffice, each page repeating the unit and its total.
SCORE_PT, SCORE_LINE = 7, 160  # 7 pt in exact 8 pt lines (twips), about the seed's size
NOTE_PT, NOTE_LINE = 6.5, 150
CELL_PAD_X, CELL_PAD_Y = 57, 10  # twips: 1 mm either side, ½ pt above and below


def twips_per_char(pt: float = BODY_PT) -> int:
    return round(pt * 20)


def line_pitch() -> int:
    """Twips a line for 22 lines on the A4 version core."""
    height_pt = (A4[1] - MARGINS["top"] - MARGINS["bottom"]) / 25.4 * 72
    return int(height_pt / LINES * 20)


# --- fonts and styles ------------------------------------------------------------


def set_fonts(rpr, name: str) -> None:
    """rFonts ascii/hAnsi/eastAsia/cs all `name`, theme fonts removed (else Chinese stays in
    the theme font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


# Schema order of the children we add (Word rejects out-of-order pPr / rPr children).
PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)
RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
)


def _ppr_child(parent, tag: str):
    """The child `tag` of a pPr or rPr, created in schema order if missing."""
    el = parent.find(qn(tag))
    if el is not None:
        return el
    el = OxmlElement(tag)
    name = tag.split(":", 1)[1]
    order = RPR_ORDER if parent.tag == qn("w:rPr") else PPR_ORDER
    later = set(order[order.index(name) + 1 :])
    for child in parent:
        if child.tag.split("}", 1)[1] in later:
            child.addprevious(el)
            return el
    parent.append(el)
    return el


def _indent(ppr, **chars: int) -> None:
    """Indents in characters (firstLine, left, right, hanging), as w:*Chars plus twips."""
    ind = _ppr_child(ppr, "w:ind")
    for key, value in chars.items():
        ind.set(qn(f"w:{key}Chars"), str(value * 100))
        ind.set(qn(f"w:{key}"), str(value * twips_per_char()))


def _spacing(ppr, line: int, rule: str = "exact") -> None:
    sp = _ppr_child(ppr, "w:spacing")
    sp.set(qn("w:before"), "0")
    sp.set(qn("w:after"), "0")
    sp.set(qn("w:line"), str(line))
    sp.set(qn("w:lineRule"), rule)


def _style(
    doc,
    name,
    font,
    size,
    *,
    align=None,
    first_line=0,
    line=None,
    snap=True,
    bold=False,
    exact=False,
):
    styles = doc.styles
    style = (
        styles[name]
        if name in [s.name for s in styles]
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
    if name != "Normal":
        style.base_style = styles["Normal"]
        style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element.get_or_add_rPr(), font)
    ppr = style.element.get_or_add_pPr()
    if align is not None:
        style.paragraph_format.alignment = align
    _indent(ppr, firstLine=first_line)
    # Line-end punctuation: no "，" at a line's start (kinsoku), and a "，" that falls 29th hangs
    # in the margin (overflowPunct), as Word, WPS and LibreOffice all do by default; said
    # explicitly so a template's settings cannot turn it off.
    _ppr_child(ppr, "w:kinsoku").set(qn("w:val"), "1")
    _ppr_child(ppr, "w:overflowPunct").set(qn("w:val"), "1")
    if line is not None:
        _spacing(ppr, line, "exact" if snap or exact or line > 240 else "auto")
    if not snap:
        _ppr_child(ppr, "w:snapToGrid").set(qn("w:val"), "0")
    return style


def setup_styles(doc) -> dict[str, str]:
    """The document's paragraph styles; returns name -> style id."""
    pitch = line_pitch()
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            set_fonts(rpr, FANG)
            lang = _ppr_child(rpr, "w:lang")
            lang.set(qn("w:eastAsia"), "zh-CN")
            for tag in ("w:sz", "w:szCs"):  # the character grid is measured in this size
                _ppr_child(rpr, tag).set(qn("w:val"), str(BODY_PT * 2))
        ppr = defaults.find(qn("w:pPrDefault") + "/" + qn("w:pPr"))
        if ppr is not None:
            _spacing(ppr, pitch)
    center, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    made = {
        "Normal": _style(
            doc, "Normal", FANG, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, first_line=2, line=pitch
        ),
        "KH Title": _style(doc, "KH Title", XBS, TITLE_PT, align=center, line=700, snap=False),
        "KH Heading 1": _style(doc, "KH Heading 1", HEI, BODY_PT, first_line=2, line=pitch),
        "KH Plain": _style(doc, "KH Plain", FANG, BODY_PT, align=left, line=pitch),
        "KH Annex Label": _style(doc, "KH Annex Label", HEI, BODY_PT, align=left, line=pitch),
        "KH Annex Title": _style(
            doc, "KH Annex Title", XBS, 18, align=center, line=600, snap=False
        ),
        "KH Cutoff": _style(doc, "KH Cutoff", FANG, 14, align=center, line=500),
        "KH Table": _style(doc, "KH Table", FANG, 12, align=center, line=240, snap=False),
        "KH Table Small": _style(
            doc,
            "KH Table Small",
            FANG,
            SCORE_PT,
            align=center,
            line=SCORE_LINE,
            snap=False,
            exact=True,
        ),
        "KH Table Note": _style(
            doc, "KH Table Note", FANG, NOTE_PT, align=left, line=NOTE_LINE, snap=False, exact=True
        ),
        "KH Table Head": _style(doc, "KH Table Head", HEI, 12, align=center, line=240, snap=False),
        "KH Table Head Small": _style(
            doc,
            "KH Table Head Small",
            HEI,
            SCORE_PT,
            align=center,
            line=SCORE_LINE,
            snap=False,
            exact=True,
        ),
        "KH Break": _style(doc, "KH Break", FANG, 1, align=left, line=20, snap=False, exact=True),
        "KH Masthead": _style(doc, "KH Masthead", XBS, 36, align=center, line=1000, snap=False),
        "KH Caption": _style(doc, "KH Caption", HEI, 14, align=center, line=500),
        "KH Page Number": _style(doc, "KH Page Number", SONG, PAGE_NUM_PT, line=240, snap=False),
    }
    for name in ("KH Heading 1", "KH Annex Label", "KH Annex Title", "KH Cutoff"):
        made[name].paragraph_format.keep_with_next = True
    made["KH Masthead"].font.color.rgb = RED
    return {name: style.style_id for name, style in made.items()}


# --- page set-up ------------------------------------------------------------------


def setup_section(section, landscape: bool = False) -> None:
    w, h = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(h), Mm(w)
        section.top_margin, section.bottom_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
        section.left_margin, section.right_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(w), Mm(h)
        section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
        section.left_margin, section.right_margin = Twips(LEFT_TWIPS), Twips(RIGHT_TWIPS)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(21) if landscape else Mm(25)
    sectpr = section._sectPr
    grid = sectpr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectpr.append(grid)
    grid.attrib.clear()
    if landscape:
        grid.set(qn("w:linePitch"), "312")
    else:
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(line_pitch()))


def _page_field(paragraph) -> None:
    """— PAGE — with the number as a field, so Word and WPS fill it in per page."""

    def run(text=None, fld=None, instr=None):
        r = OxmlElement("w:r")
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r.append(el)
        elif instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r.append(el)
        else:
            el = OxmlElement("w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            r.append(el)
        paragraph._p.append(r)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def setup_footers(doc, section, ids) -> None:
    """Odd pages: number on the right, one character in; even pages: on the left."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["KH Page Number"]
        p.alignment = align
        ind = _ppr_child(p._p.get_or_add_pPr(), "w:ind")
        ind.set(qn(f"w:{side}"), str(twips_per_char(PAGE_NUM_PT)))
        _page_field(p)


# --- paragraphs -------------------------------------------------------------------


def add_paragraph(doc, para: Paragraph):
    style = "KH Heading 1" if para.kind == "heading1" else "Normal"
    p = doc.add_paragraph(style=doc.styles[style])
    for part in para.runs:
        r = p.add_run(part.text)
        if para.kind != "heading1" and part.font != "fang":
            set_fonts(r._r.get_or_add_rPr(), FONT_OF[part.font])
        if part.font == "todo":
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            r.font.color.rgb = RGBColor(0xC0, 0, 0)
    return p


def plain_paragraph(doc, text: str, style: str, *, page_break=False):
    p = doc.add_paragraph(text, style=doc.styles[style])
    if page_break:
        p.paragraph_format.page_break_before = True
    return p


def text_width(text: str) -> float:
    """Width in characters: CJK full, ASCII half."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def attachment_list(doc, items: list[tuple[int, str]]) -> None:
    """GB/T 9704 7.3.4: 附件：1. name, later names aligned under the first, no punctuation."""
    if not items:
        return
    doc.add_paragraph(style=doc.styles["KH Plain"])
    label = "附件："
    for k, (number, name) in enumerate(items):
        mark = f"{number}."
        p = doc.add_paragraph(style=doc.styles["KH Plain"])
        p.add_run((label if k == 0 else "") + mark + name)
        ppr = p._p.get_or_add_pPr()
        lead = text_width(label) + text_width(mark)
        hang = lead if k == 0 else text_width(mark)
        ind = _ppr_child(ppr, "w:ind")
        cpt = twips_per_char()
        left = 2 + lead
        ind.set(qn("w:leftChars"), str(round(left * 100)))
        ind.set(qn("w:left"), str(round(left * cpt)))
        ind.set(qn("w:hangingChars"), str(round(hang * 100)))
        ind.set(qn("w:hanging"), str(round(hang * cpt)))


def signature(doc, issuer: str, date: str) -> None:
    """Issuer centred over the date; the date four characters in from the right. Everything
    from the body's last paragraph on keeps with the next, so that the issuer and the date never
    stand alone on a page (GB/T 9704 7.3.5)."""
    if not issuer and not date:
        return
    for _ in range(2):
        doc.add_paragraph(style=doc.styles["KH Plain"])
    date_right = 4
    if issuer:
        p = doc.add_paragraph(issuer, style=doc.styles["KH Plain"])
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.keep_with_next = True
        shift = max((text_width(date) - text_width(issuer)) / 2, 0) if date else 0
        _right_indent(p, date_right + shift if date else 2)
    if date:
        p = doc.add_paragraph(date, style=doc.styles["KH Plain"])
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _right_indent(p, date_right)


def _right_indent(p, chars: float) -> None:
    ind = _ppr_child(p._p.get_or_add_pPr(), "w:ind")
    ind.set(qn("w:rightChars"), str(round(chars * 100)))
    ind.set(qn("w:right"), str(round(chars * twips_per_char())))


# --- tables as WordprocessingML text ---------------------------------------------------

_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


class TableXml:
    """Builds one <w:tbl>: fixed layout, grid columns and every cell's width set."""

    def __init__(self, widths: list[int], row_height: int | None = None, pad=(57, 0)):
        self.widths = widths
        self.row_height = row_height
        self.parts: list[str] = []
        self._starts: dict[tuple, str] = {}
        total = sum(widths)
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        self.parts.append(
            f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:top w:w="{pad[1]}" w:type="dxa"/>'
            f'<w:left w:w="{pad[0]}" w:type="dxa"/><w:bottom w:w="{pad[1]}" w:type="dxa"/>'
            f'<w:right w:w="{pad[0]}" w:type="dxa"/>'
            '</w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        )

    def row(self, cells, *, header=False, cant_split=True) -> None:
        """cells: (text, style id, span, vmerge) with vmerge None, 'restart' or 'continue'."""
        props = "<w:cantSplit/>" if cant_split else ""
        if self.row_height:
            props += f'<w:trHeight w:val="{self.row_height}"/>'
        if header:
            props += "<w:tblHeader/>"
        out = [f"<w:tr><w:trPr>{props}</w:trPr>"]
        col = 0
        for text, style, span, vmerge in cells:
            out.append(self._cell_start(col, span, vmerge, style))
            col += span
            if vmerge == "continue" or not text:
                out.append("</w:p></w:tc>")
            elif "\n" in text:
                lines = "<w:br/>".join(
                    f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n")
                )
                out.append(f"<w:r>{lines}</w:r></w:p></w:tc>")
            else:
                out.append(
                    f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>'
                )
        out.append("</w:tr>")
        self.parts.append("".join(out))

    def _cell_start(self, col: int, span: int, vmerge: str | None, style: str) -> str:
        """A cell's properties and paragraph opening; a table has only a few different ones."""
        key = (col, span, vmerge, style)
        start = self._starts.get(key)
        if start is None:
            tcpr = f'<w:tcW w:w="{sum(self.widths[col : col + span])}" w:type="dxa"/>'
            if span > 1:
                tcpr += f'<w:gridSpan w:val="{span}"/>'
            if vmerge == "restart":
                tcpr += '<w:vMerge w:val="restart"/>'
            elif vmerge == "continue":
                tcpr += "<w:vMerge/>"
            start = self._starts[key] = (
                f'<w:tc><w:tcPr>{tcpr}<w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            )
        return start

    def xml(self) -> str:
        return "".join(self.parts) + "</w:tbl>"


def annex_table_xml(table: AnnexTable, ids) -> str:
    body, head = ids["KH Table"], ids["KH Table Head"]
    n = 4 if table.has_notes else 3
    first = [900, 2600] if table.has_notes else [900, 2800]
    rest = PORTRAIT_WIDTH - sum(first)
    widths = first + [rest // n] * (n - 1) + [rest - rest // n * (n - 1)]
    t = TableXml(widths, row_height=510)
    t.row(
        [
            ("序号", head, 1, "restart"),
            (table.group_name, head, 1, "restart"),
            (table.heading, head, n, None),
        ],
        header=True,
    )
    subs = ["实绩数", "任务数", "完成率"] + (["备注"] if table.has_notes else [])
    t.row(
        [("", head, 1, "continue"), ("", head, 1, "continue")] + [(s, head, 1, None) for s in subs],
        header=True,
    )
    for r in table.rows:
        cells = [
            (str(r.seq), body, 1, None),
            (r.unit, body, 1, None),
            (table.actual_text(r.actual), body, 1, None),
            (table.target_text(r.target), body, 1, None),
            (table.rate_text(r.rate), body, 1, None),
        ]
        if table.has_notes:
            cells.append((r.note, body, 1, None))
        t.row(cells)
    total = [
        ("合计", body, 2, None),
        (table.actual_text(table.total_actual), body, 1, None),
        (table.target_text(table.total_target), body, 1, None),
        (table.rate_text(table.total_rate), body, 1, None),
    ]
    if table.has_notes:
        total.append(("", body, 1, None))
    t.row(total)
    return t.xml()


# Headings broken where the seed breaks them (not "目标任务⏎数").
HEADING_BREAKS = {
    "目标任务数": "目标\n任务数",
    "完成任务数": "完成\n任务数",
    "目标分值": "目标\n分值",
    "考核得分": "考核\n得分",
}
NOTE_MIN_CHARS = 10  # 备注 gets at least this many characters a line; the 指标名称 wrap first


def cell_ems(text: str) -> float:
    """Width in ems of a cell's widest line: CJK a full em, other signs 0.64 em (digits are
    0.5 em in 仿宋_GB2312 and FandolFang, but 0.64 em in DejaVu Sans, which LibreOffice takes
    for them when the Chinese fonts are missing)."""
    if "\n" in text:
        return max(cell_ems(part) for part in text.split("\n"))
    if text.isascii():  # figures, the most of the cells
        return 0.64 * len(text)
    return sum(0.64 if ch.isascii() else 1 for ch in text)


def _column(texts, pt: float, cap: float | None = None) -> int:
    """Twips a column needs for its widest text on one line (0.2 em to spare)."""
    ems = max((cell_ems(t) for t in texts if t), default=1)
    if cap is not None:
        ems = min(ems, cap)
    return round((ems + 0.2) * pt * 20) + 2 * CELL_PAD_X


def score_widths(table: ScoreTable) -> list[int]:
    """附件6's column widths from its own texts, so that unit names, labels, figures and
    headings stay on one line; 备注 takes the rest of the portrait line."""
    units, rows = table.units, [r for u in table.units for r in u.rows]
    head = [HEADING_BREAKS.get(h, h) for h in SCORE_HEADINGS]
    head[1] = table.group_name
    pt = SCORE_PT
    widths = [
        _column([head[0]] + [str(u.seq) for u in units], pt),
        _column([head[1]] + [u.unit for u in units], pt, cap=10),
        _column([head[2]] + list({r.label for r in rows}), pt),
        _column([head[3]] + [r.target for r in rows], pt),
        _column([head[4]] + [r.actual for r in rows], pt),
        _column([head[5]] + [r.max_points for r in rows], pt),
        _column([head[6]] + [r.points for r in rows], pt),
        _column([head[7]] + [u.total for u in units], pt),
    ]
    least_note = round(NOTE_MIN_CHARS * NOTE_PT * 20) + 2 * CELL_PAD_X
    over = sum(widths) + least_note - PORTRAIT_WIDTH
    if over > 0:  # long labels wrap rather than squeeze the notes
        widths[2] = max(widths[2] - over, round(6 * pt * 20) + 2 * CELL_PAD_X)
    return widths + [PORTRAIT_WIDTH - sum(widths)]


def text_lines(text: str, width: int, pt: float) -> int:
    """Lines a cell's text takes: one if it fits, else wrapped a character short of the room
    (a line may end early before a number or a sign that cannot start one)."""
    if not text:
        return 1
    room = (width - 2 * CELL_PAD_X) / (pt * 20)
    per_line = max(int(room) - 1, 1)
    lines = 0
    for part in text.split("\n"):
        used = cell_ems(part)
        lines += 1 if used <= room else -(-used // per_line)
    return int(lines)


def row_height(row, widths: list[int], label_lines: dict[str, int]) -> int:
    """A score row's height in twips, from the lines of its widest-wrapping cell (the labels'
    lines worked out once: the same few recur in every unit)."""
    label = label_lines.get(row.label)
    if label is None:
        label = label_lines[row.label] = text_lines(row.label, widths[2], SCORE_PT)
    body = max(
        label,
        text_lines(row.target, widths[3], SCORE_PT),
        text_lines(row.actual, widths[4], SCORE_PT),
    )
    note = text_lines(row.note, widths[8], NOTE_PT) if row.note else 1
    return max(body * SCORE_LINE, note * NOTE_LINE) + 2 * CELL_PAD_Y + 15  # 15: the border


def score_pages(
    table: ScoreTable, widths: list[int], first_room: int, room: int
) -> list[list[tuple]]:
    """The table cut into pages: each page a list of (unit, first row, end row). A unit's block
    is cut where the page ends, at least two rows either side (else it moves whole to the next
    page), and its number, name and total are printed again on the continuation, as the seed
    does."""
    pages: list[list[tuple]] = [[]]
    left = first_room
    label_lines: dict[str, int] = {}
    for unit in table.units:
        name_lines = text_lines(unit.unit, widths[1], SCORE_PT)
        heights = [row_height(r, widths, label_lines) for r in unit.rows]
        if heights:
            heights[0] = max(heights[0], name_lines * SCORE_LINE + 2 * CELL_PAD_Y + 15)
        start = 0
        while start < len(heights):
            fit, used = 0, 0
            while start + fit < len(heights) and used + heights[start + fit] <= left:
                used += heights[start + fit]
                fit += 1
            rest = len(heights) - start - fit
            whole = sum(heights[start:])
            if rest and rest < 2:
                fit -= 2 - rest  # at least two rows go on to the next page
            if rest and fit < 2 and pages[-1] and whole <= room:
                fit = 0  # starts on the next page, whole
            if fit == 0:
                if not pages[-1]:
                    fit = 1  # a row taller than a page: print it anyway
                else:
                    pages.append([])
                    left = room
                    continue
            pages[-1].append((unit, start, start + fit))
            left -= sum(heights[start : start + fit])
            start += fit
            if start < len(heights):
                pages.append([])
                left = room
    return [p for p in pages if p]


def score_table_xml(table: ScoreTable, ids, first_room: int, room: int) -> str:
    """附件6 as one table a page; the pages between them break by a 1 pt paragraph."""
    body, head, note = ids["KH Table Small"], ids["KH Table Head Small"], ids["KH Table Note"]
    widths = score_widths(table)
    out = []
    for k, page in enumerate(score_pages(table, widths, first_room, room)):
        if k:
            out.append(
                f'<w:p><w:pPr><w:pStyle w:val="{ids["KH Break"]}"/><w:pageBreakBefore/></w:pPr></w:p>'
            )
        t = TableXml(widths, pad=(CELL_PAD_X, CELL_PAD_Y))
        headings = [HEADING_BREAKS.get(h, h) for h in SCORE_HEADINGS]
        headings[1] = table.group_name
        t.row([(h, head, 1, None) for h in headings], header=True)
        for unit, first, end in page:
            for n in range(first, end):
                row = unit.rows[n]
                merge = None if end - first == 1 else ("restart" if n == first else "continue")
                t.row(
                    [
                        (str(unit.seq), body, 1, merge),
                        (unit.unit, body, 1, merge),
                        (row.label, body, 1, None),
                        (row.target, body, 1, None),
                        (row.actual, body, 1, None),
                        (row.max_points, body, 1, None),
                        (row.points, body, 1, None),
                        (unit.total, body, 1, merge),
                        (row.note, note, 1, None),
                    ]
                )
        out.append(t.xml())
    return "".join(out)


def score_rooms(title: str) -> tuple[int, int]:
    """Twips left for rows on 附件6's first page (below its label and title) and on later ones,
    less the header row and 3% to spare."""
    header = 2 * SCORE_LINE + 2 * CELL_PAD_Y + 30
    page = int(PORTRAIT_HEIGHT * 0.97) - header - 20
    title_lines = text_lines(title, PORTRAIT_WIDTH, 18)
    return page - line_pitch() - 600 * title_lines, page


# --- the document ---------------------------------------------------------------------


@dataclass
class Masthead:
    """版头 and 版记 (GB/T 9704 7.2, 7.4): each part is printed only when given."""

    masthead: str = ""  # 发文机关标志, red, over a red rule
    doc_number: str = ""  # 发文字号
    copy_to: str = ""  # 抄送
    printer: str = ""  # 印发机关
    print_date: str = ""  # 印发日期

    @property
    def has_record(self) -> bool:
        return bool(self.copy_to or self.printer)


CHART_TITLE = "考核总得分排名和各项指标完成率图"


def _border(p, side: str, size: int, color: str) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = _ppr_child(ppr, "w:pBdr")
    el = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        el.set(qn(f"w:{k}"), v)
    borders.append(el)


def masthead_block(doc, head: Masthead) -> None:
    """发文机关标志 in red, 发文字号 two lines below, the red rule 4 mm under it (7.2)."""
    if head.masthead:
        plain_paragraph(doc, head.masthead, "KH Masthead")
        doc.add_paragraph(style=doc.styles["KH Plain"])
    if head.doc_number or head.masthead:
        p = plain_paragraph(doc, head.doc_number, "KH Plain")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if head.masthead:
            _border(p, "bottom", 12, "FF0000")  # 1.5 pt red rule under the number
        doc.add_paragraph(style=doc.styles["KH Plain"])


def record_block(doc, head: Masthead) -> None:
    """版记 at the foot of an even page: 抄送 and 印发机关/印发日期 between rules (7.4)."""
    section = doc.add_section(WD_SECTION.EVEN_PAGE)
    setup_section(section)
    lines = []
    if head.copy_to:
        lines.append(f"抄送：{head.copy_to}。")
    if head.printer or head.print_date:
        lines.append(f"{head.printer}\t{head.print_date}印发")
    # Pushed to the foot of the page by blank lines: 22 lines a page, the record takes 2.
    for _ in range(LINES - len(lines) - 1):
        doc.add_paragraph(style=doc.styles["KH Plain"])
    for k, text in enumerate(lines):
        p = doc.add_paragraph(style=doc.styles["KH Plain"])
        p.add_run(text).font.size = Pt(14)
        ppr = p._p.get_or_add_pPr()
        _indent(ppr, left=1, right=1)
        tabs = _ppr_child(ppr, "w:tabs")
        tab = OxmlElement("w:tab")
        tab.set(qn("w:val"), "right")
        tab.set(qn("w:pos"), str(PORTRAIT_WIDTH - 2 * twips_per_char()))
        tabs.append(tab)
        if k == 0:
            _border(p, "top", 8, "000000")
        _border(p, "bottom", 8 if k == len(lines) - 1 else 4, "000000")


def _picture_width(path: Path, max_w: float = 150, max_h: float = 190) -> Mm:
    """Within 150 × 190 mm, so the label, the picture and its caption share a page."""
    with open(path, "rb") as fh:
        header = fh.read(24)
    w, h = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    return Mm(min(max_w, max_h * w / h))


def build_document(
    facts: Facts,
    narrative: list[Paragraph],
    charts: list[tuple[str, Path]],
    head: Masthead | None = None,
):
    """The python-docx Document, with placeholder paragraphs where tables go."""
    head = head or Masthead()
    doc = Document()
    ids = setup_styles(doc)
    section = doc.sections[0]
    setup_section(section)
    setup_footers(doc, section, ids)
    tables: list[str] = []

    def table_slot(xml: str) -> None:
        doc.add_paragraph(PLACEHOLDER.format(len(tables)))
        tables.append(xml)

    masthead_block(doc, head)
    plain_paragraph(doc, facts.title, "KH Title")
    doc.add_paragraph(style=doc.styles["KH Plain"])
    doc.add_paragraph(facts.intro, style=doc.styles["Normal"])
    body = [add_paragraph(doc, para) for para in facts.sections + narrative]
    items = facts.attachment_titles
    chart_number = len(items) + 1
    if charts:
        group = facts.results[0].group.name if facts.results else ""
        items = items + [(chart_number, f"各{group}{CHART_TITLE}")]
    mark = len(doc.paragraphs)
    attachment_list(doc, items)
    signature(doc, facts.issuer, facts.doc_date)
    if facts.issuer or facts.doc_date:
        # The body's last lines, the attachment list and the blank lines keep with the issuer.
        for p in body[-1:] + doc.paragraphs[mark:-2]:
            p.paragraph_format.keep_with_next = True
    for table in facts.annexes:
        plain_paragraph(doc, f"附件{table.number}", "KH Annex Label", page_break=True)
        plain_paragraph(doc, table.title, "KH Annex Title")
        if facts.cutoff:
            plain_paragraph(doc, facts.cutoff, "KH Cutoff")
        table_slot(annex_table_xml(table, ids))
    for table in facts.scores:  # portrait like the seed: 14 units on 5 pages
        plain_paragraph(doc, f"附件{table.number}", "KH Annex Label", page_break=True)
        plain_paragraph(doc, table.title, "KH Annex Title")
        table_slot(score_table_xml(table, ids, *score_rooms(table.title)))
    if charts:
        setup_section(doc.add_section(WD_SECTION.NEW_PAGE))
        for k, (caption, path) in enumerate(charts, start=1):
            label = plain_paragraph(
                doc, f"附件{chart_number}" if k == 1 else "", "KH Annex Label", page_break=k > 1
            )
            label.paragraph_format.keep_with_next = True
            p = doc.add_paragraph(style=doc.styles["KH Caption"])
            p.paragraph_format.keep_with_next = True
            p.add_run().add_picture(str(path), width=_picture_width(path))
            _spacing(p._p.get_or_add_pPr(), 240, "auto")
            plain_paragraph(doc, f"图{k}  {caption}", "KH Caption")
    if head.has_record:
        record_block(doc, head)
    return doc, tables


def write_docx(
    facts: Facts, narrative: list[Paragraph], charts, path: Path, head: Masthead | None = None
) -> Path:
    doc, tables = build_document(facts, narrative, charts, head)
    buffer = io.BytesIO()
    doc.save(buffer)
    splice_tables(buffer.getvalue(), tables, path)
    return path


def splice_tables(data: bytes, tables: list[str], path: Path) -> None:
    """Replace each placeholder paragraph in word/document.xml by its table."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        xml = src.read("word/document.xml").decode("utf-8")
        pattern = re.compile(r"<w:p>(?:(?!</w:p>).)*?KAOHE-TABLE-(\d+)</w:t></w:r></w:p>")
        done = set()

        def put(m):
            done.add(int(m[1]))
            return tables[int(m[1])]

        xml = pattern.sub(put, xml)
        if done != set(range(len(tables))):
            raise RuntimeError("table placeholders missing from document.xml")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as out:
            for item in src.infolist():
                body = (
                    xml.encode("utf-8") if item.filename == "word/document.xml" else src.read(item)
                )
                out.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
