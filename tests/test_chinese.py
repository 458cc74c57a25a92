"""Chinese numerals as the bulletin and the web write them (一、… 十四、… 二十一、… 一百零一)."""

import pytest

from kaohe.chinese import cn_number, quarter_name

UNITS = "一二三四五六七八九"


def _by_hand(n: int) -> str:
    """The numerals 1–130 spelled out the plain way, to check cn_number against."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = ""
    if hundreds:
        text += UNITS[hundreds - 1] + "百"
        if rest and tens == 0:
            return text + "零" + UNITS[ones - 1]
    if tens:
        text += ("" if tens == 1 and not hundreds else UNITS[tens - 1]) + "十"
    if ones:
        text += UNITS[ones - 1]
    return text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (115, "一百一十五"),
        (130, "一百三十"),
        (1001, "一千零一"),
    ],
)
def test_numbers_read_as_written_in_chinese(n, text):
    assert cn_number(n) == text


def test_every_number_from_1_to_130_is_spelled_out():
    for n in range(1, 131):
        assert cn_number(n) == _by_hand(n), n


def test_quarters_are_named_one_to_four():
    assert [quarter_name(n) for n in range(1, 5)] == ["一季度", "二季度", "三季度", "四季度"]
