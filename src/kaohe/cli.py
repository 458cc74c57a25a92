"""The `kaohe` command: a thin click layer over the library. Errors become Chinese messages and
exit status 2; nothing is written unless everything succeeded."""

from __future__ import annotations

import errno
import gc
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from .cli_zh import ChineseGroup
from .errors import InputErrors, KaoheError

EXIT_INPUT = 2


class KaoheGroup(ChineseGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KaoheError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:
            _fail(KaoheError(os_message(exc)))
        except Exception as exc:  # a bug: say so plainly instead of a traceback
            if os.environ.get("KAOHE_DEBUG"):
                raise
            click.secho(
                f"内部错误：{type(exc).__name__}: {exc}。这是 kaohe 的缺陷，请设置环境变量 "
                "KAOHE_DEBUG=1 重新运行，并把输出报告给维护人员。",
                fg="red",
                err=True,
            )
            sys.exit(1)


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘是只读的",
    errno.EEXIST: "已存在同名文件",
}


def os_message(exc: OSError) -> str:
    """A failed file operation in Chinese: what, where; the system's words only when unknown."""
    reason = _OS_REASONS.get(exc.errno, exc.strerror or str(exc))
    name = exc.filename or ""
    if Path(str(name)).name.startswith(".") and str(name).endswith(".tmp"):
        name = Path(name).parent  # our temporary file: the folder is what the user gave
    return f"文件操作失败：{reason}" + (f"（{name}）" if name else "")


def _fail(exc: KaoheError):
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    click.secho(
        f"错误：共 {len(errors)} 处问题，未写出任何文件。" if len(errors) > 1 else "错误：",
        fg="red",
        err=True,
        nl=len(errors) > 1,
    )
    for e in errors:
        click.echo(f"  {e}" if len(errors) > 1 else str(e), err=True)
    sys.exit(EXIT_INPUT)


@contextmanager
def cycles_not_collected():
    """Reading and scoring a large file makes millions of objects without reference cycles;
    the cycle collector would only rescan them again and again (measured on 640,000 rows:
    reading took 14.8 s with it, 3.7 s without). They are freed by reference counting as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def refuse_inputs(inputs, outputs) -> None:
    """An output that would overwrite one of the input files is refused before anything is read."""
    given = {_identity(Path(p)) for p in inputs}
    clash = [str(p) for p in outputs if p is not None and _identity(Path(p)) in given]
    if clash:
        raise KaoheError(
            f"输出文件“{clash[0]}”就是输入文件，会覆盖原始数据：请用 -o 指定另一个文件名"
        )


def _identity(path: Path):
    try:
        st = path.stat()
        return (st.st_dev, st.st_ino)
    except OSError:
        return str(path.resolve())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data) -> None:
    """Write via a temporary file in the same folder so a failure leaves nothing half-written.

    `data`: str, bytes, or a function that writes to a binary file."""
    if path.is_dir():
        raise KaoheError(f"输出路径“{path}”是一个文件夹，不是文件：请给出文件名")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # as any other program's file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.group(cls=KaoheGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kaohe", message="kaohe %(version)s", help="显示版本并退出。")
def main():
    """kaohe（考核）：按考核方案为乡镇和部门打分、排名，并生成通报。"""


scheme_option = click.option(
    "--scheme",
    "scheme_name",
    default="daye-2023",
    show_default=True,
    help="考核方案：内置方案名（见 kaohe schemes）或 TOML 方案文件路径。",
)


pending_option = click.option(
    "--pending",
    "pending_names",
    multiple=True,
    metavar="指标名",
    help="声明此指标（名称或代号）的统计数据未出：实绩数为空的单位暂取目标任务数、得满分、"
    "不参与排名。可重复。不声明时，实绩数为空是错误。",
)


def _load(scheme_name):
    from .scheme import load_scheme

    return load_scheme(scheme_name)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@scheme_option
@click.option(
    "--units-from-data", is_flag=True, help="接受数据中出现的任何单位，不按方案的单位名单校验。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="写入此文件（默认输出到终端）。"
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path),
    help="同时把 results.json、results.csv、results.xlsx（年度结果为 annual.json、annual.csv、"
    "annual.xlsx）写入此文件夹。",
)
@click.option("--detail", is_flag=True, help="终端表格中列出每个单位每项指标的得分说明。")
@click.option(
    "--year",
    "yearly",
    is_flag=True,
    help="年度结果：每个文件为一期（按时间顺序给出），按方案的 [annual] 合成年度总得分、排名和等次。",
)
@pending_option
def score(files, scheme_name, units_from_data, fmt, output, out_dir, detail, yearly, pending_names):
    """读取数据文件（可多个，合并）并按方案打分排名。

    FILES 可以是长表（CSV/Excel，表头 单位,指标,任务数,实绩数,备注）、通报附件样式的
    Excel（附件1–5）或 kaohe template 生成的填报表。
    """
    from .engine import score as run
    from .readers import read_files

    scheme = _load(scheme_name)
    refuse_inputs(
        files,
        [output] + [out_dir / f"results{e}" for e in (".json", ".csv", ".xlsx")]
        if out_dir
        else [output],
    )
    if yearly:
        _score_year(scheme, files, units_from_data, fmt, output, out_dir, pending_names)
        return
    with cycles_not_collected():
        dataset = read_files(files, scheme, units_from_data=units_from_data)
        dataset.check_evidence(pending_names)
        result = run(scheme, dataset)
        pending, text = _render_all(result, fmt, output, out_dir, detail)
        for path, data in pending:
            write_atomic(path, data)
        if output is None:
            _show(result, fmt, text, detail)
    for path, _ in pending:
        click.echo(f"已写出 {path}", err=True)


@main.command()
@click.argument("unit")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@scheme_option
@click.option(
    "--units-from-data", is_flag=True, help="接受数据中出现的任何单位，不按方案的单位名单校验。"
)
@pending_option
def whatif(unit, files, scheme_name, units_from_data, pending_names):
    """如何前进一名：UNIT 单独改变哪一项实绩数、改到多少，就能在本组（分类）前进一名。

    每项指标给出单独改变它所需的最小变化（按指标的小数位或计数单位取整），由计分引擎按方案
    规则重新计算全组得分得出；做不到的写明“无法单独达到”及原因。
    """
    from .readers import read_files
    from .whatif import what_if

    scheme = _load(scheme_name)
    dataset = read_files(files, scheme, units_from_data=units_from_data)
    dataset.check_evidence(pending_names)  # as kaohe score: a blank actual is an error
    _show_whatif(what_if(scheme, dataset, unit))


def _show_whatif(answer) -> None:
    """The answer as two tables: what would do it, and what cannot (with why)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from .methods import points_text
    from .numbers import plain

    console = Console()
    head = f"{answer.unit}：在{answer.title}排第 {answer.rank} 名（共 {answer.size} 个单位），总得分 {plain(answer.total)}"
    if answer.above:
        head += f"；上一名 {'、'.join(answer.above)}，总得分 {plain(answer.above_total)}"
    console.print(head, markup=False)
    if answer.note:
        console.print(answer.note, markup=False)
    if not answer.options:
        return
    if answer.reachable:
        table = Table(title="单独改变一项即可前进一名（最小变化）", box=box.SIMPLE_HEAVY)
        table.add_column("指标（单位）", overflow="fold", min_width=12)
        for name in ("实绩数", "需改为", "变化", "该项得分", "改后总分", "名次"):
            table.add_column(name, justify="right", overflow="fold")
        for o in answer.reachable:
            table.add_row(
                f"{o.name}（{o.unit}）" if o.unit else o.name,
                plain(o.actual),
                plain(o.figure),
                o.change_text,
                f"{points_text(o.points)} → {points_text(o.new_points)}",
                plain(o.new_total),
                str(o.new_rank),
            )
        console.print(table)
    out = answer.unreachable
    if out:
        table = Table(title="无法单独达到", box=box.SIMPLE_HEAVY)
        table.add_column("指标", overflow="fold")
        table.add_column("原因", overflow="fold")
        for o in out:
            table.add_row(o.name, o.reason)
        console.print(table)
    console.print(
        f"共 {len(answer.options)} 项，其中 {len(answer.reachable)} 项单独改变即可前进一名；"
        "各项是单独改变一项的结果，不能相加。",
        markup=False,
    )


def _score_year(scheme, files, units_from_data, fmt, output, out_dir, pending_names) -> None:
    """Each file a period, scored on its own; the year combined as the scheme says."""
    from .annual import combine, period_names, render_csv, render_json, render_table, render_xlsx
    from .engine import score as run
    from .readers import read_files

    if fmt == "xlsx" and output is None:
        raise click.UsageError("Excel 格式需要用 -o 指定输出文件")
    results = []
    for f in files:
        dataset = read_files([f], scheme, units_from_data=units_from_data)
        dataset.check_evidence(pending_names)
        results.append(run(scheme, dataset))
    names = period_names(scheme, len(results))
    groups = combine(scheme, results)
    writers = {
        "json": lambda: render_json(scheme, groups, names),
        "csv": lambda: render_csv(groups, names),
        "xlsx": lambda: render_xlsx(scheme, groups, names),
        "table": lambda: render_table(scheme, groups, names),
    }
    pending = []  # everything is rendered before anything is written
    if out_dir is not None:
        pending += [(out_dir / f"annual.{k}", writers[k]()) for k in ("json", "csv", "xlsx")]
    if output is not None:
        pending.append((output, writers[fmt]()))
    for path, data in pending:
        write_atomic(path, data)
    if output is None:
        sys.stdout.write(writers[fmt]())
    for path, _ in pending:
        click.echo(f"已写出 {path}", err=True)


def _render_all(result, fmt, output, out_dir, detail):
    """Everything to write, rendered before anything is written: (files, text for stdout).

    JSON and CSV are written as they are rendered (a function of the file), so a large result
    is never held as one text."""
    from .exporters import EXPORTERS, TableExporter

    if fmt == "xlsx" and output is None:
        raise click.UsageError("Excel 格式需要用 -o 指定输出文件")
    pending: list[tuple[Path, object]] = []
    if out_dir is not None:
        for ident in ("json", "csv", "xlsx"):
            exporter = EXPORTERS[ident]()
            pending.append((out_dir / f"results{exporter.extension}", _rendered(exporter, result)))
    if output is not None:
        exporter = TableExporter(detail) if fmt == "table" else EXPORTERS[fmt]()
        pending.append((output, _rendered(exporter, result)))
    text = None
    if output is None and fmt != "table":
        text = _rendered(EXPORTERS[fmt](), result)
    return pending, text


def _rendered(exporter, result):
    if hasattr(exporter, "write"):
        return lambda fh: exporter.write(result, fh)
    return exporter.render(result)


def _show(result, fmt, text, detail) -> None:
    if fmt == "table":
        from rich.console import Console

        from .exporters import TableExporter

        console = Console()
        for table in TableExporter(detail).tables(result):
            console.print(table)
    elif callable(text):
        sys.stdout.flush()
        text(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@scheme_option
@click.option(
    "-o",
    "--out-dir",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="把通报 .docx、附件 .xlsx、图表 PNG（和 PDF）写入此文件夹。",
)
@click.option(
    "--title",
    help="通报标题，默认由方案名和季度生成，如“关于大冶市2023年科技创新行动一季度工作进展情况的通报”。",
)
@click.option("--issuer", help="发文机关署名，默认取方案中的 issuer（如 大冶市科学技术局）。")
@click.option("--date", "doc_date", help="成文日期，如 2023年4月21日 或 2023-04-21。")
@click.option("--cutoff", help="附件表头下的数据截止时间，如“2023 年 3 月 31 日下午 17：00”。")
@click.option("--year", type=int, help="附件标题中的年份，默认取截止时间或成文日期的年份。")
@click.option(
    "--period", help="考核期，如 一季度、上半年；默认按截止时间（或成文日期前一个月）所在季度。"
)
@click.option(
    "--narrative",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Markdown 文字材料：# 标题为“二、三、四……”，## 标题为“（一）（二）……”，其余为正文段落。"
    "不给时正文留出醒目的【待填写】占位。",
)
@click.option(
    "--pdf", is_flag=True, help="再用 LibreOffice 把通报转换为 PDF（需已安装 LibreOffice）。"
)
@click.option(
    "--theme", help="标题中的主题词，如 开门红（印为“开门红”）；默认取方案 [bulletin] 的 theme。"
)
@click.option(
    "--charts", is_flag=True, help="另附图表：总得分排名图和指标完成率热力图（列入附件）。"
)
@click.option(
    "--masthead", help="红色发文机关标志，如“大冶市科学技术局文件”；默认取方案 [bulletin]。"
)
@click.option("--doc-number", help="发文字号，如“大冶科技〔2023〕5号”；默认取方案 [bulletin]。")
@click.option("--copy-to", help="版记中的抄送机关；默认取方案 [bulletin]。")
@click.option("--printer", help="版记中的印发机关；默认取方案 [bulletin]。")
@click.option(
    "--units-from-data", is_flag=True, help="接受数据中出现的任何单位，不按方案的单位名单校验。"
)
@pending_option
def report(
    files,
    scheme_name,
    out_dir,
    title,
    issuer,
    doc_date,
    cutoff,
    year,
    period,
    narrative,
    pdf,
    theme,
    charts,
    masthead,
    doc_number,
    copy_to,
    printer,
    units_from_data,
    pending_names,
):
    """读取数据文件、打分，并生成季度通报：正文 .docx（GB/T 9704 版式）、附件 .xlsx 和图表。

    正文“一、目标任务进展情况”和附件1–6由考核结果生成；“二、三、四”取自 --narrative 文字材料。
    全部写好后才放入 OUT_DIR，中途出错不会留下半成品。
    """
    import shutil

    from .engine import score as run
    from .readers import read_files
    from .report import write_report

    scheme = _load(scheme_name)
    with cycles_not_collected():
        dataset = read_files(files, scheme, units_from_data=units_from_data)
        dataset.check_evidence(pending_names)
        result = run(scheme, dataset)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".kaohe-report-") as tmp:
        written = write_report(
            result,
            tmp,
            title=title,
            issuer=issuer,
            doc_date=doc_date,
            cutoff=cutoff,
            narrative=narrative,
            pdf=pdf,
            year=year,
            period=period,
            theme=theme,
            charts=charts,
            masthead=masthead,
            doc_number=doc_number,
            copy_to=copy_to,
            printer=printer,
        )
        for path in written.values():
            target = out_dir / path.name
            shutil.move(str(path), target)
            click.echo(f"已写出 {target}", err=True)


@main.command()
@scheme_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="填报表 .xlsx 的保存路径。",
)
@click.option(
    "--group", "group_names", multiple=True, help="只生成这个单位分组（可多次给出），默认全部。"
)
@click.option(
    "--prefill",
    "prefill_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="用这些数据文件中的任务数和实绩数预先填好（如下达任务的表）。",
)
@click.option("--units-from-data", is_flag=True, help="预填文件中可以有方案名单以外的单位。")
def template(scheme_name, output, group_names, prefill_files, units_from_data):
    """生成填报用的 Excel 工作簿（单位 × 指标，带计量单位和数字校验），kaohe score 可直接读取。"""
    from .readers import read_files
    from .template import write_template

    scheme = _load(scheme_name)
    refuse_inputs(prefill_files, [output])
    groups = [scheme.group(name) for name in group_names] or None
    prefill = (
        read_files(prefill_files, scheme, units_from_data=units_from_data)
        if prefill_files
        else None
    )
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_template(scheme, tmp, groups, prefill)
        write_atomic(output, Path(tmp).read_bytes())
    finally:
        Path(tmp).unlink(missing_ok=True)
    click.echo(f"已写出 {output}", err=True)


@main.command()
def schemes():
    """列出内置的考核方案。"""
    from .scheme import builtin_names, load_scheme

    for name in builtin_names():
        s = load_scheme(name)
        groups = "；".join(
            f"{g.name} {len(g.units)} 个单位、{len(g.indicators)} 项指标、满分 {g.max_points}"
            + (f"，分类排名：{'、'.join(c.name for c in g.classes)}" if g.classes else "")
            for g in s.groups
        )
        methods = "、".join(dict.fromkeys(i.method for g in s.groups for i in g.indicators))
        grades = f"；等次：{'、'.join(lv.name for lv in s.grading.levels)}" if s.grading else ""
        click.echo(f"{name}\t{s.name}（{groups}；计分方法：{methods}{grades}）")


@main.command("check-scheme")
@click.argument("path", type=click.Path(path_type=Path))
def check_scheme(path):
    """检查一个方案文件是否有效，并列出其分组、单位和指标。"""
    from .numbers import plain

    s = _load(str(path))
    click.echo(f"方案 {s.key}：{s.name}")
    for g in s.groups:
        click.echo(
            f"  分组 {g.key}（{g.name}）：{len(g.units)} 个单位，{len(g.indicators)} 项指标，满分 {plain(g.max_points)}"
        )
        for ind in g.indicators:
            veto = "\t一票否决" if ind.veto else ""
            click.echo(
                f"    {ind.key}\t{ind.display_label}\t{ind.method}\t{plain(ind.max_points)} 分"
                f"\t{ind.category}{veto}"
            )
        for c in g.classes:
            click.echo(f"    分类“{c.name}”：{'、'.join(c.units)}")
    for c in s.categories.values():
        cap = f"，至多 {plain(c.cap)} 分" if c.cap is not None else ""
        kind = "从总分中扣除" if c.subtract else "基础满分之外另加" if c.extra else "计入基础满分"
        click.echo(f"  类别“{c.name}”：{kind}{cap}")
    if s.grading:
        click.echo(f"  等次：{'、'.join(lv.name for lv in s.grading.levels)}")
    click.echo("方案有效。")


# --- web system (Django) -------------------------------------------------------


def _django(demo: bool = False):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.web.settings")
    if demo:
        os.environ.setdefault("KAOHE_DEBUG", "1")
        os.environ.setdefault("KAOHE_DATA_DIR", str(Path.cwd() / "kaohe-data"))
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # a bad setting: one line naming the variable
        raise KaoheError(f"配置错误：{exc}") from None


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """运行 Django 管理命令（如 kaohe manage check --deploy、kaohe manage createsuperuser）。"""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kaohe manage", *args])


def gunicorn_command(
    host: str, port: int, workers: int | None = None, access_log: str = "-"
) -> list[str]:
    """The production server: gunicorn's sync workers, 2 × cores + 1 of them by default.

    Each sync worker serves one request at a time and takes the next connection from the
    listening socket's queue, which all workers share, so the load spreads evenly over the
    processes (with keep-alive threads a few workers end up holding most connections, and those
    wait while the others idle). Behind a reverse proxy (nginx) slow clients never tie a worker
    up. bench/bench_web.py measures this same command."""
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kaohe.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--access-logfile",
        access_log,
    ]


@main.command()
@click.option(
    "--demo", is_flag=True, help="先载入演示数据（2023 年一季度和各角色账号），默认开启调试模式。"
)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=int, help="端口。")
@click.option("--gunicorn", "use_gunicorn", is_flag=True, help="用 gunicorn 运行（生产环境）。")
@click.option(
    "--workers",
    default=None,
    type=int,
    help="gunicorn 进程数，默认 2 × CPU 核数 + 1。",
)
def serve(demo, host, port, use_gunicorn, workers):
    """启动考核网站：先执行数据库迁移，再在 127.0.0.1:8000 提供服务。"""
    _django(demo)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        call_command("kaohe_demo")
    if use_gunicorn:
        argv = gunicorn_command(host, port, workers)
        click.echo(f"gunicorn 监听 http://{host}:{port}/", err=True)
        os.execv(sys.executable, argv)
    click.echo(f"请在浏览器打开 http://{host}:{port}/ （按 Ctrl+C 停止）", err=True)
    call_command("runserver", f"{host}:{port}", use_reloader=False)


@main.command("web-demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=int, help="端口。")
@click.option("--no-serve", is_flag=True, help="只载入演示数据，不启动网站。")
@click.pass_context
def web_demo(ctx, host, port, no_serve):
    """载入演示数据（通报中的 2023 年一季度、每个角色一个账号）并启动网站。"""
    if no_serve:
        _django(True)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("kaohe_demo")
        return
    ctx.invoke(serve, demo=True, host=host, port=port, use_gunicorn=False, workers=1)


if __name__ == "__main__":  # pragma: no cover
    main()
