"""Point-in-time replay (leadhouse score-as-of) on the tiny sample (seed 42, ending 2026-10-31).

A replay as of AS_OF of the whole warehouse must equal a warehouse built only from the landing files
dated up to that day (both built, the scoring marts compared row for row); a title changed after
AS_OF is scored with the old title; a lead created after AS_OF is absent; production is untouched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest

from orchestration.config import REPO_ROOT
from orchestration.transform.replay import parse_as_of, score_as_of

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
DAY = "2026-10-10"
AS_OF = parse_as_of(DAY)  # 2026-10-10 23:59:59
SCHEMA = "replay_20261010"
CHANGE_DAY = "2026-10-15"  # a title change lands after AS_OF
NEW_TITLE = "Chief Revenue Officer"
#: The scoring marts (and the dimension they read) that must be equal row for row.
COMPARED = (
    "dim_leads",
    "mart_lead_scores",
    "mart_lead_score_explanations",
    "mart_lead_activation",
    "mart_lead_lifecycle",
    "mart_funnel_daily",
    "mart_account_scores",
)


def _ingest(landing: Path, warehouse: Path, env: dict[str, str]) -> None:
    env = {**env, "LEADHOUSE_LANDING": str(landing), "LEADHOUSE_WAREHOUSE": str(warehouse)}
    result = subprocess.run(
        [str(BIN / "leadhouse"), "ingest"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def _marts_fingerprint(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f"select count(*) || ':' || coalesce(md5(string_agg(x::varchar, '|' "
                f"order by x::varchar)), '') from marts.{t} as x"
            ).fetchone()[0]
            for t in tables
        }


@pytest.fixture(scope="module")
def replay(scored_tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("replay")
    env = scored_tiny["env"]
    # the whole warehouse (a copy of the production build), plus a title change after AS_OF
    full_landing, full = root / "landing_full", root / "full.duckdb"
    shutil.copytree(scored_tiny["landing"], full_landing)
    shutil.copy(scored_tiny["warehouse"], full)
    with duckdb.connect(str(full), read_only=True) as con:
        lead_id, email, old_title = con.execute(
            f"""select lead_id, c.email, job_title from marts.dim_leads
                join intermediate.int_identity__lead_contacts as c using (lead_id)
                where created_at < timestamp '{DAY}' - interval 10 day and job_title is not null
                  and seniority = 'individual' and not is_unsubscribed
                order by lead_id limit 1"""
        ).fetchone()
        created_later = [
            r[0]
            for r in con.execute(
                f"select lead_id from marts.dim_leads where created_at > timestamp '{AS_OF}'"
            ).fetchall()
        ]
    change = full_landing / "form_submissions" / f"dt={CHANGE_DAY}" / "post__contact-us-099.txt"
    body = {
        "email": email,
        "job_title": NEW_TITLE,
        "submission_id": "replay-test-title-change",
        "submitted_at": f"{CHANGE_DAY}T10:00:00Z",
        "consent": "on",
    }
    change.write_text(urlencode(body) + "\n", encoding="utf-8")
    _ingest(full_landing, full, env)
    production_before = _marts_fingerprint(full)

    # a warehouse that only ever saw the files dated up to AS_OF
    cut_landing, cut = root / "landing_cut", root / "cut.duckdb"
    for path in sorted(scored_tiny["landing"].glob("*/dt=*/*")):
        if path.parent.name.removeprefix("dt=") <= DAY:
            target = cut_landing / path.relative_to(scored_tiny["landing"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    _ingest(cut_landing, cut, env)

    score_as_of(AS_OF, warehouse=full)
    score_as_of(AS_OF, warehouse=cut)
    return {
        "full": full,
        "cut": cut,
        "lead_id": lead_id,
        "old_title": old_title,
        "created_later": created_later,
        "production_before": production_before,
    }


def test_replay_equals_a_warehouse_built_from_the_files_up_to_that_day(replay):
    with duckdb.connect() as con:
        con.execute(f"attach '{replay['full']}' as full_wh (read_only)")
        con.execute(f"attach '{replay['cut']}' as cut_wh (read_only)")
        for table in COMPARED:
            n = con.execute(f"select count(*) from full_wh.{SCHEMA}.{table}").fetchone()[0]
            assert n > 0, table
            assert con.execute(f"select count(*) from cut_wh.{SCHEMA}.{table}").fetchone()[0] == n
            for a, b in (("full_wh", "cut_wh"), ("cut_wh", "full_wh")):
                only = con.execute(
                    f"""select count(*) from (select * from {a}.{SCHEMA}.{table}
                        except all select * from {b}.{SCHEMA}.{table})"""
                ).fetchone()[0]
                assert only == 0, f"{table}: {only} rows only in {a}"


def test_a_title_changed_after_as_of_is_scored_with_the_old_title(replay):
    with duckdb.connect(str(replay["full"]), read_only=True) as con:
        replayed = con.execute(
            f"select job_title from {SCHEMA}.dim_leads where lead_id = ?", [replay["lead_id"]]
        ).fetchone()[0]
        fit_details = [
            d
            for (d,) in con.execute(
                f"""select detail from {SCHEMA}.int_scoring_fit__rule_hits
                    where lead_id = ? and attribute = 'job_title'""",
                [replay["lead_id"]],
            ).fetchall()
        ]
    assert replayed == replay["old_title"] != NEW_TITLE
    assert all(NEW_TITLE not in d for d in fit_details)


def test_the_title_change_is_seen_by_a_replay_after_it(replay, tmp_path):
    """The filter, not missing data: as of the day after the change, the new title counts."""
    later = tmp_path / "later.duckdb"
    shutil.copy(replay["full"], later)
    result = score_as_of(parse_as_of("2026-10-16"), warehouse=later)
    with duckdb.connect(str(later), read_only=True) as con:
        title, seniority, authority = con.execute(
            f"""select job_title, seniority, stated_authority from {result.schema}.dim_leads
                where lead_id = ?""",
            [replay["lead_id"]],
        ).fetchone()
    assert (result.schema, title, seniority) == ("replay_20261016", NEW_TITLE, "c_level")
    assert authority == "decision_maker"


def test_a_lead_created_after_as_of_is_absent(replay):
    assert len(replay["created_later"]) > 20
    with duckdb.connect(str(replay["full"]), read_only=True) as con:
        con.execute("create temp table later(lead_id varchar)")
        con.executemany("insert into later values (?)", [[x] for x in replay["created_later"]])
        for table in ("dim_leads", "mart_lead_scores", "mart_lead_activation"):
            present = con.execute(
                f"select count(*) from {SCHEMA}.{table} inner join later using (lead_id)"
            ).fetchone()[0]
            assert present == 0, table
        newest = con.execute(f"select max(created_at) from {SCHEMA}.dim_leads").fetchone()[0]
    assert newest <= AS_OF


def test_a_replay_leaves_production_untouched(replay):
    assert _marts_fingerprint(replay["full"]) == replay["production_before"]
    with duckdb.connect(str(replay["full"]), read_only=True) as con:
        as_of_scored = con.execute(
            f"select distinct scored_at from {SCHEMA}.mart_lead_scores"
        ).fetchall()
    assert as_of_scored == [(AS_OF,)]
