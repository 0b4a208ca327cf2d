"""Who to forget: from emails to every identifier stitched to them (only to them)."""

from __future__ import annotations

import hashlib

import duckdb

from orchestration.privacy.matching import Subject, normalise_email


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def resolve(con: duckdb.DuckDBPyConnection, emails: list[str]) -> Subject:
    """The subject of ``emails``: lead ids, and the cookie / user ids linked to no one else.

    Cookie ids come from the identity edges (an anonymous id whose every edge points at
    these leads) and from the stitched anonymous ids that are not shared devices; user ids
    from the web events of those cookies. A cookie shared with other people is kept (their
    data), but every record naming the email itself still goes.
    """
    subject = Subject(emails={normalise_email(e) for e in emails if e.strip()})
    subject.lead_ids = {hashlib.sha256(e.encode()).hexdigest() for e in subject.emails}
    ids = sorted(subject.lead_ids)
    anon: set[str] = set()
    if _exists(con, "intermediate", "int_identity__edges"):
        anon |= {
            r[0]
            for r in con.execute(
                "select anonymous_id from intermediate.int_identity__edges "
                "where anonymous_id is not null group by anonymous_id "
                "having bool_and(list_contains($ids, lead_id))",
                {"ids": ids},
            ).fetchall()
        }
    if _exists(con, "intermediate", "int_identity__anonymous_to_lead"):
        anon |= {
            r[0]
            for r in con.execute(
                "select anonymous_id from intermediate.int_identity__anonymous_to_lead "
                "where list_contains($ids, lead_id) and not coalesce(is_shared_device, false)",
                {"ids": ids},
            ).fetchall()
        }
    subject.anonymous_ids = {a for a in anon if a}
    if subject.anonymous_ids and _exists(con, "raw", "web_events"):
        subject.user_ids = {
            r[0]
            for r in con.execute(
                "select distinct user_id from raw.web_events where user_id is not null "
                "and list_contains($anon, anonymous_id)",
                {"anon": sorted(subject.anonymous_ids)},
            ).fetchall()
            if r[0] and "@" not in r[0]
        }
    return subject
