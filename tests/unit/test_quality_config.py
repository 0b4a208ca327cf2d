"""thresholds.yml: one validated file; severities, the stage graph and the checks it yields."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from orchestration.quality.suites import DEFAULT_SEVERITY, all_checks, allowed_edges
from orchestration.quality.thresholds import DEFAULT_PATH, load_thresholds


def test_thresholds_file_loads_with_issue_defaults():
    t = load_thresholds()
    assert t.raw.max_quarantined_share == 0.02
    assert t.marts.score_min == 0 and t.marts.score_max == 100
    assert t.tables.marts.activation.asset == "mart_lead_activation"
    assert t.severity["raw_freshness"] == "WARN"


def test_a_typo_in_the_file_fails_loudly(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["raw"]["max_quarantine_share"] = 0.05  # misspelt key
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError, match="max_quarantine_share"):
        load_thresholds(path)


def test_severity_override_from_the_file(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["severity"]["marts_score_drift"] = "WARN"
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(data))
    checks = {(c.asset_key, c.name): c.severity for c in all_checks(load_thresholds(path))}
    assert checks[(("mart_lead_scores",), "marts_score_drift")] == "WARN"
    assert checks[(("mart_lead_scores",), "marts_scores_valid")] == "ERROR"


def test_stage_graph():
    edges = set(allowed_edges(load_thresholds()))
    assert ("lead", "mql") in edges and ("lead", "sql") in edges  # forward, skips allowed
    assert ("opportunity", "customer") in edges
    assert ("sql", "recycled") in edges and ("lead", "disqualified") in edges
    assert ("sql", "lead") not in edges  # a regression needs a recycle record
    assert ("customer", "disqualified") not in edges


def test_every_layer_is_guarded_and_error_checks_block():
    from orchestration.quality.checks import build_asset_checks

    specs = all_checks(load_thresholds())
    assert {s.layer for s in specs} == {"raw", "staging", "marts"}
    assert {s.name for s in specs} == set(DEFAULT_SEVERITY)
    checks = build_asset_checks()
    blocking = {
        (tuple(spec.asset_key.path), spec.name): spec.blocking
        for c in checks
        for spec in c.check_specs
    }
    assert blocking[(("mart_lead_activation",), "marts_activation_valid")] is True
    assert blocking[(("mart_lead_activation",), "marts_stage_shares")] is False
    assert blocking[(("raw", "web_events"), "raw_load_health")] is True
    assert blocking[(("raw", "web_events"), "raw_load_volume")] is False  # a quiet day warns
    assert (("raw", "lead_lists"), "raw_load_volume") not in blocking  # irregular imports
    assert blocking[(("stg_email__events",), "staging_unmapped")] is False
    assert len(blocking) == 31
