"""Text summary of the reverse-ETL: the last run of each sync and its counts."""

from __future__ import annotations


def sync_summary(con, run_id: str | None = None) -> str:  # noqa: ANN001
    """One line per sync: its last run's status and counts (``make run`` prints this); with
    ``run_id``, only the syncs of that Dagster run."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'retl' and table_name = 'sync_runs'"
    ).fetchone()[0]
    if not exists:
        return "Reverse-ETL: no sync has run yet."
    rows = con.execute(
        """
        select sync_id, status, dry_run, coalesce(source_rows, 0), coalesce(invalid_rows, 0),
               coalesce(planned_inserts, 0), coalesce(planned_updates, 0),
               coalesce(planned_deletes, 0), coalesce(unchanged_rows, 0),
               coalesce(sent_rows, 0), coalesce(succeeded_rows, 0), coalesce(rejected_rows, 0),
               coalesce(failed_rows, 0), coalesce(api_calls, 0), started_at, error_message
        from (
            select *, row_number() over (partition by sync_id order by started_at desc) as _rn
            from retl.sync_runs
            where cast(? as varchar) is null or dagster_run_id = ?
        ) as runs
        where _rn = 1
        order by sync_id
        """,
        [run_id, run_id],
    ).fetchall()
    if not rows:
        return (
            "Reverse-ETL: no sync ran in this run."
            if run_id
            else "Reverse-ETL: no sync has run yet."
        )
    lines = ["Reverse-ETL syncs (this run):" if run_id else "Reverse-ETL syncs (last run each):"]
    for (
        sync_id,
        status,
        dry,
        src,
        inv,
        ins,
        upd,
        dele,
        unch,
        sent,
        ok,
        rej,
        fail,
        calls,
        started,
        err,
    ) in rows:
        kind = "dry run" if dry else status
        lines.append(
            f"  {sync_id:<20} {kind:<9} source={src} invalid/suppressed={inv} "
            f"planned=+{ins}/~{upd}/-{dele} unchanged={unch} sent={sent} ok={ok} "
            f"rejected={rej} failed={fail} api_calls={calls} at {started:%Y-%m-%d %H:%M}"
        )
        if err:
            lines.append(f"  {'':<20} error: {err[:200]}")
    return "\n".join(lines)
