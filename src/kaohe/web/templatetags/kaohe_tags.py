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
