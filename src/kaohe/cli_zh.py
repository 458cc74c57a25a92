"""click in Chinese: the help page's headings and help option, and usage errors.

click words its texts through gettext with no Chinese catalogue. The help page is laid out by
the command classes below; a usage error is shown by show_usage_error(), which turns click's
message into Chinese by the table MESSAGES (a message it does not know is shown as click wrote
it, after "错误：")."""

from __future__ import annotations

import re
import sys

import click

HELP_TEXT = "显示此帮助并退出。"

_NAME = r"'(?P<name>[^']*)'"
MESSAGES = [
    (
        rf"^No such option {_NAME}\.(?: Did you mean '(?P<maybe>[^']*)'\?)?",
        "没有选项 {name}。{maybe}",
    ),
    (rf"^No such command {_NAME}\.", "没有命令 {name}。"),
    (r"^Missing command\.", "缺少命令。"),
    (rf"^Missing argument {_NAME}\.", "缺少参数 {name}。"),
    (rf"^Missing option {_NAME}\.", "缺少选项 {name}。"),
    (rf"^Option {_NAME} requires an argument\.", "选项 {name} 后面需要一个值。"),
    (rf"^Option {_NAME} requires (?P<n>\d+) arguments\.", "选项 {name} 后面需要 {n} 个值。"),
    (r"^Got unexpected extra arguments? \((?P<args>.*)\)", "多余的参数：{args}"),
    (rf"^Invalid value for {_NAME}: (?P<why>.*)", "{name} 的值无效：{why}"),
    (r"^Invalid value: (?P<why>.*)", "值无效：{why}"),
    (r"^'(?P<value>.*)' is not a valid integer\.", "“{value}”不是整数。"),
    (r"^'(?P<value>.*)' is not a valid float( range)?\.", "“{value}”不是数字。"),
    (
        r"^'(?P<value>.*)' is not one of (?P<choices>.*)\.",
        "“{value}”不是可选值之一（可选：{choices}）。",
    ),
    (r"^'(?P<value>.*)' is not '(?P<one>.*)'\.", "“{value}”不是可选值（只能是 {one}）。"),
    (r"^(?P<value>.*) is not in the range (?P<range>.*)\.", "{value} 不在范围 {range} 内。"),
    (
        r"^(?:File|Path|Directory|file|path|directory) '(?P<path>.*)' does not exist\.",
        "找不到 {path}。",
    ),
    (r"^(?:File|Path|file|path) '(?P<path>.*)' is a directory\.", "{path} 是文件夹，需要文件。"),
    (
        r"^(?:Directory|Path|directory|path) '(?P<path>.*)' is a file\.",
        "{path} 是文件，需要文件夹。",
    ),
    (
        r"^(?:File|Path|Directory|file|path|directory) '(?P<path>.*)' is not readable\.",
        "{path} 无法读取。",
    ),
    (
        r"^(?:File|Path|Directory|file|path|directory) '(?P<path>.*)' is not writable\.",
        "{path} 无法写入。",
    ),
    (rf"^Could not open file {_NAME}: (?P<why>.*)", "无法打开文件 {name}：{why}"),
]


def chinese(message: str) -> str:
    """click's message in Chinese; a nested message (the reason of an invalid value) too."""
    for pattern, template in MESSAGES:
        m = re.match(pattern, message, re.S)
        if m:
            parts = {k: v or "" for k, v in m.groupdict().items()}
            if "why" in parts:
                parts["why"] = chinese(parts["why"])
            if parts.get("maybe"):
                parts["maybe"] = f"您是不是想用 {parts['maybe']}？"
            return template.format(**parts)
    return message


def show_usage_error(exc: click.ClickException) -> None:
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        names = ctx.command.get_help_option_names(ctx)
        if names:
            click.echo(f"运行 “{ctx.command_path} {max(names, key=len)}” 查看帮助。\n", err=True)
    click.echo(f"错误：{chinese(exc.format_message())}", err=True)


class ChineseFormatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


def _chinese_help(text: str) -> str:
    """click's own bracket after an option's help: [default: x; required] → [默认：x；必填]."""
    return (
        text.replace("[default: ", "[默认：")
        .replace("; required]", "；必填]")
        .replace("[required]", "[必填]")
    )


class ChineseHelp:
    """Mixed into click's Command and Group: the help page in Chinese."""

    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx, formatter):
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def format_options(self, ctx, formatter):
        opts = [
            rv
            for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (rv := p.get_help_record(ctx)) is not None
        ]
        opts = [(name, _chinese_help(help_)) for name, help_ in opts]
        if opts:
            with formatter.section("选项"):
                formatter.write_dl(opts)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class ChineseCommand(ChineseHelp, click.Command):
    pass


class ChineseGroup(ChineseHelp, click.Group):
    command_class = ChineseCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, **extra):
        """click's standalone mode, with its messages in Chinese."""
        if not extra.pop("standalone_mode", True):  # the caller handles click's exceptions
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("已中断。", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            show_usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误：{chinese(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)
