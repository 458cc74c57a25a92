"""Rebuild KaoheSans-SC.otf, the charts' font: Noto Sans CJK SC (SIL OFL 1.1) cut to GB 2312.

Run once by a developer (needs the Debian package fonts-noto-cjk); the result ships in the package
so that charts read in Chinese on a machine with Python only. The renamed family keeps it apart from
a full Noto Sans CJK SC installed on the system (the OFL asks modified versions to be renamed).

    .venv/bin/python src/kaohe/report/fonts/make_subset.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).with_name("KaoheSans-SC.otf")
FAMILY = "Kaohe Sans SC"


def gb2312() -> set[int]:
    """Every character of GB 2312 (6,763 hanzi and 682 symbols)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def wanted() -> set[int]:
    chars = gb2312()
    chars |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))  # ASCII, Latin-1
    chars |= set(range(0x2010, 0x2060))  # dashes, quotes, ‰, ※
    chars |= set(range(0x3000, 0x3040))  # CJK punctuation 、。〈〉《》「」【】〔〕
    chars |= set(range(0xFF01, 0xFF5F))  # full-width forms
    chars |= {0x00B7, 0x2022, 0x2027, 0x30FB, 0x2212, 0x2264, 0x2265, 0x2460, 0x2103}
    return chars


def main() -> int:
    font = TTCollection(str(SOURCE)).fonts[2]  # index 2: Noto Sans CJK SC
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    sub = subset.Subsetter(options)
    cmap = font.getBestCmap()
    sub.populate(unicodes=[c for c in wanted() if c in cmap])
    sub.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    for name_id, text in (
        (1, FAMILY),
        (3, "Kaohe Sans SC Regular (subset of Noto Sans CJK SC 2.004)"),
        (4, f"{FAMILY} Regular"),
        (6, "KaoheSansSC-Regular"),
        (16, FAMILY),
        (17, "Regular"),
    ):
        names.setName(text, name_id, 3, 1, 0x409)
    font["CFF "].cff.fontNames = ["KaoheSansSC-Regular"]
    font.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.2f} MB, {len(font.getBestCmap())} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
