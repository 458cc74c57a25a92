"""The .docx to PDF through LibreOffice, with GB/T 9704 font names mapped to free fonts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from .errors import ReportError

INSTALL_HINT = (
    "请先安装 LibreOffice 和中文字体，例如 Debian/Ubuntu："
    "apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai texlive-lang-chinese"
)
TIMEOUT = 600  # seconds; a 3,000-unit bulletin runs to over a thousand pages


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def alias_file() -> Path:
    """The packaged fontconfig file mapping 仿宋_GB2312, 黑体 … to installed free fonts."""
    return Path(str(resources.files("kaohe.report") / "fonts" / "kaohe-fonts.conf"))


def fontconfig_file(folder: Path) -> Path:
    """A fonts.conf that reads the system configuration plus the alias file."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        f"  <cachedir>{folder / 'fc-cache'}</cachedir>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f'  <include ignore_missing="yes">{alias_file()}</include>\n'
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def convert_to_pdf(docx: Path, out_dir: Path) -> Path:
    soffice = find_soffice()
    if soffice is None:
        raise ReportError(f"未找到 LibreOffice（soffice），无法生成 PDF。{INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="kaohe-lo-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(work)), HOME=str(work))
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(lo_copy(docx, work)),
        ]
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ReportError(f"LibreOffice 转换 PDF 超过 {TIMEOUT} 秒未完成") from None
    pdf = out_dir / (docx.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        detail = (done.stderr or done.stdout).strip()[-500:]
        raise ReportError(f"LibreOffice 未能把 {docx.name} 转换为 PDF：{detail or '原因不明'}")
    return pdf


GRID_CHARS = 'w:type="linesAndChars"'
_PORTRAIT_MARGINS = re.compile(
    r'(<w:pgMar w:top="\d+" w:right=")(\d+)(" w:bottom="\d+" w:left=")(\d+)"'
)


def lo_copy(docx: Path, folder: Path) -> Path:
    """A copy LibreOffice lays out like Word. Word squeezes 28 characters of 16 pt into the
    156 mm line through the character grid (w:charSpace < 0); LibreOffice instead gives each
    character two grid cells. The copy keeps the line grid only and widens the portrait text
    area by 2 mm (1 mm a side) so that 28 characters fit as they do in Word. (Condensing the
    letters instead made LibreOffice drop a "，" that fell 29th on a line.)"""
    copy = folder / docx.name
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = _widen_portrait(xml.replace(GRID_CHARS, 'w:type="lines"'))
                data = xml.encode("utf-8")
            out.writestr(item, data)
    return copy


def _widen_portrait(xml: str) -> str:
    """Portrait sections (those with the character grid) get 28 × 320 twips of line."""
    line = BODY_TWIPS * 28 + 2

    def widen(m: re.Match) -> str:
        right, left = int(m[2]), int(m[4])
        page = PORTRAIT_PAGE_TWIPS
        short = line - (page - left - right)
        if short <= 0:
            return m[0]
        return f'{m[1]}{right - short // 2}{m[3]}{left - (short - short // 2)}"'

    out, pos = [], 0
    for sect in re.finditer(r"<w:sectPr[ >].*?</w:sectPr>", xml, flags=re.S):
        if GRID_CHARS not in sect[0] and 'w:type="lines"' not in sect[0]:
            continue
        if 'w:orient="landscape"' in sect[0]:
            continue
        out.append(xml[pos : sect.start()])
        out.append(_PORTRAIT_MARGINS.sub(widen, sect[0], count=1))
        pos = sect.end()
    out.append(xml[pos:])
    return "".join(out)


BODY_TWIPS = 320  # a 3号 (16 pt) character
PORTRAIT_PAGE_TWIPS = 11906  # A4 width
