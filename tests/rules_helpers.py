"""Small schemes and datasets built in code, for tables of rule cases."""

from decimal import Decimal

from kaohe.dataset import Cell, Dataset
from kaohe.engine import score
from kaohe.numbers import DECLARED_PENDING, NOT_APPLICABLE
from kaohe.scheme import parse_scheme


def one_indicator_scheme(method="rank", max_points="10", params="top = 5, step = 0.1", extra=""):
    params_line = f"params = {{ {params} }}" if params else ""
    return parse_scheme(
        f"""
key = "t"
name = "测试方案"
{extra}
[[groups]]
key = "g"
name = "乡镇"
units = []
[[groups.indicators]]
key = "x"
name = "指标甲"
unit = "家"
max = {max_points}
method = "{method}"
{params_line}
""",
        source="test",
    )


def value(v):
    if v is None:
        return None
    if v == "/":
        return NOT_APPLICABLE
    if v == "未出":
        return DECLARED_PENDING
    return Decimal(str(v))


def run(scheme, rows):
    """rows: {unit: (target, actual) or (target, actual, note)} -> GroupResult."""
    dataset = Dataset(scheme, units_from_data=True)
    group = scheme.groups[0]
    for unit, figures in rows.items():
        target, actual, *note = figures
        for ind in group.indicators:
            dataset.put(
                group, unit, ind.key, Cell(value(target), value(actual), note[0] if note else "")
            )
    return score(scheme, dataset).groups[0]
