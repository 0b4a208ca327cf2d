"""The one Dagster ``Definitions`` object of Leadhouse.

Each area (ingestion, transform, quality, activation) builds its own ``defs`` in
``orchestration/<area>/defs.py``; this module only merges them and sets what is global.
Only ``defs`` may be a Definitions object at module scope (Dagster's loader refuses more).
"""

import dagster as dg

from orchestration.activation import defs as activation
from orchestration.ingestion import defs as ingestion
from orchestration.publish import defs as publish
from orchestration.quality import defs as quality
from orchestration.quality.gates import gate_on_upstream_checks
from orchestration.transform import defs as transform

# The CRM syncs wait on every blocking check upstream of what they send (quality/gates.py).
defs = gate_on_upstream_checks(
    dg.Definitions.merge(
        ingestion.defs,
        transform.defs,
        quality.defs,
        activation.defs,
        publish.defs,  # after every blocking check of the areas above
        # DuckDB allows one writer process: every run executes its steps in one process.
        dg.Definitions(executor=dg.in_process_executor),
    )
)
