"""如何前进一名 in the web: the unit's page shows the engine's answer for the published period;
the bureau sees every unit's, a unit only its own."""

from decimal import Decimal

import pytest
from pagecheck import check_page

from kaohe.web.models import ScoreRun
from kaohe.web.services import periods as period_service
from kaohe.web.services import whatif as whatif_service
from kaohe.whatif import what_if


def _url(demo, unit):
    return f"/periods/{demo['q1'].pk}/units/{unit.pk}/whatif/"


def test_the_bureau_sees_what_a_unit_needs_with_the_unit_above(admin_client, demo, unit):
    response = admin_client.get(_url(demo, unit("陈贵镇")))
    assert response.status_code == 200
    check_page(response)
    html = response.content.decode()
    assert "<h1>2023年一季度 · 陈贵镇 如何前进一名</h1>" in html
    assert "上一名 大冶湖高新区，总得分 85.06" in html
    assert '<td class="card-title">科技型中小企业入库数（家）</td>' in html
    assert "<b>30</b>" in html and "+2" in html and "第 1 名" in html
    assert "<h2>无法单独达到</h2>" in html
    assert ">此项已得 5 分，再提高实绩数得分也不增加</td>" in html


def test_the_page_answers_as_the_engine_does_on_the_run_it_was_scored_from(demo, unit):
    run = ScoreRun.objects.get(period=demo["q1"], current=True)
    chengui = unit("陈贵镇")
    answer = whatif_service.unit_what_if(run, chengui)
    assert answer == what_if(*period_service.inputs_dataset(run.inputs), "陈贵镇")
    firms = next(o for o in answer.options if o.key == "sme_registered")
    assert (firms.figure, firms.new_rank) == (Decimal(30), 1)


def test_a_reporter_sees_its_own_unit(reporter_client, demo, unit):
    response = reporter_client.get(_url(demo, unit("陈贵镇")))
    assert response.status_code == 200
    assert "陈贵镇 如何前进一名" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_units_reporter_is_denied(reporter_client, demo, unit, method):
    response = getattr(reporter_client, method)(_url(demo, unit("灵乡镇")))
    assert response.status_code == (403 if method == "get" else 405)
    assert "灵乡镇" not in response.content.decode()


def test_a_reporter_is_denied_another_unit_even_by_post(reporter_client, demo, unit):
    """GET-only: a POST is refused before anything is computed, for any unit."""
    assert reporter_client.post(_url(demo, unit("陈贵镇"))).status_code == 405


def test_the_leader_of_the_ranking_is_told_there_is_no_one_to_overtake(admin_client, demo, unit):
    html = admin_client.get(_url(demo, unit("大冶湖高新区"))).content.decode()
    assert "已在乡镇排第 1 名，没有可超越的单位" in html
    assert "whatif-reachable" not in html


def test_the_result_page_links_to_it(reporter_client, demo, unit):
    chengui = unit("陈贵镇")
    html = reporter_client.get(f"/periods/{demo['q1'].pk}/units/{chengui.pk}/result/").content
    assert _url(demo, chengui).encode() in html
