"""dbt-side checks of the scoring area on the tiny warehouse: unit tests, rule validation messages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_scoring_dbt_unit_tests_pass(run_dbt):
    selection = " ".join(
        f"path:dbt_project/models/{folder},test_type:unit"
        for folder in ("intermediate/scoring", "marts/scoring", "marts/lifecycle")
    )
    result = run_dbt("test", "--select", selection)
    # dbt's run_results.json: every unit test of the three folders ran and passed
    assert result.status_counts("unit_test") == {"pass": 12}
    assert set(result.status_counts()) <= {"pass", "success"}


def test_bad_fit_rules_are_reported_with_a_clear_message(run_dbt, scored_tiny):
    bad = scored_tiny["root"] / "bad_fit_rules.csv"
    bad.write_text(
        "model_id,persona_id,rule_id,attribute,operator,value,points,description\n"
        "default,p,ok,industry,equals,software,10,fine\n"
        "default,p,typo,industy,equals,software,10,unknown attribute\n"
        "default,p,op,industry,contains,soft,10,bad operator\n"
        "default,p,pts,industry,equals,software,ten,non-numeric points\n"
        "default,p,rng,employee_count,range,10-50,5,bad range\n"
    )
    inline = (
        "{{ scoring_fit_rule_problems(\"read_csv('"
        + str(bad)
        + "', all_varchar=true, header=true)\") }}"
        " order by rule_id"
    )
    out = run_dbt("show", "--inline", inline, "--output", "json", "--limit", "20").stdout
    assert '"rule_id": "ok"' not in out
    assert (
        '"problem": "bad operator \\"contains\\" (allowed: equals, in, range, pattern, is_free_email, is_missing)"'
        in out
    )
    assert '"problem": "points \\"ten\\" is not a number"' in out
    assert '"problem": "range value \\"10-50\\" is not lo..hi"' in out
    assert 'unknown attribute \\"industy\\" (allowed: industry, company_size_bucket' in out
