"""The example schemes on the web: loaded, a period made, the sample's figures typed into each
unit's entry form by the bureau, computed (shared by the scheme-rules and year tests)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

import kaohe
from kaohe.engine import score
from kaohe.readers import read_files
from kaohe.scheme import load_scheme
from kaohe.web.models import Indicator, Period, Scheme, Unit
from kaohe.web.services import periods as period_service

SAMPLES = Path(kaohe.__file__).parent / "samples"
EXAMPLES = {
    "example-wujin": SAMPLES / "example_wujin_long.csv",
    "example-efficacy": SAMPLES / "example_efficacy_long.csv",
}


def cli_result(key):
    scheme = load_scheme(key)
    return score(scheme, read_files([EXAMPLES[key]], scheme))


def sample_rows(key):
    with EXAMPLES[key].open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


QUARTERS = "一二三四"


def load(key, number: int = 1) -> Period:
    """The scheme loaded (again: loading is idempotent) and its 2024 period `number`, open."""
    call_command("kaohe_load_scheme", key)
    scheme = Scheme.objects.get(key=key)
    return period_service.create_period(
        scheme,
        name=f"2024年{QUARTERS[number - 1]}季度",
        kind="quarter",
        year=2024,
        number=number,
        deadline=timezone.now() + timezone.timedelta(days=3),
    )


def enter_sample(client, period: Period, key: str, change=None) -> None:
    """Every unit's figures of the sample, typed into its entry form by the bureau; `change`
    may alter a row (a dict) first."""
    by_unit: dict = {}
    for row in sample_rows(key):
        if change is not None:
            change(row)
        by_unit.setdefault(row["单位"], []).append(row)
    for name, rows in by_unit.items():
        unit = Unit.objects.get(group__scheme=period.scheme, name=name)
        data = {}
        for row in rows:
            ind = Indicator.objects.get(group=unit.group, name=row["指标"])
            data[f"target_{ind.pk}"] = row["任务数"]
            data[f"actual_{ind.pk}"] = row["实绩数"]
            data[f"note_{ind.pk}"] = row["备注"]
        url = f"/periods/{period.pk}/units/{unit.pk}/entry/"
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]


def computed(client, key, number: int = 1, change=None) -> Period:
    period = load(key, number)
    enter_sample(client, period, key, change)
    admin = User.objects.get(username="kjj")
    period_service.close_entry(period, admin, confirmed=True)
    period_service.compute_period(period, admin, confirmed=True)
    return period
