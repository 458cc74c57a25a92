"""Map the names found in files to the scheme's units and indicators."""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import InputError, Location
from ..numbers import ONE, UnitMismatch, conversion_factor, normalize_name, split_unit
from ..scheme import Group, Indicator, Scheme

TOTAL_NAMES = frozenset({"合计", "总计", "全市", "全市合计", "总合计", "小计"})

_TITLE_PREFIX = re.compile(r"^.*?\d{4}\s*年(?:度)?\s*")
_SUFFIXES = ("完成情况统计表", "完成情况表", "完成情况", "情况表", "完成数", "完成")


_TOTAL_CACHE: dict[str, bool] = {}


def is_total(name) -> bool:
    if not isinstance(name, str):
        return False
    found = _TOTAL_CACHE.get(name)
    if found is None:
        if len(_TOTAL_CACHE) > 100_000:
            _TOTAL_CACHE.clear()
        found = _TOTAL_CACHE[name] = normalize_name(name) in TOTAL_NAMES
    return found


class Resolver:
    def __init__(self, scheme: Scheme, units_from_data: bool):
        self.scheme = scheme
        self.units_from_data = units_from_data
        self._units: dict[str, tuple[Group | None, str] | None] = {}
        self._indicators: dict[str, list[tuple[Group, Indicator, str]]] = {}

    # units ------------------------------------------------------------------

    def unit(self, raw: str) -> tuple[Group | None, str] | None:
        """(group, canonical name) for a known unit; None when unknown."""
        found = self._units.get(raw, False)
        if found is not False:
            return found
        found = None
        for group in self.scheme.groups:
            unit = group.find_unit(raw)
            if unit is not None:
                found = (group, unit.name)
                break
        self._units[raw] = found
        return found

    def unit_for(self, raw, indicator_group: Group | None, where: Location) -> tuple[Group, str]:
        name = str(raw).strip()
        found = self.unit(name)
        if found is not None:
            group, canonical = found
            if indicator_group is not None and indicator_group is not group:
                raise InputError(
                    f"单位“{canonical}”属于“{group.name}”分组，但指标属于“{indicator_group.name}”分组",
                    where,
                )
            return group, canonical
        if self.units_from_data and indicator_group is not None:
            return indicator_group, normalize_name(name)
        hint = self._suggest_unit(name)
        extra = f"，是否为“{hint}”？" if hint else ""
        tip = "" if self.units_from_data else "（如需接受方案以外的单位，请加 --units-from-data）"
        raise InputError(f"未知单位“{name}”{extra}{tip}", where)

    def _suggest_unit(self, name: str) -> str | None:
        for group in self.scheme.groups:
            hint = group.suggest_unit(name)
            if hint:
                return hint
        return None

    # indicators ---------------------------------------------------------------

    def indicators(self, raw: str) -> list[tuple[Group, Indicator, str]]:
        """Every (group, indicator, unit of measure in the name) the text may mean."""
        found = self._indicators.get(raw)
        if found is None:
            # A name the scheme has exactly wins: 报送简报（示例） is that indicator, not
            # 报送简报 measured in 示例. Only then is a trailing bracket a unit of measure.
            found = [(g, ind, "") for g in self.scheme.groups if (ind := g.exact_indicator(raw))]
            if not found:
                base, measure = split_unit(raw)
                for candidate in _candidates(base):
                    for group in self.scheme.groups:
                        ind = group.find_indicator(candidate)
                        if ind is not None:
                            found.append((group, ind, measure))
                    if found:
                        break
            self._indicators[raw] = found
        return found

    def is_exact(self, text: str) -> bool:
        """Whether `text` is exactly an indicator's name (brackets and all) in some group."""
        return any(g.exact_indicator(text) for g in self.scheme.groups)

    def indicator_for(self, raw, unit_group: Group | None, where: Location):
        name = str(raw).strip()
        options = self.indicators(name)
        if unit_group is not None:
            options = [o for o in options if o[0] is unit_group]
        if not options:
            hint = None
            for group in self.scheme.groups:
                if unit_group is None or group is unit_group:
                    hint = hint or group.suggest_indicator(name)
            extra = f"，是否为“{hint}”？" if hint else ""
            raise InputError(f"未知指标“{name}”{extra}", where)
        return options[0]

    @staticmethod
    def factor(indicator: Indicator, measure: str, where: Location) -> Decimal:
        if not measure or measure == indicator.unit:
            return ONE
        try:
            return conversion_factor(measure, indicator.unit)
        except UnitMismatch:
            raise InputError(
                f"指标“{indicator.name}”的计量单位是“{indicator.unit}”，文件中为“{measure}”，无法换算",
                where,
            ) from None


def _candidates(text: str) -> list[str]:
    """The text, then forms with a title's year prefix and '完成情况表'-like suffixes removed."""
    out = [text]
    stripped = _TITLE_PREFIX.sub("", text) if re.search(r"\d{4}\s*年", text) else text
    for base in (text, stripped):
        for prefix in ("", "各乡镇", "各单位", "各部门"):
            b = base[len(prefix) :] if prefix and base.startswith(prefix) else base
            out.append(b)
            for suffix in _SUFFIXES:
                if b.endswith(suffix) and len(b) > len(suffix):
                    out.append(b[: -len(suffix)])
    seen, unique = set(), []
    for c in out:
        c = c.strip()
        if c and c not in seen:
            seen.add(c)
            unique.append(c)
    return unique
