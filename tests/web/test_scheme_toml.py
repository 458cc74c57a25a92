"""The TOML round trip: a scheme exported and imported again is the same scheme, and the
built-in and demo schemes load through the path the web editor's import uses."""

from __future__ import annotations

import pytest

from kaohe.scheme import load_scheme, parse_scheme
from kaohe.web.models import Scheme
from kaohe.web.services import scheme_editor
from kaohe.web.services import schemes as scheme_service
from kaohe.web.services.demo import demo_scheme_path


@pytest.mark.parametrize("name", ["daye-2023", "demo"])
def test_exporting_and_importing_a_scheme_gives_the_same_scheme(db, name):
    path = "daye-2023" if name == "daye-2023" else demo_scheme_path()
    scheme = scheme_service.load_scheme_file(path)
    text = scheme_service.export_toml(scheme)
    renamed = text.replace(f"{scheme.key}）", "copy-of-it）", 1)
    renamed = renamed.replace(f'key = "{scheme.key}"', 'key = "copy-of-it"', 1)
    again = scheme_editor.import_toml(renamed, user=None)
    assert scheme_service.export_toml(again) == renamed
    assert scheme_service.scheme_data(again) == {
        **scheme_service.scheme_data(scheme),
        "key": "copy-of-it",
    }


def test_the_exported_builtin_scheme_scores_as_the_builtin_file(db):
    scheme = scheme_service.load_scheme_file("daye-2023")
    exported = parse_scheme(scheme_service.export_toml(scheme), "导出")
    builtin = load_scheme("daye-2023")
    for mine, theirs in zip(exported.groups, builtin.groups, strict=True):
        assert mine.units == theirs.units
        assert mine.indicators == theirs.indicators
    assert exported.bulletin == builtin.bulletin
    assert (exported.total_scale, exported.late_notes, exported.pending_note) == (
        builtin.total_scale,
        builtin.late_notes,
        builtin.pending_note,
    )


def test_a_scheme_a_period_uses_is_not_overwritten_by_loading_its_file(demo):
    from kaohe.errors import SchemeError

    with pytest.raises(SchemeError, match="已有考核期使用，不能覆盖"):
        scheme_service.load_scheme_file(demo_scheme_path())
    assert Scheme.objects.get(key=demo["scheme"].key).periods.count() == 2
