"""Scheme files: the built-in daye-2023 and the checks on hand-written ones."""

import re
from decimal import Decimal

import pytest

from kaohe.errors import SchemeError
from kaohe.scheme import builtin_names, load_scheme, parse_scheme


def test_daye_2023_is_the_seed_score_table(daye):
    group = daye.groups[0]
    assert len(group.units) == 14
    assert len(group.indicators) == 16
    assert group.max_points == Decimal(85)
    rank = [i.name for i in group.indicators if i.method == "rank"]
    assert rank == [
        "科技型中小企业入库数",
        "登记技术合同成交额",
        "规上企业研发投入",
        "规上企业研发人员",
        "规上企业新产品销售收入",
    ]
    assert group.indicator("rd_spending").params["step"] == Decimal("0.05")


def test_builtin_schemes_are_listed():
    assert "daye-2023" in builtin_names()


@pytest.mark.parametrize(
    "alias, name",
    [
        ("临空区•还地桥镇", "临空区·还地桥镇"),
        ("临空区 · 还地桥镇", "临空区·还地桥镇"),
        ("高新区", "大冶湖高新区"),
    ],
)
def test_unit_names_match_through_aliases_and_dot_variants(daye, alias, name):
    assert daye.groups[0].find_unit(alias).name == name


@pytest.mark.parametrize(
    "text, key",
    [
        ("科技型中小企业入库", "sme_registered"),
        ("技术合同成交额完成（万元）", "tech_contracts"),
        ("规上企业研发投入（万元）", "rd_spending"),
        ("高新技术产业产值(亿元)", "hitech_output"),
    ],
)
def test_indicator_names_match_through_aliases_and_units(daye, text, key):
    assert daye.groups[0].find_indicator(text).key == key


BASE = """
key = "t"
name = "测试"
[[groups]]
key = "g"
name = "乡镇"
units = ["甲镇", "乙镇"]
[[groups.indicators]]
key = "x"
name = "指标"
max = {max}
method = "{method}"
{params}
"""


@pytest.mark.parametrize(
    "max_points, method, params, message",
    [
        ("10", "rank", "params = { top = 4, step = 0.1 }", "不一致"),
        ("10", "magic", "", "计分方法“magic”未知"),
        ("10", "rank", 'params = { top = 5, step = 0.1, tie = "coin" }', "并列规则"),
        ("0", "ratio", "", "必须大于 0"),
        ("5", "ratio", "params = { cap = 2 }", "不接受参数"),
        ("10", "rank", "params = { step = 0.1 }", "缺少“top”"),
    ],
)
def test_bad_scheme_files_are_rejected_with_a_reason(max_points, method, params, message):
    with pytest.raises(SchemeError, match=message):
        parse_scheme(BASE.format(max=max_points, method=method, params=params), "t.toml")


def test_a_scheme_that_is_not_toml_is_rejected():
    with pytest.raises(SchemeError, match="不是有效的 TOML"):
        parse_scheme("key = = 1", "bad.toml")


def test_a_missing_scheme_file_is_named(tmp_path):
    with pytest.raises(SchemeError, match="找不到方案文件"):
        load_scheme(tmp_path / "none.toml")


def test_duplicate_unit_names_are_rejected():
    text = BASE.format(max="5", method="ratio", params="").replace(
        '["甲镇", "乙镇"]', '["甲镇", "甲镇"]'
    )
    with pytest.raises(SchemeError, match="重复"):
        parse_scheme(text, "t.toml")


SCORING_CASES = [
    ('late_notes = "迟报材料"', "late_notes 应为字样的列表"),
    ('late_note = ["迟报材料"]', "没有“late_note”这一项，是否为“late_notes”？"),
    ("total_scale = 0", "total_scale 应为大于 0 的数字"),
    ("total_scale = -5", "total_scale 应为大于 0 的数字"),
    ("total_decimals = 11", "total_decimals 应为 0 到 10 的整数"),
    ("total_decimals = 1.5", "total_decimals 应为 0 到 10 的整数"),
    ('pending_words = "数据未出"', "pending_words 应为字样的列表"),
]


@pytest.mark.parametrize("line, message", SCORING_CASES)
def test_the_scoring_table_is_checked_strictly(line, message):
    from kaohe.errors import SchemeError
    from kaohe.scheme import parse_scheme

    text = f'key = "t"\nname = "方案"\n[scoring]\n{line}\n[[groups]]\nkey = "g"\nname = "乡镇"\nunits = ["甲"]\n[[groups.indicators]]\nkey = "x"\nname = "指标"\nmax = 5\nmethod = "ratio"\n'
    with pytest.raises(SchemeError, match=re.escape(message)):
        parse_scheme(text, "t.toml")


def test_every_scoring_problem_is_listed_at_once():
    from kaohe.errors import SchemeError
    from kaohe.scheme import parse_scheme

    lines = "\n".join(
        line for line, _ in SCORING_CASES[:1] + SCORING_CASES[2:3] + SCORING_CASES[4:5]
    )
    text = f'key = "t"\nname = "方案"\n[scoring]\n{lines}\n[[groups]]\nkey = "g"\nname = "乡镇"\nunits = ["甲"]\n[[groups.indicators]]\nkey = "x"\nname = "指标"\nmax = 5\nmethod = "ratio"\n'
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "t.toml")
    text = str(info.value)
    assert "late_notes" in text and "total_scale" in text and "total_decimals" in text
