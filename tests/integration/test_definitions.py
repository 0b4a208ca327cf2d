"""The one Definitions object loads (as `make ui` / workspace.yaml load it) and wires the
graph from landing files to CRM syncs: keys, dependencies, jobs, schedules, sensors, checks."""

import subprocess
import sys

import dagster as dg

from orchestration.definitions import defs


def _graph():
    return defs.resolve_asset_graph()


def test_every_layer_is_an_asset():
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    expected = {
        *(
            f"raw/{s}"
            for s in ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")
        ),
        "stg_segment__web_events",
        "stg_email__events",
        "stg_forms__submissions",
        "dim_leads",
        "fct_interactions",
        "fct_web_sessions",
        "fct_opportunities",
        "mart_lead_scores",
        "mart_lead_score_explanations",
        "mart_lead_activation",
        "mart_lead_lifecycle",
        "fct_lead_handoffs",
        "fct_lead_stage_transitions",
        "mart_funnel_daily",
        "snap_lead_state",
        "crm_sync__file_leads",
        "crm_sync__hubspot_contacts",
        "crm_sync__salesforce_leads",
    }
    assert expected <= keys, sorted(expected - keys)


def test_dbt_sources_depend_on_the_ingestion_assets():
    graph = _graph()
    parents = graph.get(dg.AssetKey("stg_segment__web_events")).parent_keys
    assert dg.AssetKey(["raw", "web_events"]) in parents
    assert (
        dg.AssetKey("mart_lead_activation")
        in graph.get(dg.AssetKey("crm_sync__file_leads")).parent_keys
    )


def test_groups_follow_the_layers():
    graph = _graph()
    assert graph.get(dg.AssetKey(["raw", "web_events"])).group_name == "ingestion"
    assert graph.get(dg.AssetKey("stg_email__events")).group_name == "staging"
    assert graph.get(dg.AssetKey("dim_leads")).group_name == "marts"
    assert graph.get(dg.AssetKey("crm_sync__file_leads")).group_name == "activation"


def test_checks_guard_every_layer_and_block():
    specs = [spec for a in _graph().assets_defs for spec in a.check_specs]
    checks = {(c.asset_key.to_user_string(), c.name): c for c in specs}
    on = {asset for asset, _ in checks}
    assert {"raw/web_events", "stg_segment__web_events", "mart_lead_activation", "dim_leads"} <= on
    # the ingestion reconciliation and the mart score check are blocking
    assert checks[("raw/web_events", "reconciles_with_manifest")].blocking
    assert any(c.blocking for (asset, _), c in checks.items() if asset == "mart_lead_activation")


def test_jobs_schedules_sensors():
    assert {j.name for j in defs.resolve_all_job_defs()} >= {
        "leadhouse_main",
        "hourly_incremental",
        "ingest_job",
    }
    schedules = {s.name: s.cron_schedule for s in defs.schedules}
    assert schedules == {
        "hourly_incremental_schedule": "0 * * * *",
        "nightly_full_build": "0 3 * * *",
    }
    sensors = {s.name for s in defs.sensors}
    assert {"landing_sensor", "lead_handoff_sensor"} <= sensors


def test_the_code_location_loads_as_dagster_loads_it():
    """`make ui` / workspace.yaml: Dagster's own loader accepts exactly one Definitions object."""
    from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module

    import orchestration.definitions as module

    targets = loadable_targets_from_loaded_module(module)
    assert [t.attribute for t in targets] == ["defs"]


def test_blocking_checks_gate_the_dbt_build_and_the_crm_sync():
    """In the main job the dbt step waits on the raw ERROR checks, and each CRM sync on the
    mart's checks: a failing blocking check leaves them unexecuted."""
    job = defs.resolve_job_def("leadhouse_main")
    deps = job.graph.dependency_structure

    def upstream_nodes(prefix: str) -> set[str]:
        return {
            out.node_name
            for node in job.graph.nodes
            if node.name.startswith(prefix)
            for out in deps.all_upstream_outputs_from_node(node.name)
        }

    dbt_up = upstream_nodes("leadhouse_dbt")
    assert {"raw__web_events_reconciles_with_manifest", "raw__web_events_raw_load_health"} <= dbt_up
    sync_up = upstream_nodes("crm_sync__file_leads")
    assert any(name.startswith("mart_lead_activation_") for name in sync_up), sync_up


def test_full_refresh_reaches_every_dbt_build_step():
    """`leadhouse run --full-refresh`: each dbt build step (one per layer) gets the config."""
    from dagster._config import validate_config

    from orchestration.run_command import full_refresh_config

    job = defs.resolve_job_def("leadhouse_main")
    config = full_refresh_config(job)
    assert set(config["ops"]) == {
        "leadhouse_dbt_staging",
        "leadhouse_dbt",
        "leadhouse_dbt_snapshots",
    }
    assert validate_config(job.run_config_schema.config_type, config).success


def test_the_hourly_job_tests_the_newest_load_and_the_main_job_whole_tables():
    """docs/warehouse.md, "Incremental models and the hourly path"."""

    def scopes(name: str) -> dict[str, str]:
        ops = dg.validate_run_config(defs.resolve_job_def(name), None)["ops"]
        return {op: c["config"]["test_scope"] for op, c in ops.items() if "test_scope" in str(c)}

    assert scopes("hourly_incremental") == {
        "leadhouse_dbt_staging": "newest_load",
        "leadhouse_dbt": "newest_load",
    }
    assert set(scopes("leadhouse_main").values()) == {"full"}


def test_loading_the_code_location_leaves_the_environment_alone():
    """The DbtProject comes from a cached factory; nothing edits os.environ on import (dbt gets
    the settings from leadhouse-dbt, its own process)."""
    code = (
        "import os; before = dict(os.environ)\n"
        "from orchestration.definitions import defs\n"
        "from orchestration.project import dbt_resource, leadhouse_project\n"
        "assert leadhouse_project() is leadhouse_project()\n"
        "print(dict(os.environ) == before, dbt_resource().dbt_executable.endswith('leadhouse-dbt'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.stdout.split() == ["True", "True"], done.stderr[-2000:]
