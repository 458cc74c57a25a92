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


# --- strict schemes (issue 10 rule 9): every table, every problem at once ----------------

STRICT = """key = "t"
name = "方案"
{top}
[[groups]]
key = "g"
name = "乡镇"
{group}
[[groups.indicators]]
key = "x"
name = "指标"
max = 5
method = "ratio"
{indicator}
"""
UNITS = 'units = ["甲镇", "乙镇"]'


def strict(top="", group=UNITS, indicator=""):
    return STRICT.format(top=top, group=group, indicator=indicator)


STRICT_CASES = [
    # (scheme text, message, path of the field)
    (strict(group='unitz = ["甲镇"]'), "分组 1（g）中没有“unitz”这一项，是否为“units”？", "groups[0].unitz"),
    (strict(indicator='colour = "red"'), "分组 1（g）、指标 x 中没有“colour”这一项，可用：key、", "groups[0].indicators[0].colour"),
    (strict(top='nmae = "x"'), "方案中没有“nmae”这一项，是否为“name”？", "nmae"),
    (strict(indicator='params = { directoin = "lower" }'), "计分方法 ratio 不接受参数“directoin”，可用：direction、over；是否为“direction”？", "groups[0].indicators[0].params.directoin"),
    (strict(indicator='annex = { number = 1, titel = "甲" }'), "指标 x 的 annex 中没有“titel”这一项，是否为“title”？", "groups[0].indicators[0].annex.titel"),
    (strict(group=UNITS + '\nclasses = [{ name = "一类", units = ["甲镇"], colour = 1 }]'), "第 1 类 classes 中没有“colour”这一项", "groups[0].classes[0].colour"),
    (strict(group='units = [{ name = "甲镇", alias = ["甲"] }]'), "第 1 个单位中没有“alias”这一项，是否为“aliases”？", "groups[0].units[0].alias"),
    (strict(top='[[key_tasks]]\ntitle = "甲"\nleads = ["甲镇"]'), "第 1 项重点任务 key_tasks 中没有“leads”这一项，是否为“lead”？", "key_tasks[0].leads"),
    (strict(top='[grades]\nlevel = []'), "[grades] 中没有“level”这一项，是否为“levels”？", "grades.level"),
    (strict(top='[grades]\nlevels = [{ name = "优", mim = 90 }, { name = "差" }]'), "第 1 个等次“优”中没有“mim”这一项，是否为“min”？", "grades.levels[0].mim"),
    (strict(top='[annual]\nweight = [1, 2]'), "[annual] 中没有“weight”这一项，是否为“weights”？", "annual.weight"),
    (strict(top='[[categories]]\nname = "加分项"\nextras = true'), "第 1 个类别“加分项”中没有“extras”这一项，是否为“extra”？", "categories[0].extras"),
    (strict(top='[bulletin]\nthem = "开门红"'), "[bulletin] 中没有“them”这一项，是否为“theme”？", "bulletin.them"),
    (strict(top='[bulletin.templates]\ntitel = "x"'), "[bulletin.templates] 中没有名为“titel”的句子，是否为“title”？", "bulletin.templates.titel"),
    # wrong types
    (strict(indicator='decimals = "2"'), "指标 x 的 decimals 应为整数，实为 “2”", "groups[0].indicators[0].decimals"),
    (strict(indicator='aliases = "甲"'), "指标 x 的 aliases 应为文字的列表", "groups[0].indicators[0].aliases"),
    (strict(group='units = "甲镇"'), "分组 1（g）的 units 应为单位名称的列表", "groups[0].units"),
    (strict().replace("max = 5", 'max = "五"'), "指标 x 的 max 应为数字，实为 “五”", "groups[0].indicators[0].max"),
    (strict(indicator="name = 3").replace('name = "指标"\n', ""), "指标 x 的 name 应为文字，实为 3", "groups[0].indicators[0].name"),
    (strict(top='[[categories]]\nname = "加分项"\nextra = "yes"'), "的 extra 应为true 或 false", "categories[0].extra"),
    (strict(top="region = 1"), "方案的 region 应为文字，实为 1", "region"),
    # numbers out of range
    (strict(indicator="decimals = 11"), "指标 x 的 decimals 应为 0 到 10 的整数，实为 11", "groups[0].indicators[0].decimals"),
    (strict(indicator="decimals = -1"), "应为 0 到 10 的整数，实为 -1", "groups[0].indicators[0].decimals"),
    (strict(indicator="annex = { number = 0 }"), "annex 的 number 应为不小于 1 的整数，实为 0", "groups[0].indicators[0].annex.number"),
    (strict(top="[scoring]\ntotal_scale = 0"), "[scoring] 的 total_scale 应为大于 0 的数字", "scoring.total_scale"),
    # names: empty, duplicate, missing; groups without units
    (strict(group='units = ["甲镇", " "]'), "分组 1（g）第 2 个单位名称为空", "groups[0].units[1]"),
    (strict(group='units = [{ name = "" }]'), "分组 1（g）第 1 个单位的 name 不能为空", "groups[0].units[0].name"),
    (strict(group='units = ["甲镇", "甲镇"]'), "第 2 个单位“甲镇”与第 1 个单位重复", "groups[0].units[1]"),
    (strict(indicator='[[groups.indicators]]\nkey = "x"\nname = "乙"\nmax = 5\nmethod = "ratio"'), "分组 1（g）的指标 key“x”重复", "groups[0].indicators[1].key"),
    (strict(top="", group=""), "分组 1（g）没有列出单位 units；单位名单由数据给出时（kaohe score --units-from-data），请写明 units = []", "groups[0].units"),
    (strict(indicator="").replace('key = "x"\n', ""), "分组 1（g）第 1 个指标缺少“key”", "groups[0].indicators[0].key"),
    (strict().replace('name = "方案"\n', ""), "方案缺少“name”", "name"),
]  # fmt: skip


@pytest.mark.parametrize("text, message, path", STRICT_CASES)
def test_check_scheme_refuses_what_the_scheme_does_not_know_naming_where(text, message, path):
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "t.toml")
    assert message in str(info.value)
    assert path in [p.dotted for p in info.value.problems]


def test_a_group_may_leave_its_units_to_the_data_only_by_saying_units_is_empty():
    scheme = parse_scheme(strict(group="units = []"), "t.toml")
    assert scheme.groups[0].units == []


def test_every_shape_problem_is_listed_at_once_each_with_its_field():
    text = strict(
        top='colour = "red"\n[scoring]\nlate_note = ["迟报"]',
        group='unitz = ["甲镇"]',
        indicator='colour = "red"\ndecimals = 12',
    )
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "t.toml")
    assert str(info.value).startswith("方案 t.toml：\n  ")
    assert [p.dotted for p in info.value.problems] == [
        "colour",
        "scoring.late_note",
        "groups[0].unitz",
        "groups[0].units",
        "groups[0].indicators[0].colour",
        "groups[0].indicators[0].decimals",
    ]
    assert all(not p.message.startswith("方案 t.toml") for p in info.value.problems)


def test_rule_problems_of_several_indicators_are_listed_at_once():
    second = '[[groups.indicators]]\nkey = "y"\nname = "乙"\nmax = 10\nmethod = "rank"\nparams = { top = 4, step = 0.1 }'
    text = strict(indicator='params = { direction = "down" }\n' + second)
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "t.toml")
    assert [p.dotted for p in info.value.problems] == [
        "groups[0].indicators[0]",
        "groups[0].indicators[1]",
    ]
    assert "direction“down”未知" in str(info.value) and "不一致" in str(info.value)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scheme_passes_the_strict_check(name):
    assert load_scheme(name).groups


def test_the_web_demo_scheme_passes_the_strict_check():
    from pathlib import Path

    import kaohe

    demo = Path(kaohe.__file__).parent / "web" / "demo" / "daye-2023-demo.toml"
    assert len(load_scheme(demo).groups) == 2


def _paths(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*path, k)
            yield from _paths(v, (*path, k))
    elif isinstance(data, list):
        for n, v in enumerate(data):
            yield (*path, n)
            yield from _paths(v, (*path, n))


@pytest.mark.parametrize("name", ["example-efficacy", "example-wujin"])
def test_any_field_of_a_scheme_set_to_a_wrong_value_is_refused_never_a_crash(name):
    import copy
    import tomllib
    from importlib import resources

    from kaohe.scheme import build_scheme

    text = (resources.files("kaohe") / "schemes" / f"{name}.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    for path in _paths(data):
        for wrong in ("", 0, -1, True, [], {}, [{}], ["x"], Decimal("1E+400")):
            changed = copy.deepcopy(data)
            place = changed
            for part in path[:-1]:
                place = place[part]
            place[path[-1]] = wrong
            try:
                build_scheme(changed, "t.toml")
            except SchemeError as exc:
                assert exc.problems and all(p.message for p in exc.problems)
