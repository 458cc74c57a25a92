"""Concurrency on PostgreSQL: many reporters at once lose no figure; two editors of one figure
never silently overwrite each other. (Skipped on SQLite, which serialises writers.)"""

import os
import re
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from submitting import submit as submit_report

from kaohe.web.models import AuditLog, Entry, Membership, Unit, UnitReport
from kaohe.web.services.entries import provided_ids


def seen_version(page, indicator) -> int:
    """The version of an entry the page shows (the hidden field the browser sends back)."""
    found = re.search(rf'name="version_{indicator.pk}" value="(\d+)"', page.content.decode())
    return int(found.group(1))


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KAOHE_TEST_DB") != "postgres",
        reason="needs PostgreSQL: KAOHE_TEST_DB=postgres",
    ),
]


def run_at_once(functions):
    barrier = threading.Barrier(len(functions))
    errors = []
    results = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def figure(n, ind) -> str:
    """A figure unique to the unit and indicator; counts (家, 人…) whole."""
    from kaohe.web.services.measures import is_count

    return f"{n + 1}{ind.order + 1:02d}" if is_count(ind) else f"{n + 1}.{ind.order + 1}"


def test_twenty_reporters_submitting_at_once_lose_no_figure(demo):
    assert connection.vendor == "postgresql"
    q2 = demo["q2"]
    units = list(
        Unit.objects.filter(group__scheme=demo["scheme"]).order_by("group__order", "order")
    )
    assert len(units) == 20
    # the figures each unit reports itself (the statistics bureau's are not the units' to write)
    owned = provided_ids(demo["scheme"])
    clients = []
    for n, unit in enumerate(units):
        user = User.objects.create_user(f"reporter{n}", password="Kaohe@2023!r")
        Membership.objects.create(user=user, unit=unit, can_report=True)
        c = Client()
        c.force_login(user)
        fields = {}
        for ind in unit.group.indicators.filter(material_kind="").exclude(pk__in=owned):
            fields[f"actual_{ind.pk}"] = figure(n, ind)
        clients.append((c, unit, fields))

    def submit(c, unit, fields):
        return lambda: (
            submit_report(c, f"/periods/{q2.pk}/units/{unit.pk}/entry/", fields).status_code
        )

    results, errors = run_at_once([submit(*x) for x in clients])
    assert not errors, errors
    assert results == [302] * 20
    for n, (_c, unit, _fields) in enumerate(clients):
        for ind in unit.group.indicators.filter(material_kind="").exclude(pk__in=owned):
            e = Entry.objects.get(period=q2, unit=unit, indicator=ind)
            assert e.actual == Decimal(figure(n, ind)), (unit.name, ind.name)
    assert UnitReport.objects.filter(period=q2, state=UnitReport.SUBMITTED).count() == 20
    expected = sum(len(f) for _c, _u, f in clients)
    assert AuditLog.objects.filter(period=q2, action="修改实绩数").count() == expected


def test_two_bureau_users_saving_the_same_figure_at_once_one_wins_the_other_is_told(
    demo, unit, indicator
):
    q2, chengui, rd = demo["q2"], unit("陈贵镇"), indicator("rd_spending")
    url = f"/periods/{q2.pk}/units/{chengui.pk}/entry/"
    editors = []
    for name in ("boss1", "boss2"):
        user = User.objects.create_user(name, password="Kaohe@2023!b")
        Membership.objects.create(user=user, can_admin=True)
        c = Client()
        c.force_login(user)
        editors.append(c)
    version = seen_version(editors[0].get(url), rd)

    def save(c, value):
        def go():
            response = c.post(
                url,
                {f"target_{rd.pk}": "20000", f"actual_{rd.pk}": value, f"version_{rd.pk}": version},
                follow=True,
            )
            return response.content.decode()

        return go

    pages, errors = run_at_once([save(editors[0], "111"), save(editors[1], "222")])
    assert not errors, errors
    told = [p for p in pages if "已被" in p and "本次提交没有保存任何数据" in p]
    saved = [p for p in pages if "项数据有变化" in p]
    assert len(told) == 1 and len(saved) == 1
    final = Entry.objects.get(period=q2, unit=chengui, indicator=rd).actual
    assert final in (Decimal(111), Decimal(222))
    assert AuditLog.objects.filter(action="修改实绩数", unit=chengui, indicator=rd).count() == 1
