"""Templates from the web: the bureau's all-units workbook with targets, and a unit's workbook
that holds only that unit and whose first row, filled in, is accepted."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from kaohe.template import FIRST_DATA_ROW
from kaohe.web.models import Entry


def _sheets(content):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _units(rows):
    return [r[1] for r in rows[FIRST_DATA_ROW:] if r[1]]


def test_the_bureau_downloads_every_units_workbook_with_targets_from_the_period_page(
    admin_client, demo, unit, indicator
):
    q2 = demo["q2"]
    assert "period-template" in admin_client.get(f"/periods/{q2.pk}/").content.decode()
    response = admin_client.get(f"/periods/{q2.pk}/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    sheets = _sheets(response.content)
    assert len(sheets) == 2 and "乡镇填报" in sheets  # both groups
    towns = sheets["乡镇填报"]
    assert len(_units(towns)) == 14 and "陈贵镇" in _units(towns)
    target = Entry.objects.get(period=q2, unit=unit("陈贵镇"), indicator=indicator("rd_spending"))
    row = next(r for r in towns if r[1] == "陈贵镇")
    order = list(unit("陈贵镇").group.indicators.order_by("order").values_list("key", flat=True))
    col = 2 + 3 * order.index("rd_spending")
    assert Decimal(str(row[col])) == target.target
    assert row[col + 1] == ""  # actual left for the units


def test_a_units_workbook_holds_only_that_unit(reporter_client, demo, unit):
    response = reporter_client.get(
        f"/periods/{demo['q2'].pk}/units/{unit('陈贵镇').pk}/template.xlsx"
    )
    sheets = _sheets(response.content)
    assert list(sheets) == ["乡镇填报"]
    assert _units(sheets["乡镇填报"]) == ["陈贵镇"]


def test_the_units_workbook_with_its_first_row_filled_is_accepted(
    reporter_client, demo, unit, indicator, tmp_path
):
    from kaohe.dataset import Cell, Dataset
    from kaohe.template import write_template
    from kaohe.web.services.schemes import engine_scheme

    q2, chengui = demo["q2"], unit("陈贵镇")
    scheme = engine_scheme(demo["scheme"])
    group = scheme.group("township")
    data = Dataset(scheme)
    data.put(group, "陈贵镇", "hitech_output", Cell(None, Decimal("3.5"), ""))
    path = tmp_path / "mine.xlsx"
    write_template(scheme, path, [group], data, {"陈贵镇"})  # what the unit downloads, filled
    assert _units(_sheets(path.read_bytes())["乡镇填报"]) == ["陈贵镇"]
    url = f"/periods/{q2.pk}/units/{chengui.pk}/upload/"
    preview = reporter_client.post(
        url, {"file": SimpleUploadedFile("陈贵镇.xlsx", path.read_bytes())}, follow=True
    ).content.decode()
    assert "上传预览" in preview and "3.5" in preview
    reporter_client.post(url, {"confirm": "1"})
    e = Entry.objects.get(period=q2, unit=chengui, indicator=indicator("hitech_output"))
    assert e.actual == Decimal("3.5")


def test_the_all_units_workbook_is_the_bureaus_only(
    reporter_client, provider_client, leader_client, demo
):
    url = f"/periods/{demo['q2'].pk}/template.xlsx"
    for c in (reporter_client, provider_client, leader_client):
        assert c.get(url).status_code == 403
        assert c.post(url).status_code in (403, 405)
