"""GX Data Docs (static HTML) of the latest check outcomes, in
``settings().output_dir / "data_docs"`` (open ``index.html``).

The checks run in separate Dagster steps, each with its own ephemeral GX context; each saves
its validation results (``results.py``). :func:`build_data_docs` loads them all into one
ephemeral context and renders the site. It is called after every run by the run-status
sensor (``dagster dev``) and by ``quality_summary`` (``make run``).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from orchestration.quality.results import load_outcomes

SITE_NAME = "leadhouse"


def data_docs_dir(output_dir: Path) -> Path:
    return Path(output_dir) / "data_docs"


def build_data_docs(output_dir: Path) -> Path | None:
    """Render the Data Docs site from the saved results; return index.html (None if none)."""
    from great_expectations.core import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    outcomes = load_outcomes(output_dir)
    if not outcomes:
        return None
    site = data_docs_dir(output_dir)
    shutil.rmtree(site, ignore_errors=True)  # only the latest outcome of each check
    from orchestration.quality.gx_duckdb import ephemeral_context  # GX: seconds to import

    context = ephemeral_context()
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    schema = ExpectationSuiteValidationResultSchema()
    for outcome in outcomes:
        for raw in outcome.get("validation_results", []):
            result = schema.load(raw)
            run = raw.get("meta", {}).get("run_id") or {}
            run_time = run.get("run_time")
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=RunIdentifier(
                    run_name=outcome.get("run_id") or run.get("run_name") or "leadhouse",
                    run_time=datetime.fromisoformat(run_time) if run_time else None,
                ),
                batch_identifier=result.meta.get("active_batch_definition", {}).get(
                    "batch_definition_name", "all"
                )
                if isinstance(result.meta.get("active_batch_definition"), dict)
                else "all",
            )
            context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    return site / "index.html"
