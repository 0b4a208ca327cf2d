"""The publish asset in the one Definitions object: downstream of every blocking check and of
every published mart, part of the main job; and the published list covers the BI exposure."""

from pathlib import Path

import dagster as dg
import yaml

from orchestration.definitions import defs
from orchestration.publish.defs import PUBLISH_KEY
from orchestration.publish.spec import default_spec

REPO = Path(__file__).resolve().parents[3]


def _blocking_check_assets() -> set[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return {
        key.asset_key
        for key in graph.asset_check_keys
        if graph.get_check_spec(key).blocking and key.asset_key != PUBLISH_KEY
    }


def test_publish_depends_on_every_blocking_check_and_every_published_mart():
    parents = defs.resolve_asset_graph().get(PUBLISH_KEY).parent_keys
    blocking = _blocking_check_assets()
    # the checks of every layer are among them
    names = {k.to_user_string() for k in blocking}
    assert {"raw/web_events", "stg_segment__web_events", "mart_lead_scores"} <= names
    assert blocking <= parents
    assert {dg.AssetKey(name) for name in default_spec().names} <= parents


def test_the_main_job_publishes_and_nothing_depends_on_the_publish():
    for name in ("leadhouse_main", "hourly_incremental"):
        job = defs.resolve_job_def(name)
        assert "published_analytics" in {node.name for node in job.graph.nodes}, name
    assert defs.resolve_asset_graph().get(PUBLISH_KEY).child_keys == set()


def test_published_list_covers_the_dashboard_exposure():
    exposures = yaml.safe_load((REPO / "dbt_project/models/marts/exposures.yml").read_text())
    [dashboard] = [e for e in exposures["exposures"] if e["name"] == "lead_scoring_dashboard"]
    refs = {d.split("'")[1] for d in dashboard["depends_on"]}
    assert refs <= set(default_spec().names)
    assert {rel.schema_name for rel in default_spec().tables} == {"analytics", "marts"}
    # the mart that carries emails for the CRM syncs never reaches BI
    assert "mart_lead_activation" not in default_spec().names
