"""The data-providing department (市统计局) uploads the entry workbook for every unit: only the
indicators its membership provides are stored, the rest of the file is named and ignored; bad
files get a clear message and store nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.web.models import AuditLog, Entry, Period
from kaohe.web.services import provider as provider_service
from kaohe.web.services.errors import ServiceError


def workbook(demo, tmp_path: Path, cells: dict) -> bytes:
    """The entry workbook (kaohe template) of the townships with {(unit, key): (target, actual)}."""
    from kaohe.dataset import Cell, Dataset
    from kaohe.template import write_template
    from kaohe.web.services.schemes import engine_scheme

    scheme = engine_scheme(demo["scheme"])
    group = scheme.group("township")
    data = Dataset(scheme)
    for (unit, key), (target, actual) in cells.items():
        t = None if target is None else Decimal(str(target))
        a = None if actual is None else Decimal(str(actual))
        data.put(group, unit, key, Cell(t, a, ""))
    path = tmp_path / "t.xlsx"
    write_template(scheme, path, [group], data)
    return path.read_bytes()


def upload(client, demo, name, content):
    return client.post(
        f"/periods/{demo['q2'].pk}/provide/upload/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def confirm(client, demo):
    return client.post(f"/periods/{demo['q2'].pk}/provide/upload/", {"confirm": "1"}, follow=True)


def actuals(demo):
    return {
        (e.unit.name, e.indicator.key): e.actual
        for e in Entry.objects.filter(period=demo["q2"], actual__isnull=False).select_related(
            "unit", "indicator"
        )
        if not e.indicator.material_kind
    }


def test_the_statistics_bureau_uploads_its_indicators_for_every_unit(
    provider_client, demo, tmp_path
):
    data = workbook(
        demo,
        tmp_path,
        {
            ("陈贵镇", "rd_spending"): (None, "20059.9"),
            ("灵乡镇", "rd_spending"): (None, "9000"),
            ("陈贵镇", "rd_staff"): (None, 505),
        },
    )
    text = upload(provider_client, demo, "统计局.xlsx", data).content.decode()
    assert "上传预览" in text and "20059.9" in text and "灵乡镇" in text
    assert not actuals(demo)  # a preview stores nothing
    text = confirm(provider_client, demo).content.decode()
    assert "已保存上传的数据，3 项有变化" in text
    assert actuals(demo) == {
        ("陈贵镇", "rd_spending"): Decimal("20059.9"),
        ("灵乡镇", "rd_spending"): Decimal("9000"),
        ("陈贵镇", "rd_staff"): Decimal("505"),
    }
    logs = AuditLog.objects.filter(action="修改实绩数", username="tongji")
    assert logs.count() == 3 and all(a.detail == "来源：数据提供部门上传" for a in logs)


def test_other_indicators_in_the_file_are_named_in_the_preview_and_not_stored(
    provider_client, demo, tmp_path
):
    data = workbook(
        demo,
        tmp_path,
        {
            ("陈贵镇", "rd_spending"): (20000, "20059.9"),
            ("陈贵镇", "sme_registered"): (19, 28),
            ("灵乡镇", "sme_registered"): (None, 7),
            ("陈贵镇", "hitech_output"): (3, None),
        },
    )
    response = upload(provider_client, demo, "全表.xlsx", data)
    notice = " ".join(response.context["notices"])
    assert "不是您负责提供的" in notice and "已忽略" in notice
    assert "科技型中小企业入库数（2 个单位填了实绩数）" in notice
    assert "（只有任务数或备注）" in notice
    assert [r.indicator for r in response.context["rows"]] == ["规上企业研发投入"]
    confirm(provider_client, demo)
    assert actuals(demo) == {("陈贵镇", "rd_spending"): Decimal("20059.9")}


def test_a_target_in_the_file_is_not_stored_and_a_different_one_is_pointed_out(
    provider_client, demo, tmp_path, unit, indicator
):
    rd = indicator("rd_spending")
    before = Entry.objects.get(period=demo["q2"], unit=unit("陈贵镇"), indicator=rd).target
    data = workbook(demo, tmp_path, {("陈贵镇", "rd_spending"): (1, "20059.9")})
    text = upload(provider_client, demo, "x.xlsx", data).content.decode()
    assert "以下达的为准" in text
    confirm(provider_client, demo)
    assert Entry.objects.get(period=demo["q2"], unit=unit("陈贵镇"), indicator=rd).target == before


def test_a_file_with_none_of_its_indicators_stores_nothing(provider_client, demo, tmp_path):
    data = workbook(demo, tmp_path, {("陈贵镇", "sme_registered"): (None, 28)})
    text = upload(provider_client, demo, "x.xlsx", data).content.decode()
    assert "文件中没有您负责提供的指标" in text and "科技型中小企业入库数" in text
    assert not actuals(demo)


def test_the_provider_downloads_its_workbook_prefilled_with_its_indicators_only(
    provider_client, demo, tmp_path
):
    response = provider_client.get(f"/periods/{demo['q2'].pk}/provide/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    from kaohe.readers import read_files
    from kaohe.web.services.schemes import engine_scheme

    path = tmp_path / "dl.xlsx"
    path.write_bytes(response.content)
    data = read_files([path], engine_scheme(demo["scheme"])).groups[0]
    assert data.cell("rd_spending", "陈贵镇").target == Decimal(20000)
    assert data.cell("sme_registered", "陈贵镇") is None  # not its indicator: left blank


def test_a_file_that_is_not_excel_is_refused(provider_client, demo):
    text = upload(provider_client, demo, "报表.xlsx", b"this is not a workbook").content.decode()
    assert "不是 Excel" in text
    text = upload(provider_client, demo, "报表.pdf", b"%PDF-1.4").content.decode()
    assert "不是 Excel" in text
    assert not actuals(demo)


def test_an_unknown_unit_is_refused_and_nothing_is_stored(provider_client, demo):
    csv = (
        "单位,指标,任务数,实绩数,备注\n"
        "陈贵镇,规上企业研发投入,20000,20059.9,\n"
        "火星镇,规上企业研发投入,1,1,\n"
    )
    text = upload(provider_client, demo, "长表.csv", csv.encode()).content.decode()
    assert "火星镇" in text and "没有保存任何数据" in text
    assert not actuals(demo)


def test_text_in_a_number_cell_is_named_with_its_row_and_column(provider_client, demo):
    csv = (
        "单位,指标,任务数,实绩数,备注\n"
        "陈贵镇,规上企业研发投入,20000,20059.9,\n"
        "灵乡镇,规上企业研发投入,9000,九千,\n"
    )
    text = upload(provider_client, demo, "长表.csv", csv.encode()).content.decode()
    assert "九千" in text and "不是有效数字" in text and "第 3 行" in text and "长表.csv" in text
    assert not actuals(demo)


def test_text_in_another_indicators_number_cell_also_refuses_the_file(provider_client, demo):
    """The file is read whole: a broken cell anywhere is named, even if it would be ignored."""
    csv = (
        "单位,指标,任务数,实绩数,备注\n"
        "陈贵镇,规上企业研发投入,20000,20059.9,\n"
        "陈贵镇,科技型中小企业入库数,19,很多,\n"
    )
    text = upload(provider_client, demo, "长表.csv", csv.encode()).content.decode()
    assert "很多" in text and "不是有效数字" in text
    assert not actuals(demo)


def test_a_preview_confirmed_after_entry_closed_stores_nothing(
    provider_client, admin_client, demo, tmp_path
):
    data = workbook(demo, tmp_path, {("陈贵镇", "rd_spending"): (None, 1)})
    upload(provider_client, demo, "x.xlsx", data)
    Period.objects.filter(pk=demo["q2"].pk).update(state=Period.REVIEW)
    assert (
        provider_client.post(
            f"/periods/{demo['q2'].pk}/provide/upload/", {"confirm": "1"}
        ).status_code
        == 403
    )
    assert not actuals(demo)


def test_the_service_refuses_a_closed_period_even_if_the_view_let_it_through(
    demo, indicator, tmp_path
):
    from django.contrib.auth.models import User

    q2, rd = demo["q2"], indicator("rd_spending")
    path = tmp_path / "x.xlsx"
    path.write_bytes(workbook(demo, tmp_path, {("陈贵镇", "rd_spending"): (None, 1)}))
    preview = provider_service.read_provided_upload(q2, path, "x.xlsx", [rd])
    rows = [r.__dict__ for r in preview.rows]
    Period.objects.filter(pk=q2.pk).update(state=Period.REVIEW)
    with pytest.raises(ServiceError, match="“审核中”，不能修改数据"):
        provider_service.apply_provided_upload(q2, User.objects.get(username="tongji"), rows, [rd])
    assert not actuals(demo)


def test_the_service_stores_nothing_when_one_row_is_of_an_indicator_not_provided(
    demo, indicator, unit
):
    from django.contrib.auth.models import User

    rd, sme, chengui = indicator("rd_spending"), indicator("sme_registered"), unit("陈贵镇")
    row = {"unit": "陈贵镇", "unit_id": chengui.pk, "new_actual": "5"}
    rows = [
        {**row, "indicator": rd.name, "indicator_id": rd.pk},
        {**row, "indicator": sme.name, "indicator_id": sme.pk},
    ]
    with pytest.raises(ServiceError, match="不是您负责提供的指标"):
        provider_service.apply_provided_upload(
            demo["q2"], User.objects.get(username="tongji"), rows, [rd]
        )
    assert not actuals(demo)


def test_reporters_leaders_and_the_bureau_do_not_use_the_provider_upload(demo, tmp_path):
    from django.contrib.auth.models import User
    from django.test import Client

    data = workbook(demo, tmp_path, {("陈贵镇", "rd_spending"): (None, 1)})
    for role in ("chengui", "lingdao", "admin"):
        c = Client()
        c.force_login(User.objects.get(username=role))
        assert upload(c, demo, "x.xlsx", data).status_code == 403
    assert not actuals(demo)
