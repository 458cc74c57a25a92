"""The PDF through LibreOffice: produced, of a sensible length, pages not blank, fonts mapped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.report import write_report
from kaohe.report.pdf import alias_file, find_soffice
from kaohe.scheme import load_scheme

SEED = Path(__file__).parents[1] / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"

pytestmark = pytest.mark.skipif(
    find_soffice() is None, reason="LibreOffice (soffice) not installed"
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    scheme = load_scheme("daye-2023")
    result = score(scheme, read_files([SEED], scheme))
    out = tmp_path_factory.mktemp("pdf")
    return write_report(result, out, doc_date="2023-04-21", cutoff="2023年3月31日", pdf=True)["pdf"]


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        return int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
    return pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")


def test_the_pdf_is_written_next_to_the_docx(pdf):
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"


def test_the_pdf_has_the_body_five_annex_pages_the_score_table_and_the_charts(pdf):
    # body ≥ 2 pages, 附件1–5 one page each (14 units), 附件6 224 rows on 4-5 pages, 附图 ≥ 1
    assert 2 + 5 + 5 + 1 <= _pages(pdf) <= 40


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_rendered_pages_are_not_blank(pdf, tmp_path):
    import matplotlib.image as mpimg

    for page in (1, 4, 10):
        stem = tmp_path / f"p{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "30",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
        )
        pixels = mpimg.imread(f"{stem}.png")
        assert pixels.std() > 0.02, f"page {page} looks blank"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_the_pdf_uses_the_mapped_free_fonts_not_a_fallback(pdf):
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Fandol" in fonts or "NotoSerifCJK" in fonts or "UKai" in fonts


def test_the_font_alias_file_ships_with_the_package():
    text = alias_file().read_text(encoding="utf-8")
    for name in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"):
        assert name in text
