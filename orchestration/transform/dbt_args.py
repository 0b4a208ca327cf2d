"""Pure builders of the dbt command lines the assets run (unit-tested without dbt)."""

import json
from collections.abc import Mapping

#: dbt selector of the last layer: the snapshots and the models built from them. The nightly
#: full build runs them; the hourly path (``hourly_incremental``) leaves them out.
SNAPSHOTS_SELECT = "resource_type:snapshot+"
#: the environment variable dbt's tests read their scope from (dbt_project/macros/test_scope.sql)
TEST_SCOPE_ENV = "LEADHOUSE_DBT_TEST_SCOPE"
#: the hourly path's test scope: the big incremental tables' tests read their newest load only
HOURLY_TEST_SCOPE = "newest_load"


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
