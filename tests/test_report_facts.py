"""The bulletin's figures and sentences, computed from the engine's result for the seed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.report.errors import ReportError
from kaohe.report.facts import build_facts, cn_number, parse_date, rate_words
from kaohe.report.narrative import parse_markdown, read_narrative
from kaohe.scheme import load_scheme

SEED = Path(__file__).parents[1] / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"


@pytest.fixture(scope="module")
def result():
    scheme = load_scheme("daye-2023")
    return score(scheme, read_files([SEED], scheme))


@pytest.fixture(scope="module")
def facts(result):
    return build_facts(result, doc_date="2023年4月21日", cutoff="2023 年 3 月 31 日下午 17：00")


def test_the_title_year_and_quarter_come_from_the_scheme_and_the_cutoff(facts):
    assert facts.title == "关于大冶市2023年科技创新行动一季度工作进展情况的通报"
    assert facts.year == 2023 and facts.period == "一季度"
    assert facts.doc_date == "2023年4月21日"
    assert facts.issuer == "大冶市科学技术局"


def test_the_annex_totals_and_rates_match_the_seed_bulletin(facts):
    shown = {
        t.number: (
            t.actual_text(t.total_actual),
            t.target_text(t.total_target),
            t.rate_text(t.total_rate),
        )
        for t in facts.annexes
    }
    assert shown == {
        1: ("257255.4", "245850", "104.64%"),
        2: ("8340", "7889", "105.72%"),
        3: ("360.36", "311.9", "115.54%"),
        4: ("332", "250", "132.80%"),
        5: ("94087", "80000", "117.61%"),
    }


def test_annex_rows_are_ordered_by_actual_value_at_the_annex_precision(facts):
    third = facts.annexes[2]
    assert [r.unit for r in third.rows[:3]] == ["大冶湖高新区", "临空区·还地桥镇", "金湖街道"]
    assert third.actual_text(third.rows[0].actual) == "248.05"
    assert third.actual_text(third.rows[2].actual) == "26.20"
    fifth = facts.annexes[4]
    assert (fifth.rows[-1].unit, fifth.rate_text(fifth.rows[-1].rate)) == ("东岳街道", "64.00%")


def test_every_annex_figure_equals_the_engines(result, facts):
    group = result.groups[0]
    for table in facts.annexes:
        col = group.column(table.indicator.key)
        factor = table.indicator.annex.factor
        for row in table.rows:
            i = group.unit_names.index(row.unit)
            assert row.actual == col.actual[i] * factor
            assert row.target == col.target[i] * factor
            assert row.rate == col.rate[i]


def test_the_overall_paragraph_states_each_indicators_total_and_rate(facts):
    text = facts.sections[1].text
    for fact in (
        "规上企业研发投入实绩数为257255.4万元，完成任务数104.64%",
        "规上企业研发人员实绩数为8340人，完成任务数105.72%",
        "规上企业新产品销售收入实绩数为360.36亿元，完成任务数115.54%",
        "科技型中小企业入库实绩数为332家，完成任务数132.8%",
        "技术合同成交额实绩数为94087万元，完成任务数117.61%",
    ):
        assert fact in text
    assert text.startswith("（一）全市指标整体完成情况。全市")


def test_the_units_paragraph_names_the_three_highest_and_the_unit_that_missed(facts, result):
    text = facts.sections[2].text
    assert "规上企业研发投入完成较高的为高新区、临空区·还地桥镇和灵乡镇" in text
    assert "规上企业研发人员完成较高的为高新区、金湖街道和临空区·还地桥镇" in text
    assert "14个乡镇（场）全部完成目标任务" in text
    # daye-2023 words it as the seed does: the unit that missed is not named in the clause …
    assert "等13个乡镇（场）完成该目标任务，完成较高的为" in text and "东岳街道" not in text
    # … the default wording names it with its rate
    assert "等13个乡镇（场）完成该目标任务，东岳街道（完成64.00%）未完成" in _default_words(result)
    assert "技术合同成交额完成较高的为高新区、灵乡镇和陈贵镇" not in text  # one clause each
    assert "完成较高的为高新区、灵乡镇和陈贵镇" in text


def _default_words(result, section=2) -> str:
    import dataclasses

    from kaohe.scheme import build_bulletin

    saved = result.scheme.bulletin
    result.scheme.bulletin = dataclasses.replace(build_bulletin({}, ""), clauses=saved.clauses)
    try:
        return build_facts(result, cutoff="2023年3月31日").sections[section].text
    finally:
        result.scheme.bulletin = saved


def test_thirteen_units_met_every_target_and_dongyue_did_not(facts, result):
    text = facts.sections[3].text
    assert text.startswith("截止至3月31日，")  # the seed's words, set in daye-2023
    assert "等13个乡镇（场）全面完成5项指标的目标任务" in text
    assert "东岳街道" not in text
    default = _default_words(result, 3)
    assert default.startswith("截至3月31日，")
    assert "东岳街道技术合同成交额完成64.00%，未全面完成" in default


def test_the_ranking_paragraph_lists_every_unit_with_its_total(result):
    # daye-2023 leaves it out as the seed does ([bulletin] ranking = false); asked for, it is §一（三）
    text = build_facts(result, cutoff="2023年3月31日", ranking=True).sections[4].text
    assert text.startswith("（三）考核得分排名情况。")
    assert "第一名高新区（85.06分），第二名陈贵镇（84.77分）" in text
    assert "第十四名茗山乡（68.06分）" in text
    assert text.count("名") >= len(result.units)


def test_the_score_table_has_every_unit_by_total_with_the_engines_points(result, facts):
    table = facts.scores[0]
    assert table.number == 6
    assert table.title == "大冶市2023年科技创新行动一季度考核得分（乡镇）"
    assert [u.unit for u in table.units] == [u.unit for u in result.units]
    first = table.units[0]
    assert first.total == "85.06"
    assert [r.points for r in first.rows[:3]] == ["5", "9.4", "9"]
    assert first.rows[0].note.endswith("（其它乡镇同上）")
    chen = table.units[1]
    assert chen.rows[9].points == "4.71"  # 5 × 4 ÷ 4.25, two places, trailing zeros dropped
    ling = table.units[2]
    assert (ling.rows[3].target, ling.rows[3].actual) == ("/", "/")
    late = next(u for u in table.units if u.unit == "金牛镇")
    assert (late.rows[-1].actual, late.rows[-1].points, late.rows[-1].note) == (
        "0",
        "0",
        "迟报材料",
    )
    dongyue = next(u for u in table.units if u.unit == "东岳街道")
    assert dongyue.rows[2].note == "登记技术合同成交额差0.054亿元"


def test_units_without_a_task_are_not_counted_as_missing_it(result):
    group = result.groups[0]
    col = group.column("rd_staff")
    i = group.unit_names.index("东岳街道")
    saved = (col.status[i], col.target[i])
    col.status[i], col.target[i] = "no_task", None
    try:
        text = _default_words(result)
    finally:
        col.status[i], col.target[i] = saved
    assert "东岳街道（完成" in text  # still misses 技术合同成交额
    assert "规上企业研发人员，下达任务的13个乡镇（场）全部完成目标任务" in text


def test_dates_are_read_in_chinese_or_iso_form():
    assert parse_date("2023-04-21") == parse_date("2023年4月21日")
    with pytest.raises(ReportError):
        parse_date("下周二")


def test_chinese_numbers_and_rates_read_as_in_a_bulletin():
    assert [cn_number(n) for n in (1, 10, 14, 20, 105)] == ["一", "十", "十四", "二十", "一百零五"]
    assert rate_words(Decimal("1.328")) == "132.8%"
    assert rate_words(Decimal("1.0463917")) == "104.64%"


def test_markdown_headings_become_numbered_sections_and_run_in_subheadings():
    paras = parse_markdown(
        "# 工作进展情况\n\n## 着力推进建设\n一是申报。\n二是推动。\n\n# 存在的问题\n少数单位重视不够。\n"
    )
    assert [p.kind for p in paras] == ["heading1", "body", "heading1", "body"]
    assert paras[0].text == "二、工作进展情况"
    assert paras[1].runs[0].text == "（一）着力推进建设。" and paras[1].runs[0].font == "kai"
    assert paras[1].runs[1].text == "一是申报。二是推动。"
    assert paras[2].text == "三、存在的问题"


def test_without_a_narrative_the_sections_are_marked_placeholders():
    paras = read_narrative(None)
    assert [p.text for p in paras if p.kind == "heading1"] == [
        "二、工作进展情况",
        "三、存在的问题",
        "四、下一步工作建议",
    ]
    assert all(
        r.font == "todo" and r.text.startswith("【待填写")
        for p in paras
        if p.kind == "body"
        for r in p.runs
    )


def test_long_lists_of_units_are_cut_short_and_counted_exactly(result, monkeypatch):
    import dataclasses

    bulletin = dataclasses.replace(result.scheme.bulletin, list_limit=3)
    monkeypatch.setattr(result.scheme, "bulletin", bulletin)
    monkeypatch.setattr("kaohe.report.facts.RANKING_LIMIT", 2)
    facts = build_facts(result, ranking=True)
    text = facts.sections[2].text
    # 三 names printed, counted as 3, and the ten left out counted apart
    assert (
        "高新区、临空区·还地桥镇、灵乡镇等3个乡镇（场）及其余10个乡镇（场）完成该目标任务" in text
    )
    assert facts.sections[4].text.endswith("（共14个乡镇（场），完整排名见附件）。")
