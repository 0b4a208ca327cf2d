"""Compile the project's own scoring macros to SQL with ``dbt compile --inline``.

``leadhouse score`` and the warehouse calibration run the SQL of the dbt macros
(``score_fit``, ``fit_rule_hits``) instead of re-implementing it in Python: a throw-away project
with a copy of ``dbt_project/macros`` compiles them (see :func:`macro_only_project`). Relation
arguments are passed as plain names (``'leads_input'``) and the compiled SQL is run
in the caller's own DuckDB connection, where those names are tables or views.

dbt writes only to a private temporary folder (target, logs and an empty scratch
DuckDB file for its connection); the project's ``target/`` and the warehouse are never
touched. Results are cached per process.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from orchestration.config import DBT_PROJECT_DIR
from orchestration.transform.dbt_runner import run_dbt

MACROS_DIR = DBT_PROJECT_DIR / "dbt_project" / "macros"


def macro_only_project(root: Path) -> Path:
    """A throw-away dbt project holding a copy of the project's macros and nothing else.

    Compiling a macro there is faster (no models to parse) and does not depend on every
    model of the project parsing at that moment; the macro text is the project's own.
    """
    shutil.copytree(MACROS_DIR, root / "macros")
    (root / "dbt_project.yml").write_text(
        "name: leadhouse\nversion: '0.1.0'\nconfig-version: 2\nprofile: leadhouse\n"
        "macro-paths: ['macros']\nmodel-paths: ['models']\nseed-paths: ['seeds']\n"
        "flags:\n  send_anonymous_usage_stats: false\n",
        encoding="utf-8",
    )
    return root


@lru_cache(maxsize=32)
def compile_inline(jinja_sql: str) -> str:
    """Compiled SQL of an inline Jinja/SQL snippet using the project's macros."""
    with tempfile.TemporaryDirectory(prefix="leadhouse-compile-") as tmp:
        work = Path(tmp)
        project = macro_only_project(work / "project")
        proc = run_dbt(
            ["compile", "--inline", jinja_sql, "--quiet", "--output", "json"],
            work,
            work / "compile.duckdb",
            project_dir=project,
        )
    text = proc.stdout.strip()
    start = text.find("{")
    try:
        return json.loads(text[start:])["compiled"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"unexpected dbt compile output: {text[:500]}") from exc


def fit_sql(leads: str, rules: str, attributes: list[str] | None = None) -> dict[str, object]:
    """SQL of score_fit and fit_rule_hits on the given relation names, and the attribute list.

    ``attributes`` (column names of `leads`) replaces the macro's default list, the dim_leads
    attributes. One dbt invocation compiles all three, separated by marker comments.
    """
    marker = "-- @@leadhouse-split@@"
    attrs = json.dumps(list(attributes)) if attributes else "none"
    snippet = (
        "{{ scoring_fit_attributes() | join(',') }}\n" + marker + "\n"
        "{{ scoring_qualification_attributes() | join(',') }}\n" + marker + "\n"
        f"{{{{ score_fit('{leads}', '{rules}', {attrs}) }}}}\n" + marker + "\n"
        f"{{{{ fit_rule_hits('{leads}', '{rules}', {attrs}) }}}}\n"
    )
    default_attributes, qualification, score, hits = compile_inline(snippet).split(marker)
    defaults = [a.strip() for a in default_attributes.strip().split(",") if a.strip()]
    return {
        "attributes": list(attributes) if attributes else defaults,
        "default_attributes": defaults,
        "qualification_attributes": [a.strip() for a in qualification.split(",") if a.strip()],
        "score_fit": score.strip(),
        "fit_rule_hits": hits.strip(),
    }


def taxonomy_sql(
    profiles: str, titles: str, patterns: str, countries: str, free_domains: str
) -> dict:
    """SQL of the lead-taxonomy macros (classify_job_titles, lead_taxonomy) and of the macros the
    lead-list staging model uses on raw fields (normalize_email, employee_count_from_text), and the
    lead key (lead_id: sha256 of the normalised e-mail), on the given relation / column names.
    See dbt_project/macros/lead_taxonomy.sql.
    """
    marker = "-- @@leadhouse-split@@"
    snippet = marker.join(
        [
            f"{{{{ classify_job_titles('{titles}', '{patterns}') }}}}",
            f"{{{{ lead_taxonomy('{profiles}', '{titles}_classified', '{countries}', "
            f"'{free_domains}') }}}}",
            "{{ enrichment_level('enrichment_points') }}",
            "{{ normalize_email('email_text') }}",
            "{{ employee_count_from_text('company_size_text') }}",
            "{{ lead_id('email_text') }}",
        ]
    )
    parts = [p.strip() for p in compile_inline(snippet).split(marker)]
    keys = (
        "classify_job_titles",
        "lead_taxonomy",
        "enrichment_level",
        "normalize_email",
        "employee_count_from_text",
        "lead_id",
    )
    return dict(zip(keys, parts, strict=True))
