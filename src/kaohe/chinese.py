"""Chinese numerals and period names, shared by the bulletin and the web."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 14 → 十四, 20 → 二十, 105 → 一百零五, 110 → 一百一十; Arabic digits from 10,000 on
    (and for 0 and negatives)."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts = []
    zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                parts.append("零")
                zero = False
            parts.append(DIGITS[digit] + name)
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text  # 十四, not 一十四


def quarter_name(number: int) -> str:
    """1 → 一季度 … 4 → 四季度."""
    return f"{cn_number(number)}季度"
