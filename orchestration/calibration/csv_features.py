"""Turn any lead CSV into rule-shaped features (DuckDB does the bulk work).

The file is read with ingestion's CSV reader (:mod:`orchestration.calibration.csv_input`).
Every column other than the id, the outcome and the excluded ones is a candidate
attribute. Values are trimmed; blanks and placeholders ("Select", "N/A", "-", "none", ...)
are *missing*, and missing is a level of its own. A column whose non-missing values are all
numbers (and that has more than ``MAX_NUMERIC_LEVELS`` distinct values) is cut in quantile
buckets (how many: chosen by cross-validation, see csv_calibration); anything else is a
category, however many values it has. Categories seen fewer than ``min_level_count`` times
are pooled into one ``in`` level (their points are then one smoothed estimate); a column
where *every* value is that rare (an id, free text) has nothing to learn and is listed as
skipped with the reason. Each level is exactly one fit rule in the seed format: ``equals``
(category), ``in`` (pooled rare categories), ``range`` ('lo..hi', lo inclusive, hi
inclusive like the dbt macro, an empty side is open) and ``is_missing`` (value true).
Categories are lower-cased and "unknown" counts as missing, as in the dbt macro.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from orchestration.calibration.csv_input import load_csv, quote_ident
from orchestration.calibration.errors import CalibrationInputError

#: Values read as "missing" (compared lower-cased after trimming).
#: Not "na": it is also a region code (North America) and a country (Namibia).
PLACEHOLDERS = ("", "select", "n/a", "-", "--", "none", "null", "nan", "?", "(none)", "unknown")
#: Numeric columns with at most this many distinct values are treated as categories.
MAX_NUMERIC_LEVELS = 10
#: Default number of quantile buckets for numeric columns (calibration tries several).
N_BUCKETS = 5
#: Default: categories seen fewer times than this are pooled into one ``in`` level.
MIN_LEVEL_COUNT = 20
#: Outcome spellings accepted as 1 / 0.
TRUE_VALUES = ("1", "true", "yes", "y", "t", "won", "converted")
FALSE_VALUES = ("0", "false", "no", "n", "f", "lost", "not_converted")


@dataclass(frozen=True)
class Level:
    """One value (or bucket, or group) of one attribute = one candidate fit rule."""

    attribute: str
    operator: str  # equals | in | range | is_missing
    value: str
    label: str  # human-readable, for reports and rule descriptions


@dataclass
class CsvDesign:
    """The one-hot design matrix of a CSV, grouped by attribute."""

    ids: list[str]
    y: np.ndarray
    levels: list[Level]
    X: np.ndarray  # rows x levels, 0/1
    skipped: dict[str, str]  # attribute -> reason it was not used


def _q(name: str) -> str:
    return quote_ident(name)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _placeholder_sql() -> str:
    return "(" + ", ".join(_lit(p) for p in PLACEHOLDERS) + ")"


def _check_columns(
    columns: list[str], id_col: str, outcome_col: str | None, exclude: tuple[str, ...]
) -> None:
    for role, col in (("id", id_col), ("outcome", outcome_col)):
        if col is not None and col not in columns:
            raise CalibrationInputError(
                f"{role} column '{col}' not found in the input (columns: {', '.join(columns)})"
            )
    unknown = [c for c in exclude if c not in columns]
    if unknown:
        raise CalibrationInputError(f"--exclude names unknown column(s): {', '.join(unknown)}")


def _outcome(con: duckdb.DuckDBPyConnection, table: str, outcome_col: str) -> np.ndarray:
    o = _q(outcome_col)
    norm = f"lower(trim({o}))"
    bad = con.execute(
        f"select {o}, count(*) from {table} where {o} is null or {norm} not in "
        f"({', '.join(_lit(v) for v in TRUE_VALUES + FALSE_VALUES)}) group by 1 order by 2 desc "
        "limit 5"
    ).fetchall()
    if bad:
        shown = ", ".join(f"{v!r} ({n} rows)" for v, n in bad)
        raise CalibrationInputError(
            f"outcome column '{outcome_col}' is not binary: unexpected values {shown}; "
            "expected 1/0, true/false or yes/no"
        )
    y = np.array(
        [
            r[0]
            for r in con.execute(
                f"select ({norm} in ({', '.join(_lit(v) for v in TRUE_VALUES)}))::int "
                f"from {table} order by _row"
            ).fetchall()
        ],
        dtype=int,
    )
    if len(set(y.tolist())) < 2:
        raise CalibrationInputError(
            f"outcome column '{outcome_col}' is not binary: every row has the value {int(y[0])}"
        )
    return y


def _profile(
    con: duckdb.DuckDBPyConnection, table: str, attrs: list[str]
) -> dict[str, tuple[int, int, int, int]]:
    """attribute -> (rows, missing, distinct non-missing, numeric non-missing)."""
    parts = []
    for a in attrs:
        v = f"nullif(trim({_q(a)}), '')"
        clean = f"(case when lower({v}) in {_placeholder_sql()} then null else {v} end)"
        parts.append(
            f"select {_lit(a)} as attr, count(*) as n, count(*) - count({clean}) as missing, "
            f"count(distinct {clean}) as distinct_values, "
            f"count(try_cast({clean} as double)) as numeric_values from {table}"
        )
    rows = con.execute(" union all ".join(parts)).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _fmt(x: float) -> str:
    """Exact, short text of a bucket bound (repr round-trips a double)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _buckets(
    con: duckdb.DuckDBPyConnection, table: str, num: str, n_buckets: int
) -> list[tuple[float | None, float | None]]:
    """Quantile buckets as inclusive (lo, hi) pairs, open at both ends, never overlapping.

    The dbt macro's ``range`` is inclusive on both sides, so a bucket ends just below the
    next edge: at edge - 1 when every value is an integer, else at the previous double.
    """
    qs = [i / n_buckets for i in range(1, n_buckets)]
    edges, all_int, low = con.execute(
        f"select quantile_disc({num}, {qs}), bool_and({num} = round({num})), min({num}) "
        f"from {table} where {num} is not null"
    ).fetchone()
    edges = sorted({float(e) for e in edges if float(e) > float(low)})  # no empty first bucket
    out: list[tuple[float | None, float | None]] = []
    lo: float | None = None
    for e in edges:
        hi = e - 1 if all_int else float(np.nextafter(e, -np.inf))
        out.append((lo, hi))
        lo = e
    out.append((lo, None))
    return out


@dataclass
class CsvInput:
    """A loaded, validated input: the table, its candidate attributes and the outcome."""

    con: duckdb.DuckDBPyConnection
    table: str
    id_col: str
    attrs: list[str]
    y: np.ndarray
    profile: dict[str, tuple[int, int, int, int]]
    malformed_lines: list[int]


def load_input(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    id_col: str,
    outcome_col: str | None,
    exclude: tuple[str, ...] = (),
) -> CsvInput:
    """Load and validate a CSV. Raises :class:`CalibrationInputError`."""
    table = "input_rows"
    loaded = load_csv(con, path, table)
    columns = loaded.columns
    _check_columns(columns, id_col, outcome_col, exclude)
    attrs = [c for c in columns if c not in {id_col, outcome_col, *exclude}]
    if not attrs:
        raise CalibrationInputError(
            "no candidate attribute columns left after --id/--outcome/--exclude"
        )
    y = _outcome(con, table, outcome_col) if outcome_col else np.zeros(0, dtype=int)
    prof = _profile(con, table, attrs)
    all_missing = [a for a in attrs if prof[a][2] == 0]
    if all_missing:
        raise CalibrationInputError(
            f"column(s) with only missing values: {', '.join(all_missing)} "
            "(drop them or pass --exclude)"
        )
    return CsvInput(con, table, id_col, attrs, y, prof, loaded.malformed_lines)


def design_from_input(
    data: CsvInput, n_buckets: int = N_BUCKETS, min_level_count: int = MIN_LEVEL_COUNT
) -> CsvDesign:
    """One-hot design of a loaded input (one level per rule; every row one level per attribute)."""
    con, table = data.con, "clean_rows"
    cleaned = ", ".join(
        f"case when lower(nullif(trim({_q(a)}), '')) in {_placeholder_sql()} then null "
        f"else lower(nullif(trim({_q(a)}), '')) end as {_q(a)}"
        for a in data.attrs
    )
    con.execute(
        f"create or replace temp table {table} as select _row, {_q(data.id_col)} as _id, "
        f"{cleaned} from {data.table}"
    )
    levels: list[Level] = []
    case_exprs: list[str] = []  # one CASE per attribute returning the level index
    skipped: dict[str, str] = {}
    for a in data.attrs:
        n, missing, distinct, numeric = data.profile[a]
        clean = _q(a)
        branches: list[str] = []
        first = len(levels)
        if missing:
            branches.append(f"when {clean} is null then {len(levels)}")
            levels.append(Level(a, "is_missing", "true", f"{a} is missing"))
        non_missing = n - missing
        if numeric == non_missing and distinct > MAX_NUMERIC_LEVELS:
            num = f"try_cast({clean} as double)"
            for lo, hi in _buckets(con, table, num, n_buckets):
                conds = [
                    f"{num} >= {lo!r}" if lo is not None else None,
                    f"{num} <= {hi!r}" if hi is not None else None,
                ]
                cond = " and ".join(c for c in conds if c) or "true"
                branches.append(f"when {cond} then {len(levels)}")
                lo_s = _fmt(lo) if lo is not None else ""
                hi_s = _fmt(hi) if hi is not None else ""
                levels.append(
                    Level(
                        a, "range", f"{lo_s}..{hi_s}", f"{a} in [{lo_s or '-inf'}, {hi_s or 'inf'}]"
                    )
                )
        else:
            counts = con.execute(
                f"select {clean} as v, count(*) from {table} where {clean} is not null "
                "group by 1 order by 2 desc, 1"
            ).fetchall()
            # a '|' cannot be listed in an `in` rule: such a value keeps its own level
            rare = [c for c, k in counts if k < min_level_count and "|" not in c]
            common = [c for c, k in counts if k >= min_level_count or "|" in c]
            if len(rare) == 1:
                common.append(rare.pop())
            if not common:
                skipped[a] = (
                    f"{distinct} distinct values, none seen {min_level_count} times or more "
                    "(an id or free text): nothing to learn"
                )
                del levels[first:]
                continue
            for c in common:
                branches.append(f"when {clean} = {_lit(c)} then {len(levels)}")
                levels.append(Level(a, "equals", c, f"{a} = {c}"))
            if rare:
                branches.append(
                    f"when {clean} in ({', '.join(_lit(c) for c in rare)}) then {len(levels)}"
                )
                levels.append(
                    Level(
                        a,
                        "in",
                        "|".join(rare),
                        f"{a} is one of {len(rare)} values seen fewer than {min_level_count} "
                        "times (pooled)",
                    )
                )
        case_exprs.append("case " + " ".join(branches) + " end")
    if not case_exprs:
        raise CalibrationInputError(f"no usable attribute columns: {skipped}")
    ids = [r[0] for r in con.execute(f"select _id from {table} order by _row").fetchall()]
    idx = np.array(
        con.execute(f"select {', '.join(case_exprs)} from {table} order by _row").fetchall(),
        dtype=float,
    )
    X = np.zeros((len(ids), len(levels)), dtype=float)
    rows = np.repeat(np.arange(len(ids)), idx.shape[1])
    cols = idx.reshape(-1)
    ok = ~np.isnan(cols)
    X[rows[ok], cols[ok].astype(int)] = 1.0
    return CsvDesign(ids=ids, y=data.y, levels=levels, X=X, skipped=skipped)


def build_csv_design(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    id_col: str,
    outcome_col: str | None,
    exclude: tuple[str, ...] = (),
    n_buckets: int = N_BUCKETS,
    min_level_count: int = MIN_LEVEL_COUNT,
) -> CsvDesign:
    """Load, validate and one-hot a CSV. Raises :class:`CalibrationInputError`."""
    return design_from_input(
        load_input(con, path, id_col, outcome_col, exclude), n_buckets, min_level_count
    )
