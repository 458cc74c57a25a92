"""Errors a user can act on. Every message is Chinese and names where the problem is."""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """0-based column index to an Excel column name (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


class Location:
    """Where something is: file, sheet, row (1-based), column (0-based) and its heading.

    A plain slotted class rather than a dataclass: readers make one per row of large files.
    """

    __slots__ = ("file", "sheet", "row", "column", "header")

    def __init__(self, file=None, sheet=None, row=None, column=None, header=None):
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.header = header

    def __eq__(self, other) -> bool:
        return isinstance(other, Location) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Location({self.file!r}, {self.sheet!r}, {self.row!r}, {self.column!r}, {self.header!r})"

    def _key(self):
        return (self.file, self.sheet, self.row, self.column, self.header)

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column is not None:
            col = f"{column_letter(self.column)} 列"
            if self.header:
                col += f"（{self.header}）"
            parts.append(col)
        elif self.header:
            parts.append(f"“{self.header}”列")
        return "，".join(parts)


class KaoheError(Exception):
    """Base class: an error whose message is meant for the user."""

    def __init__(self, message: str, location: Location | None = None):
        self.message = message
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.location is not None:
            where = self.location.describe()
            if where:
                return f"{where}：{self.message}"
        return self.message


@dataclass(frozen=True)
class SchemeProblem:
    """One problem of a scheme: the field it is in, as a path through the TOML data
    (("groups", 0, "indicators", 2, "colour"); () when no one field is to blame), and the message,
    in Chinese, beginning with where it is (分组 1（township）、指标 x：…)."""

    path: tuple = ()
    message: str = ""

    @property
    def dotted(self) -> str:
        """groups[0].indicators[2].colour: the path as one string, for a form to find its field."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
        return out


class SchemeError(KaoheError):
    """The scheme file is wrong. `problems` lists every problem found (one when the check stopped
    at the first), each with the field it is in."""

    def __init__(self, message: str, location=None, problems: list[SchemeProblem] | None = None):
        self.problems = list(problems) if problems else [SchemeProblem((), message)]
        super().__init__(message, location)


class InputError(KaoheError):
    """A data file is wrong."""


class InputErrors(KaoheError):
    """Several input errors, reported together so the user can fix them in one pass."""

    def __init__(self, errors: list[KaoheError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
