"""Pure builders of the dbt command lines the assets run (unit-tested without dbt)."""

import json
from collections.abc import Mapping

#: dbt selector of the last layer: the snapshots and the models built from them. The nightly
#: full build runs them; the hourly path (``hourly_incremental``) leaves them out.
SNAPSHOTS_SELECT = "resource_type:snapshot+"


def build_args(
    *, full_refresh: bool = False, dbt_vars: Mapping[str, object] | None = None
) -> list[str]:
    """``dbt build`` for production: unit tests run in CI, not in production builds."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), sort_keys=True)]
    return args
