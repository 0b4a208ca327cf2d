"""Right to erasure, end to end: the ``tiny`` sample through the real Dagster job, a real
HubSpot sync against a local server, then ``leadhouse forget`` one person. Afterwards no
column of any table, no file of the landing or output folder, no byte of Dagster's storage
and none of the DuckDB file names their email, its hash (the lead id) or their cookie ids;
the manifest still reconciles; the HubSpot contact is GDPR-deleted by the next sync; and a
re-landed old file (or a resent form post) does not bring them back."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from orchestration.ingestion.reconcile import reconcile
from orchestration.privacy.matching import Subject
from orchestration.privacy.warehouse_purge import count_matches
from tests.integration.activation.conftest import FakeHubSpot, spec_from

pytestmark = pytest.mark.slow
SOURCES = ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")


class GdprHubSpot(FakeHubSpot):
    """The fake HubSpot plus the GDPR delete endpoint."""

    def __init__(self, server):
        super().__init__(server)
        self.purged: list[str] = []
        server.expect_request(
            "/crm/v3/objects/contacts/gdpr-delete", method="POST"
        ).respond_with_handler(self.gdpr_delete)

    def gdpr_delete(self, request):
        from werkzeug.wrappers import Response

        if (denied := self._guard(request)) is not None:
            return denied
        object_id = request.get_json()["objectId"]
        for email, contact in list(self.contacts.items()):
            if contact["id"] == object_id:
                del self.contacts[email]
        self.purged.append(object_id)
        return Response(status=204)


@pytest.fixture(scope="module")
def env(tmp_path_factory, make_httpserver):
    base = tmp_path_factory.mktemp("forget")
    paths = {
        "LEADHOUSE_LANDING": base / "landing",
        "LEADHOUSE_WAREHOUSE": base / "wh" / "leadhouse.duckdb",
        "LEADHOUSE_OUTPUT": base / "out",
        "DAGSTER_HOME": base / "dagster_home",
    }
    paths["DAGSTER_HOME"].mkdir(parents=True)
    mp = pytest.MonkeyPatch()
    for k, v in paths.items():
        mp.setenv(k, str(v))
    mp.setenv("LEADHOUSE_ERASURE_SALT", "test-salt-0123456789")
    for var in ("HUBSPOT_ACCESS_TOKEN", "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_INSTANCE_URL"):
        mp.delenv(var, raising=False)  # the job's CRM syncs dry-run; HubSpot is synced below
    from orchestration.run_command import execute
    from orchestration.sample_data.engine import generate

    generate("tiny", 11, paths["LEADHOUSE_LANDING"])
    result = execute("leadhouse_main")
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    fake = GdprHubSpot(make_httpserver)
    mp.setenv("HUBSPOT_ACCESS_TOKEN", FakeHubSpot.TOKEN)
    yield {**paths, "base": base, "fake": fake}
    make_httpserver.clear()
    mp.undo()


def hubspot_sync(env):
    from orchestration.activation.resources import (
        HubSpotResource,
        SalesforceResource,
        make_destination,
    )
    from orchestration.activation.runner import run_sync

    spec = spec_from("hubspot_contacts")
    res = HubSpotResource(base_url=env["fake"].base_url)
    return run_sync(
        spec,
        warehouse=env["LEADHOUSE_WAREHOUSE"],
        destination_factory=lambda run_id: make_destination(
            spec,
            run_id,
            output_dir=env["LEADHOUSE_OUTPUT"],
            hubspot=res,
            salesforce=SalesforceResource(),
        ),  # fmt: skip
    )


def files_naming(roots: list[Path], needles: list[str]) -> dict[str, list[str]]:
    """{needle: [files whose bytes contain it, case-insensitively]}."""
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes().lower()
                for needle in needles:
                    if needle.lower().encode() in data:
                        found.setdefault(needle, []).append(str(path))
    return found


@pytest.fixture(scope="module")
def forgotten(env):
    wh = env["LEADHOUSE_WAREHOUSE"]
    hubspot_sync(env)  # the CRM now holds every consenting lead, with HubSpot ids
    dagster_bytes = b"".join(
        p.read_bytes().lower() for p in env["DAGSTER_HOME"].rglob("*") if p.is_file()
    )
    with duckdb.connect(str(wh), read_only=True) as con:
        candidates = con.execute(
            """
            select a.email, list(t.anonymous_id order by t.anonymous_id)
            from marts.mart_lead_activation a
            join intermediate.int_identity__anonymous_to_lead t using (lead_id)
            join retl.sync_state s on s.primary_key = a.lead_id and s.sync_id = 'hubspot_contacts'
            where not t.is_shared_device and s.dest_record_id is not null
            group by a.email, a.lead_id order by a.lead_id
            """
        ).fetchall()
    # prefer someone Dagster's event log mentions (the sync's sample payloads)
    email, cookies = next(
        ((e, c) for e, c in candidates if e.encode() in dagster_bytes), candidates[0]
    )
    lead_id = hashlib.sha256(email.encode()).hexdigest()
    needles = [email, quote(email, safe=""), lead_id, *cookies]
    before = files_naming([env["LEADHOUSE_LANDING"], env["LEADHOUSE_OUTPUT"]], needles)
    # keep an old landing file naming them, to re-land it later
    old = sorted(p for p in before.get(cookies[0], []) if "/web_events/" in p)[0]
    saved = env["base"] / "saved" / Path(old).name
    saved.parent.mkdir()
    shutil.copy(old, saved)
    contact_id = env["fake"].contacts[email]["id"]

    from orchestration.cli import main

    assert main(["forget", email.upper()]) == 0
    return {
        "email": email,
        "lead_id": lead_id,
        "cookies": cookies,
        "needles": needles,
        "before": before,
        "in_dagster": email.encode() in dagster_bytes,
        "saved": saved,
        "old_rel": Path(old).relative_to(env["LEADHOUSE_LANDING"]),
        "contact_id": contact_id,
    }


def records_naming(path: Path, subject: Subject) -> int:
    """Records of a JSONL landing file naming the subject (batch envelopes: per member)."""
    n = 0
    for line in path.read_text().splitlines():
        obj = json.loads(line) if line.strip() else {}
        members = obj.get("batch") if isinstance(obj.get("batch"), list) else [obj]
        n += sum(subject.matches(json.dumps(m)) for m in members if m)
    return n


def subject_of(f) -> Subject:
    return Subject(emails={f["email"]}, lead_ids={f["lead_id"]}, anonymous_ids=set(f["cookies"]))


def test_forget_leaves_no_trace_in_tables_files_or_dagster(env, forgotten):
    assert forgotten["cookies"], "the chosen lead has cookie ids"
    assert forgotten["email"] in forgotten["before"] and forgotten["lead_id"] in forgotten["before"]
    assert all(c in forgotten["before"] for c in forgotten["cookies"])  # their events landed
    with duckdb.connect(str(env["LEADHOUSE_WAREHOUSE"]), read_only=True) as con:
        assert count_matches(con, subject_of(forgotten)) == {}
        for source in SOURCES:  # files and rows still accounted for
            rec = reconcile(con, source)
            assert rec.passed, rec.problems
        statuses = con.execute("select distinct status from raw.load_manifest").fetchall()
        assert statuses == [("loaded",)]
        queued = con.execute(
            "select sync_id, dest_record_id, status from retl.erasure_requests"
        ).fetchall()
    assert queued == [("hubspot_contacts", forgotten["contact_id"], "queued")]
    roots = [env["LEADHOUSE_LANDING"], env["LEADHOUSE_OUTPUT"], env["DAGSTER_HOME"]]
    assert files_naming(roots, forgotten["needles"]) == {}
    wh_bytes = env["LEADHOUSE_WAREHOUSE"].read_bytes().lower()  # compacted: no old blocks
    assert not any(n.lower().encode() in wh_bytes for n in forgotten["needles"])


def test_next_sync_gdpr_deletes_the_contact_and_audits_it(env, forgotten):
    fake = env["fake"]
    assert forgotten["email"] in forgotten["before"]
    report = hubspot_sync(env)
    assert report.status == "succeeded"
    assert fake.purged == [forgotten["contact_id"]]
    assert forgotten["email"] not in fake.contacts
    with duckdb.connect(str(env["LEADHOUSE_WAREHOUSE"]), read_only=True) as con:
        assert con.execute("select status from retl.erasure_requests").fetchall() == [("sent",)]
        log = con.execute(
            "select status, payload from retl.sync_record_log where operation = 'erase'"
        ).fetchall()
    assert log == [("success", None)]
    assert hubspot_sync(env).counts["api_calls"] == 0  # nothing left, nothing resent


def test_relanded_file_and_resent_form_post_stay_forgotten(env, forgotten):
    from orchestration.ingestion.ingest import ingest_all

    landing = env["LEADHOUSE_LANDING"]
    source = forgotten["old_rel"].parts[0]
    relanded = landing / source / "dt=2099-01-01" / forgotten["saved"].name
    relanded.parent.mkdir(parents=True)
    shutil.copy(forgotten["saved"], relanded)
    post = landing / "form_submissions" / "dt=2099-01-01" / "post__contact-us-001.txt"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(
        f"form_id=contact-us&submission_id=resent-1&email={quote(forgotten['email'].upper())}"
        "&submitted_at=2099-01-01T10:00:00Z&first_name=X\n"
        "form_id=contact-us&submission_id=resent-2&email=someone.else%40example.org"
        "&submitted_at=2099-01-01T10:01:00Z\n"
    )
    subject = subject_of(forgotten)
    expected = records_naming(forgotten["saved"], subject)
    assert expected >= 1
    reports = ingest_all([source, "form_submissions"])
    with duckdb.connect(str(env["LEADHOUSE_WAREHOUSE"]), read_only=True) as con:
        assert count_matches(con, subject) == {}
        erased = dict(
            con.execute(
                "select _file, count(*) from raw.quarantine where reason = 'erased' "
                "and payload is null group by 1"
            ).fetchall()
        )
        for src in {source, "form_submissions"}:
            rec = reconcile(con, src)
            assert rec.passed, rec.problems
        others = con.execute(
            "select count(*) from raw.form_submissions where submission_id = 'resent-2'"
        ).fetchone()[0]
    rel = relanded.relative_to(landing).as_posix()
    assert erased[rel] == expected
    assert erased[post.relative_to(landing).as_posix()] == 1
    assert others == 1  # the other person in the same post file is loaded
    by_file = {f.path: f for r in reports.values() for f in r.files}
    assert by_file[rel].quarantine_by_reason.get("erased") == expected


PERSONAL_NAME = re.compile(
    r"email|name|phone|(^|_)ip(_|$)|anonymous_id|user_id|user_agent|crm_id|contact_id"
)


def test_every_personal_looking_column_is_declared_pii(env):
    """Every column of the built warehouse named like personal data (email, name, phone, ip,
    cookie/user ids) is declared in the dbt project with ``meta.pii`` true or false, and the
    direct identifiers are true."""
    from orchestration.project import leadhouse_project

    manifest = json.loads(Path(leadhouse_project().manifest_path).read_text())
    declared: dict[tuple[str, str], dict[str, dict]] = {}
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["resource_type"] in ("model", "snapshot", "source", "seed"):
            relation = (node["schema"], node.get("identifier") or node.get("alias") or node["name"])
            declared[relation] = {c: col.get("meta") or {} for c, col in node["columns"].items()}
    with duckdb.connect(str(env["LEADHOUSE_WAREHOUSE"]), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'snapshots') "
            "order by all"
        ).fetchall()
    checked, missing = 0, []
    for schema, table, column in columns:
        if not PERSONAL_NAME.search(column):
            continue
        if (schema, table) not in declared:
            if schema != "raw":  # every dbt relation is in the manifest
                missing.append(f"{schema}.{table} (not in the dbt project)")
            continue
        checked += 1
        meta = declared[(schema, table)].get(column, {})
        if not isinstance(meta.get("pii"), bool):
            missing.append(f"{schema}.{table}.{column}")
    assert missing == []
    assert checked > 40
    for schema, table, column in columns:
        if column in ("email", "first_name", "last_name", "phone") and (schema, table) in declared:
            assert declared[(schema, table)][column]["pii"] is True, (schema, table, column)
