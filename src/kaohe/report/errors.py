"""Errors while writing a bulletin."""

from __future__ import annotations

from ..errors import KaoheError


class ReportError(KaoheError):
    """The bulletin could not be written (bad option, missing converter, …)."""
