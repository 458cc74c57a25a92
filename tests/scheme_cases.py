"""Invalid schemes, shared by the tests of `kaohe check-scheme` and of the web's scheme editor:
each case is one change to the indicator 科技型中小企业入库数 (sme_registered: rank, max 10,
top 5 × 2 parts) of daye-2023, written as the TOML changes it and as the editor's form fields
change it, the form field the error must stand beside, and a piece of the checker's message."""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    label: str
    toml: dict  # keys of the indicator's TOML table (None: remove the key)
    form: dict  # fields of the editor's indicator form
    field: str
    message: str


RANK = 'top = 5\nstep = 0.1\ntie = "cross"'
CASES = [
    Case("满分与排名得分上限不符", {"max": 12}, {"max_points": "12"}, "params", "不一致"),
    Case("满分为 0", {"max": 0}, {"max_points": "0"}, "max_points", "必须大于 0"),
    Case(
        "未知的参数",
        {"params": {"top": 5, "step": 0.1, "bonus": 1}},
        {"params": RANK + "\nbonus = 1"},
        "params",
        "不接受参数“bonus”",
    ),
    Case(
        "排名得分上限为负",
        {"params": {"top": -5, "step": 0.1}},
        {"params": "top = -5\nstep = 0.1"},
        "params",
        "top 须大于 0",
    ),
    Case(
        "未知的并列规则",
        {"params": {"top": 5, "step": 0.1, "tie": "random"}},
        {"params": 'top = 5\nstep = 0.1\ntie = "random"'},
        "params",
        "并列规则 tie“random”未知",
    ),
    Case(
        "缺少排名参数",
        {"params": {"step": 0.1}},
        {"params": "step = 0.1"},
        "params",
        "缺少“top”",
    ),
    Case(
        "达标法不接受排名参数",
        {"method": "threshold"},
        {"method": "threshold"},
        "params",
        "计分方法 threshold 不接受参数",
    ),
    Case(
        "超额加分缺少封顶",
        {"method": "ratio", "params": {"over": {"per": 0.1, "points": 1}}},
        {"method": "ratio", "params": "over = { per = 0.1, points = 1 }"},
        "params",
        "缺少“cap”",
    ),
    Case(
        "分档门槛次序颠倒",
        {
            "method": "bands",
            "params": {"bands": [{"at": 0.8, "points": 6}, {"at": 1, "points": 10}]},
        },
        {
            "method": "bands",
            "params": "bands = [{ at = 0.8, points = 6 }, { at = 1, points = 10 }]",
        },
        "params",
        "门槛 at 须从高到低排列",
    ),
    Case(
        "与另一指标同名",
        {"name": "登记技术合同成交额"},
        {"name": "登记技术合同成交额"},
        "name",
        "指标名称或别名“登记技术合同成交额”重复",
    ),
    Case(
        "别名与另一指标重名",
        {"aliases": ["技术合同成交额"]},
        {"aliases": "技术合同成交额"},
        "aliases",
        "指标名称或别名“技术合同成交额”重复",
    ),
    Case(
        "附件计量单位无法换算",
        {"annex": {"number": 4, "unit": "亿元"}},
        {"annex_number": "4", "annex_unit": "亿元"},
        "annex_unit",
        "附件计量单位",
    ),
]
