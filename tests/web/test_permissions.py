"""Permissions as stories: a reporter who changes an id in a URL or a form reaches nothing of
another unit; the leader reads and changes nothing. (The full matrix: test_permission_matrix.py.)"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaohe.web.models import Entry, Material, Period, UnitReport
from kaohe.web.services import materials as material_service

ROLES = ("admin", "chengui", "tongji", "lingdao")
OK, DENIED, MISSING, LOGIN = 200, 403, 404, 302
DONE = 302  # a change made, redirected to the page that shows it


def client_for(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


@pytest.fixture
def ids(demo, unit, indicator):
    lingxiang = unit("灵乡镇")
    mat = material_service.upload_material(
        demo["q2"],
        lingxiang,
        User.objects.get(username="admin"),
        kind="简报",
        title="灵乡镇简报",
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief"),
    )
    own_mat = material_service.upload_material(
        demo["q2"],
        unit("陈贵镇"),
        User.objects.get(username="admin"),
        kind="简报",
        title="陈贵镇简报",
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief"),
    )
    return {
        "p1": demo["q1"].pk,
        "p2": demo["q2"].pk,
        "own": unit("陈贵镇").pk,
        "other": lingxiang.pk,
        "rd": indicator("tech_contracts").pk,  # a figure the unit reports itself
        "owned": indicator("rd_spending").pk,  # the statistics bureau's
        "sme": indicator("sme_registered").pk,
        "mat_other": mat.pk,
        "mat_own": own_mat.pk,
        "scheme": demo["scheme"].pk,
    }


# The generated matrix of every URL × role × method is in test_permission_matrix.py; these are
# the cases that read as stories.


def test_the_django_admin_is_for_the_bureau_only(ids):
    assert client_for("admin").get("/admin/").status_code == OK
    for role in ("chengui", "tongji", "lingdao"):
        assert client_for(role).get("/admin/").status_code == LOGIN


def test_a_reporter_posting_figures_for_another_unit_changes_nothing(ids, demo):
    c = client_for("chengui")
    url = "/periods/{p2}/units/{other}/entry/".format(**ids)
    assert c.post(url, {f"actual_{ids['rd']}": "1"}).status_code == DENIED
    upload = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really")
    assert (
        c.post("/periods/{p2}/units/{other}/upload/".format(**ids), {"file": upload}).status_code
        == DENIED
    )
    assert (
        c.post(
            "/periods/{p2}/units/{other}/materials/".format(**ids),
            {"kind": "简报", "file": SimpleUploadedFile("a.pdf", b"x")},
        ).status_code
        == DENIED
    )
    assert (
        c.post(
            "/periods/{p2}/units/{other}/review/".format(**ids), {"decision": "approve"}
        ).status_code
        == DENIED
    )
    assert not Entry.objects.filter(
        period_id=ids["p2"], unit_id=ids["other"], actual__isnull=False, indicator__material_kind=""
    ).exists()
    assert Material.objects.filter(unit_id=ids["other"]).count() == 1


def test_a_reporter_cannot_reach_another_units_figures_by_changing_form_ids(ids, demo):
    """Field names carry indicator ids only; the unit always comes from the checked URL."""
    c = client_for("chengui")
    url = "/periods/{p2}/units/{own}/entry/".format(**ids)
    c.post(
        url,
        {
            f"actual_{ids['rd']}": "7",
            "unit": ids["other"],
            f"actual_{ids['rd']}_{ids['other']}": "9",
        },
    )
    assert Entry.objects.get(
        period_id=ids["p2"], unit_id=ids["own"], indicator_id=ids["rd"]
    ).actual == Decimal(7)
    assert (
        Entry.objects.get(period_id=ids["p2"], unit_id=ids["other"], indicator_id=ids["rd"]).actual
        is None
    )


def test_a_reporter_cannot_post_targets(ids, demo):
    c = client_for("chengui")
    url = "/periods/{p2}/units/{own}/entry/".format(**ids)
    before = Entry.objects.get(
        period_id=ids["p2"], unit_id=ids["own"], indicator_id=ids["rd"]
    ).target
    c.post(url, {f"target_{ids['rd']}": "1", f"actual_{ids['rd']}": "5"})
    assert (
        Entry.objects.get(period_id=ids["p2"], unit_id=ids["own"], indicator_id=ids["rd"]).target
        == before
    )


@pytest.mark.parametrize("role", ["chengui", "tongji", "lingdao"])
@pytest.mark.parametrize("action", ["close", "approve_all", "lock", "compute", "publish"])
def test_only_the_bureau_moves_a_period_along(ids, role, action):
    assert (
        client_for(role).post("/periods/{p2}/action/".format(**ids), {"action": action}).status_code
        == DENIED
    )
    assert Period.objects.get(pk=ids["p2"]).state == Period.OPEN


def test_the_leader_reads_everything_and_changes_nothing(ids):
    c = client_for("lingdao")
    assert (
        c.post(
            "/periods/{p2}/units/{own}/entry/".format(**ids), {f"actual_{ids['rd']}": "1"}
        ).status_code
        == DENIED
    )
    assert (
        c.post(
            "/periods/{p2}/indicators/{owned}/provide/".format(**ids), {f"actual_{ids['own']}": "1"}
        ).status_code
        == DENIED
    )
    assert (
        c.post(
            "/periods/{p2}/units/{own}/review/".format(**ids), {"decision": "approve"}
        ).status_code
        == DENIED
    )
    assert (
        c.post("/periods/{p2}/narrative/".format(**ids), {"narrative": "x"}).status_code == DENIED
    )
    assert (
        c.post("/periods/{p1}/units/{own}/correct/".format(**ids), {"reason": "x"}).status_code
        == DENIED
    )
    assert not UnitReport.objects.filter(period_id=ids["p2"], state=UnitReport.APPROVED).exists()


def test_the_provider_cannot_enter_an_indicator_it_does_not_provide(ids):
    c = client_for("tongji")
    url = "/periods/{p2}/indicators/{sme}/provide/".format(**ids)
    assert c.post(url, {f"actual_{ids['own']}": "1"}).status_code == DENIED


def test_a_user_without_a_role_sees_nothing(demo):
    User.objects.create_user("nobody", password="Kaohe@2023!n")
    c = client_for("nobody")
    assert c.get("/").status_code == DENIED
    assert c.get(f"/periods/{demo['q2'].pk}/").status_code == DENIED
    assert c.get(f"/periods/{demo['q1'].pk}/results/").status_code == DENIED
