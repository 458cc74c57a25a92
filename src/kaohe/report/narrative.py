"""Paragraph model of the body, and the Markdown narrative (二、三、四…) read into it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..chinese import cn_number
from .errors import ReportError

# Sections the bureau writes by hand; without a narrative they are marked placeholders.
DEFAULT_SECTIONS = (
    ("工作进展情况", "各项重点任务的工作进展情况"),
    ("存在的问题", "存在的问题"),
    ("下一步工作建议", "下一步工作建议"),
)

_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])\s*"
)
_INLINE = re.compile(r"\*\*|__|`")
_END_PUNCT = "。！？；：.!?;:"


@dataclass
class Run:
    text: str
    font: str = "fang"  # fang 仿宋, kai 楷体, hei 黑体, todo: highlighted placeholder


@dataclass
class Paragraph:
    kind: str  # heading1 (一、 黑体), body
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def read_narrative(source: str | Path | None, first_number: int = 2) -> list[Paragraph]:
    """Markdown: '#' headings become 二、…, '##' headings （一）…, other text body paragraphs.

    A Path is read as a file; a str is the Markdown itself. None gives the placeholders.
    """
    if source is None:
        return placeholders(first_number)
    if isinstance(source, Path):
        try:
            source = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ReportError(
                f"无法读取文字材料文件 {source}：不是 UTF-8 编码的文字（请以 UTF-8 保存）"
            ) from None
        except OSError as exc:
            raise ReportError(f"无法读取文字材料文件 {source}：{exc.strerror or exc}") from None
    return parse_markdown(source, first_number)


def placeholders(first_number: int = 2) -> list[Paragraph]:
    paras = []
    for k, (heading, what) in enumerate(DEFAULT_SECTIONS):
        paras.append(Paragraph("heading1", [Run(f"{cn_number(first_number + k)}、{heading}")]))
        paras.append(Paragraph("body", [Run(f"【待填写：{what}】", "todo")]))
    return paras


def _blocks(text: str) -> list[tuple[str, str]]:
    """(kind, text) with kind h1, h2 or p; lines of a paragraph joined."""
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []

    def flush():
        if lines:
            blocks.append(("p", _join(lines)))
            lines.clear()

    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            flush()
            kind = "h1" if len(heading[1]) == 1 else "h2"
            blocks.append((kind, _clean(heading[2].rstrip("#").strip())))
        elif not line:
            flush()
        elif re.match(r"^([-*+]|\d+[.)])\s+", line):
            flush()
            lines.append(re.sub(r"^([-*+]|\d+[.)])\s+", "", line))
            flush()
        else:
            lines.append(line)
    flush()
    return blocks


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        line = _INLINE.sub("", line)
        if out and out[-1].isascii() and line[:1].isascii() and out[-1].isalnum():
            out += " "
        out += line
    return out


def _clean(heading: str) -> str:
    return _NUMBERING.sub("", _INLINE.sub("", heading)).strip()


DEPARTMENTS = "各部门"  # a '#' section so headed is §一（三）, not a numbered section


def read_narrative_parts(
    source: str | Path | None, first_number: int = 2
) -> tuple[list[Paragraph], list[Paragraph]]:
    """(departments, the rest): a '# 各部门…' section comes back apart, as run-in paragraphs
    without a number, for §一（三）; the rest as read_narrative gives it."""
    if source is None:
        return [], placeholders(first_number)
    if isinstance(source, Path):
        try:
            source = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ReportError(
                f"无法读取文字材料文件 {source}：不是 UTF-8 编码的文字（请以 UTF-8 保存）"
            ) from None
        except OSError as exc:
            raise ReportError(f"无法读取文字材料文件 {source}：{exc.strerror or exc}") from None
    blocks = _blocks(source)
    start = next(
        (
            k
            for k, (kind, body) in enumerate(blocks)
            if kind == "h1" and body.startswith(DEPARTMENTS)
        ),
        None,
    )
    if start is None:
        return [], _parse_blocks(blocks, first_number)
    end = next((k for k in range(start + 1, len(blocks)) if blocks[k][0] == "h1"), len(blocks))
    section, rest = blocks[start:end], blocks[:start] + blocks[end:]
    heading = section[0][1]
    heading += "" if heading[-1] in _END_PUNCT else "。"
    bodies = [body for kind, body in section[1:]]
    departments = [Paragraph("body", [Run(heading, "kai"), Run(bodies[0] if bodies else "")])]
    departments += [Paragraph("body", [Run(body)]) for body in bodies[1:]]
    return departments, (_parse_blocks(rest, first_number) if rest else [])


def parse_markdown(text: str, first_number: int = 2) -> list[Paragraph]:
    return _parse_blocks(_blocks(text), first_number)


def _parse_blocks(blocks: list[tuple[str, str]], first_number: int) -> list[Paragraph]:
    paras: list[Paragraph] = []
    level1 = first_number - 1
    level2 = 0
    k = 0
    while k < len(blocks):
        kind, body = blocks[k]
        if kind == "h1":
            level1 += 1
            level2 = 0
            paras.append(Paragraph("heading1", [Run(f"{cn_number(level1)}、{body}")]))
        elif kind == "h2":
            level2 += 1
            head = f"（{cn_number(level2)}）{body}"
            following = blocks[k + 1] if k + 1 < len(blocks) else None
            if following and following[0] == "p":
                end = "" if head[-1] in _END_PUNCT else "。"
                paras.append(Paragraph("body", [Run(head + end, "kai"), Run(following[1])]))
                k += 1
            else:
                paras.append(Paragraph("body", [Run(head, "kai")]))
        else:
            paras.append(Paragraph("body", [Run(body)]))
        k += 1
    if not paras:
        raise ReportError("文字材料是空的：请用 # 标题 和段落写出工作进展、存在的问题等内容")
    return paras
