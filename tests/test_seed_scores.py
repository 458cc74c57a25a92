"""The seed bulletin's 附件6: 224 indicator points and 14 totals, to the cent."""

import csv
from decimal import Decimal

import pytest

from kaohe.engine import score
from kaohe.numbers import round_half_up
from kaohe.readers import read_files

from .conftest import ANNEX_XLSX, DATA, LONG_CSV, OTHER11_CSV


def _expected_points():
    with open(DATA / "daye_2023q1_expected_points.csv", encoding="utf-8") as fh:
        return [(r["单位"], r["指标"], Decimal(r["考核得分"])) for r in csv.DictReader(fh)]


def _expected_totals():
    with open(DATA / "daye_2023q1_expected_totals.csv", encoding="utf-8") as fh:
        return {r["单位"]: Decimal(r["总得分"]) for r in csv.DictReader(fh)}


SEED_ORDER = [
    "大冶湖高新区",
    "陈贵镇",
    "灵乡镇",
    "金湖街道",
    "临空区·还地桥镇",
    "大箕铺镇",
    "金山店镇",
    "刘仁八镇",
    "保安镇",
    "殷祖镇",
    "东岳街道",
    "东风农场",
    "金牛镇",
    "茗山乡",
]

INPUTS = {
    "long table": [LONG_CSV],
    "annex workbook with the other 11 indicators": [ANNEX_XLSX, OTHER11_CSV],
}


@pytest.fixture(scope="module", params=list(INPUTS))
def seed_result(request, daye):
    return score(daye, read_files(INPUTS[request.param], daye)).groups[0]


def test_all_224_published_points_are_reproduced(seed_result):
    expected = _expected_points()
    assert len(expected) == 224
    for unit, indicator, printed in expected:
        got = seed_result.unit(unit).indicator(seed_result.group.find_indicator(indicator).key)
        assert round_half_up(got.points, 2) == printed, (unit, indicator, got.points, got.explain)


def test_all_14_totals_match_the_bulletin_to_the_cent(seed_result):
    totals = {u.unit: u.total for u in seed_result.units}
    assert totals == _expected_totals()


def test_units_are_ranked_as_in_the_bulletin(seed_result):
    assert [u.unit for u in seed_result.units] == SEED_ORDER
    assert [u.rank for u in seed_result.units] == list(range(1, 15))


def test_totals_are_computed_from_unrounded_points(seed_result):
    chengui = seed_result.unit("陈贵镇")
    rounded_first = sum(round_half_up(s.points, 2) for s in chengui.indicators)
    assert round_half_up(rounded_first / 85 * 100, 2) == Decimal("84.78")
    assert chengui.total == Decimal("84.77")


def test_rank_points_are_exact_decimals(seed_result):
    gaoxin = seed_result.unit("大冶湖高新区").indicator("sme_registered")
    assert (gaoxin.rank_actual, gaoxin.rank_rate) == (1, 7)
    assert gaoxin.points == Decimal("9.4")
    assert str(gaoxin.points_rate) == "4.4"


def test_the_issue_example_explanation_is_produced(seed_result):
    text = seed_result.unit("陈贵镇").indicator("sme_registered").explain
    assert text.startswith(
        "实绩数 28 家，排第 3 名，得 4.8 分；完成率 147.37%，排第 4 名，得 4.7 分"
    )


def test_new_product_sales_rank_on_full_precision(seed_result):
    column = seed_result.column("new_product_sales")
    gaoxin = seed_result.unit("大冶湖高新区").indicator("new_product_sales")
    assert gaoxin.actual == Decimal("248.04906")
    assert gaoxin.rank_actual == 1
    assert column.indicator.max_points == 5


def test_late_material_scores_zero_and_keeps_its_note(seed_result):
    late = seed_result.unit("金牛镇").indicator("materials")
    assert late.status == "late"
    assert late.points == 0
    assert late.note == "迟报材料"
    assert "迟报材料" in late.explain
