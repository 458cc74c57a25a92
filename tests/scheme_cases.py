"""Invalid schemes, shared by the tests of `kaohe check-scheme` and of the web's scheme editor:
each case is one change to the indicator 科技型中小企业入库数 (sme_registered: rank, max 10,
top 5 × 2 parts) of daye-2023, written as the TOML changes it and as the editor's form fields
change it, the form field the error must stand beside, and a piece of the checker's message.

The form gives each method's parameters as labelled fields (p_rank_top …) and sends only the
selected method's: a parameter the method does not take cannot be typed there (form None)."""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    label: str
    toml: dict  # keys of the indicator's TOML table (None: remove the key)
    form: dict | None  # fields of the editor's indicator form; None: it cannot say this
    field: str
    message: str


CASES = [
    Case("满分与排名得分上限不符", {"max": 12}, {"max_points": "12"}, "params", "不一致"),
    Case("满分为 0", {"max": 0}, {"max_points": "0"}, "max_points", "必须大于 0"),
    Case(
        "未知的参数",
        {"params": {"top": 5, "step": 0.1, "bonus": 1}},
        None,
        "params",
        "不接受参数“bonus”",
    ),
    Case(
        "排名得分上限为负",
        {"params": {"top": -5, "step": 0.1}},
        {"p_rank_top": "-5"},
        "p_rank_top",
        "top 须大于 0",
    ),
    Case(
        "未知的并列规则",
        {"params": {"top": 5, "step": 0.1, "tie": "random"}},
        {"p_rank_tie": "random"},  # the select offers three; a crafted post reaches the checker
        "p_rank_tie",
        "并列规则 tie“random”未知",
    ),
    Case(
        "缺少排名参数",
        {"params": {"step": 0.1}},
        {"p_rank_top": ""},
        "p_rank_top",
        "缺少“top”",
    ),
    Case(
        "达标法不接受排名参数",
        {"method": "threshold"},
        None,
        "params",
        "计分方法 threshold 不接受参数",
    ),
    Case(
        "超额加分缺少封顶",
        {"method": "ratio", "params": {"over": {"per": 0.1, "points": 1}}},
        {"method": "ratio", "p_ratio_over_per": "0.1", "p_ratio_over_points": "1"},
        "p_ratio_over_cap",
        "缺少“cap”",
    ),
    Case(
        "分档门槛次序颠倒",
        {
            "method": "bands",
            "params": {"bands": [{"at": 0.8, "points": 6}, {"at": 1, "points": 10}]},
        },
        {"method": "bands", "p_bands_bands": "0.8 6\n1 10"},
        "p_bands_bands",
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
