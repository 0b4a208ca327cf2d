"""Settings in one place: only orchestration/config.py reads the environment, every variable the
package names is in docs/settings.md, and the settings reach dbt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration import config

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "orchestration"
READS = re.compile(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(|environ\.get\(")
NAMES = re.compile(r"\"((?:LEADHOUSE|HUBSPOT|SALESFORCE|DAGSTER)_[A-Z0-9_]+)\"")


def test_only_config_reads_the_environment():
    readers = [
        f"{path.relative_to(REPO)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "config.py" or path.parent != PACKAGE
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if READS.search(line)
    ]
    assert readers == []


def test_every_variable_the_package_names_is_documented():
    named = {m for path in PACKAGE.rglob("*.py") for m in NAMES.findall(path.read_text())}
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (REPO / "docs" / "settings.md").read_text())
    )
    assert len(named) > 30
    assert sorted(named - documented) == []


def test_dbt_gets_the_postgres_settings_profiles_yml_reads(monkeypatch):
    for name in ("LEADHOUSE_PG_HOST", "LEADHOUSE_PG_PORT", "LEADHOUSE_PG_USER",
                 "LEADHOUSE_PG_PASSWORD", "LEADHOUSE_PG_DATABASE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    env = config.settings().dbt_env()
    assert {k: v for k, v in env.items() if k.startswith("LEADHOUSE_PG_")} == {
        "LEADHOUSE_PG_HOST": "127.0.0.1",
        "LEADHOUSE_PG_PORT": "5432",
        "LEADHOUSE_PG_USER": "postgres",
        "LEADHOUSE_PG_PASSWORD": "",
        "LEADHOUSE_PG_DATABASE": "leadhouse",
    }
    profiles = (REPO / "dbt_project" / "profiles.yml").read_text()
    for name, default in env.items():
        if name.startswith("LEADHOUSE_PG_"):
            assert f"env_var('{name}', '{default}')" in profiles
    monkeypatch.setenv("LEADHOUSE_PG_PORT", "6543")
    monkeypatch.setenv("LEADHOUSE_PG_PASSWORD", "s3cret-value")
    env = config.settings().dbt_env()
    assert env["LEADHOUSE_PG_PORT"] == "6543" and env["LEADHOUSE_PG_PASSWORD"] == "s3cret-value"
    assert "s3cret-value" not in repr(config.settings())  # secrets never sit in Settings
    assert config.postgres_params()["port"] == 6543


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("LEADHOUSE_RUN_WAIT_SECONDS", "1.5", "run_wait_seconds", 1.5),
        ("LEADHOUSE_RUN_WAIT_SECONDS", "", "run_wait_seconds", 300.0),
        ("HUBSPOT_BASE_URL", "http://127.0.0.1:9", "hubspot_base_url", "http://127.0.0.1:9"),
        ("HUBSPOT_BASE_URL", "", "hubspot_base_url", "https://api.hubapi.com"),
        ("LEADHOUSE_PUBLISH_PG_SCHEMA", "bi", "publish_pg_schema", "bi"),
        ("LEADHOUSE_PUBLISH_PG_ROLE", "", "publish_pg_role", None),
        ("LEADHOUSE_SNS_TOPIC_ARNS", "a, b,", "collect_sns_topic_arns", ("a", "b")),
        ("LEADHOUSE_COLLECT_CORS_ORIGINS", "", "collect_cors_origins", ()),
        ("LEADHOUSE_SNS_AUTO_CONFIRM", "0", "collect_sns_auto_confirm", False),
        ("DAGSTER_HOME", "/srv/dh", "dagster_home", Path("/srv/dh")),
    ],
)
def test_a_variable_sets_its_field_and_empty_means_default(
    monkeypatch, name, value, field, expected
):
    monkeypatch.setenv(name, value)
    assert getattr(config.settings(), field) == expected
