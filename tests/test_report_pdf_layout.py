"""The bulletin as LibreOffice prints it: every comma there, the issuer with the date, and every
page of 附件6 naming the units whose rows it shows (skipped without LibreOffice and poppler)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile

import pytest

from kaohe.report import write_report
from kaohe.report.pdf import find_soffice

from .report_data import CUTOFF, NARRATIVE, result_30, seed_result

pytestmark = pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or pdftotext not installed",
)


def _bulletin(result, out):
    return write_report(
        result,
        out,
        doc_date="2023-04-21",
        cutoff=CUTOFF,
        narrative=NARRATIVE,
        theme="开门红",
        pdf=True,
    )


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    result = seed_result()
    return result, _bulletin(result, tmp_path_factory.mktemp("seed-pdf"))


@pytest.fixture(scope="module")
def thirty(tmp_path_factory):
    out = tmp_path_factory.mktemp("thirty-pdf")
    result = result_30(out)
    return result, _bulletin(result, out)


def _pages(pdf) -> list[str]:
    """Each page's text with all white space removed (pdftotext spaces digits from CJK)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")]


def _docx_text(docx) -> str:
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


@pytest.fixture(params=["seed", "thirty"])
def bulletin(request):
    return request.getfixturevalue(request.param)


def test_every_comma_and_stop_of_the_docx_is_in_the_pdf(bulletin):
    _result, files = bulletin
    text, pdf = _docx_text(files["docx"]), "".join(_pages(files["pdf"]))
    for mark in "，。、；：":
        assert pdf.count(mark) == text.count(mark), mark


def test_the_issuer_and_the_date_share_a_page_with_the_body(bulletin):
    _result, files = bulletin
    pages = _pages(files["pdf"])
    signed = [p for p in pages if "大冶市科学技术局2023年4月21日" in p]
    assert len(signed) == 1
    # the body's last words are on that page too, not left behind
    assert "力争我市早日实现创新型乡镇全覆盖" in signed[0]


def test_every_score_page_names_the_units_whose_rows_it_shows(bulletin):
    result, files = bulletin
    g = result.groups[0]
    labels = [c.indicator.display_label for c in g.columns]
    units = [g.unit_names[i] for i in g.order]
    pages = [p for p in _pages(files["pdf"]) if "指标名称" in p and "总得分" in p]
    assert pages
    u, done = 0, 0  # the unit whose rows come next, and how many of them are already shown
    for page in pages:
        rows = sum(page.count(label) for label in labels)
        assert rows > 0
        while rows:
            assert units[u] in page, f"{units[u]}'s rows on a page without its name"
            take = min(len(labels) - done, rows)
            rows -= take
            done += take
            if done == len(labels):
                u, done = u + 1, 0
    assert u == len(units)


def test_the_seeds_score_table_takes_about_the_seeds_pages(seed):
    _result, files = seed
    pages = [p for p in _pages(files["pdf"]) if "指标名称" in p and "总得分" in p]
    assert len(pages) <= 5  # the seed: 5


def _body_runs(pdf):
    """(page, text, width) of each run of body-size (16 pt) text pdftotext reads as one word."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True)
    page = 0
    for line in out.stdout.splitlines():
        page += line.lstrip().startswith("<page ")
        m = re.match(
            r'\s*<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', line
        )
        if m:
            x0, y0, x1, y1 = map(float, m.groups())
            yield page, html.unescape(line[m.end() : line.rindex("</word>")]), x1 - x0, y1 - y0


def test_no_body_line_is_stretched_between_its_characters(bulletin):
    """Justified, a line that breaks before "2023" or "81.99%）" spreads its characters apart
    (seen up to 0.08 em a gap); full-width characters must sit at their own 16 pt."""
    _result, files = bulletin
    wide = []
    for page, text, width, height in _body_runs(files["pdf"]):
        if abs(height - 16 * 1.3) > 1.5 or len(text) < 4 or any(ch.isascii() for ch in text):
            continue  # not a body-size run of Chinese characters and full-width signs
        excess = width / len(text) / 16 - 1
        if excess > 0.02:
            wide.append((page, round(excess, 3), text))
    assert not wide
