"""如何前进一名 for a unit of a scored period: the engine's answer (kaohe.whatif) on the figures
of the period's current run, exactly as they were scored."""

from __future__ import annotations

from ...errors import KaoheError
from ...whatif import WhatIf, what_if
from ..models import ScoreRun, Unit
from .errors import ServiceError
from .periods import inputs_dataset


def unit_what_if(run: ScoreRun, unit: Unit) -> WhatIf:
    """What the unit would need to move up one rank, from the run's stored inputs."""
    scheme, dataset = inputs_dataset(run.inputs)
    try:
        return what_if(scheme, dataset, unit.name)
    except KaoheError as exc:
        raise ServiceError(f"无法测算：{exc}") from None
