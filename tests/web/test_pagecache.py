"""Cached fragments never show old or someone else's data (kaohe/web/pagecache.py).

The results ranking is cached under the period's stamps and the viewer's audience; the entry
table under the rows it is built from. Every state change that affects a page shows on the next
request, also in a gunicorn worker whose cache was filled before the change and never told of it.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from kaohe.web.models import Entry, Membership, Period, ScoreRun, UnitResult
from kaohe.web.services import periods as period_service


def client_for(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def reporter_of(unit):
    user = User.objects.create_user(f"reporter{unit.pk}", password="Kaohe@2023!r")
    Membership.objects.create(user=user, unit=unit, can_report=True)
    c = Client()
    c.force_login(user)
    return c


def results(client, period) -> str:
    response = client.get(f"/periods/{period.pk}/results/")
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, name: str) -> str:
    """The ranking table row of a unit."""
    return next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if f"<td>{name}</td>" in r)


def current_total(period, unit) -> Decimal:
    return UnitResult.objects.get(run__period=period, run__current=True, unit=unit).total


class OtherWorker:
    """The cache of another gunicorn worker: a copy of this process's cache taken now, put back
    later as if that worker had cached the pages before a change and never heard of it."""

    def __init__(self):
        self.backend = caches["default"]
        self.entries = dict(self.backend._cache)
        self.expiry = dict(self.backend._expire_info)

    def serve(self):
        self.backend._cache.clear()
        self.backend._cache.update(self.entries)
        self.backend._expire_info.clear()
        self.backend._expire_info.update(self.expiry)


def _admin():
    return User.objects.get(username="admin")


def _correct(q1, unit, indicator, actual, reason="统计局更正"):
    target = Entry.objects.get(period=q1, unit=unit, indicator=indicator).target
    period_service.correct_entry(
        q1,
        unit,
        indicator,
        _admin(),
        target=(target, False),
        actual=(Decimal(actual), False),
        reason=reason,
    )


def test_a_correction_shows_on_the_results_page_at_once(admin_client, demo, unit, indicator):
    q1, chengui = demo["q1"], unit("陈贵镇")
    other = OtherWorker()  # before anything was cached
    before = results(admin_client, q1)
    assert "84.77" in row_of(before, "陈贵镇") and "更正记录" not in before
    worker = OtherWorker()  # with the page cached
    _correct(q1, chengui, indicator("rd_staff"), "600")
    new = current_total(q1, chengui)
    assert new != Decimal("84.77")
    for cache in (None, worker, other):
        if cache is not None:
            cache.serve()
        page = results(admin_client, q1)
        assert f"{new:.2f}" in row_of(page, "陈贵镇")
        assert "更正记录" in page and "统计局更正" in page


def test_computing_again_shows_the_new_scores(admin_client, demo, unit, indicator):
    q1, q2, chengui, staff = demo["q1"], demo["q2"], unit("陈贵镇"), indicator("rd_staff")
    for e in Entry.objects.filter(period=q1):
        Entry.objects.filter(period=q2, unit=e.unit, indicator=e.indicator).update(
            actual=e.actual, actual_na=e.actual_na, note=e.note
        )
    for action in ("close", "approve_all", "lock", "compute"):
        admin_client.post(f"/periods/{q2.pk}/action/", {"action": action})
    first = current_total(q2, chengui)
    assert f"{first:.2f}" in row_of(results(admin_client, q2), "陈贵镇")
    worker = OtherWorker()
    admin_client.post(f"/periods/{q2.pk}/action/", {"action": "unlock"})
    Entry.objects.filter(period=q2, unit=chengui, indicator=staff).update(actual=Decimal("600"))
    for action in ("lock", "compute"):
        admin_client.post(f"/periods/{q2.pk}/action/", {"action": action})
    second = current_total(q2, chengui)
    assert second != first and ScoreRun.objects.filter(period=q2).count() == 2
    worker.serve()
    page = results(admin_client, q2)
    assert f"{second:.2f}" in row_of(page, "陈贵镇")


def test_publishing_shows_at_once_and_only_then_to_the_units(admin_client, demo, unit):
    q1, chengui = demo["q1"], unit("陈贵镇")
    reporter = client_for("chengui")
    Period.objects.filter(pk=q1.pk).update(state=Period.LOCKED)  # as before publication
    page = results(admin_client, q1)
    assert "已锁定" in page
    assert reporter.get(f"/periods/{q1.pk}/results/").status_code == 403
    worker = OtherWorker()
    period_service.publish_results(Period.objects.get(pk=q1.pk), _admin())
    worker.serve()
    page = results(admin_client, q1)
    assert "已发布" in page and "异议（截至" in page
    own = row_of(results(reporter, q1), "陈贵镇")
    assert 'class="mine"' in own and f"/units/{chengui.pk}/result/" in own


def test_a_state_set_in_the_admin_site_is_honoured_on_the_next_request(admin_client, demo):
    q1 = demo["q1"]
    reporter = client_for("chengui")
    results(reporter, q1)
    results(admin_client, q1)
    period = Period.objects.get(pk=q1.pk)
    period.state = Period.LOCKED  # what the admin site's form does
    period.save()
    assert reporter.get(f"/periods/{q1.pk}/results/").status_code == 403
    assert "已锁定" in results(admin_client, q1)


def test_a_unit_never_gets_a_ranking_built_for_another(demo, unit):
    q1, chengui, lingxiang = demo["q1"], unit("陈贵镇"), unit("灵乡镇")
    first = results(client_for("chengui"), q1)  # cached for 陈贵镇 first
    second = results(reporter_of(lingxiang), q1)
    for page, own, other in ((first, chengui, lingxiang), (second, lingxiang, chengui)):
        assert 'class="mine"' in row_of(page, own.name)
        assert 'class="mine"' not in row_of(page, other.name)
        assert f"/units/{own.pk}/result/" in page
        assert f"/units/{other.pk}/result/" not in page
    # those who see everything get a link to every unit; a provider without a unit to none
    lead = results(client_for("lingdao"), q1)
    assert f"/units/{chengui.pk}/result/" in lead and f"/units/{lingxiang.pk}/result/" in lead
    provider = results(client_for("tongji"), q1)
    assert "/result/" not in provider and 'class="mine"' not in provider
    # a leader who belongs to a unit sees everything and their own unit marked
    Membership.objects.filter(user__username="lingdao").update(unit=lingxiang)
    lead = results(client_for("lingdao"), q1)
    assert 'class="mine"' in row_of(lead, lingxiang.name)
    assert 'class="mine"' not in row_of(lead, chengui.name)
    assert f"/units/{chengui.pk}/result/" in lead


def test_renaming_a_unit_shows_on_every_cached_ranking(admin_client, demo, unit):
    q1, chengui = demo["q1"], unit("陈贵镇")
    reporter = client_for("chengui")
    assert "<td>陈贵镇</td>" in results(admin_client, q1)
    results(reporter, q1)
    worker = OtherWorker()
    chengui.name = "陈贵镇（改名）"
    chengui.save()  # what the admin site does
    worker.serve()
    for c in (admin_client, reporter):
        page = results(c, q1)
        assert "<td>陈贵镇（改名）</td>" in page and "<td>陈贵镇</td>" not in page


def entry_page(client, period, unit) -> str:
    response = client.get(f"/periods/{period.pk}/units/{unit.pk}/entry/")
    assert response.status_code == 200
    return response.content.decode()


def figure(page: str, indicator) -> str:
    return re.search(rf'name="actual_{indicator.pk}" value="([^"]*)"', page).group(1)


def test_the_entry_table_shows_a_figure_changed_by_someone_else(
    reporter_client, demo, unit, indicator
):
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("rd_spending")
    assert figure(entry_page(reporter_client, q2, chengui), rd) == ""
    worker = OtherWorker()
    admin = client_for("admin")
    page = entry_page(admin, q2, chengui)
    version = re.search(rf'name="version_{rd.pk}" value="(\d+)"', page).group(1)
    target = re.search(rf'name="target_{rd.pk}" value="([^"]*)"', page).group(1)
    response = admin.post(
        f"/periods/{q2.pk}/units/{chengui.pk}/entry/",
        {f"actual_{rd.pk}": "123.4", f"target_{rd.pk}": target, f"version_{rd.pk}": version},
    )
    assert response.status_code == 302
    worker.serve()
    assert figure(entry_page(reporter_client, q2, chengui), rd) == "123.4"


def test_the_entry_table_follows_the_period_and_the_scheme(reporter_client, demo, unit, indicator):
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("rd_spending")
    page = entry_page(reporter_client, q2, chengui)
    assert f'name="actual_{rd.pk}"' in page
    worker = OtherWorker()
    period_service.close_entry(q2, _admin())  # reporters may no longer change anything
    rd.name = "规上企业研发投入（改）"
    rd.save()
    worker.serve()
    page = entry_page(reporter_client, q2, chengui)
    assert f'name="actual_{rd.pk}"' not in page and "规上企业研发投入（改）" in page


@pytest.mark.parametrize("name", ["灵乡镇", "茗山乡"])
def test_a_units_entry_table_holds_only_its_own_figures(demo, unit, indicator, name):
    q2, chengui, other, rd = demo["q2"], unit("陈贵镇"), unit(name), indicator("rd_spending")
    Entry.objects.filter(period=q2, unit=chengui, indicator=rd).update(actual=Decimal("777.7"))
    mine = entry_page(client_for("chengui"), q2, chengui)
    theirs = entry_page(reporter_of(other), q2, other)
    assert figure(mine, rd) == "777.7" and figure(theirs, rd) != "777.7"
    assert "陈贵镇" not in theirs.split("<tbody>")[1]
