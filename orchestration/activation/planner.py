"""The sync plan: validate, suppress, fingerprint and diff the source model, in DuckDB.

One SQL pass over the model computes, per row: the validation verdict, the suppression
reasons, the canonical payload (sorted keys; numbers as doubles rounded to 6 places;
timestamps as UTC ISO-8601 with milliseconds), its sha256 fingerprint, and the action
against ``retl.sync_state``: insert / update / delete (mirror) / unchanged / invalid /
suppressed. Only the rows that must be sent come back to Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from orchestration.activation.spec import SpecError, SyncSpec
from orchestration.resources import bulk_load, engine_of, memory_duckdb, unload

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
)


class PlanError(RuntimeError):
    """The plan cannot be built (missing model, missing column)."""


@dataclass(frozen=True)
class PlannedRecord:
    """One record to send: its key, operation, destination key and payload."""

    primary_key: str
    operation: str  # insert | update | delete
    match_value: str | None
    dest_record_id: str | None
    fingerprint: str | None
    payload: dict
    note: str | None = None  # e.g. "suppressed_fields:unsubscribed"


@dataclass
class Plan:
    """The counts of a plan and the records it sends."""

    counts: dict[str, int]
    records: list[PlannedRecord] = field(default_factory=list)
    invalid_samples: list[tuple[str | None, str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL literal for a scalar from a spec."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, spec: SyncSpec) -> dict[str, str]:
    schema, table = spec.model.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not rows:
        raise PlanError(f"model {spec.model} not found in the warehouse (build the marts first)")
    return {name: dtype.upper() for name, dtype in rows}


def _check_columns(spec: SyncSpec, columns: dict[str, str]) -> None:
    named = {
        "primary_key": [spec.primary_key],
        "match": [spec.match_column],
        "mappings": list(spec.mappings),
        "suppression.rules": [r.column for r in spec.suppression.rules],
        "validation": [*spec.validation.emails, *spec.validation.required, *spec.validation.enums],
    }
    for field_name, cols in named.items():
        for col in cols:
            if col not in columns:
                raise SpecError(
                    f"{spec.sync_id}: {field_name}: column {col!r} is not in {spec.model}"
                )


def value_expr(col: str, dtype: str, decimals: int | None = None) -> str:
    """The canonical JSON value of a column: normalised numbers (rounded to ``decimals`` when
    the spec sets it) and timestamps."""
    c = q(col)
    if dtype.startswith("DECIMAL") or dtype in NUMERIC:
        if decimals == 0:
            return f"cast(round(cast({c} as double), 0) as bigint)"
        return f"round(cast({c} as double), {6 if decimals is None else decimals})"
    if dtype == "TIMESTAMP WITH TIME ZONE":
        return f"strftime(timezone('UTC', {c}), '%Y-%m-%dT%H:%M:%S.%gZ')"
    if dtype.startswith("TIMESTAMP"):
        return f"strftime(cast({c} as timestamp), '%Y-%m-%dT%H:%M:%S.%gZ')"
    if dtype == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    if dtype in ("BOOLEAN", "VARCHAR", "JSON"):
        return c
    return f"cast({c} as varchar)"


def _json_object(pairs: list[tuple[str, str]]) -> str:
    pairs = sorted(pairs)
    if not pairs:
        return "json_object()"
    return "json_object(" + ", ".join(f"{lit(k)}, {v}" for k, v in pairs) + ")"


def _in_values(col: str, values: list) -> str:
    c = q(col)
    parts = []
    concrete = [v for v in values if v is not None]
    if concrete:
        parts.append(f"{c} in ({', '.join(lit(v) for v in concrete)})")
    if any(v is None for v in values):
        parts.append(f"{c} is null")
    return "(" + " or ".join(parts) + ")"


def build_plan_sql(spec: SyncSpec, columns: dict[str, str], retry_rejected: bool) -> str:
    """The SQL that creates the temp table ``_plan`` (one row per source key or deleted key)."""
    mapped = [
        (dest, value_expr(col, columns[col], spec.decimals.get(col)))
        for col, dest in spec.mappings.items()
    ]
    marketing = set(spec.suppression.marketing_fields)
    stripped = [(d, v) for d, v in mapped if d not in marketing]
    match_pair = (spec.match_key, f"cast({q(spec.match_column)} as varchar)")
    # fields that change on every build (e.g. the scoring timestamp) are sent with a changed
    # record but do not make a record "changed" on their own
    ignored = set(spec.fingerprint_ignore)
    fp_mapped = [(d, v) for d, v in mapped if d not in ignored]
    fp_stripped = [(d, v) for d, v in stripped if d not in ignored]

    invalid = [
        "when pk is null then 'null_primary_key'",
        "when pk_count > 1 then 'duplicate_primary_key'",
        "when match_value is null then 'null_match_key'",
    ]
    invalid += [
        f"when {q(c)} is null then 'missing_required:{c}'" for c in spec.validation.required
    ]
    invalid += [
        f"when {q(c)} is not null and not regexp_full_match(cast({q(c)} as varchar), "
        f"{lit(EMAIL_RE)}) then 'invalid_email:{c}'"
        for c in spec.validation.emails
    ]
    invalid += [
        f"when {q(c)} is not null and cast({q(c)} as varchar) not in "
        f"({', '.join(lit(o) for o in opts)}) then 'enum_out_of_range:{c}'"
        for c, opts in spec.validation.enums.items()
    ]

    def reasons(action: str) -> str:
        parts = [
            f"case when {_in_values(r.column, r.values)} then {lit(r.reason)} end"
            for r in spec.suppression.rules
            if r.action == action
        ]
        return f"nullif(concat_ws(',', {', '.join(parts)}), '')" if parts else "null::varchar"

    mode = spec.mode
    new_op = "'update'" if mode == "update_only" else "'insert'"
    changed_op = (
        "'unchanged'"
        if mode == "insert_only"
        else (
            "case when s.dest_record_id is null and s.last_status <> 'success' "
            f"then {new_op} else 'update' end"
        )
    )
    held_rejected = "false" if retry_rejected else "(s.last_status = 'rejected')"
    deletes = ""
    if mode == "mirror":
        cleared = (
            "{}"
            if spec.delete_behavior == "delete"
            else json.dumps(
                {dest: None for dest in sorted(spec.mappings.values())}, separators=(",", ":")
            )
        )
        deletes = f"""
        union all
        select s.primary_key, null, null, null, null, {lit(cleared)}, null, s.dest_record_id,
               'delete'
        from retl.sync_state s
        where s.sync_id = {lit(spec.sync_id)} and s.last_status = 'success'
          and s.primary_key not in (select pk from src where pk is not null)"""

    return f"""
    create or replace temp table _plan as
    with src as (
        select cast({q(spec.primary_key)} as varchar) as pk,
               cast({q(spec.match_column)} as varchar) as match_value, *
        from {q(spec.model.split(".")[0])}.{q(spec.model.split(".")[1])}
    ),
    counted as (select *, count(*) over (partition by pk) as pk_count from src),
    checked as (
        select pk, match_value,
               case {" ".join(invalid)} end as invalid_reason,
               {reasons("skip")} as skip_reasons,
               {reasons("strip")} as strip_reasons,
               {_json_object(mapped)}::varchar as full_payload,
               {_json_object(stripped)}::varchar as stripped_payload,
               {_json_object([*fp_mapped, match_pair])}::varchar as full_fp_json,
               {_json_object([*fp_stripped, match_pair])}::varchar as stripped_fp_json
        from counted
    ),
    shaped as (
        select pk, match_value, invalid_reason, skip_reasons, strip_reasons,
               case when strip_reasons is null then full_payload else stripped_payload end
                   as payload,
               sha256(case when strip_reasons is null then full_fp_json else stripped_fp_json end)
                   as fingerprint
        from checked
    ),
    diffed as (
        select c.*, s.dest_record_id,
            case
                when c.invalid_reason is not null then 'invalid'
                when c.skip_reasons is not null then
                    case when s.last_status = 'suppressed' and s.fingerprint = c.fingerprint
                         then 'unchanged' else 'suppressed' end
                when s.primary_key is null then {new_op}
                when s.last_status = 'suppressed' then
                    case when s.dest_record_id is null then {new_op} else 'update' end
                when s.fingerprint = c.fingerprint
                     and (s.last_status = 'success' or {held_rejected}) then 'unchanged'
                else {changed_op}
            end as action
        from shaped c
        left join retl.sync_state s on s.sync_id = {lit(spec.sync_id)} and s.primary_key = c.pk
    )
    select pk, match_value, invalid_reason, skip_reasons, strip_reasons, payload, fingerprint,
           dest_record_id, action
    from diffed
    {deletes}
    """


def build_plan(
    con: duckdb.DuckDBPyConnection, spec: SyncSpec, *, retry_rejected: bool = False
) -> Plan:
    """Create ``_plan`` on ``con`` and return its counts and the records to send."""
    if engine_of(con) != "duckdb":
        return _build_plan_in_duckdb(con, spec, retry_rejected=retry_rejected)
    columns = _columns(con, spec)
    _check_columns(spec, columns)
    con.execute(build_plan_sql(spec, columns, retry_rejected))
    by_action = dict(con.execute("select action, count(*) from _plan group by action").fetchall())
    counts = {
        "source_rows": sum(n for a, n in by_action.items() if a != "delete"),
        "invalid_rows": by_action.get("invalid", 0) + by_action.get("suppressed", 0),
        "suppressed_rows": by_action.get("suppressed", 0),
        "planned_inserts": by_action.get("insert", 0),
        "planned_updates": by_action.get("update", 0),
        "planned_deletes": by_action.get("delete", 0),
        "unchanged_rows": by_action.get("unchanged", 0),
    }
    rows = con.execute(
        "select pk, action, match_value, dest_record_id, fingerprint, payload, strip_reasons "
        "from _plan where action in ('insert', 'update', 'delete') order by pk"
    ).fetchall()
    records = [
        PlannedRecord(
            pk,
            action,
            match,
            dest_id,
            fp,
            json.loads(payload),
            f"suppressed_fields:{strip}" if strip else None,
        )
        for pk, action, match, dest_id, fp, payload, strip in rows
    ]
    samples = con.execute(
        "select pk, invalid_reason from _plan where action = 'invalid' order by pk limit 5"
    ).fetchall()
    return Plan(counts=counts, records=records, invalid_samples=samples, columns=columns)


def _build_plan_in_duckdb(con: object, spec: SyncSpec, *, retry_rejected: bool) -> Plan:
    """Another engine: the sync's model and state rows are copied (COPY) into an in-memory
    DuckDB, planned there by the same SQL (same fingerprints on every engine), and ``_plan``
    is copied back as a temp table of the warehouse for :func:`log_unsent`."""
    schema, table = spec.model.split(".")
    scratch = memory_duckdb()
    try:
        unload(con, f"select * from {q(schema)}.{q(table)}", scratch, f"{q(schema)}.{q(table)}")
        unload(
            con,
            f"select * from retl.sync_state where sync_id = {lit(spec.sync_id)}",
            scratch,
            "retl.sync_state",
        )
        plan = build_plan(scratch, spec, retry_rejected=retry_rejected)
        bulk_load(con, scratch.table("_plan"), "_plan", create_temp=True)
        return plan
    finally:
        scratch.close()


def log_unsent(
    con: duckdb.DuckDBPyConnection, spec: SyncSpec, sync_run_id: str, *, dry_run: bool
) -> None:
    """Log invalid and suppressed rows (and, in a dry run, every planned row) in SQL."""
    con.execute(
        """
        insert into retl.sync_record_log
        select ?, ?, pk, 'skip', fingerprint, payload::json, 'invalid', dest_record_id, null,
               case when action = 'invalid' then split_part(invalid_reason, ':', 1)
                    else 'suppressed' end,
               case when action = 'invalid' then invalid_reason else skip_reasons end,
               0, now()
        from _plan where action in ('invalid', 'suppressed')
        """,
        [sync_run_id, spec.sync_id],
    )
    if dry_run:
        con.execute(
            """
            insert into retl.sync_record_log
            select ?, ?, pk, action, fingerprint, payload::json, 'planned', dest_record_id, null,
                   case when strip_reasons is not null then 'suppressed_fields' end,
                   strip_reasons, 0, now()
            from _plan where action in ('insert', 'update', 'delete')
            """,
            [sync_run_id, spec.sync_id],
        )
    else:
        con.execute(
            """
            insert into retl.sync_state
            select ?, p.pk, p.fingerprint, s.dest_record_id, 'suppressed', now(), ?
            from _plan p
            left join retl.sync_state s on s.sync_id = ? and s.primary_key = p.pk
            where p.action = 'suppressed'
            on conflict (sync_id, primary_key) do update set
                fingerprint = excluded.fingerprint, dest_record_id = excluded.dest_record_id,
                last_status = excluded.last_status, last_synced_at = excluded.last_synced_at,
                last_sync_run_id = excluded.last_sync_run_id
            """,
            [spec.sync_id, sync_run_id, spec.sync_id],
        )
