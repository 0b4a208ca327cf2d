"""The expectation suites of Leadhouse, versioned in code; every number comes from
``thresholds.yml``.

A :class:`CheckSpec` is one Dagster asset check: the asset it guards, its severity and the
batches it validates. A :class:`Batch` is one SQL query run in the warehouse (GX query asset)
with the expectations about its rows; each expectation's ``description`` is the human message
shown when it fails. Cross-column and cross-table rules are written as a query that computes
one value (or flag) per row, so GX pushes the metric down as SQL and reports the failing rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from orchestration.quality import dialect as sql
from orchestration.quality.thresholds import Band, RawTable, StagingTable, Thresholds

if TYPE_CHECKING:
    import great_expectations as gx

# great_expectations is imported where an expectation is made, at check time: importing it
# takes seconds, and the Dagster code location (which only declares the checks) must load fast.

#: Bump when a suite's rules change (recorded in check metadata and in the Data Docs).
SUITES_VERSION = "1.0.0"

LAYERS = ("raw", "staging", "marts")

#: Default severity per check name; ``severity:`` in thresholds.yml overrides it.
DEFAULT_SEVERITY = {
    "raw_load_health": "ERROR",
    "raw_load_volume": "WARN",
    "raw_event_time": "ERROR",
    "raw_freshness": "WARN",
    "staging_valid": "ERROR",
    "staging_shares": "WARN",
    "staging_unmapped": "WARN",
    "marts_scores_valid": "ERROR",
    "marts_score_drift": "ERROR",
    "marts_explanations_sum": "ERROR",
    "marts_activation_valid": "ERROR",
    "marts_stage_shares": "WARN",
    "marts_lifecycle_valid": "ERROR",
    "marts_stage_transitions": "ERROR",
}


@dataclass(frozen=True)
class Batch:
    """One query validated by one GX suite; ``id_columns`` identify a failing row.

    An ``aggregate`` batch is one pass over a big table that returns a few rows of counts
    and shares (``count(distinct)``, ``count(*) filter``, never a self-join): the runner
    runs it once in the warehouse and GX validates its result, so a table is scanned once
    per batch, not once per expectation. A failing ``<rule>_rows`` column reads
    "<rule>: N of <rows> rows fail"."""

    name: str
    query: str
    expectations: list
    id_columns: list[str] = field(default_factory=list)
    aggregate: bool = False


@dataclass(frozen=True)
class CheckSpec:
    """One asset check: ``build()`` returns its batches (built at run time: 'now', history).

    A ``run_scoped`` check judges what a run loaded: ``build(batch_ids)`` gets the ingestion
    batches of the run (``None``: judge everything, e.g. an audit outside a run)."""

    name: str
    layer: str
    asset_key: tuple[str, ...]
    severity: str
    description: str
    relations: tuple[str, ...]
    build: Callable[..., list[Batch]]
    run_scoped: bool = False
    #: relations a later step of the run builds (e.g. a view over this layer): on the very
    #: first run they do not exist yet, and the check is skipped with a note, not failed
    built_later: tuple[str, ...] = ()


# --- expectation helpers --------------------------------------------------------------------


def between(
    column: str, lo: float | None, hi: float | None, why: str, mostly: float = 1.0
) -> gx.expectations.Expectation:
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToBeBetween(
        column=column, min_value=lo, max_value=hi, mostly=mostly, description=why
    )


def in_set(column: str, values: list, why: str, mostly: float = 1.0) -> gx.expectations.Expectation:
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToBeInSet(
        column=column, value_set=values, mostly=mostly, description=why
    )


def not_null(column: str, why: str) -> gx.expectations.Expectation:
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToNotBeNull(column=column, description=why)


def zero(column: str, why: str) -> gx.expectations.Expectation:
    """The count in ``column`` (an aggregate batch's ``<rule>_rows``) is 0."""
    return between(column, 0, 0, why)


def _in_list(values: list) -> str:
    return ", ".join(_lit(v) for v in values)


def unique(columns: list[str], why: str) -> gx.expectations.Expectation:
    import great_expectations as gx

    if len(columns) == 1:
        return gx.expectations.ExpectColumnValuesToBeUnique(column=columns[0], description=why)
    return gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=columns, description=why)


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _values(rows: list[tuple]) -> str:
    return "values " + ", ".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)


EMAIL_REGEX = r"[^@\s]+@[^@\s]+\.[a-z]{2,}"

#: the day partition of a landing path (``.../dt=2026-10-31/...``), SQL-quoted
_DT = "'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})'"


# --- raw ------------------------------------------------------------------------------------


def raw_checks(t: Thresholds) -> list[CheckSpec]:
    """Per source: load health (quarantined and duplicate shares, ERROR), load volume against
    recent loads (WARN), both judged once per load, in the run that loads it (a failure of an
    earlier run is history: the check's history shows it, later runs do not re-judge it);
    event times not in the future beyond the clock-skew tolerance; freshness of the newest
    event."""
    r, manifest = t.raw, t.tables.load_manifest
    specs: list[CheckSpec] = []
    for source, raw in t.tables.raw.items():
        key = ("raw", source)

        def loads_query(source: str, batch_ids: list[str] | None) -> str:
            """One row per load of ``source`` judged now: with ``batch_ids`` (a run), the
            loads that received files in those ingestion batches; without, every load."""
            n, m, ms = r.volume.history_loads, r.min_rows_per_load, r.min_rows_for_shares
            judged = (
                "true"
                if batch_ids is None
                else f"bool_or(batch_id in ({', '.join(_lit(b) for b in batch_ids) or 'null'}))"
            )
            return f"""
with loads as (
    select coalesce(nullif({sql.regexp_group("path", _DT)}, ''), batch_id) as load_id,
           sum(rows_in) as rows_in, sum(rows_duplicate) as rows_duplicate,
           sum(rows_quarantined) as rows_quarantined,
           {judged} as is_judged
    from {manifest} where source = {_lit(source)} group by 1
), windowed as (
    select *,
        {sql.median_of_previous("rows_in", "loads", "load_id", n)} as recent_median_rows_in,
        count(*) over w as previous_loads
    from loads
    window w as (order by load_id rows between {n} preceding and 1 preceding)
)
select load_id, rows_in, recent_median_rows_in,
    case when previous_loads >= {r.volume.min_history_loads}
              and recent_median_rows_in >= {m}
              and rows_in >= {m}
         then {sql.rounded("rows_in / recent_median_rows_in", 3)} end as volume_ratio,
    case when rows_in >= {ms} then {sql.rounded("rows_quarantined / rows_in", 4)} end
        as quarantined_share,
    case when rows_in >= {ms} then {sql.rounded("rows_duplicate / rows_in", 4)} end
        as duplicate_share
from windowed
where is_judged"""

        def load_health(batch_ids: list[str] | None = None, source: str = source) -> list[Batch]:
            return [
                Batch(
                    "loads",
                    loads_query(source, batch_ids),
                    [
                        between(
                            "quarantined_share",
                            None,
                            r.max_quarantined_share,
                            f"quarantined share of a load <= {r.max_quarantined_share:.1%}",
                        ),
                        between(
                            "duplicate_share",
                            None,
                            r.max_duplicate_share,
                            f"duplicate share of a load <= {r.max_duplicate_share:.1%}",
                        ),
                    ],
                    ["load_id", "rows_in"],
                )
            ]

        specs.append(
            CheckSpec(
                "raw_load_health",
                "raw",
                key,
                _sev(t, "raw_load_health"),
                "quarantined and duplicate shares of each load, judged once when it is loaded",
                (manifest,),
                load_health,
                run_scoped=True,
            )
        )

        if raw.volume:

            def load_volume(
                batch_ids: list[str] | None = None, source: str = source
            ) -> list[Batch]:
                v, n = r.volume, r.volume.history_loads
                return [
                    Batch(
                        "loads",
                        loads_query(source, batch_ids),
                        [
                            between(
                                "volume_ratio",
                                v.min_ratio,
                                v.max_ratio,
                                f"row volume of a load within [{v.min_ratio}, {v.max_ratio}] x "
                                f"the median of the previous {n} loads",
                            )
                        ],
                        ["load_id", "rows_in"],
                    )
                ]

            specs.append(
                CheckSpec(
                    "raw_load_volume",
                    "raw",
                    key,
                    _sev(t, "raw_load_volume"),
                    "row volume of each load against recent loads, judged once when it is loaded",
                    (manifest,),
                    load_volume,
                    run_scoped=True,
                )
            )

        if raw.event_time:

            def event_time(raw: RawTable = raw) -> list[Batch]:
                # one pass: the share of events too far after their load, and the worst one
                tol = r.clock_skew_tolerance_minutes
                minutes = sql.epoch(f"{raw.event_time} - _loaded_at") + " / 60.0"
                query = f"""
select count(*) as rows,
    {sql.rounded(f"coalesce(avg(case when {minutes} > {tol} then 1.0 else 0.0 end), 0)", 4)}
        as future_share,
    {sql.rounded(f"max({minutes})", 1)} as max_minutes_after_load
from {raw.table}"""
                return [
                    Batch(
                        "events",
                        query,
                        [
                            between(
                                "future_share",
                                None,
                                r.max_future_share,
                                f"event time at most {tol:g} min after the load time (clock skew), "
                                f"for all but {r.max_future_share:.1%} of events",
                            )
                        ],
                        ["rows", "max_minutes_after_load"],
                        aggregate=True,
                    )
                ]

            specs.append(
                CheckSpec(
                    "raw_event_time",
                    "raw",
                    key,
                    _sev(t, "raw_event_time"),
                    "event time not in the future beyond the clock-skew tolerance",
                    (raw.table,),
                    event_time,
                )
            )

        def freshness(source: str = source, raw: RawTable = raw) -> list[Batch]:
            # Judged on event time (the newest event of the source, ignoring events in the
            # future), not on load time: re-loading old files must not look fresh.
            if raw.event_time:
                newest = f"""
select max({raw.event_time}) as last_at from {raw.table}
where {raw.event_time} <= now() + {sql.minutes(r.clock_skew_tolerance_minutes)}"""
            else:
                newest = (
                    f"select max(loaded_at) as last_at from {manifest} "
                    f"where source = {_lit(source)}"
                )
            query = f"""
select {_lit(source)} as source, last_at as last_event_at,
    coalesce({sql.rounded(sql.epoch("now() - last_at") + " / 3600.0", 2)}, 1e9)
        as hours_since_last_event
from ({newest}) as newest"""
            w = raw.freshness_window_hours or r.freshness_window_hours
            what = "newest event" if raw.event_time else "latest load"
            return [
                Batch(
                    "freshness",
                    query,
                    [
                        between(
                            "hours_since_last_event",
                            None,
                            w,
                            f"{what} younger than the freshness window ({w:g} h)",
                        )
                    ],
                    ["source", "last_event_at"],
                )
            ]

        specs.append(
            CheckSpec(
                "raw_freshness",
                "raw",
                key,
                _sev(t, "raw_freshness"),
                "newest event (or load) younger than the freshness window",
                (manifest,),
                freshness,
            )
        )
    return specs


# --- staging --------------------------------------------------------------------------------


def _staging_valid(t: Thresholds, st: StagingTable) -> Callable[[], list[Batch]]:
    s = t.staging

    def build() -> list[Batch]:
        """One aggregate pass over the table: null and duplicate keys, values outside their
        sets, invalid emails and event times out of range, counted (failing ``*_rows`` must be
        0; the invalid-email share is bounded)."""
        keys_present = " and ".join(f"{k} is not null" for k in st.key)
        key_value = st.key[0] if len(st.key) == 1 else f"({', '.join(st.key)})"
        columns = ["count(*) as rows"]
        rules = []
        for k in st.key:
            columns.append(f"count(*) - count({k}) as {k}_null_rows")
            rules.append(zero(f"{k}_null_rows", f"{k} is never null"))
        columns.append(
            f"count(*) filter (where {keys_present}) "
            f"- count(distinct {key_value}) filter (where {keys_present}) as duplicate_key_rows"
        )
        rules.append(zero("duplicate_key_rows", f"{' + '.join(st.key)} unique"))
        samples = []
        for vs, what in ((st.event_type, "event type"), (st.provider, "provider")):
            if vs:
                outside = f"{vs.column} is not null and {vs.column} not in ({_in_list(vs.values)})"
                columns.append(f"count(*) filter (where {outside}) as {vs.column}_outside_rows")
                # the unknown values themselves (a few), the sample shown on failure
                columns.append(f"{sql.first_distinct(vs.column, outside, 5)} as {vs.column}")
                samples.append(vs.column)
                rules.append(
                    zero(f"{vs.column}_outside_rows", f"{what} in {{{', '.join(vs.values)}}}")
                )
        if st.email:
            valid = (
                f"coalesce({sql.full_match(f'lower(trim({st.email}))', _lit(EMAIL_REGEX))}, false)"
            )
            invalid = f"coalesce(avg(case when {valid} then 0.0 else 1.0 end), 0)"
            columns.append(f"{sql.rounded(invalid, 4)} as invalid_email_share")
            rules.append(
                between(
                    "invalid_email_share",
                    None,
                    s.max_invalid_email_share,
                    "email valid (x@y.tld) after lower(trim()) "
                    f"(invalid share <= {s.max_invalid_email_share:.1%})",
                )
            )
        if st.event_time:
            lo = datetime.fromisoformat(s.min_event_time).replace(tzinfo=UTC)
            hi = datetime.now(UTC) + timedelta(minutes=s.clock_skew_tolerance_minutes)
            columns.append(
                f"count(*) filter (where {sql.epoch(st.event_time)} "
                f"not between {lo.timestamp()} and {hi.timestamp()}) as event_time_outside_rows"
            )
            rules.append(
                zero(
                    "event_time_outside_rows",
                    f"event time between {s.min_event_time} and now + "
                    f"{s.clock_skew_tolerance_minutes:g} min",
                )
            )
        query = f"select {', '.join(columns)} from {st.table}"
        return [Batch("summary", query, rules, ["rows", *samples], aggregate=True)]

    return build


@dataclass(frozen=True)
class _Share:
    """A daily share check: per day with at least ``min_rows`` rows (``count``) of ``table``
    matching ``where``, the share of rows where ``flag`` holds (``share``) is within ``band``."""

    table: str
    day: str
    where: str
    min_rows: int
    flag: str
    share: str
    count: str
    band: Band
    what: str


def _daily_share(c: _Share) -> Callable[[], list[Batch]]:
    b = c.band
    query = f"""
select {c.day} as day, count(*) as {c.count},
    {sql.rounded(f"avg(case when {c.flag} then 1.0 else 0.0 end)", 4)} as {c.share}
from {c.table}{c.where} group by 1 having count(*) >= {c.min_rows}"""
    why = f"{c.what} per day within [{b.min:.0%}, {b.max:.0%}] (a spike means a tracking change)"
    return lambda: [
        Batch(
            "daily", query, [between(c.share, b.min, b.max, why)], ["day", c.count], aggregate=True
        )
    ]


def _staging_shares(t: Thresholds, st: StagingTable) -> Callable[[], list[Batch]] | None:
    s = t.staging
    day = f"cast({st.event_time} as date)"
    if st.machine_open_flag and st.event_type and st.open_event_type:
        opens = f" where {st.event_type.column} = {_lit(st.open_event_type)}"
        table = st.shares_table or st.table
        return _daily_share(
            _Share(
                table,
                day,
                opens,
                s.min_daily_rows,
                st.machine_open_flag,
                "machine_open_share",
                "opens",
                s.machine_open_share,
                "machine-open share of opens",
            )
        )
    if st.bot_flag:
        return _daily_share(
            _Share(
                st.table,
                day,
                "",
                s.min_daily_rows,
                st.bot_flag,
                "bot_share",
                "events",
                s.bot_share,
                "bot share of events",
            )
        )
    return None


def _staging_unmapped(st: StagingTable) -> Callable[[], list[Batch]]:
    u = st.unmapped
    query = f"""
select {u.detail}, {u.column}, count(*) as events
from {st.table} group by {u.detail}, {u.column} order by events desc"""

    def build() -> list[Batch]:
        import great_expectations as gx

        rule = gx.expectations.ExpectColumnValuesToNotBeInSet(
            column=u.column,
            value_set=[u.value],
            description=f"every {u.detail} maps to a canonical {u.column} "
            f"(unknown names become {u.value!r}; see the sample for names and counts)",
        )
        return [Batch("names", query, [rule], [u.detail, "events"], aggregate=True)]

    return build


def staging_checks(t: Thresholds) -> list[CheckSpec]:
    """Per staging model: ids unique and non-null, emails valid, event types and providers
    in their sets, timestamps in range (ERROR); machine-open / bot shares per day and
    provider names mapped to no canonical value (WARN)."""
    specs = []
    for st in t.tables.staging.values():
        key = (st.asset,)
        specs.append(
            CheckSpec(
                "staging_valid",
                "staging",
                key,
                _sev(t, "staging_valid"),
                "ids, emails, value sets and timestamps",
                (st.table,),
                _staging_valid(t, st),
            )
        )
        if st.unmapped:
            specs.append(
                CheckSpec(
                    "staging_unmapped",
                    "staging",
                    key,
                    _sev(t, "staging_unmapped"),
                    "provider names that map to no canonical value (reported with counts)",
                    (st.table,),
                    _staging_unmapped(st),
                )
            )
        shares = _staging_shares(t, st)
        if shares:
            specs.append(
                CheckSpec(
                    "staging_shares",
                    "staging",
                    key,
                    _sev(t, "staging_shares"),
                    "machine-open / bot shares per day",
                    (st.table, st.shares_table) if st.shares_table else (st.table,),
                    shares,
                    built_later=(st.shares_table,) if st.shares_table else (),
                )
            )
    return specs


# --- marts ----------------------------------------------------------------------------------


def _score_rules(t: Thresholds) -> list:
    m = t.marts
    return [
        between(c, m.score_min, m.score_max, f"{c} within [{m.score_min:g}, {m.score_max:g}]")
        for c in m.score_columns
    ]


def allowed_edges(t: Thresholds) -> list[tuple[str, str]]:
    """Stage transitions allowed without a recycle record (the stage graph of the config)."""
    m = t.marts
    edges = {(a, b) for i, a in enumerate(m.funnel) for b in m.funnel[i + 1 :]}
    edges |= {(a, "disqualified") for a in m.disqualifiable_from}
    edges |= {(a, "recycled") for a in m.recyclable_from}
    edges |= {tuple(e) for e in m.extra_edges}
    return sorted(edges)


def mart_checks(
    t: Thresholds, previous_stats: Callable[[], dict[str, dict]] | None = None
) -> list[CheckSpec]:
    """Scores, score drift, explanations, activation, stage shares, lifecycle, transitions."""
    m, tb = t.marts, t.tables.marts

    def sev(name: str) -> str:
        return _sev(t, name)

    specs: list[CheckSpec] = []

    def scores_valid() -> list[Batch]:
        rules = [
            not_null("lead_id", "lead_id is never null"),
            unique(["lead_id", "model_id"], "one row per lead and model"),
            *_score_rules(t),
            in_set("tier", m.tiers, "tier in the accepted tiers"),
            in_set("fit_grade", m.fit_grades, "fit grade in the accepted grades"),
            in_set("temperature", m.temperatures, "temperature in {cold, warm, hot}"),
            in_set("buying_stage", m.buying_stages, "buying stage in the accepted stages"),
        ]
        return [
            Batch("rows", f"select * from {tb.lead_scores.table}", rules, ["lead_id", "model_id"])
        ]

    specs.append(
        CheckSpec(
            "marts_scores_valid",
            "marts",
            (tb.lead_scores.asset,),
            sev("marts_scores_valid"),
            "score ranges and accepted values",
            (tb.lead_scores.table,),
            scores_valid,
        )
    )

    def score_drift() -> list[Batch]:
        prev = previous_stats() if previous_stats else {}
        d, batches = m.drift, []
        for model_id, stats in sorted(prev.items()):
            if stats.get("n", 0) < d.min_leads:
                continue
            rules = [
                between(
                    "mean",
                    stats["mean"] - d.mean,
                    stats["mean"] + d.mean,
                    f"mean lead_score within +/-{d.mean:g} of the previous run "
                    f"({stats['mean']:.2f})",
                )
            ]
            for q, bound in d.quantiles.items():
                if q in stats:
                    rules.append(
                        between(
                            q,
                            stats[q] - bound,
                            stats[q] + bound,
                            f"{q} of lead_score within +/-{bound:g} of the previous "
                            f"run ({stats[q]:.2f})",
                        )
                    )
            batches.append(
                Batch(f"model_{model_id}", score_stats_query(t, model_id), rules, ["model_id", "n"])
            )
        return batches

    specs.append(
        CheckSpec(
            "marts_score_drift",
            "marts",
            (tb.lead_scores.asset,),
            sev("marts_score_drift"),
            "lead_score distribution stable against the previous run",
            (tb.lead_scores.table,),
            score_drift,
        )
    )

    def explanations_sum() -> list[Batch]:
        tol = m.explanation_tolerance
        query = f"""
with scores as (
    select lead_id, model_id, 'fit' as score_type, fit_score as score from {tb.lead_scores.table}
    union all
    select lead_id, model_id, 'engagement', engagement_score from {tb.lead_scores.table}
), explained as (
    select lead_id, model_id, score_type, sum(points) as explained_points
    from {tb.explanations.table} group by lead_id, model_id, score_type
)
select lead_id, model_id, score_type, s.score, coalesce(e.explained_points, 0) as explained_points,
    round(abs(coalesce(s.score, 0) - coalesce(e.explained_points, 0)), 4) as gap
from scores s full outer join explained e using (lead_id, model_id, score_type)"""
        return [
            Batch(
                "sums",
                query,
                [
                    between(
                        "gap",
                        None,
                        tol,
                        f"explanation points sum to the score (per lead and score type, "
                        f"tolerance {tol:g})",
                    )
                ],
                ["lead_id", "model_id", "score_type", "score", "explained_points"],
            )
        ]

    specs.append(
        CheckSpec(
            "marts_explanations_sum",
            "marts",
            (tb.explanations.asset,),
            sev("marts_explanations_sum"),
            "explanation rows sum to the scores",
            (tb.lead_scores.table, tb.explanations.table),
            explanations_sum,
        )
    )

    def activation_valid() -> list[Batch]:
        a = tb.activation.table
        rules = [
            not_null("lead_id", "lead_id is never null"),
            unique(["lead_id"], "one row per lead"),
            *_score_rules(t),
            in_set("tier", m.tiers, "tier in the accepted tiers"),
            in_set("lifecycle_stage", m.stages, "lifecycle stage in the accepted stages"),
        ]
        flags = f"""
select lead_id, lifecycle_stage, is_disqualified,
    coalesce(lifecycle_stage in ('customer', 'evangelist') and is_disqualified, false)
        as is_customer_and_disqualified
from {a}"""
        return [
            Batch("rows", f"select * from {a}", rules, ["lead_id"]),
            Batch(
                "flags",
                flags,
                [
                    in_set(
                        "is_customer_and_disqualified",
                        [False],
                        "no lead both customer and disqualified",
                    )
                ],
                ["lead_id"],
            ),
        ]

    specs.append(
        CheckSpec(
            "marts_activation_valid",
            "marts",
            (tb.activation.asset,),
            sev("marts_activation_valid"),
            "what the CRM sync reads: ids, scores, tiers, stages, contradictions",
            (tb.activation.table,),
            activation_valid,
        )
    )

    def stage_shares() -> list[Batch]:
        bounds = _values([(s, lo, hi) for s, (lo, hi) in m.stage_share.items()])
        query = f"""
with counts as (
    select lifecycle_stage, count(*) as leads from {tb.activation.table} group by 1
), shares as (
    select lifecycle_stage, leads, {sql.rounded("leads / sum(leads) over ()", 4)} as share
    from counts
)
select coalesce(s.lifecycle_stage, b.stage) as lifecycle_stage, coalesce(s.leads, 0) as leads,
    coalesce(s.share, 0) as share, cast(b.lo as double precision) as min_share,
    cast(b.hi as double precision) as max_share,
    coalesce(s.share, 0) between cast(b.lo as double precision)
        and cast(b.hi as double precision) as is_within_bounds
from shares s full outer join ({bounds}) as b(stage, lo, hi) on s.lifecycle_stage = b.stage
where b.stage is not null"""
        return [
            Batch(
                "shares",
                query,
                [
                    in_set(
                        "is_within_bounds", [True], "share of leads in each stage within its bounds"
                    )
                ],
                ["lifecycle_stage", "share", "min_share", "max_share"],
            )
        ]

    specs.append(
        CheckSpec(
            "marts_stage_shares",
            "marts",
            (tb.activation.asset,),
            sev("marts_stage_shares"),
            "share of leads per stage within bounds",
            (tb.activation.table,),
            stage_shares,
        )
    )

    def lifecycle_valid() -> list[Batch]:
        rules = [
            not_null("lead_id", "lead_id is never null"),
            unique(["lead_id"], "one row per lead"),
            in_set("lifecycle_stage", m.stages, "lifecycle stage in the accepted stages"),
            in_set("previous_stage", m.stages, "previous stage in the accepted stages"),
        ]
        return [Batch("rows", f"select * from {tb.lifecycle.table}", rules, ["lead_id"])]

    specs.append(
        CheckSpec(
            "marts_lifecycle_valid",
            "marts",
            (tb.lifecycle.asset,),
            sev("marts_lifecycle_valid"),
            "stages in accepted values",
            (tb.lifecycle.table,),
            lifecycle_valid,
        )
    )

    def transitions() -> list[Batch]:
        tr = tb.transitions
        order = _values([(s, i) for i, s in enumerate(m.funnel)])
        query = f"""
with edges(from_stage, to_stage) as ({_values(allowed_edges(t))}),
funnel(stage, pos) as ({order}),
transitions as (
    select lead_id, {tr.from_stage} as from_stage, {tr.to_stage} as to_stage,
        coalesce(cast(({tr.recycle_record}) as boolean), false) as has_recycle_record
    from {tr.table}
)
select x.lead_id, x.from_stage, x.to_stage, x.has_recycle_record,
    case
        when x.from_stage is null then 'entry'
        when e.from_stage is not null then 'allowed_edge'
        when x.has_recycle_record and (x.to_stage = 'recycled'
             or cast(fb.pos as integer) < cast(fa.pos as integer)) then 'recycled_regression'
        when cast(fb.pos as integer) < cast(fa.pos as integer)
            then 'regression_without_recycle_record'
        else 'edge_not_allowed'
    end as transition_kind
from transitions x
left join edges e on e.from_stage = x.from_stage and e.to_stage = x.to_stage
left join funnel fa on fa.stage = x.from_stage
left join funnel fb on fb.stage = x.to_stage"""
        return [
            Batch(
                "edges",
                query,
                [
                    in_set(
                        "transition_kind",
                        ["entry", "allowed_edge", "recycled_regression"],
                        "stage transitions only along allowed edges; a regression only with a "
                        "recycle record",
                    )
                ],
                ["lead_id", "from_stage", "to_stage", "has_recycle_record"],
            )
        ]

    specs.append(
        CheckSpec(
            "marts_stage_transitions",
            "marts",
            (tb.transitions.asset,),
            sev("marts_stage_transitions"),
            "stage transitions along allowed edges",
            (tb.transitions.table,),
            transitions,
        )
    )
    return specs


def score_stats_query(t: Thresholds, model_id: str | None = None) -> str:
    """Distribution of lead_score per model (also what the history step records)."""
    where = f"where model_id = {_lit(model_id)}" if model_id is not None else ""
    qs = ", ".join(
        f"{sql.rounded(sql.quantile('lead_score', int(q[1:]) / 100), 3)} as {q}"
        for q in t.marts.drift.quantiles
    )
    return (
        f"select model_id, count(*) as n, round(avg(lead_score), 3) as mean, {qs} "
        f"from {t.tables.marts.lead_scores.table} {where} group by model_id"
    )


def _sev(t: Thresholds, name: str) -> str:
    return t.severity.get(name, DEFAULT_SEVERITY[name])


def all_checks(
    t: Thresholds, previous_stats: Callable[[], dict[str, dict]] | None = None
) -> list[CheckSpec]:
    """Every check of every layer, in layer order."""
    return [*raw_checks(t), *staging_checks(t), *mart_checks(t, previous_stats)]
