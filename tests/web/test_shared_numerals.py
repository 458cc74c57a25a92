"""The bulletin, its quarter names and the web's key-task text spell numbers with one function."""

from kaohe.chinese import cn_number


def test_the_bulletin_and_the_web_number_with_the_same_function():
    from kaohe.report import facts, narrative
    from kaohe.web.services import tasks

    assert narrative.cn_number is cn_number
    assert tasks.cn_number is cn_number
    assert facts.quarter_words(5) == "二季度"
