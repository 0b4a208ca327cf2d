"""A BI stand-in: a separate process that queries the published analytics database in a loop,
bounded in time, and writes one JSON line per answer.

    python reader.py duckdb <path>  <stop-file> <max-seconds> <out.jsonl>
    python reader.py postgres <port> <stop-file> <max-seconds> <out.jsonl>   (schema "published")

Each answer comes from one connection (DuckDB: one version of the file) or one statement
(PostgreSQL: one snapshot), and checks that it is consistent: every relation has the row count
its version recorded, and the funnel's entries match the lead table of the same version."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# one statement, so PostgreSQL answers it from a single snapshot
QUERY = """
select v.source_run_id,
       v.total_rows,
       (select count(*) from {s}mart_lead_lifecycle) as leads,
       (select count(*) from {s}mart_lead_lifecycle where first_seen_at is not null) as seen,
       (select coalesce(sum(leads_entered), 0) from {s}mart_funnel_daily
         where funnel_stage = 'lead') as funnel_entered,
       (select count(*) from {s}_publication_tables) as relations
from {s}_publication as v
"""
#: between two answers, as a dashboard would pause (and so as not to starve the run of CPU)
PAUSE_SECONDS = 0.05
COUNTS = "select relation, row_count from {s}_publication_tables order by relation"


def answer_duckdb(path: str) -> dict:
    import duckdb

    with duckdb.connect(path, read_only=True) as con:
        run_id, total, leads, seen, entered, relations = con.execute(QUERY.format(s="")).fetchone()
        recorded = con.execute(COUNTS.format(s="")).fetchall()
        actual = {
            name: con.execute(f'select count(*) from "{name}"').fetchone()[0]
            for name, _ in recorded
        }
    return _judge(run_id, total, leads, seen, entered, relations, recorded, actual)


def answer_postgres(con) -> dict:
    with con.cursor() as cur:
        # counts of every relation in the same statement as the recorded ones: one snapshot
        cur.execute(COUNTS.format(s="published."))
        names = [name for name, _ in cur.fetchall()]
        union = " union all ".join(
            f"select '{n}' as relation, (select count(*) from published.\"{n}\") as n"
            for n in names
        )
        cur.execute(
            f"with q as ({QUERY.format(s='published.')}), "
            f"c as ({union}), r as ({COUNTS.format(s='published.')}) "
            "select (select row_to_json(q) from q), "
            "(select json_agg(c) from c), (select json_agg(r) from r)"
        )
        q, c, r = cur.fetchone()
    recorded = [(row["relation"], row["row_count"]) for row in r]
    actual = {row["relation"]: row["n"] for row in c}
    return _judge(
        q["source_run_id"],
        q["total_rows"],
        q["leads"],
        q["seen"],
        q["funnel_entered"],
        q["relations"],
        recorded,
        actual,
    )


def _judge(run_id, total, leads, seen, entered, relations, recorded, actual) -> dict:
    problems = []
    for name, count in recorded:
        if actual.get(name) != count:
            problems.append(f"{name}: {actual.get(name)} rows, version says {count}")
    if sum(actual.values()) != total:
        problems.append(f"total {sum(actual.values())} != {total}")
    if entered != seen:
        problems.append(f"funnel entries {entered} != leads seen {seen}")
    if relations != len(recorded):
        problems.append("relations")
    return {"run": run_id, "leads": leads, "total": total, "problems": problems}


def main(argv: list[str]) -> int:
    engine, where, stop_file, max_seconds, out = argv
    deadline = time.monotonic() + float(max_seconds)
    pg = None
    if engine == "postgres":
        import psycopg2

        pg = psycopg2.connect(
            host="127.0.0.1", port=int(where), user="postgres", dbname="leadhouse"
        )
        pg.autocommit = True
    with open(out, "a", encoding="utf-8") as fh:
        while time.monotonic() < deadline and not Path(stop_file).exists():
            started = time.time()
            try:
                line = answer_postgres(pg) if pg else answer_duckdb(where)
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                line = {"error": f"{type(exc).__name__}: {exc}"}
            line["t"] = started
            fh.write(json.dumps(line) + "\n")
            fh.flush()
            time.sleep(PAUSE_SECONDS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
