"""The .docx to PDF through LibreOffice, with GB/T 9704 font names mapped to free fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
            str(docx),
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
