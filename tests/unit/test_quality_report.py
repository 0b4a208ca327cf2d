"""quality_summary's text: per layer, passed / failed by severity, and why each failed."""

from orchestration.quality.report import format_summary


def _o(layer, asset, name, passed, severity="ERROR", message="all expectations met"):
    return {
        "layer": layer,
        "asset_key": asset,
        "name": name,
        "passed": passed,
        "severity": severity,
        "message": message,
    }


def test_summary_per_layer():
    text = format_summary(
        [
            _o("raw", ["raw", "web_events"], "raw_load_health", True),
            _o(
                "raw",
                ["raw", "web_events"],
                "raw_freshness",
                False,
                "WARN",
                "latest load younger than 48 h",
            ),
            _o(
                "marts",
                ["mart_lead_scores"],
                "marts_scores_valid",
                False,
                "ERROR",
                "lead_score within [0, 100]: 6 of 400 rows fail",
            ),
            _o("staging", ["stg_email__events"], "staging_valid", True),
        ],
        docs_index="/out/data_docs/index.html",
    )
    assert text.splitlines() == [
        "Data quality (great-expectations suites as Dagster asset checks):",
        "  raw      1 passed, 0 failed (ERROR, blocking), 1 failed (WARN)",
        "    - [WARN] raw/web_events :: raw_freshness: latest load younger than 48 h",
        "  staging  1 passed, 0 failed (ERROR, blocking), 0 failed (WARN)",
        "  marts    0 passed, 1 failed (ERROR, blocking), 0 failed (WARN)",
        "    - [ERROR] mart_lead_scores :: marts_scores_valid: lead_score within [0, 100]: 6 of 400 rows fail",
        "  Data Docs: /out/data_docs/index.html",
    ]


def test_summary_without_results():
    assert format_summary([]).endswith("(no quality check ran)")
