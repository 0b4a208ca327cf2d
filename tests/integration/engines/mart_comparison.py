"""Row-for-row comparison of the marts two engines built from the same raw rows.

Every table of the ``marts`` schema and every view of ``analytics`` is read whole on each engine,
its values normalised to the same Python types, sorted, and compared row by row. The rounding
rules of docs/engines.md ("Differences and rounding rules") are the only tolerance:

* decimals (scores, points, completeness) are exact: they must be equal;
* doubles (rates, day counts) are compared rounded to ``DOUBLE_DIGITS`` significant digits;
* timestamps are naive UTC, compared to the microsecond.

Columns that record when the build ran, not what the data says, are left out (``RUN_COLUMNS``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal

#: significant digits two engines' doubles agree to (docs/engines.md)
DOUBLE_DIGITS = 12

#: (relation, column) that hold the wall-clock time of the build, not data: when a hand-off or a
#: snapshot version was recorded, and the snapshot's dbt_scd_id (a hash of key and snapshot time)
RUN_COLUMNS = {
    ("fct_lead_handoffs", "recorded_at"),
    ("fct_lead_stage_transitions", "recorded_at"),
    ("fct_lead_stage_transitions", "transition_id"),
    ("lead_handoffs", "recorded_at"),
}

#: the relations compared: schema -> names (every mart and every BI view)
RELATIONS = {
    "marts": [
        "dim_companies",
        "dim_leads",
        "fct_interactions",
        "fct_lead_handoffs",
        "fct_lead_stage_transitions",
        "fct_opportunities",
        "fct_web_sessions",
        "mart_account_scores",
        "mart_funnel_daily",
        "mart_lead_activation",
        "mart_lead_lifecycle",
        "mart_lead_score_explanations",
        "mart_lead_scores",
    ],
    "analytics": [
        "account_scores",
        "funnel_daily",
        "lead_handoffs",
        "lead_score_reasons",
        "lead_scores",
        "source_performance",
    ],
}

Fetch = Callable[[str], tuple[list[str], list[tuple]]]


def normalise(value: object) -> object:
    """One comparable form per value, whatever the driver returned."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, Decimal):
        # exact: 12.50 and 12.5 are the same decimal
        return ("decimal", value.normalize())
    if isinstance(value, float):
        if math.isnan(value):
            return ("double", "nan")
        return ("double", float(f"{value:.{DOUBLE_DIGITS}g}"))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple):
        return tuple(normalise(v) for v in value)
    return str(value)


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, repr(v)) for v in row)


def relation_rows(
    fetch: Fetch, schema: str, name: str, skip: set[tuple[str, str]] = RUN_COLUMNS
) -> tuple[list[str], list[tuple]]:
    """The relation's columns (``skip``: the run columns, left out) and its normalised rows,
    sorted."""
    columns, rows = fetch(f"select * from {schema}.{name}")
    keep = [i for i, c in enumerate(columns) if (name, c) not in skip]
    out = [tuple(normalise(row[i]) for i in keep) for row in rows]
    return [columns[i] for i in keep], sorted(out, key=_sort_key)


def compare(
    left: Fetch,
    right: Fetch,
    relations: dict[str, Iterable[str]] = RELATIONS,
    skip: set[tuple[str, str]] = RUN_COLUMNS,
) -> dict:
    """{relation: differences} for every relation whose columns or rows differ (empty: identical).

    A difference lists the column names when they differ, else the row counts and the first rows
    found on one engine only (at most five each side)."""
    differences = {}
    for schema, names in relations.items():
        for name in names:
            left_columns, left_rows = relation_rows(left, schema, name, skip)
            right_columns, right_rows = relation_rows(right, schema, name, skip)
            if left_columns != right_columns:
                differences[f"{schema}.{name}"] = {"columns": (left_columns, right_columns)}
                continue
            if left_rows != right_rows:
                left_set, right_set = set(left_rows), set(right_rows)
                differences[f"{schema}.{name}"] = {
                    "rows": (len(left_rows), len(right_rows)),
                    "left_only": sorted(left_set - right_set, key=_sort_key)[:5],
                    "right_only": sorted(right_set - left_set, key=_sort_key)[:5],
                    "columns": left_columns,
                }
    return differences


def duckdb_fetch(connection) -> Fetch:
    def fetch(sql: str) -> tuple[list[str], list[tuple]]:
        cursor = connection.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()

    return fetch


def dbapi_fetch(connection) -> Fetch:
    """A DB-API 2 connection (psycopg2, pyspark's SQL through a cursor shim)."""

    def fetch(sql: str) -> tuple[list[str], list[tuple]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()

    return fetch
