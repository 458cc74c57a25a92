"""Schemes with any county's rules on the web: the two example schemes load, their figures are
entered through the entry form (tier counts, deduct counts, no targets where the method needs
none), and the results show each class in turn, ranks within the class, grades, veto reasons and
category subtotals, in the page, the downloads and the bulletin, as `kaohe score` gives them."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from examples import EXAMPLES, cli_result, computed, enter_sample, load

from kaohe.exporters import JsonExporter
from kaohe.scheme import load_scheme
from kaohe.web.models import Indicator, Scheme, Unit, UnitResult
from kaohe.web.services import periods as period_service


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_an_example_scheme_loads_with_its_rules_and_scores_as_the_command_line(bureau, key):
    period = computed(bureau, key)
    run = period_service.current_run(period)
    expected = json.loads(JsonExporter().render(cli_result(key)))
    stored = {r.unit.name: r for r in UnitResult.objects.filter(run=run).select_related("unit")}
    for group in expected["groups"]:
        for u in group["units"]:
            r = stored[u["unit"]]
            assert (r.class_name, r.rank, r.total, r.grade) == (
                group["class"],
                u["rank"],
                Decimal(u["total"]),
                u["grade"],
            ), u["unit"]
            assert "；".join(r.vetoes) == (u["veto"] or "")
    # the run rebuilds the same engine result the downloads use
    again = json.loads(JsonExporter().render(period_service.run_result(run)))
    assert again["groups"] == [
        {**g, "units": [{**u} for u in g["units"]]} for g in expected["groups"]
    ]


def test_the_rules_survive_the_database_whole(db):
    call_command("kaohe_load_scheme", "example-efficacy")
    from kaohe.web.services.schemes import engine_scheme

    rebuilt, parsed = engine_scheme(Scheme.objects.get()), load_scheme("example-efficacy")
    assert rebuilt.grading == parsed.grading and rebuilt.categories == parsed.categories
    assert rebuilt.annual == parsed.annual and rebuilt.allow_over == parsed.allow_over
    group, original = rebuilt.groups[0], parsed.groups[0]
    assert group.classes == original.classes
    assert [(i.key, i.method, i.params, i.veto) for i in group.indicators] == [
        (i.key, i.method, i.params, i.veto) for i in original.indicators
    ]
    assert [i.key for i in group.inputs] == [i.key for i in original.inputs]


def test_a_tiered_indicator_is_entered_as_one_count_per_tier(bureau):
    period = load("example-efficacy")
    unit = Unit.objects.get(name="临江区")
    page = bureau.get(f"/periods/{period.pk}/units/{unit.pk}/entry/").content.decode()
    for tier in ("国家级", "省级", "市级"):
        assert f"承担科技项目·{tier}" in page
    assert "承担科技项目<" not in page  # the indicator itself has no figure of its own


def test_a_counted_indicator_needs_no_target(bureau):
    period = load("example-wujin")
    enter_sample(bureau, period, "example-wujin")
    admin = User.objects.get(username="kjj")
    carriers = Indicator.objects.get(key="carriers")
    from kaohe.web.models import Entry

    Entry.objects.filter(indicator=carriers).update(target=None, target_na=False)
    period_service.close_entry(period, admin, confirmed=True)
    run = period_service.compute_period(period, admin, confirmed=True)
    dongcheng = run.units.get(unit__name="东城镇").indicators.get(indicator=carriers)
    assert dongcheng.points == Decimal("4")


def test_a_blank_count_is_an_error_not_full_points(bureau):
    period = load("example-wujin")
    enter_sample(bureau, period, "example-wujin")
    from kaohe.web.models import Entry

    Entry.objects.filter(indicator__key="criticized", unit__name="西湖镇").update(actual=None)
    admin = User.objects.get(username="kjj")
    period_service.close_entry(period, admin, confirmed=True)
    with pytest.raises(period_service.ServiceError) as refused:
        period_service.compute_period(period, admin, confirmed=True)
    assert any("被上级通报批评" in d and "西湖镇" in d for d in refused.value.details)


def test_an_unreported_veto_figure_vetoes_rather_than_passes(bureau):
    period = load("example-wujin")
    enter_sample(bureau, period, "example-wujin")
    from kaohe.web.models import Entry

    Entry.objects.filter(indicator__key="integrity", unit__name="东城镇").update(actual=None)
    admin = User.objects.get(username="kjj")
    period_service.close_entry(period, admin, confirmed=True)
    run = period_service.compute_period(period, admin, confirmed=True)
    dongcheng = run.units.get(unit__name="东城镇")
    assert dongcheng.total == 0
    assert dongcheng.vetoes == ["一票否决：科研诚信失信事件未报送，总分记为 0"]
    explain = dongcheng.indicators.get(indicator__key="integrity").explain
    assert explain == "未报送实绩数，得 0 分；一票否决：科研诚信失信事件未报送，总分记为 0"


def test_the_results_page_shows_each_class_in_turn_with_grades_and_vetoes(bureau):
    period = computed(bureau, "example-wujin")
    page = bureau.get(f"/periods/{period.pk}/results/").content.decode()
    first, second = page.index("一类镇（街道）"), page.index("二类镇（乡）")
    assert first < page.index("东城镇") < page.index("青石街道") < second < page.index("南山镇")
    assert ">等次</th>" in page and "优秀" in page and "不合格" in page
    assert ">目标任务</th>" in page and ">加分项</th>" in page and ">扣分项</th>" in page
    assert "一票否决：科研诚信失信事件实绩数 1 起" in page
    # ranks restart in each class
    assert page.count('<td class="num">1</td>') >= 2


def test_a_units_detail_shows_its_grade_veto_and_category_subtotals(bureau):
    period = computed(bureau, "example-wujin")
    unit = Unit.objects.get(name="青石街道")
    page = bureau.get(f"/periods/{period.pk}/units/{unit.pk}/result/").content.decode()
    assert "一类镇（街道）第 <b>3</b> 名" in page
    assert "等次 <b>不合格</b>" in page
    assert "一票否决：科研诚信失信事件实绩数 1 起，高于任务数 0 起，总分记为 0" in page
    assert "加分项" in page and "上限 4 分" in page
    dongcheng = Unit.objects.get(name="东城镇")
    page = bureau.get(f"/periods/{period.pk}/units/{dongcheng.pk}/result/").content.decode()
    assert "超过满分 100，按满分计" in page


def test_the_downloads_carry_classes_grades_and_vetoes(bureau):
    period = computed(bureau, "example-efficacy")
    from python_calamine import CalamineWorkbook

    xlsx = bureau.get(f"/periods/{period.pk}/results.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content))
    assert "排名（一类县（区））" in book.sheet_names and "排名（二类县）" in book.sheet_names
    ranking = book.get_sheet_by_name("排名（一类县（区））").to_python()
    assert ranking[1][:5] == ["排名", "单位", "总得分", "原始得分", "等次"]
    text = bureau.get(f"/periods/{period.pk}/results.csv").content.decode("utf-8-sig")
    head = text.splitlines()[0].split(",")
    assert head[4:7] == ["分类", "等次", "一票否决"]
    assert "清河县" in text and "一票否决：重大安全生产事故实绩数 1 起" in text
    data = json.loads(bureau.get(f"/periods/{period.pk}/results.json").content)
    assert data == json.loads(JsonExporter().render(cli_result("example-efficacy")))
    qinghe = next(u for g in data["groups"] for u in g["units"] if u["unit"] == "清河县")
    assert qinghe["grade"] == "不合格"


def test_the_bulletin_names_each_class_and_the_grades(bureau):
    period = computed(bureau, "example-wujin")
    admin = User.objects.get(username="kjj")
    period_service.lock_period(period, admin, confirmed=True)
    response = bureau.get(f"/periods/{period.pk}/bulletin.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    docx = next(n for n in archive.namelist() if n.endswith(".docx"))
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(docx))).paragraphs)
    assert "一类镇（街道）" in text and "二类镇（乡）" in text
    assert "青石街道" in text and "一票否决" in text
