"""Units of measure: counts (家, 人, 篇, 个, 次, 项) take whole numbers only. Targets may be
fractions (an annual target split by quarter gives 4.25 人); an actual figure may not."""

from __future__ import annotations

from decimal import Decimal

from ...numbers import COUNT_UNITS, plain


def is_count(indicator) -> bool:
    return indicator.unit in COUNT_UNITS  # numbers.COUNT_UNITS, shared with the engine


def whole_number_error(indicator, value) -> str | None:
    """The message for a fractional actual of a count, or None."""
    if not isinstance(value, Decimal) or not is_count(indicator):
        return None
    if value == value.to_integral_value():
        return None
    return f"“{indicator.name}”以“{indicator.unit}”计，实绩数应为整数，{plain(value)} 不是整数"
