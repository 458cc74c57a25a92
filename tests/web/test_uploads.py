"""Uploading the entry workbook: preview, confirm, all or nothing, and clear Chinese messages for
bad files."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from kaohe.web.models import AuditLog, Entry


def workbook(client, demo, unit_id) -> bytes:
    response = client.get(f"/periods/{demo['q2'].pk}/units/{unit_id}/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    return response.content


def fill(demo, tmp_path: Path, values: dict) -> bytes:
    """The entry workbook (kaohe template) with {(unit, indicator key): actual} filled in."""
    from kaohe.dataset import Cell, Dataset
    from kaohe.template import write_template
    from kaohe.web.services.schemes import engine_scheme

    scheme = engine_scheme(demo["scheme"])
    group = scheme.group("township")
    data = Dataset(scheme)
    for (unit, key), actual in values.items():
        data.put(group, unit, key, Cell(None, Decimal(str(actual)), ""))
    path = tmp_path / "t.xlsx"
    write_template(scheme, path, [group], data)
    return path.read_bytes()


def long_xlsx(tmp_path: Path, rows: list[list]) -> bytes:
    import xlsxwriter

    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    for r, row in enumerate([["单位", "指标", "任务数", "实绩数", "备注"], *rows]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.close()
    return path.read_bytes()


def upload(client, demo, unit_id, name, content):
    return client.post(
        f"/periods/{demo['q2'].pk}/units/{unit_id}/upload/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_an_uploaded_workbook_is_previewed_then_stored_on_confirmation(
    reporter_client, demo, unit, indicator, tmp_path
):
    chengui = unit("陈贵镇")
    workbook(reporter_client, demo, chengui.pk)
    data = fill(
        demo, tmp_path, {("陈贵镇", "tech_contracts"): "0.73194", ("陈贵镇", "hitech_output"): 3}
    )
    preview = upload(reporter_client, demo, chengui.pk, "陈贵镇.xlsx", data)
    text = preview.content.decode()
    assert "上传预览" in text and "0.73194" in text
    rd = indicator("tech_contracts")
    assert Entry.objects.get(period=demo["q2"], unit=chengui, indicator=rd).actual is None
    reporter_client.post(f"/periods/{demo['q2'].pk}/units/{chengui.pk}/upload/", {"confirm": "1"})
    assert Entry.objects.get(period=demo["q2"], unit=chengui, indicator=rd).actual == Decimal(
        "0.73194"
    )
    assert (
        Entry.objects.get(
            period=demo["q2"], unit=chengui, indicator=indicator("hitech_output")
        ).actual
        == 3
    )
    assert AuditLog.objects.filter(detail__contains="上传填报表", unit=chengui).count() == 2


def test_an_upload_with_another_units_figures_stores_nothing(reporter_client, demo, unit, tmp_path):
    chengui = unit("陈贵镇")
    data = fill(demo, tmp_path, {("陈贵镇", "rd_spending"): 1, ("灵乡镇", "rd_spending"): 2})
    text = upload(reporter_client, demo, chengui.pk, "x.xlsx", data).content.decode()
    assert "灵乡镇" in text and "只能上传本单位" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


def test_text_in_a_number_cell_is_named_with_its_row_and_column(
    reporter_client, demo, unit, tmp_path
):
    chengui = unit("陈贵镇")
    data = long_xlsx(
        tmp_path,
        [
            ["陈贵镇", "规上企业研发人员", 480, 505, ""],
            ["陈贵镇", "规上企业研发投入", 20000, "两万", ""],
        ],
    )
    text = upload(reporter_client, demo, chengui.pk, "陈贵镇.xlsx", data).content.decode()
    assert "两万" in text and "不是有效数字" in text and "第 3 行" in text and "陈贵镇.xlsx" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


def test_an_unknown_unit_is_refused(admin_client, demo, tmp_path):
    csv = "单位,指标,任务数,实绩数,备注\n陈贵镇,规上企业研发投入,20000,20059.9,\n火星镇,规上企业研发投入,1,1,\n"
    response = admin_client.post(
        f"/periods/{demo['q2'].pk}/targets/",
        {"file": SimpleUploadedFile("long.csv", csv.encode())},
        follow=True,
    )
    text = response.content.decode()
    assert "火星镇" in text and "没有保存任何数据" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


def test_another_template_is_refused(reporter_client, demo, unit, tmp_path):
    import xlsxwriter

    path = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["姓名", "电话"])
    ws.write_row(1, 0, ["张三", "123"])
    wb.close()
    text = upload(
        reporter_client, demo, unit("陈贵镇").pk, "通讯录.xlsx", path.read_bytes()
    ).content.decode()
    assert "没有找到可识别的考核数据表" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


def test_a_file_that_is_not_excel_is_refused(reporter_client, demo, unit):
    text = upload(
        reporter_client, demo, unit("陈贵镇").pk, "报表.xlsx", b"this is not a workbook"
    ).content.decode()
    assert "不是 Excel" in text
    text = upload(
        reporter_client, demo, unit("陈贵镇").pk, "照片.jpg", b"\xff\xd8\xff"
    ).content.decode()
    assert "不是 Excel" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


@override_settings(KAOHE_MAX_UPLOAD_BYTES=1024, KAOHE_MAX_UPLOAD_MB=0)
def test_an_oversized_file_is_refused(reporter_client, demo, unit):
    text = upload(
        reporter_client, demo, unit("陈贵镇").pk, "大.xlsx", b"PK\x03\x04" + b"0" * 5000
    ).content.decode()
    assert "文件太大" in text
    assert not Entry.objects.filter(period=demo["q2"], actual__isnull=False).exists()


@override_settings(KAOHE_MAX_UPLOAD_BYTES=1_000_000, KAOHE_MAX_UPLOAD_MB=1)
def test_an_oversized_file_is_told_its_real_size(reporter_client, demo, unit):
    """Just over the limit never reads as the limit: 1,000,001 bytes is 1.1 MB, not 1.0 MB."""
    body = b"PK\x03\x04" + b"0" * (1_000_001 - 4)
    text = upload(reporter_client, demo, unit("陈贵镇").pk, "大.xlsx", body).content.decode()
    assert "文件太大：1.1 MB（1,000,001 字节），上限为 1 MB（1,000,000 字节）" in text
    url = f"/periods/{demo['q2'].pk}/units/{unit('陈贵镇').pk}/materials/"
    page = reporter_client.post(
        url, {"kind": "简报", "title": "大", "file": SimpleUploadedFile("b.pdf", body)}, follow=True
    )
    assert "文件太大：1.1 MB（1,000,001 字节），上限为 1 MB" in page.content.decode()


@pytest.mark.parametrize(
    ("size", "shown"),
    [(21_000_000, "21.0 MB（21,000,000 字节）"), (20_971_520, "21.0 MB（20,971,520 字节）")],
)
def test_a_21_mb_file_reads_as_21_mb_against_the_20_mb_limit(size, shown):
    from kaohe.web.services.errors import ServiceError
    from kaohe.web.services.uploads import check_size

    class Upload:
        pass

    big = Upload()
    big.size = size
    with pytest.raises(ServiceError) as refused:
        check_size(big)
    assert refused.value.message == f"文件太大：{shown}，上限为 20 MB（20,000,000 字节）"


def test_the_bureau_imports_targets_from_the_long_table(admin_client, demo, unit, indicator):
    csv = "单位,指标,任务数,实绩数,备注\n陈贵镇,规上企业研发投入,25000,,\n灵乡镇,规上企业研发投入,/,,\n"
    page = admin_client.post(
        f"/periods/{demo['q2'].pk}/targets/", {"file": SimpleUploadedFile("t.csv", csv.encode())}
    )
    assert "25000" in page.content.decode()
    admin_client.post(f"/periods/{demo['q2'].pk}/targets/", {"confirm": "1"})
    rd = indicator("rd_spending")
    assert Entry.objects.get(
        period=demo["q2"], unit=unit("陈贵镇"), indicator=rd
    ).target == Decimal(25000)
    lx = Entry.objects.get(period=demo["q2"], unit=unit("灵乡镇"), indicator=rd)
    assert lx.target is None and lx.target_na


def test_materials_are_counted_into_work_task_indicators_and_late_ones_score_zero(
    reporter_client, demo, unit, indicator
):
    from datetime import timedelta

    from django.utils import timezone

    from kaohe.web.models import Period

    chengui, briefs, summaries = unit("陈贵镇"), indicator("briefs"), indicator("summaries")
    url = f"/periods/{demo['q2'].pk}/units/{chengui.pk}/materials/"
    for n in range(2):
        reporter_client.post(
            url,
            {
                "kind": "简报",
                "title": f"简报{n}",
                "file": SimpleUploadedFile(f"b{n}.pdf", f"%PDF {n}".encode()),
            },
        )
    e = Entry.objects.get(period=demo["q2"], unit=chengui, indicator=briefs)
    assert e.actual == 2 and not e.late
    Period.objects.filter(pk=demo["q2"].pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = reporter_client.post(
        url,
        {"kind": "总结", "title": "一季度总结", "file": SimpleUploadedFile("s.docx", b"PK")},
        follow=True,
    )
    assert "迟报" in response.content.decode()
    s = Entry.objects.get(period=demo["q2"], unit=chengui, indicator=summaries)
    assert s.actual == 0 and s.note == "迟报材料"
    assert Entry.objects.get(period=demo["q2"], unit=chengui, indicator=briefs).actual == 2


def test_a_material_of_a_forbidden_type_is_refused(reporter_client, demo, unit):
    from kaohe.web.models import Material

    url = f"/periods/{demo['q2'].pk}/units/{unit('陈贵镇').pk}/materials/"
    text = reporter_client.post(
        url, {"kind": "简报", "file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True
    ).content.decode()
    assert "不支持的文件类型" in text
    assert not Material.objects.exists()
