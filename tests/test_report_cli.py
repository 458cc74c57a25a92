"""`kaohe report` end to end: files written, the .xlsx round-trips through `kaohe score`, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kaohe.cli import main

ROOT = Path(__file__).parents[1]
SEED = ROOT / "src" / "kaohe" / "samples" / "daye_2023q1_long.csv"
OTHER11 = ROOT / "tests" / "data" / "daye_2023q1_other11.csv"
CUTOFF = "2023 年 3 月 31 日下午 17：00"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "通报"
    done = CliRunner().invoke(
        main, ["report", str(SEED), "-o", str(out), "--date", "2023年4月21日", "--cutoff", CUTOFF]
    )
    assert done.exit_code == 0, done.output
    return out


def _totals(*files) -> list[tuple[str, str]]:
    done = CliRunner().invoke(main, ["score", *map(str, files), "--format", "json"])
    assert done.exit_code == 0, done.output
    return [(u["unit"], u["total"]) for u in json.loads(done.stdout)["units"]]


def test_report_writes_the_bulletin_the_workbook_and_the_charts_and_nothing_else(out_dir):
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted(["通报.docx", "附件.xlsx"])  # charts only with --charts


def test_charts_come_with_the_charts_option(tmp_path):
    out = tmp_path / "通报"
    done = CliRunner().invoke(main, ["report", str(SEED), "-o", str(out), "--charts"])
    assert done.exit_code == 0, done.output
    assert {"图_乡镇考核总得分排名.png", "图_乡镇指标完成率.png"} <= {p.name for p in out.iterdir()}


def test_the_workbook_reads_back_through_score_to_the_same_totals(out_dir):
    assert _totals(out_dir / "附件.xlsx", OTHER11) == _totals(SEED)


def test_the_workbook_has_a_sheet_per_attachment_with_exact_totals_and_rates(out_dir):
    book = CalamineWorkbook.from_path(str(out_dir / "附件.xlsx"))
    assert book.sheet_names == [f"附件{n}" for n in range(1, 7)]
    rows = book.get_sheet_by_name("附件1").to_python()
    assert rows[1][0] == "各乡镇2023年规上企业研发投入完成情况表" and rows[2][0] == CUTOFF
    assert rows[3][:3] == ["序号", "乡镇", "规上企业研发投入（万元）"]
    assert rows[4][2:5] == ["实绩数", "任务数", "完成率"]
    total = rows[-1]
    assert total[0] == "合计" and total[2:4] == [257255.4, 245850.0]
    assert abs(total[4] - 257255.4 / 245850) < 1e-15
    third = book.get_sheet_by_name("附件3").to_python()
    assert third[5][2] == 248.04906  # exact; the sheet shows it as 248.05 through 0.00
    score = book.get_sheet_by_name("附件6").to_python()
    assert score[2][:3] == ["序号", "乡镇", "指标名称"] and score[3][1] == "大冶湖高新区"


def test_a_bad_date_is_a_chinese_error_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["report", str(SEED), "-o", str(out), "--date", "下周二"])
    assert done.exit_code == 2
    assert "无法识别日期" in done.output
    assert not out.exists() or not any(out.iterdir())


def test_without_libreoffice_pdf_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("kaohe.report.pdf.find_soffice", lambda: None)
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["report", str(SEED), "-o", str(out), "--pdf"])
    assert done.exit_code == 2
    assert "未找到 LibreOffice" in done.output
    assert not out.exists() or not any(out.iterdir())


def test_units_from_data_accepts_units_outside_the_scheme(tmp_path):
    data = tmp_path / "other.csv"
    lines = SEED.read_text(encoding="utf-8").splitlines()
    data.write_text(
        "\n".join([lines[0]] + [ln.replace("茗山乡", "新设镇") for ln in lines[1:]]),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["report", str(data), "-o", str(out), "--units-from-data"])
    assert done.exit_code == 0, done.output
    assert (out / "通报.docx").exists()


def test_every_option_of_report_has_help_text():
    from kaohe.cli import report

    assert report.help
    assert all(p.help for p in report.params if p.param_type_name == "option")


def test_the_masthead_number_theme_and_record_come_from_the_options(tmp_path):
    from docx import Document

    out = tmp_path / "通报"
    options = ["--theme", "开门红", "--masthead", "大冶市科学技术局文件"]
    options += [
        "--doc-number",
        "大冶科技〔2023〕5号",
        "--copy-to",
        "市委办公室",
        "--printer",
        "市科技局",
    ]
    done = CliRunner().invoke(main, ["report", str(SEED), "-o", str(out), *options])
    assert done.exit_code == 0, done.output
    texts = [p.text for p in Document(str(out / "通报.docx")).paragraphs if p.text]
    assert texts[:3] == [
        "大冶市科学技术局文件",
        "大冶科技〔2023〕5号",
        "关于大冶市2023年科技创新行动“开门红”工作进展情况的通报",
    ]
    assert texts[-2:] == ["抄送：市委办公室。", "市科技局\t印发"]
