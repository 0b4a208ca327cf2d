"""Pure tests of the dbt argument builder and the translator's layer groups."""

import json

from orchestration.transform.dbt_args import build_args
from orchestration.transform.translator import layer_group


def test_build_args_default_excludes_unit_tests():
    assert build_args() == ["build", "--exclude-resource-type", "unit_test"]


def test_build_args_full_refresh_and_vars():
    args = build_args(full_refresh=True, dbt_vars={"as_of": "2026-10-01T00:00:00"})
    assert args[:4] == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]
    assert args[4] == "--vars"
    assert json.loads(args[5]) == {"as_of": "2026-10-01T00:00:00"}


def test_layer_groups_follow_folders_and_resource_types():
    model = {"resource_type": "model", "fqn": ["leadhouse", "staging", "segment", "stg_x"]}
    mart = {"resource_type": "model", "fqn": ["leadhouse", "marts", "core", "dim_leads"]}
    seed = {"resource_type": "seed", "fqn": ["leadhouse", "form_catalog"]}
    snap = {"resource_type": "snapshot", "fqn": ["leadhouse", "snap", "snap_x"]}
    odd = {"resource_type": "model", "fqn": ["leadhouse", "x"]}
    assert [layer_group(n) for n in (model, mart, seed, snap, odd)] == [
        "staging",
        "marts",
        "config_seeds",
        "snapshots",
        "dbt_other",
    ]
