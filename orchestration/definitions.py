"""The one Dagster ``Definitions`` object of Leadhouse.

Each area (ingestion, transform, quality, activation) builds its own ``defs`` in
``orchestration/<area>/defs.py``; this module only merges them and sets what is global.
"""

import dagster as dg

from orchestration.activation.defs import defs as activation_defs
from orchestration.ingestion.defs import defs as ingestion_defs
from orchestration.quality.defs import defs as quality_defs
from orchestration.transform.defs import defs as transform_defs

defs = dg.Definitions.merge(
    ingestion_defs,
    transform_defs,
    quality_defs,
    activation_defs,
    # DuckDB allows one writer process: every run executes its steps in one process.
    dg.Definitions(executor=dg.in_process_executor),
)
