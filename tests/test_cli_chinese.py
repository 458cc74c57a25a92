"""What the command line says when it is used wrongly or configured wrongly: Chinese, one
message, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kaohe.cli_zh import chinese


def _kaohe(*args, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "DJANGO_"))}
    base.update(env or {})
    return subprocess.run(
        [str(Path(sys.executable).parent / "kaohe"), *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["score", "--bogus", "x.csv"], "错误：没有选项 --bogus。"),
        (["score"], "错误：缺少参数 FILES...。"),
        (["serve", "--port", "abc"], "错误：--port 的值无效：“abc”不是整数。"),
        (["score", "x.csv", "--format", "pdf"], "“pdf”不是可选值之一"),
        (["nosuch"], "错误：没有命令 nosuch。"),
        (["score", "a.csv", "--output"], "选项 --output 后面需要一个值。"),
    ],
)
def test_usage_errors_are_told_in_chinese(args, says):
    result = _kaohe(*args)
    assert result.returncode == 2
    assert says in result.stderr
    if args[-1] != "--output":  # click gives no usage line when an option's value is missing
        assert "用法：kaohe" in result.stderr and "查看帮助" in result.stderr
    assert "Usage" not in result.stderr and "Error" not in result.stderr


def test_the_help_page_is_in_chinese():
    result = _kaohe("score", "-h")
    assert result.returncode == 0
    assert "用法：kaohe score [选项]" in result.stdout and "显示此帮助并退出。" in result.stdout
    assert "[默认：daye-2023]" in result.stdout
    for english in ("Usage", "Options", "Show this", "default:"):
        assert english not in result.stdout


@pytest.mark.parametrize("command", ["score", "report", "template", "check-scheme", "serve"])
def test_every_help_page_has_chinese_headings_and_brackets(command):
    out = _kaohe(command, "-h").stdout
    assert "选项：" in out and "选项:" not in out
    for english in ("required]", "default:", "Options", "Arguments"):
        assert english not in out, english


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"KAOHE_SECRET_KEY": "short", "KAOHE_ALLOWED_HOSTS": "x"},
            "KAOHE_SECRET_KEY 太短：需要至少 50 个随机字符，现为 5 个",
        ),
        ({"KAOHE_DEBUG": "maybe"}, "环境变量 KAOHE_DEBUG 应为 1 或 0"),
        (
            {"KAOHE_DEBUG": "1", "KAOHE_LOGIN_MAX_FAILURES": "five"},
            "KAOHE_LOGIN_MAX_FAILURES 应为整数",
        ),
        ({"KAOHE_DEBUG": "1", "KAOHE_AUDIT_KEEP_DAYS": "30"}, "KAOHE_AUDIT_KEEP_DAYS 不能小于 180"),
    ],
)
@pytest.mark.parametrize("command", [["manage", "check"], ["serve", "--port", "1"]])
def test_a_configuration_error_is_one_line_naming_the_variable(tmp_path, env, says, command):
    result = _kaohe(*command, env={"KAOHE_DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr


def test_an_unknown_click_message_is_kept_rather_than_lost():
    assert chinese("Something new from click.") == "Something new from click."
    assert chinese("Invalid value for '-n': 'x' is not a valid integer.") == (
        "-n 的值无效：“x”不是整数。"
    )
