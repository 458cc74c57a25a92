"""The TOML round trip: a scheme exported and imported again is the same scheme, and the
built-in and demo schemes load through the path the web editor's import uses."""

from __future__ import annotations

import pytest

from kaohe.scheme import load_scheme, parse_scheme
from kaohe.web.models import Scheme
from kaohe.web.services import scheme_editor
from kaohe.web.services import schemes as scheme_service
from kaohe.web.services.demo import demo_scheme_path


@pytest.mark.parametrize("name", ["daye-2023", "example-wujin", "example-efficacy", "demo"])
def test_exporting_and_importing_a_scheme_gives_the_same_scheme(db, name):
    path = demo_scheme_path() if name == "demo" else name
    scheme = scheme_service.load_scheme_file(path)
    text = scheme_service.export_toml(scheme)
    renamed = text.replace(f"{scheme.key}）", "copy-of-it）", 1)
    renamed = renamed.replace(f'key = "{scheme.key}"', 'key = "copy-of-it"', 1)
    again = scheme_editor.import_toml(renamed, user=None)
    assert scheme_service.export_toml(again) == renamed
    first, second = scheme_service.engine_scheme(scheme), scheme_service.engine_scheme(again)
    for mine, theirs in zip(first.groups, second.groups, strict=True):  # equal, as Decimals
        assert (mine.units, mine.indicators, mine.classes) == (
            theirs.units,
            theirs.indicators,
            theirs.classes,
        )
    assert (first.categories, first.grading, first.annual, first.bulletin) == (
        second.categories,
        second.grading,
        second.annual,
        second.bulletin,
    )


@pytest.mark.parametrize("name", ["daye-2023", "example-wujin", "example-efficacy"])
def test_the_exported_builtin_scheme_is_the_builtin_scheme(db, name):
    scheme = scheme_service.load_scheme_file(name)
    exported = parse_scheme(scheme_service.export_toml(scheme), "导出")
    builtin = load_scheme(name)
    for mine, theirs in zip(exported.groups, builtin.groups, strict=True):
        assert mine.units == theirs.units
        assert mine.indicators == theirs.indicators
        assert mine.classes == theirs.classes
    assert exported.bulletin == builtin.bulletin
    assert (exported.categories, exported.grading, exported.annual, exported.allow_over) == (
        builtin.categories,
        builtin.grading,
        builtin.annual,
        builtin.allow_over,
    )
    assert (exported.total_scale, exported.late_notes, exported.pending_note) == (
        builtin.total_scale,
        builtin.late_notes,
        builtin.pending_note,
    )


def test_a_scheme_a_period_uses_is_not_overwritten_by_loading_another_file(demo, tmp_path):
    from kaohe.errors import SchemeError

    assert scheme_service.load_scheme_file(demo_scheme_path()) == demo["scheme"]  # the same text
    changed = tmp_path / "demo.toml"
    text = open(demo_scheme_path(), encoding="utf-8").read()
    changed.write_text(text.replace("decimals = 4", "decimals = 3", 1), encoding="utf-8")
    with pytest.raises(SchemeError, match="已有考核期使用，不能覆盖"):
        scheme_service.load_scheme_file(str(changed))
    assert Scheme.objects.get(key=demo["scheme"].key).periods.count() == 2
