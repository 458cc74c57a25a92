"""如何前进一名: every answer is checked by scoring the data again through `engine.score` with
the suggested figure (the unit moves up) and with one step short of it (it does not)."""

from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.dataset import Cell, Dataset
from kaohe.engine import score
from kaohe.errors import InputError
from kaohe.numbers import DECLARED_PENDING
from kaohe.readers import read_files
from kaohe.scheme import load_scheme
from kaohe.whatif import figure_step, what_if

from .rules_helpers import one_indicator_scheme, value

SAMPLES = resources.files("kaohe") / "samples"
SEED = ("daye-2023", "daye_2023q1_long.csv")
WUJIN = ("example-wujin", "example_wujin_long.csv")
EFFICACY = ("example-efficacy", "example_efficacy_long.csv")


def _load(key, sample):
    scheme = load_scheme(key)
    return scheme, read_files([SAMPLES / sample], scheme)


def rank_with(scheme, dataset, unit, key, figure):
    """The unit's rank when its figure `key` is `figure`, scored from scratch."""
    copy = Dataset(scheme, dataset.units_from_data)
    for data in dataset.groups:
        for k, cells in data.cells.items():
            for u, cell in zip(data.units, cells, strict=True):
                if u == unit and k == key:
                    cell = Cell(cell.target, figure, cell.note, cell.origin)
                copy.put(data.group, u, k, cell)
    for group in score(scheme, copy).groups:
        for us in group.units:
            if us.unit == unit:
                return us.rank, us.total
    raise KeyError(unit)


def _cases(key, sample):
    scheme, dataset = _load(key, sample)
    return [(key, sample, u) for data in dataset.groups for u in data.units]


ALL_UNITS = _cases(*SEED) + _cases(*WUJIN) + _cases(*EFFICACY)


def check_answers(scheme, dataset, answer):
    """Every reachable figure moves the unit up and one step short does not."""
    group = next(d.group for d in dataset.groups if answer.unit in d.units)
    for option in answer.reachable:
        ind = group.indicator(option.key)
        rank, total = rank_with(scheme, dataset, answer.unit, option.key, option.figure)
        assert rank < answer.rank, option
        assert (rank, total) == (option.new_rank, option.new_total)
        step = figure_step(ind)
        short = option.figure - step if option.change > 0 else option.figure + step
        if (short - option.actual) * option.change > 0:  # still a change: it must not do it
            assert rank_with(scheme, dataset, answer.unit, option.key, short)[0] >= answer.rank
        assert option.figure % step == 0  # on the indicator's grid


@pytest.mark.parametrize("key, sample, unit", ALL_UNITS)
def test_each_suggested_figure_moves_the_unit_up_and_one_step_short_does_not(key, sample, unit):
    scheme, dataset = _load(key, sample)
    answer = what_if(scheme, dataset, unit)
    if answer.rank == 1:
        assert answer.options == () and "排第 1 名" in answer.note
        return
    assert answer.above and answer.above_total is not None
    check_answers(scheme, dataset, answer)


@pytest.mark.parametrize("key, sample, unit", ALL_UNITS)
def test_a_figure_said_to_be_out_of_reach_does_not_move_the_unit_even_far_beyond(key, sample, unit):
    scheme, dataset = _load(key, sample)
    answer = what_if(scheme, dataset, unit)
    for option in answer.options:
        if option.reachable or option.status != "scored":
            continue
        assert option.reason
        far = option.actual * 10 + 100 if option.better == "higher" else Decimal(0)
        assert rank_with(scheme, dataset, unit, option.key, far)[0] == answer.rank, option


def test_the_seed_runner_up_overtakes_by_two_more_firms_or_its_new_products_sales():
    answer = what_if(*_load(*SEED), "陈贵镇")
    assert (answer.rank, answer.above, answer.above_total) == (
        2,
        ("大冶湖高新区",),
        Decimal("85.06"),
    )
    by_name = {o.name: o for o in answer.options}
    firms = by_name["科技型中小企业入库数"]
    assert (firms.actual, firms.figure, firms.change) == (28, 30, 2)
    assert firms.advice == (
        "实绩数由 28 家 提高到 30 家（+2 家），该项得分 9.5 → 9.8 分，总得分 85.12，排第 1 名"
    )
    assert by_name["规上企业新产品销售收入"].figure == Decimal("248.05")  # past 248.04906
    assert by_name["高新技术产业产值"].advice == (
        "无法单独达到：此项已得 5 分，再提高实绩数得分也不增加"
    )


def test_the_leader_has_nothing_to_overtake():
    answer = what_if(*_load(*SEED), "大冶湖高新区")
    assert answer.rank == 1 and answer.options == ()
    assert answer.note == "已在乡镇排第 1 名，没有可超越的单位"


def test_a_unit_ranks_within_its_class_and_a_veto_is_lifted_only_by_its_own_indicator():
    answer = what_if(*_load(*WUJIN), "青石街道")
    assert answer.title == "镇（街道）·一类镇（街道）" and answer.size == 3
    assert answer.total == 0 and "一票否决" in answer.note
    by_name = {o.name: o for o in answer.options}
    integrity = by_name["科研诚信失信事件"]
    assert (integrity.actual, integrity.figure, integrity.new_rank) == (1, 0, 1)
    assert by_name["高新技术产业产值"].reason == "单位被一票否决，总分记为 0，单独改变此项不能解除"


def test_lower_is_better_figures_go_down_and_stop_at_zero():
    answer = what_if(*_load(*WUJIN), "白沙乡")
    by_name = {o.name: o for o in answer.options}
    assert by_name["被上级通报批评"].better == "lower"  # items in a subtracted category
    assert by_name["被上级通报批评"].reason == "实绩数已为 0，不能再低"
    assert by_name["按时报送材料"].better == "lower"  # deduct: fewer is better
    assert by_name["万元产值综合能耗"].reason == "此项已得 15 分，再降低实绩数得分也不增加"


def test_a_category_cap_keeps_extra_items_from_helping():
    answer = what_if(*_load(*WUJIN), "西湖镇")
    carriers = next(o for o in answer.options if o.name == "新建市级以上创新载体")
    assert not carriers.reachable
    assert "仍不能超过上一名（东城镇 100）" in carriers.reason


def test_no_task_and_pending_figures_cannot_change_and_say_why():
    scheme = one_indicator_scheme("ratio", "10", "")
    rows = {"甲": ("10", "12"), "乙": ("10", "9"), "丙": ("/", "3"), "丁": ("10", "8", "迟报材料")}
    answer = what_if(scheme, _dataset(scheme, rows), "丙")
    assert answer.rank == 1  # no task: full points
    answer = what_if(scheme, _dataset(scheme, rows), "丁")
    (option,) = answer.options
    assert option.status == "late" and option.reason.startswith("迟报")
    assert option.advice.startswith("无法单独达到：")


def test_a_declared_pending_or_unreported_figure_cannot_change_and_says_why():
    scheme = one_indicator_scheme("ratio", "10", "")
    dataset = _dataset(scheme, {"甲": ("10", "12"), "乙": ("10", "9"), "丙": ("10", None)})
    group = scheme.groups[0]
    dataset.put(group, "丁", "x", Cell(Decimal(10), DECLARED_PENDING))
    unreported = what_if(scheme, dataset, "丙")
    (option,) = unreported.options
    assert (unreported.rank, option.status) == (4, "missing")
    assert option.reason == "未报送实绩数，得 0 分，报送实绩数后才能测算"
    assert what_if(scheme, dataset, "丁").rank == 1  # 数据未出: full points
    scheme, dataset = _load(*WUJIN)
    data = dataset.groups[0]
    cells = data.cells["patents"]
    pos = data.positions["白沙乡"]
    cells[pos] = Cell(cells[pos].target, DECLARED_PENDING)
    answer = what_if(scheme, dataset, "白沙乡")
    patents = next(o for o in answer.options if o.key == "patents")
    assert (answer.rank, patents.status) == (2, "pending")  # full points: tied with 北岭镇
    assert patents.reason == "数据未出，暂按完成任务计满分，实绩数出来后才能测算"


def test_an_unknown_unit_is_refused_with_the_close_names():
    with pytest.raises(InputError) as exc:
        what_if(*_load(*SEED), "陈贵村")
    assert "数据中没有单位“陈贵村”" in str(exc.value) and "陈贵镇" in str(exc.value)


def test_an_alias_finds_the_unit():
    scheme, dataset = _load(*SEED)
    alias = next(u for u in scheme.groups[0].units if u.aliases)
    assert what_if(scheme, dataset, alias.aliases[0]).unit == alias.name


def _dataset(scheme, rows):
    dataset = Dataset(scheme, units_from_data=True)
    group = scheme.groups[0]
    for unit, (target, actual, *note) in rows.items():
        for ind in group.indicators:
            cell = Cell(value(target), value(actual), note[0] if note else "")
            dataset.put(group, unit, ind.key, cell)
    return dataset


METHODS = [
    one_indicator_scheme(),  # rank on actual and rate
    one_indicator_scheme("ratio", "10", "over = { per = 0.1, points = 1, cap = 3 }"),
    one_indicator_scheme("ratio", "10", 'direction = "lower"'),
    one_indicator_scheme("efficacy", "10", ""),
    one_indicator_scheme("average", "10", 'on = "actual", base = 6, step = 1, points = 0.5'),
    one_indicator_scheme(
        "bands", "10", "interpolate = true, bands = [{at = 50, points = 10}, {at = 10, points = 4}]"
    ),
]
amounts = st.integers(min_value=0, max_value=120).map(Decimal)
targets = st.integers(min_value=1, max_value=100).map(Decimal)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(range(len(METHODS))),
    st.lists(st.tuples(targets, amounts), min_size=2, max_size=8),
    st.data(),
)
def test_any_answer_holds_when_rescored_for_every_method(method, figures, data):
    scheme = METHODS[method]
    rows = {f"单位{i}": (str(t), str(a)) for i, (t, a) in enumerate(figures)}
    dataset = _dataset(scheme, rows)
    unit = data.draw(st.sampled_from(list(rows)))
    answer = what_if(scheme, dataset, unit)
    check_answers(scheme, dataset, answer)
    for option in answer.reachable:  # and every figure better still (monotone)
        further = option.figure + data.draw(st.integers(0, 50)) * (1 if option.change > 0 else -1)
        if further >= 0:
            assert rank_with(scheme, dataset, unit, option.key, further)[0] < answer.rank
