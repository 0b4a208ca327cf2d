"""The realistic sample-data generator: ``generate(scale, seed, out)`` writes a landing folder.

See docs/sample-data.md. Modules: scales (sizes), vocab and catalog (static data and seeds),
population (people, propensity, outcomes), journeys (behaviour per day), render_* (formats),
dirty (deliberate errors), writer (partitioned files), engine (the loop), command (CLI).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["SCALES", "GenerationReport", "generate"]

if TYPE_CHECKING:  # pragma: no cover
    from orchestration.sample_data.engine import GenerationReport, generate
    from orchestration.sample_data.scales import SCALES


def __getattr__(name: str):
    if name in ("generate", "GenerationReport"):
        from orchestration.sample_data import engine

        return getattr(engine, name)
    if name == "SCALES":
        from orchestration.sample_data.scales import SCALES

        return SCALES
    raise AttributeError(name)
