"""The permission matrix, generated from the URLconf: every named URL × every role (and the
anonymous visitor) × own and other unit × GET and POST with a valid CSRF token. Each request
answers as the matrix says, and a POST changes exactly what it should: nothing when refused,
only the unit in the URL when a unit's page accepts it. A new URL without a row fails the test.

Every response is also read for the security headers, and every page for inline script."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pagecheck import check_page

from kaohe.web.models import (
    AuditLog,
    Entry,
    KeyTask,
    LoginFailure,
    Material,
    Objection,
    Period,
    ScoreRun,
    TaskProgress,
    UnitReport,
)
from kaohe.web.scheme_forms import initial_of
from kaohe.web.services import materials as material_service
from kaohe.web.services import scheme_editor, security_log

ROLES = ("admin", "chengui", "jingxin", "tongji", "lingdao", "anonymous")
OK = 200  # a page (or a form shown again, a preview): nothing changed
DENIED = 403
MISSING = 404
NOPE = 405  # method not allowed
DONE = "done"  # redirected after a change, within the case's scope, on record
GO = "go"  # redirected, nothing changed
LOGIN = "login"  # redirected to the login page, nothing changed


@dataclass
class Case:
    kwargs: dict  # URL arguments, as keys of the ids fixture
    get: tuple  # per role, in ROLES order
    post: tuple
    data: str = "none"  # POST_DATA key
    scope: str | None = "url"  # what a DONE may change: "url" (the URL's unit), or "any"
    label: str = field(default="")


def row(*codes):
    assert len(codes) == len(ROLES)
    return codes


ANY_PAGE = row(OK, OK, OK, OK, OK, LOGIN)
GET_ONLY = row(NOPE, NOPE, NOPE, NOPE, NOPE, LOGIN)
BUREAU_ONLY = row(OK, DENIED, DENIED, DENIED, DENIED, LOGIN)
OVERVIEW = row(OK, DENIED, DENIED, DENIED, OK, LOGIN)
BUREAU_DONE = row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN)
BUREAU_GO = row(GO, DENIED, DENIED, DENIED, DENIED, LOGIN)
BUREAU_MISSING = row(MISSING, DENIED, DENIED, DENIED, DENIED, LOGIN)

#   name: cases                       admin   chengui jingxin tongji  lingdao anonymous
MATRIX = {
    "home": [Case({}, ANY_PAGE, ANY_PAGE)],
    "healthz": [Case({}, row(OK, OK, OK, OK, OK, OK), row(OK, OK, OK, OK, OK, OK))],
    "login": [Case({}, row(GO, GO, GO, GO, GO, OK), row(GO, GO, GO, GO, GO, OK), data="bad_login")],
    "logout": [
        Case(
            {},
            row(NOPE, NOPE, NOPE, NOPE, NOPE, NOPE),
            row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        )
    ],
    "password_change": [Case({}, ANY_PAGE, ANY_PAGE, data="bad_password")],
    "locks": [
        Case(
            {},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="unlock",
            scope="any",
        )
    ],
    "period_new": [
        Case(
            {},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="period",
            scope="any",
        )
    ],
    "period": [
        Case({"pid": "p2"}, ANY_PAGE, ANY_PAGE),
        Case({"pid": "nope"}, row(*[MISSING] * 5, LOGIN), row(*[MISSING] * 5, LOGIN)),
    ],
    "period_edit": [
        Case(
            {"pid": "p2"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="period_edit",
            scope="any",
        ),
        Case(
            {"pid": "p1"},
            BUREAU_ONLY,
            row(OK, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="period_edit",
        ),
    ],
    "period_action": [
        Case(
            {"pid": "p2"},
            GET_ONLY,  # POST only, in fact: every GET is refused
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="close",
            scope="any",
        )
    ],
    "entry": [
        Case(
            {"pid": "p2", "uid": "own"},
            row(OK, OK, DENIED, DENIED, OK, LOGIN),
            row(DONE, DONE, DENIED, DENIED, DENIED, LOGIN),
            data="figures",
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            row(OK, DENIED, DENIED, DENIED, OK, LOGIN),
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="figures",
        ),
        Case({"pid": "p2", "uid": "nope"}, row(*[MISSING] * 5, LOGIN), row(*[MISSING] * 5, LOGIN)),
    ],
    "entry_template": [
        Case({"pid": "p2", "uid": "own"}, row(OK, OK, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        Case({"pid": "p2", "uid": "other"}, row(OK, DENIED, DENIED, DENIED, OK, LOGIN), GET_ONLY),
    ],
    "entry_upload": [
        Case(
            {"pid": "p2", "uid": "own"},
            GET_ONLY,
            row(GO, GO, DENIED, DENIED, DENIED, LOGIN),  # not a workbook: told so, nothing read
            data="workbook",
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            GET_ONLY,
            row(GO, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="workbook",
        ),
    ],
    "materials": [
        Case(
            {"pid": "p2", "uid": "own"},
            row(OK, OK, DENIED, DENIED, OK, LOGIN),
            row(DONE, DONE, DENIED, DENIED, DENIED, LOGIN),
            data="new_material",
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            row(OK, DENIED, DENIED, DENIED, OK, LOGIN),
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="new_material",
        ),
    ],
    "review": [
        Case(
            {"pid": "p2", "uid": "own"},
            GET_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="approve",
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            GET_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="approve",
        ),
    ],
    "unit_whatif": [
        Case({"pid": "p1", "uid": "own"}, row(OK, OK, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        Case({"pid": "p1", "uid": "other"}, row(OK, DENIED, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        # Q2 is not scored: nothing to answer for the bureau, not published for the units
        Case(
            {"pid": "p2", "uid": "own"},
            row(MISSING, DENIED, DENIED, DENIED, MISSING, LOGIN),
            GET_ONLY,
        ),
    ],
    "unit_result": [
        Case({"pid": "p1", "uid": "own"}, row(OK, OK, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        Case({"pid": "p1", "uid": "other"}, row(OK, DENIED, DENIED, DENIED, OK, LOGIN), GET_ONLY),
    ],
    "correct": [
        Case(
            {"pid": "p1", "uid": "own"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="correction",
            scope="any",  # a correction computes the period again
        ),
        Case(
            {"pid": "p1", "uid": "other"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="correction",
            scope="any",
        ),
    ],
    "provide": [
        Case(
            {"pid": "p2", "iid": "rd"},
            row(OK, DENIED, DENIED, OK, OK, LOGIN),
            row(DONE, DENIED, DENIED, DONE, DENIED, LOGIN),
            data="provided_figure",
            scope="own",
        ),
        Case(
            {"pid": "p2", "iid": "sme"},
            row(OK, DENIED, DENIED, DENIED, OK, LOGIN),
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="provided_figure",
            scope="own",
        ),
    ],
    "provide_upload": [
        Case(
            {"pid": "p2"},
            row(DENIED, DENIED, DENIED, OK, DENIED, LOGIN),
            row(DENIED, DENIED, DENIED, OK, DENIED, LOGIN),
            data="provided_file",
        )
    ],
    "provide_template": [
        Case({"pid": "p2"}, row(DENIED, DENIED, DENIED, OK, DENIED, LOGIN), GET_ONLY)
    ],
    "targets_import": [Case({"pid": "p2"}, BUREAU_ONLY, BUREAU_ONLY, data="workbook")],
    "board": [Case({"pid": "p2"}, OVERVIEW, GET_ONLY)],
    "results": [
        Case({"pid": "p2"}, OVERVIEW, GET_ONLY),
        Case({"pid": "p1"}, ANY_PAGE, GET_ONLY),
    ],
    "results_xlsx": [
        Case({"pid": "p1"}, OVERVIEW, GET_ONLY),
        Case({"pid": "p2"}, row(MISSING, DENIED, DENIED, DENIED, MISSING, LOGIN), GET_ONLY),
    ],
    "results_csv": [
        Case({"pid": "p1"}, OVERVIEW, GET_ONLY),
        Case({"pid": "p2"}, row(MISSING, DENIED, DENIED, DENIED, MISSING, LOGIN), GET_ONLY),
    ],
    "results_json": [
        Case({"pid": "p1"}, OVERVIEW, GET_ONLY),
        Case({"pid": "p2"}, row(MISSING, DENIED, DENIED, DENIED, MISSING, LOGIN), GET_ONLY),
    ],
    # the year: the bureau and leaders see every unit, a unit's reporter its own rows
    "year": [
        Case({"sid": "scheme", "year": "y2023"}, row(OK, OK, OK, DENIED, OK, LOGIN), GET_ONLY),
        Case(
            {"sid": "nope", "year": "y2023"}, row(*[MISSING] * 3, DENIED, MISSING, LOGIN), GET_ONLY
        ),
    ],
    "year_unit": [
        Case(
            {"sid": "scheme", "year": "y2023", "uid": "own"},
            row(OK, OK, DENIED, DENIED, OK, LOGIN),
            GET_ONLY,
        ),
        Case(
            {"sid": "scheme", "year": "y2023", "uid": "other"},
            row(OK, DENIED, DENIED, DENIED, OK, LOGIN),
            GET_ONLY,
        ),
    ],
    "year_xlsx": [
        Case({"sid": "scheme", "year": "y2023"}, row(OK, OK, OK, DENIED, OK, LOGIN), GET_ONLY),
        Case(
            {"sid": "scheme", "year": "y1999"},
            row(*[MISSING] * 3, DENIED, MISSING, LOGIN),
            GET_ONLY,
        ),
    ],
    "year_csv": [
        Case({"sid": "scheme", "year": "y2023"}, row(OK, OK, OK, DENIED, OK, LOGIN), GET_ONLY)
    ],
    "bulletin": [Case({"pid": "p1"}, OVERVIEW, GET_ONLY)],
    "bulletin_settings": [
        Case(
            {"pid": "p1"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="bulletin_settings",
            scope="any",
        )
    ],
    "tasks": [
        Case(
            {"pid": "p2"},
            row(OK, DENIED, OK, DENIED, OK, LOGIN),
            row(DENIED, DENIED, DONE, DENIED, DENIED, LOGIN),
            data="progress",
            scope="jingxin",
        )
    ],
    "narrative": [
        Case(
            {"pid": "p2"},
            OVERVIEW,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="narrative",
            scope="any",
        )
    ],
    "objections": [
        Case(
            {"pid": "p1"},
            row(OK, OK, OK, DENIED, OK, LOGIN),
            row(DENIED, DONE, DONE, DENIED, DENIED, LOGIN),  # objections come from units
            data="objection",
            scope="self",
        )
    ],
    "material_download": [
        Case({"mid": "mat_own"}, row(OK, OK, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        Case({"mid": "mat_other"}, row(OK, DENIED, DENIED, DENIED, OK, LOGIN), GET_ONLY),
        Case({"mid": "nope"}, row(*[MISSING] * 5, LOGIN), GET_ONLY),
    ],
    "material_replace": [
        Case(
            {"mid": "mat_own"},
            row(OK, OK, DENIED, DENIED, DENIED, LOGIN),
            row(DONE, DONE, DENIED, DENIED, DENIED, LOGIN),
            data="new_file",
        ),
        Case(
            {"mid": "mat_other"},
            row(OK, DENIED, DENIED, DENIED, DENIED, LOGIN),
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="new_file",
        ),
    ],
    "material_delete": [
        Case({"mid": "mat_own"}, GET_ONLY, row(DONE, DONE, DENIED, DENIED, DENIED, LOGIN)),
        Case({"mid": "mat_other"}, GET_ONLY, row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN)),
    ],
    "entry_submit": [  # 提交报送 is the unit's own act: the bureau enters, it does not submit
        Case(
            {"pid": "p2", "uid": "own"},
            row(DENIED, OK, DENIED, DENIED, DENIED, LOGIN),
            row(DENIED, DONE, DENIED, DENIED, DENIED, LOGIN),
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            row(DENIED, DENIED, DENIED, DENIED, DENIED, LOGIN),
            row(DENIED, DENIED, DENIED, DENIED, DENIED, LOGIN),
        ),
    ],
    "remind": [
        Case(
            {"pid": "p2"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            scope="any",
        )
    ],
    "schemes": [Case({}, BUREAU_ONLY, GET_ONLY)],
    "scheme": [
        Case({"sid": "draft"}, BUREAU_ONLY, BUREAU_DONE, data="scheme_settings", scope="any"),
        Case({"sid": "scheme"}, BUREAU_ONLY, BUREAU_ONLY, data="scheme_settings"),  # refused
        Case({"sid": "nope"}, BUREAU_MISSING, BUREAU_MISSING),
    ],
    "scheme_copy": [
        Case({"sid": "scheme"}, BUREAU_ONLY, BUREAU_DONE, data="scheme_copy", scope="any")
    ],
    "scheme_action": [
        Case({"sid": "draft"}, GET_ONLY, BUREAU_DONE, data="activate", scope="any"),
        Case({"sid": "scheme"}, GET_ONLY, BUREAU_GO, data="activate"),  # not a draft: refused
    ],
    "scheme_export": [Case({"sid": "scheme"}, BUREAU_ONLY, GET_ONLY)],
    "scheme_import": [Case({}, BUREAU_ONLY, BUREAU_ONLY)],  # no file: the form again
    "scheme_import_into": [Case({"sid": "draft"}, BUREAU_ONLY, BUREAU_ONLY)],
    "scheme_preview": [Case({"sid": "draft"}, BUREAU_ONLY, GET_ONLY)],
    "scheme_group": [
        Case(
            {"sid": "draft", "gid": "draft_group"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="group",
            scope="any",
        ),
        Case({"sid": "scheme", "gid": "draft_group"}, BUREAU_MISSING, BUREAU_MISSING, data="group"),
    ],
    "scheme_reorder": [
        Case(
            {"sid": "draft", "gid": "draft_group"},
            GET_ONLY,
            BUREAU_DONE,
            data="reorder",
            scope="any",
        )
    ],
    "scheme_unit": [
        Case(
            {"sid": "draft", "uid": "draft_unit"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="scheme_unit",
            scope="any",
        ),
        # a version in use: shown, never changed, to the bureau; no unit's reporter sees it
        Case({"sid": "scheme", "uid": "own"}, BUREAU_ONLY, BUREAU_ONLY, data="scheme_unit"),
        Case({"sid": "scheme", "uid": "other"}, BUREAU_ONLY, BUREAU_ONLY, data="scheme_unit"),
    ],
    "scheme_task": [
        Case(
            {"sid": "draft", "tid": "draft_task"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="scheme_task",
            scope="any",
        ),
        # a version in use: its tasks are shown, never changed
        Case({"sid": "scheme", "tid": "task"}, BUREAU_ONLY, BUREAU_ONLY, data="scheme_task"),
        Case({"sid": "draft", "tid": "task"}, BUREAU_MISSING, BUREAU_MISSING, data="scheme_task"),
    ],
    "scheme_task_new": [
        Case({"sid": "draft"}, BUREAU_ONLY, BUREAU_DONE, data="new_task", scope="any"),
        Case({"sid": "scheme"}, BUREAU_ONLY, BUREAU_ONLY, data="new_task"),
    ],
    "scheme_unit_new": [
        Case(
            {"sid": "draft", "gid": "draft_group"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="new_unit",
            scope="any",
        )
    ],
    "scheme_indicator": [
        Case(
            {"sid": "draft", "iid": "draft_ind"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="indicator",
            scope="any",
        ),
        Case({"sid": "scheme", "iid": "rd"}, BUREAU_ONLY, BUREAU_ONLY, data="indicator"),
    ],
    "scheme_indicator_new": [
        Case(
            {"sid": "draft", "gid": "draft_group"},
            BUREAU_ONLY,
            BUREAU_DONE,
            data="new_indicator",
            scope="any",
        )
    ],
    "inbox": [Case({}, ANY_PAGE, GET_ONLY)],
    "notice_read": [
        Case({"nid": "nope"}, GET_ONLY, row(*[MISSING] * 5, LOGIN)),
        Case({"nid": "zero"}, GET_ONLY, row(GO, GO, GO, GO, GO, LOGIN)),  # all one's own read
    ],
    "board_export": [Case({"pid": "p2"}, OVERVIEW, GET_ONLY)],
    "rates": [Case({"pid": "p2"}, OVERVIEW, GET_ONLY)],
    "period_template": [Case({"pid": "p2"}, BUREAU_ONLY, GET_ONLY)],
    "audit": [Case({}, OVERVIEW, GET_ONLY)],
    "audit_xlsx": [Case({}, OVERVIEW, GET_ONLY)],
    "audit_csv": [Case({}, OVERVIEW, GET_ONLY)],
    "deadline": [
        Case(
            {"pid": "p2", "uid": "own"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="extend",
        ),
        Case(
            {"pid": "p2", "uid": "other"},
            BUREAU_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="extend",
        ),
    ],
    "pending": [
        Case(
            {"pid": "p2"},
            row(OK, DENIED, DENIED, OK, DENIED, LOGIN),  # the bureau and the providing department
            row(DONE, DENIED, DENIED, DONE, DENIED, LOGIN),
            data="declare",
            scope="any",
        )
    ],
    "material_kind": [
        Case(
            {"mid": "mat_own"},
            GET_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="kind",
        ),
        Case(
            {"mid": "mat_other"},
            GET_ONLY,
            row(DONE, DENIED, DENIED, DENIED, DENIED, LOGIN),
            data="kind",
        ),
    ],
    "admin_login": [
        Case(
            {},
            row(GO, DENIED, DENIED, DENIED, DENIED, LOGIN),
            row(GO, DENIED, DENIED, DENIED, DENIED, LOGIN),
        )
    ],
}
# the URL arguments a case names, as the unit whose data a DONE may change
UNIT_OF = {"own": "own", "other": "other", "mat_own": "own", "mat_other": "other"}


def named_urls(patterns=None, namespace=None):
    """Every named URL of the site, from the URLconf (the admin site is tested on its own)."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace != "admin":
                yield from named_urls(p.url_patterns, p.namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_in_the_urlconf_has_a_row_in_the_matrix():
    names = set(named_urls())
    assert names - set(MATRIX) == set(), "URLs without a row in the matrix"
    assert set(MATRIX) - names == set(), "matrix rows for URLs that no longer exist"


def test_every_unit_page_is_tried_with_the_own_and_another_unit():
    for name, cases in MATRIX.items():
        keys = {v for c in cases for v in c.kwargs.values()}
        if keys & set(UNIT_OF):
            assert {"own", "other"} <= {UNIT_OF.get(k) for k in keys}, name


@pytest.fixture
def ids(demo, unit, indicator):
    admin = User.objects.get(username="admin")

    def material(u, title):
        return material_service.upload_material(
            demo["q2"],
            u,
            admin,
            kind="简报",
            title=title,
            upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief"),
        )

    chengui, lingxiang = unit("陈贵镇"), unit("灵乡镇")
    for u in (chengui, lingxiang):  # submitted, so that the bureau may review them
        UnitReport.objects.update_or_create(
            period=demo["q2"], unit=u, defaults={"state": UnitReport.SUBMITTED}
        )
    # the published Q1 is still open for objections
    Period.objects.filter(pk=demo["q1"].pk).update(published_at=timezone.now())
    LoginFailure.objects.create(
        username="chengui", failures=5, locked_until=timezone.now() + timezone.timedelta(minutes=9)
    )
    draft = scheme_editor.copy_scheme(
        demo["scheme"], key="daye-2024", name="2024年方案", user=admin
    )
    draft_group = draft.groups.get(key="township")
    return {
        "draft": draft.pk,
        "draft_group": draft_group.pk,
        "draft_unit": draft_group.units.get(name="陈贵镇").pk,
        "draft_ind": draft_group.indicators.get(key="sme_registered").pk,
        "draft_task": draft.key_tasks.get(number=2).pk,
        "p1": demo["q1"].pk,
        "p2": demo["q2"].pk,
        "own": chengui.pk,
        "other": lingxiang.pk,
        "jingxin": unit("市经信局", "department").pk,
        "rd": indicator("rd_spending").pk,  # the statistics bureau's (tongji provides it)
        "tc": indicator("tech_contracts").pk,  # a figure the unit reports itself
        "sme": indicator("sme_registered").pk,
        "mat_own": material(chengui, "陈贵镇简报").pk,
        "mat_other": material(lingxiang, "灵乡镇简报").pk,
        "task": KeyTask.objects.get(scheme=demo["scheme"], number=2).pk,
        "scheme": demo["scheme"].pk,
        "nope": 999999,
        "zero": 0,
        "y2023": 2023,
        "y1999": 1999,
    }


def _period_form(ids, **changes):
    data = {
        "scheme": ids["scheme"],
        "name": "2023年三季度",
        "kind": "quarter",
        "year": "2023",
        "number": "3",
        "deadline": "2023-10-10T17:00",
        "objection_days": "5",
    }
    return {**data, **changes}


def _pdf():
    return SimpleUploadedFile("新简报.pdf", b"%PDF-1.4 new")


POST_DATA = {
    "none": lambda ids: {},
    "bad_login": lambda ids: {"username": "chengui", "password": "wrong-password"},
    "bad_password": lambda ids: {
        "old_password": "wrong",
        "new_password1": "Kaohe#2024?new",
        "new_password2": "Kaohe#2024?new",
    },
    "unlock": lambda ids: {"key": "chengui"},
    "period": lambda ids: _period_form(ids),
    "period_edit": lambda ids: _period_form(ids, number="2", name="二季度"),
    "close": lambda ids: {"action": "close", "confirmed": "on"},
    "figures": lambda ids: {f"actual_{ids['tc']}": "5"},
    "workbook": lambda ids: {"file": SimpleUploadedFile("填报表.xlsx", b"PK\x03\x04 not really")},
    "new_material": lambda ids: {"kind": "简报", "title": "新简报", "file": _pdf()},
    "new_file": lambda ids: {"file": _pdf()},
    "approve": lambda ids: {"decision": "return", "comment": "请补充佐证"},
    "correction": lambda ids: {
        "indicator": ids["rd"],
        "target": "100",
        "actual": "90",
        "reason": "统计局更正",
    },
    "provided_figure": lambda ids: {f"actual_{ids['own']}": "1"},
    "provided_file": lambda ids: {
        "file": SimpleUploadedFile(
            "长表.csv", "单位,指标,任务数,实绩数,备注\n陈贵镇,规上企业研发投入,,1,\n".encode()
        )
    },
    "progress": lambda ids: {"task": ids["task"], "text": "已完成两项关键技术攻关。"},
    "narrative": lambda ids: {"narrative": "一季度各单位工作进展顺利。"},
    "bulletin_settings": lambda ids: {
        "theme": "开门红",
        "charts": "on",
        "narrative": "# 二、工作进展情况\n\n一季度各单位工作进展顺利。",
    },
    "extend": lambda ids: {"until": "2030-01-10T17:00", "reason": "镇里停电，延期三天"},
    "declare": lambda ids: {"indicator": ids["rd"], "reason": "统计局一季度数据未出"},
    "kind": lambda ids: {"kind": "总结"},
    "objection": lambda ids: {"indicator": "", "text": "本单位研发投入数据有误，请核实。"},
    "scheme_settings": lambda ids: {
        "name": "大冶市2024年科技创新行动考核",
        "region": "大冶市",
        "issuer": "大冶市科学技术局",
        "pending_note": "数据未出",
        "total_decimals": "2",
    },
    "scheme_copy": lambda ids: {"key": "daye-2025", "name": "大冶市2025年科技创新行动考核"},
    "activate": lambda ids: {"action": "activate"},
    "group": lambda ids: {"name": "乡镇", "title": "乡镇（场、区）"},
    "reorder": lambda ids: {"what": "units", f"order-{ids['draft_unit']}": "1"},
    "scheme_unit": lambda ids: {"name": "陈贵镇", "short": "陈贵", "aliases": "陈贵"},
    "new_unit": lambda ids: {"name": "新设镇", "aliases": "新设"},
    "scheme_task": lambda ids: {"number": "2", "title": "着力开展关键核心技术攻关"},
    "new_task": lambda ids: {"number": "9", "title": "着力推进科技成果转化"},
    "indicator": lambda ids: _indicator_form(ids["draft_ind"], note="2024年起按新办法计分。"),
    "new_indicator": lambda ids: {
        "key": "patents",
        "name": "发明专利授权量",
        "unit": "件",
        "category": "目标任务",
        "method": "ratio",
        "max_points": "5",
        "decimals": "0",
    },
}


def _indicator_form(pk, **changes):
    from kaohe.web.models import Indicator

    data = {k: v for k, v in initial_of(Indicator.objects.get(pk=pk)).items() if v is not None}
    data["aliases"] = "、".join(data["aliases"])
    return {**data, **changes}


def snapshot():
    """The data a request may change: rows of each unit, and everything else."""
    units: dict = {}
    for model in (Entry, UnitReport, Material, TaskProgress, Objection):
        for values in model.objects.order_by("pk").values():
            units.setdefault(values["unit_id"], []).append((model.__name__, values))
    others = {
        "periods": list(Period.objects.order_by("pk").values()),
        "runs": list(ScoreRun.objects.order_by("pk").values_list("pk", "current", "published")),
        "locks": list(LoginFailure.objects.order_by("pk").values_list("username", "locked_until")),
        "users": list(User.objects.order_by("pk").values_list("username", "password", "is_active")),
    }
    records = AuditLog.objects.exclude(action__in=security_log.KINDS).count()
    events = AuditLog.objects.filter(action__in=security_log.KINDS).count()
    return units, others, (records, events)


def _client(role):
    c = Client(enforce_csrf_checks=True)
    c.get("/login/")  # the CSRF cookie, as a browser gets it
    if role != "anonymous":
        c.force_login(User.objects.get(username=role))
    return c


def _request(c, method, url, data):
    if method == "post":
        data = {**data, "csrfmiddlewaretoken": c.cookies["csrftoken"].value}
        return c.post(url, data)
    return c.get(url)


def _changed_units(before, after):
    keys = set(before) | set(after)
    return {k for k in keys if before.get(k) != after.get(k)}


CASES = [(name, i) for name, cases in MATRIX.items() for i in range(len(cases))]


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_every_url_answers_every_role_as_the_matrix_says(ids, name, index):
    case = MATRIX[name][index]
    url = reverse(name, kwargs={k: ids[v] for k, v in case.kwargs.items()})
    unit_key = next((UNIT_OF[v] for v in case.kwargs.values() if v in UNIT_OF), None)
    for method, expected_row in (("get", case.get), ("post", case.post)):
        for role, expected in zip(ROLES, expected_row, strict=True):
            where = f"{role} {method.upper()} {url}"
            with transaction.atomic():
                c = _client(role)
                data = POST_DATA[case.data](ids) if method == "post" else {}
                units, others, records = snapshot()
                response = _request(c, method, url, data)
                units2, others2, records2 = snapshot()
                check_page(response)
                status = response.status_code
                if expected in (DONE, GO, LOGIN):
                    assert status == 302, f"{where}: {status}, expected {expected}"
                    assert response.url.startswith("/login/") == (expected == LOGIN), where
                else:
                    assert status == expected, f"{where}: {status}, expected {expected}"
                changed = _changed_units(units, units2)
                if expected == DONE:
                    assert records2[0] > records[0] or records2[1] > records[1], (
                        f"{where}: a change not on record"
                    )
                    scope = {"url": unit_key, "own": "own", "jingxin": "jingxin"}.get(case.scope)
                    if case.scope == "self":
                        scope = User.objects.get(username=role).membership.unit_id
                        assert changed == {scope} and others == others2, where
                    elif scope is not None:
                        assert changed <= {ids[scope]} and others == others2, (
                            f"{where}: changed {changed}"
                        )
                        assert changed or records2[0] > records[0], where
                else:
                    assert (changed, others, records[0]) == (set(), others2, records2[0]), (
                        f"{where}: {status} but changed {changed or 'other data'}"
                    )
                transaction.set_rollback(True)  # the next role starts from the same data
            cache.clear()


# --- the Django admin for non-staff roles --------------------------------------------------

ADMIN_URLS = [
    "/admin/",
    "/admin/kaohe/period/",
    "/admin/kaohe/period/{p2}/change/",
    "/admin/kaohe/auditlog/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
]


@pytest.mark.parametrize("role", ["chengui", "jingxin", "tongji", "lingdao", "anonymous"])
def test_the_django_admin_lets_no_other_role_in(ids, role):
    for template in ADMIN_URLS:
        url = template.format(**ids)
        c = _client(role)
        response = c.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
        final = c.get(url, follow=True)
        assert final.status_code == (200 if role == "anonymous" else 403), url
        assert "登录" in final.content.decode() or role != "anonymous"
    c = _client(role)
    before = snapshot()
    response = _request(c, "post", f"/admin/kaohe/period/{ids['p2']}/change/", {"name": "改名"})
    assert response.status_code == 302 and snapshot() == before


def test_the_django_admin_pages_carry_the_headers_and_no_inline_script(ids):
    c = _client("admin")
    for template in [*ADMIN_URLS, "/admin/kaohe/loginfailure/", "/admin/kaohe/indicator/"]:
        response = c.get(template.format(**ids))
        assert response.status_code == 200, template
        check_page(response)
