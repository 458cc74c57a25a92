"""The bulletin from the web: the bureau sets the title, date, cut-off, theme, 版头/版记 and charts
and edits §二–四 before the download; the zip keeps its Chinese names and an ASCII fallback with
the right extension; the wording is the scheme's own [bulletin], so the web's 通报.docx reads as
`kaohe report` on the seed with the same options."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client
from docx import Document

from kaohe.web.models import AuditLog, BulletinSettings, Indicator, Period

SETTINGS = {
    "title": "关于大冶市2023年科技创新行动一季度“开门红”工作进展情况的通报",
    "doc_date": "2023-04-21",
    "cutoff": "2023 年 3 月 31 日下午 17：00",
    "theme": "开门红",
    "masthead": "大冶市科学技术局文件",
    "doc_number": "大冶科技〔2023〕5号",
    "copy_to": "市委办公室，市政府办公室",
    "printer": "大冶市科学技术局办公室",
    "charts": "on",
}
NARRATIVE = (
    "# 二、工作进展情况\n\n## 研发投入\n\n一季度全市研发投入稳步增长。\n\n"
    "# 三、存在的问题\n\n个别乡镇材料报送不及时。\n\n# 四、下一步工作建议\n\n继续抓好各项任务落实。\n"
)


def url(period):
    return f"/periods/{period.pk}/bulletin/"


def settings_post(**changes):
    data = dict(SETTINGS, narrative=NARRATIVE)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def docx_paragraphs(archive: zipfile.ZipFile) -> list[str]:
    return [p.text for p in Document(io.BytesIO(archive.read("通报.docx"))).paragraphs]


def download(client, period) -> zipfile.ZipFile:
    response = client.get(f"/periods/{period.pk}/bulletin.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


# --- who may set the bulletin ---------------------------------------------------------------


def _persona(name):
    if name == "anonymous":
        return Client()
    if name == "norole":
        User.objects.create_user("norole", password="x")
    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


@pytest.mark.parametrize(
    "persona",
    [
        "chengui",  # a township's reporter: another unit's business
        "jingxin",  # a department's reporter (a key-task lead)
        "tongji",  # the data-providing statistics bureau
        "lingdao",  # leaders read the results and download, but do not set the bulletin
        "norole",
    ],
)
def test_only_the_bureau_may_open_or_save_the_bulletin_settings(demo, persona):
    client = _persona(persona)
    q1 = demo["q1"]
    before = Period.objects.get(pk=q1.pk).narrative
    assert client.get(url(q1)).status_code == 403
    assert client.post(url(q1), settings_post()).status_code == 403
    assert not BulletinSettings.objects.exists()
    assert Period.objects.get(pk=q1.pk).narrative == before
    assert not AuditLog.objects.filter(action="修改通报设置").exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(demo):
    q1 = demo["q1"]
    for response in (Client().get(url(q1)), Client().post(url(q1), settings_post())):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not BulletinSettings.objects.exists()


def test_the_bureau_sees_a_chinese_form_with_the_schemes_defaults_and_the_assembled_section_two(
    admin_client, demo
):
    q1 = demo["q1"]
    html = admin_client.get(url(q1)).content.decode()
    for label in ("标题", "成文日期", "数据截止时间", "主题词", "发文机关标志", "发文字号"):
        assert f">{label}</label>" in html
    assert "抄送" in html and "印发机关" in html and "附图" in html
    assert "默认：2023 年 3 月 31 日" in html  # the period's cut-off day
    assert "# 二、工作进展情况" in html  # §二 from the key tasks' progress
    assert "（一）着力推进国家创新型县（市）建设。" in html
    # the sections §二 alone lacks, as placeholders the page points out
    assert "# 三、存在的问题" in html and "# 四、下一步工作建议" in html
    assert 'id="to-fill"' in html
    assert 'id="download-bulletin"' in html
    assert not re.search(r"\son[a-z]+\s*=", html)  # no onclick= and the like (CSP)
    assert "<script>" not in html.split("<main>")[1]


def test_the_bureau_saves_the_settings_and_every_change_is_audited(admin_client, demo):
    q1 = demo["q1"]
    response = admin_client.post(url(q1), settings_post(), follow=True)
    assert "已保存通报设置" in response.content.decode()
    s = BulletinSettings.objects.get(period=q1)
    assert s.doc_date == date(2023, 4, 21) and s.theme == "开门红" and s.charts
    assert s.updated_by.username == "admin"
    assert Period.objects.get(pk=q1.pk).narrative == NARRATIVE.strip()
    changed = set(
        AuditLog.objects.filter(action="修改通报设置", period=q1).values_list("field", flat=True)
    )
    assert {"标题", "成文日期", "数据截止时间", "主题词", "发文机关标志", "发文字号"} <= changed
    assert {"抄送", "印发机关"} <= changed
    assert AuditLog.objects.filter(action="编辑工作进展情况", period=q1).exists()
    # saving the same again records nothing new; switching the charts off is recorded
    count = AuditLog.objects.count()
    admin_client.post(url(q1), settings_post())
    assert AuditLog.objects.count() == count
    admin_client.post(url(q1), settings_post(charts=None))
    log = AuditLog.objects.get(action="修改通报设置", field="附图（得分排名图和完成率图）")
    assert (log.old, log.new) == ("是", "否")


def test_a_bad_date_is_refused_in_chinese_and_nothing_is_stored(admin_client, demo):
    q1 = demo["q1"]
    before = Period.objects.get(pk=q1.pk).narrative
    response = admin_client.post(url(q1), settings_post(doc_date="4月21日"))
    html = response.content.decode()
    assert response.status_code == 200 and "成文日期应为日期" in html
    assert not BulletinSettings.objects.exists()
    assert Period.objects.get(pk=q1.pk).narrative == before


def test_a_cutoff_without_its_day_is_refused_in_chinese(admin_client, demo):
    response = admin_client.post(url(demo["q1"]), settings_post(cutoff="月底下午五点"))
    assert "数据截止时间应含年月日" in response.content.decode()
    assert not BulletinSettings.objects.exists()


def test_a_bulletin_that_cannot_be_written_is_a_chinese_message_not_a_crash(
    admin_client, demo, monkeypatch
):
    import kaohe.report
    from kaohe.report.errors import ReportError

    def refuse(*args, **kwargs):
        raise ReportError("文字材料有误")

    monkeypatch.setattr(kaohe.report, "write_report", refuse)
    q1 = demo["q1"]
    response = admin_client.get(f"/periods/{q1.pk}/bulletin.zip", follow=True)
    assert response.redirect_chain[-1][0] == url(q1)
    assert "无法生成通报：文字材料有误" in response.content.decode()


def test_an_overlong_title_is_refused_in_chinese(admin_client, demo):
    response = admin_client.post(url(demo["q1"]), settings_post(title="关" * 201))
    assert "200" in response.content.decode() and "字符" in response.content.decode()
    assert not BulletinSettings.objects.exists()


# --- the download ---------------------------------------------------------------------------


def test_the_zip_is_sent_under_its_chinese_name_with_an_ascii_fallback_that_is_a_zip(
    admin_client, demo
):
    q1 = demo["q1"]
    response = admin_client.get(f"/periods/{q1.pk}/bulletin.zip")
    disposition = response["Content-Disposition"]
    assert response["Content-Type"] == "application/zip"
    assert 'filename="bulletin-2023-q1.zip"' in disposition
    assert f"filename*=UTF-8''{quote('2023年一季度-通报.zip')}" in disposition
    assert "xlsx" not in disposition


def test_the_files_in_the_zip_have_chinese_names_any_unzip_reads(admin_client, demo):
    archive = download(admin_client, demo["q1"])
    names = archive.namelist()
    assert {"通报.docx", "附件.xlsx"} <= set(names)
    assert "图_乡镇考核总得分排名.png" in names
    for info in archive.infolist():  # the UTF-8 flag: unzip and Windows show the names in Chinese
        assert info.flag_bits & 0x800, info.filename


def test_the_settings_and_the_edited_sections_are_in_the_downloaded_bulletin(admin_client, demo):
    q1 = demo["q1"]
    admin_client.post(url(q1), settings_post())
    archive = download(admin_client, q1)
    text = "\n".join(docx_paragraphs(archive))
    assert SETTINGS["title"] in text
    assert "现将2023年科技创新行动一季度“开门红”工作进展情况通报如下：" in text
    assert "2023年4月21日" in text
    for words in ("大冶市科学技术局文件", "大冶科技〔2023〕5号", "市委办公室，市政府办公室"):
        assert words in text
    assert "大冶市科学技术局办公室" in text
    paragraphs = docx_paragraphs(archive)
    for heading in ("二、工作进展情况", "三、存在的问题", "四、下一步工作建议"):
        assert heading in paragraphs
    assert "（一）研发投入。一季度全市研发投入稳步增长。" in text
    assert "继续抓好各项任务落实。" in text
    assert "【待填写】" not in text
    assert any(name.endswith(".png") for name in archive.namelist())
    annex = archive.read("附件.xlsx")
    assert annex[:2] == b"PK"


def test_the_assembled_section_two_is_the_bulletins_section_two(admin_client, demo):
    paragraphs = docx_paragraphs(download(admin_client, demo["q1"]))
    assert "二、工作进展情况" in paragraphs  # a "#" section, not a （一） under §一
    assert not any(p.startswith("（一）工作进展情况") for p in paragraphs)


def test_switching_the_charts_off_leaves_them_out_of_the_zip_and_the_annex_list(admin_client, demo):
    q1 = demo["q1"]
    admin_client.post(url(q1), settings_post(charts=None))
    archive = download(admin_client, q1)
    assert not any(name.endswith(".png") for name in archive.namelist())
    assert not any("附图" in p for p in docx_paragraphs(archive))


def test_without_settings_the_bulletin_takes_the_period_cutoff_and_the_schemes_wording(
    admin_client, demo
):
    text = "\n".join(docx_paragraphs(download(admin_client, demo["q1"])))
    assert "截止至3月31日，" in text  # daye-2023's as_of, not the default 截至
    assert "截至3月31日" not in text


def test_a_run_scored_before_the_scheme_had_its_wording_still_words_as_the_scheme(
    admin_client, demo
):
    from kaohe.web.models import ScoreRun

    run = ScoreRun.objects.get(period=demo["q1"], current=True)
    del run.inputs["scheme"]["bulletin"]  # as stored before schemes kept their [bulletin]
    run.save(update_fields=["inputs"])
    text = "\n".join(docx_paragraphs(download(admin_client, demo["q1"])))
    assert "截止至3月31日，" in text


def test_leaders_download_the_bulletin_with_the_bureaus_settings(admin_client, leader_client, demo):
    q1 = demo["q1"]
    admin_client.post(url(q1), settings_post())
    text = "\n".join(docx_paragraphs(download(leader_client, q1)))
    assert SETTINGS["title"] in text


@pytest.mark.parametrize("persona", ["chengui", "jingxin", "tongji"])
def test_units_and_providers_may_not_download_the_bulletin(demo, persona):
    response = _persona(persona).get(f"/periods/{demo['q1'].pk}/bulletin.zip")
    assert response.status_code == 403


def test_a_period_without_scores_has_no_bulletin_to_download(admin_client, demo):
    q2 = demo["q2"]
    assert "计算后才能下载通报" in admin_client.get(url(q2)).content.decode()
    assert admin_client.get(f"/periods/{q2.pk}/bulletin.zip").status_code == 404


# --- the scheme's own wording ---------------------------------------------------------------


def test_loading_a_scheme_stores_its_bulletin_table_and_the_engine_scheme_gets_it_back(db):
    from kaohe.scheme import load_scheme
    from kaohe.web.services.schemes import engine_scheme, load_scheme_file

    scheme = load_scheme_file("daye-2023")
    assert scheme.bulletin["templates"] == {
        "missed": "",
        "short_of": "",
        "as_of": "截止至{month}月{day}日，",
    }
    assert scheme.bulletin["ranking"] is False
    assert engine_scheme(scheme).bulletin == load_scheme("daye-2023").bulletin


def test_the_load_scheme_command_stores_the_bulletin_wording(db, tmp_path):
    from django.core.management import call_command

    from kaohe.web.models import Scheme

    source = Path(__file__).parents[2] / "src/kaohe/schemes/daye-2023.toml"
    toml = source.read_text(encoding="utf-8").replace('# theme = "开门红"', 'theme = "开门红"')
    path = tmp_path / "county.toml"
    path.write_text(toml, encoding="utf-8")
    call_command("kaohe_load_scheme", str(path), stdout=io.StringIO())
    assert Scheme.objects.get(key="daye-2023").bulletin["theme"] == "开门红"


def _cli_inputs(tmp_path, demo) -> list[str]:
    """The seed's figures (the CLI's demo file) and the demo's example department rows."""
    from kaohe.web.services.demo import DEPT_EXAMPLE

    # "名称（单位）": a name ending in （示例） alone is read as its unit of measure
    names = {
        i.key: f"{i.name}（{i.unit}）"
        for i in Indicator.objects.filter(group__scheme=demo["scheme"], group__key="department")
    }
    departments = tmp_path / "departments.csv"
    with departments.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位", "指标", "任务数", "实绩数", "备注"])
        for unit, figures in DEPT_EXAMPLE.items():
            for key, (target, actual) in figures.items():
                w.writerow([unit, names[key], target, actual, "示例数据"])
    seed = Path(__file__).parents[2] / "src/kaohe/samples/daye_2023q1_long.csv"
    return [str(seed), str(departments)]


def test_the_web_bulletin_reads_as_kaohe_report_on_the_seed_with_the_same_options(
    admin_client, demo, tmp_path
):
    from kaohe.cli import main
    from kaohe.web.services.demo import demo_scheme_path

    q1 = demo["q1"]
    admin_client.post(url(q1), settings_post())
    web = download(admin_client, q1)
    narrative = tmp_path / "narrative.md"
    narrative.write_text(NARRATIVE, encoding="utf-8")
    out = tmp_path / "cli"
    options = ["--title", SETTINGS["title"], "--date", "2023年4月21日"]
    options += ["--cutoff", SETTINGS["cutoff"], "--period", "一季度", "--year", "2023"]
    options += ["--theme", "开门红", "--masthead", SETTINGS["masthead"], "--charts"]
    options += ["--doc-number", SETTINGS["doc_number"], "--copy-to", SETTINGS["copy_to"]]
    options += ["--printer", SETTINGS["printer"], "--narrative", str(narrative)]
    args = ["report", *_cli_inputs(tmp_path, demo), "--scheme", demo_scheme_path(), "-o", str(out)]
    result = CliRunner().invoke(main, args + options)
    assert result.exit_code == 0, result.output
    cli = [p.text for p in Document(str(out / "通报.docx")).paragraphs]
    assert docx_paragraphs(web) == cli
    web_doc = Document(io.BytesIO(web.read("通报.docx")))
    cli_doc = Document(str(out / "通报.docx"))
    assert [c.text for t in web_doc.tables for r in t.rows for c in r.cells] == [
        c.text for t in cli_doc.tables for r in t.rows for c in r.cells
    ]
    assert "截止至3月31日，" in "".join(cli)
    assert sorted(web.namelist()) == sorted(p.name for p in out.iterdir())


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_schemes_loaded_earlier_their_own_wording():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    source = Path(__file__).parents[2] / "src/kaohe/schemes/daye-2023.toml"
    executor = MigrationExecutor(connection)
    executor.migrate([("kaohe", "0003_audit_address_and_browser")])
    old = executor.loader.project_state([("kaohe", "0003_audit_address_and_browser")]).apps
    Scheme = old.get_model("kaohe", "Scheme")
    Scheme.objects.create(key="from-file", name="文件载入", source=source.read_text("utf-8"))
    Scheme.objects.create(key="daye-2023", name="按名称载入")
    Scheme.objects.create(key="unknown", name="无从得知")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from kaohe.web.models import Scheme as Now

    wording = {s.key: s.bulletin.get("templates") for s in Now.objects.all()}
    assert wording["from-file"]["as_of"] == "截止至{month}月{day}日，"
    assert wording["daye-2023"]["as_of"] == "截止至{month}月{day}日，"
    assert wording["unknown"] is None
