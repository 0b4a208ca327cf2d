"""The suites as Dagster asset checks: an ERROR failure blocks what is downstream of the
guarded asset (a stand-in CRM sync here) and says which check failed and why; a clean
warehouse lets everything through; the summary and the Data Docs report the run."""

from __future__ import annotations

import dagster as dg

from orchestration.quality.checks import build_asset_checks
from orchestration.quality.report import quality_summary
from orchestration.quality.thresholds import load_thresholds

GUARDED = [["mart_lead_scores"], ["mart_lead_activation"], ["fct_lead_stage_transitions"]]


def _stand_ins():
    """No-op stand-ins of the dbt marts (the tables already exist) and a CRM sync."""
    specs = [dg.AssetSpec(key) for key in GUARDED]

    @dg.multi_asset(specs=specs, name="marts_stand_in")
    def marts():
        for key in GUARDED:
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(key=["crm_sync__stand_in"], deps=[dg.AssetKey(["mart_lead_activation"])])
    def crm_sync():
        return None

    @dg.asset(key=["scores_consumer"], deps=[dg.AssetKey(["mart_lead_scores"])])
    def scores_consumer():
        return None

    return [marts, crm_sync, scores_consumer]


def _run(thresholds=None):
    keys = {tuple(k) for k in GUARDED}
    checks = [
        c
        for c in build_asset_checks(thresholds or load_thresholds())
        if {k.asset_key.path and tuple(k.asset_key.path) for k in c.check_keys} <= keys
    ]
    result = dg.materialize([*_stand_ins(), *checks], raise_on_error=False)
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    # a step blocked by a failed blocking check is never started (Dagster logs "Dependencies
    # for step X failed: [<check step>]. Not executing.")
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    skipped = {"crm_sync__stand_in", "scores_consumer"} - started
    evaluations = {
        (tuple(ev.asset_key.path), ev.check_name): ev for ev in result.get_asset_check_evaluations()
    }
    return result, materialized, skipped, evaluations


def test_clean_warehouse_lets_the_sync_run(isolated_env):
    isolated_env()
    _result, materialized, skipped, evaluations = _run()
    assert ("crm_sync__stand_in",) in materialized
    assert skipped == set()
    assert len(evaluations) == 5 and all(ev.passed for ev in evaluations.values())
    summary = quality_summary(None)
    assert "  marts    5 passed, 0 failed (ERROR, blocking), 0 failed (WARN)" in summary
    assert (isolated_env.output_dir / "data_docs" / "index.html").exists()


def test_score_above_100_blocks_the_crm_sync_and_says_why(isolated_env):
    isolated_env("score_above_100")
    result, materialized, skipped, evaluations = _run()
    ev = evaluations[(("mart_lead_scores",), "marts_scores_valid")]
    assert ev.passed is False
    assert ev.severity == dg.AssetCheckSeverity.ERROR
    assert ev.description.startswith("lead_score within [0, 100]: 6 of 400 rows fail")
    assert "130.0" in ev.metadata["failing_rows_sample"].value
    assert (
        ev.metadata["failing_expectations"].value[0]["expectation"]
        == "expect_column_values_to_be_between"
    )
    # downstream of the scores: not materialized; the activation checks passed, so its sync ran
    assert ("scores_consumer",) not in materialized
    assert "scores_consumer" in skipped
    assert ("crm_sync__stand_in",) in materialized
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "mart_lead_scores_marts_scores_valid"
    error = failure.event_specific_data.error.message
    assert "1 blocking asset check failed with ERROR severity" in error
    assert "marts_scores_valid" in error
    summary = quality_summary(None)
    assert (
        "[ERROR] mart_lead_scores :: marts_scores_valid: lead_score within [0, 100]: 6 of 400 rows fail"
        in summary
    )
    index = (isolated_env.output_dir / "data_docs" / "index.html").read_text()
    assert "marts_scores_valid" in index and "Failed" in index


def test_customer_and_disqualified_blocks_the_sync(isolated_env):
    import duckdb

    path = isolated_env()
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update marts.mart_lead_activation set is_disqualified = true "
            "where lead_id in (select lead_id from marts.mart_lead_activation where lifecycle_stage = 'customer' limit 1)"
        )
    _result, materialized, skipped, evaluations = _run()
    ev = evaluations[(("mart_lead_activation",), "marts_activation_valid")]
    assert ev.passed is False
    assert ev.description == "no lead both customer and disqualified: 1 of 400 rows fail"
    assert ("crm_sync__stand_in",) not in materialized
    assert "crm_sync__stand_in" in skipped


def test_warn_check_informs_without_blocking(isolated_env):
    import duckdb

    path = isolated_env()
    with duckdb.connect(str(path)) as con:  # 80 % customers: a stage share out of bounds
        con.execute(
            "update marts.mart_lead_activation set lifecycle_stage = 'customer', is_disqualified = false "
            "where hash(lead_id) % 5 <> 0"
        )
    _result, materialized, _skipped, evaluations = _run()
    ev = evaluations[(("mart_lead_activation",), "marts_stage_shares")]
    assert ev.passed is False and ev.severity == dg.AssetCheckSeverity.WARN
    assert evaluations[(("mart_lead_activation",), "marts_activation_valid")].passed
    assert ("crm_sync__stand_in",) in materialized
