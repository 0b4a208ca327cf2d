"""Fast checks of the warehouse-core dbt files: every model documented, seeds well-formed, the
unit-test fixture in sync with its seed, and the title patterns doing what the seed says."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "dbt_project" / "models"
CORE_FOLDERS = [
    MODELS / "staging",
    MODELS / "intermediate" / "identity",
    MODELS / "intermediate" / "sessions",
    MODELS / "intermediate" / "interactions",
    MODELS / "marts" / "core",
]
CORE_MODELS = sorted(p for folder in CORE_FOLDERS for p in folder.rglob("*.sql"))
#: every model of every folder (staging, intermediate, marts, analytics, ...)
ALL_MODELS = sorted(MODELS.rglob("*.sql"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_core_models_exist():
    names = {p.stem for p in CORE_MODELS}
    assert {
        "stg_segment__web_events",
        "stg_email__events",
        "stg_forms__submissions",
        "stg_lead_lists__members",
        "stg_crm__deals",
        "int_identity__edges",
        "int_identity__anonymous_to_lead",
        "int_sessions__page_views",
        "dim_leads",
        "fct_interactions",
        "fct_web_sessions",
        "dim_companies",
        "fct_opportunities",
    } <= names


def test_the_docs_test_covers_every_model_folder():
    folders = {p.parent.relative_to(MODELS).as_posix() for p in ALL_MODELS}
    assert {"intermediate/scoring", "marts/scoring", "marts/lifecycle", "analytics"} <= folders
    assert len(ALL_MODELS) > len(CORE_MODELS)


@pytest.mark.parametrize("sql", ALL_MODELS, ids=lambda p: p.stem)
def test_every_model_has_its_yml_with_documented_columns(sql: Path):
    props = yaml.safe_load(sql.with_suffix(".yml").read_text())
    (model,) = [m for m in props["models"] if m["name"] == sql.stem]
    assert model["description"].strip()
    assert model["columns"], "no columns documented"
    for column in model["columns"]:
        assert str(column.get("description", "")).strip(), (
            f"{sql.stem}.{column['name']} undocumented"
        )


def test_only_staging_calls_source():
    offenders = [
        p.stem for p in CORE_MODELS if "source(" in p.read_text() and "staging" not in p.parts
    ]
    assert offenders == []


def contract_columns(model: str) -> list[str]:
    """The column list docs/data-contracts.md §3 gives for a core mart."""
    text = (REPO / "docs" / "data-contracts.md").read_text()
    match = re.search(r"\*\*" + model + r"\*\*[^`]*`([^`]+)`", text)
    assert match, model
    return [c.split("(")[0].strip() for c in match.group(1).replace("\n", " ").split(",")]


@pytest.mark.parametrize(
    "model",
    ["dim_leads", "fct_interactions", "fct_web_sessions", "dim_companies", "fct_opportunities"],
)
def test_contract_columns_come_first_in_the_documented_order(model):
    props = yaml.safe_load((MODELS / "marts" / "core" / f"{model}.yml").read_text())
    documented = [c["name"] for c in props["models"][0]["columns"]]
    contract = contract_columns(model)
    assert len(contract) >= 7
    assert documented[: len(contract)] == contract
    sql = (MODELS / "marts" / "core" / f"{model}.sql").read_text()
    assert all(re.search(rf"\b{c}\b", sql) for c in contract)


def test_unit_test_fixture_matches_the_seed():
    seed = (REPO / "seeds" / "job_title_mapping.csv").read_text()
    fixture = (
        REPO / "dbt_project" / "data_tests" / "fixtures" / "job_title_mapping_fixture.csv"
    ).read_text()
    assert fixture == seed


def classify(title: str, dimension: str) -> str:
    """Python mirror of int_identity__job_titles: lowest-priority matching pattern wins."""
    rules = sorted(
        (
            r
            for r in read_csv(REPO / "seeds" / "job_title_mapping.csv")
            if r["dimension"] == dimension
        ),
        key=lambda r: int(r["priority"]),
    )
    padded = f" {title.lower()} "
    return next(
        (r["value"] for r in rules if re.search(r["pattern"], padded, re.IGNORECASE)), "unknown"
    )


@pytest.mark.parametrize(
    "title, seniority, function",
    [
        ("Chief Executive Officer", "c_level", "executive"),
        ("Co-Founder & CEO", "c_level", "executive"),
        ("SVP Sales", "vp", "sales"),
        ("Director of IT", "director", "it"),
        ("HR Manager", "manager", "hr"),
        ("Data Scientist", "individual", "engineering"),
        ("Student", "student", "other"),
        ("CFO", "c_level", "finance"),
    ],
)
def test_job_title_patterns(title, seniority, function):
    assert classify(title, "seniority") == seniority
    assert classify(title, "function") == function


def test_taxonomy_seeds_are_well_formed():
    countries = read_csv(REPO / "seeds" / "country_regions.csv")
    codes = [c["country_iso2"] for c in countries]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert {c["region"] for c in countries} == {"NA", "LATAM", "EMEA", "APAC"}
    domains = [d["domain"] for d in read_csv(REPO / "seeds" / "free_email_domains.csv")]
    assert len(domains) == len(set(domains)) and all(d == d.lower() and "." in d for d in domains)
    assert "gmail.com" in domains
