from decimal import Decimal

from django import template

from ...numbers import plain

register = template.Library()


@register.filter
def fig(value):
    """A Decimal as written, without trailing zeros or exponent: 3.000000 → 3, 0.2375 → 0.2375."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    return value


@register.filter
def points(value):
    """Points to two decimals, as the bulletin prints them."""
    if value is None:
        return ""
    from ...numbers import fixed

    return fixed(Decimal(value), 2)


@register.filter
def plain_or_dash(value):
    return "—" if value is None else fig(value)


@register.filter
def signed(value):
    """A change with its sign, exact: +1.5, -0.25, 0; — when there is nothing to compare."""
    if value is None:
        return "—"
    text = plain(Decimal(value))
    return f"+{text}" if value > 0 else text


@register.filter
def abs_int(value):
    return abs(int(value))
