"""The few SQL expressions of the quality suites that DuckDB and PostgreSQL spell
differently, chosen by ``LEADHOUSE_TARGET`` when a check's batch is built (the Python
counterpart of dbt's ``adapter.dispatch``). DuckDB's spelling is the default: the suites read
as before on DuckDB."""

from __future__ import annotations

from orchestration.config import settings


def _postgres() -> bool:
    return settings().target == "postgres"


def regexp_group(expr: str, pattern: str) -> str:
    """The first capture group of ``pattern`` in ``expr`` ('' or NULL when it does not match:
    wrap in ``nullif(..., '')``). ``pattern`` is SQL-quoted already."""
    if _postgres():
        return f"substring({expr} from {pattern})"
    return f"regexp_extract({expr}, {pattern}, 1)"


def epoch(interval: str) -> str:
    """Seconds of an interval (``a - b`` of two timestamps)."""
    return f"extract(epoch from ({interval}))" if _postgres() else f"epoch({interval})"


def rounded(expr: str, digits: int) -> str:
    """``round(expr, digits)`` as a double (PostgreSQL rounds numerics only; and its ``/`` of
    two integers is an integer division, so operands are cast first by the callers)."""
    if _postgres():
        return f"round(cast({expr} as numeric), {digits})::double precision"
    return f"round({expr}, {digits})"


def minutes(n: float) -> str:
    """An interval of ``n`` minutes."""
    return f"interval '{n:g} minutes'" if _postgres() else f"interval {n} minute"


def median_of_previous(column: str, relation: str, order: str, n: int) -> str:
    """The median of ``column`` over the ``n`` rows of ``relation`` before the current one
    (by ``order``), as a select-list expression. DuckDB: ``median() over w`` (the query's
    window ``w``); PostgreSQL has no windowed median: a correlated subquery."""
    if _postgres():
        return (
            f"(select percentile_cont(0.5) within group (order by p.{column}) from ("
            f"select prev.{column} from {relation} as prev where prev.{order} < {relation}.{order} "
            f"order by prev.{order} desc limit {n}) as p)"
        )
    return f"median({column}) over w"


def full_match(expr: str, pattern: str) -> str:
    """``expr`` matches the whole of ``pattern`` (SQL-quoted already); NULL when ``expr`` is."""
    if _postgres():
        return f"({expr} ~ ('^(?:' || {pattern} || ')$'))"
    return f"regexp_full_match({expr}, {pattern})"


def first_distinct(column: str, where: str, n: int) -> str:
    """The ``n`` smallest distinct values of ``column`` among the rows where ``where`` holds,
    in order, joined by ', ' (an aggregate; the same sample on every engine and every run)."""
    if _postgres():
        values = f"(array_agg(distinct {column} order by {column}) filter (where {where}))[1:{n}]"
    else:
        values = f"(list(distinct {column} order by {column}) filter (where {where}))[1:{n}]"
    return f"array_to_string({values}, ', ')"


def quantile(column: str, q: float) -> str:
    """The continuous ``q`` quantile of ``column`` (an aggregate, a double)."""
    if _postgres():
        return f"percentile_cont({q}) within group (order by {column})"
    return f"quantile_cont({column}, {q})"
