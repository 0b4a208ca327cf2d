"""The marts' numbers against the generator's truth (tiny, seed 42, window ending 2026-10-31,
scored as of its last day): a wrong count fails here, not only a wrong shape."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow

#: Largest accepted gap, in percentage points, between the share of leads in a buying stage and
#: the share of leads in that true journey phase (docs/scoring.md, "Buying stage").
BUYING_STAGE_TOLERANCE_PP = 5.0


@pytest.fixture(scope="module")
def con(scored_tiny):
    connection = duckdb.connect(str(scored_tiny["warehouse"]), read_only=True)
    connection.execute(
        "create temp table truth as select lead_id, journey_phase, "
        "cast(became_opportunity as boolean) as has_deal, cast(became_customer as boolean) as won "
        f"from read_csv('{scored_tiny['truth']}', header = true, all_varchar = true)"
    )
    yield connection
    connection.close()


def _funnel(con) -> dict[str, tuple[int, int]]:
    rows = con.execute(
        """select funnel_stage, sum(leads_entered), sum(leads_converted)
           from marts.mart_funnel_daily group by funnel_stage"""
    ).fetchall()
    return {stage: (int(entered), int(converted)) for stage, entered, converted in rows}


def test_funnel_counts_equal_what_the_truth_implies(con):
    n_deals, n_won = con.execute("select sum(has_deal::int), sum(won::int) from truth").fetchone()
    assert (n_deals, n_won) == (58, 13)  # the tiny sample's truth (seed 42)
    n_leads = con.execute("select count(*) from marts.dim_leads").fetchone()[0]
    funnel = _funnel(con)
    assert funnel["lead"][0] == n_leads
    # every lead with a deal reached SQL and converted to opportunity; the opportunity step holds
    # exactly the leads with a deal, and its conversion is the win rate
    assert funnel["sql"][1] == n_deals
    assert funnel["opportunity"] == (n_deals, n_won)
    assert funnel["customer"][0] == n_won
    assert funnel["opportunity"][1] / funnel["opportunity"][0] == pytest.approx(n_won / n_deals)
    # each step's entered = the previous step's converted
    assert funnel["mql"][0] == funnel["lead"][1]
    assert funnel["sql"][0] == funnel["mql"][1]
    assert funnel["opportunity"][0] == funnel["sql"][1]


def test_milestones_are_the_leads_with_a_deal(con):
    """Lost deals are recycled but keep their milestones: the same leads as the truth's."""
    missing_or_extra = con.execute(
        """select coalesce(t.lead_id, l.lead_id)
           from (select lead_id from truth where has_deal) as t
           full outer join (select lead_id from marts.mart_lead_lifecycle
                            where became_opportunity_at is not null) as l using (lead_id)
           where t.lead_id is null or l.lead_id is null"""
    ).fetchall()
    assert missing_or_extra == []
    recycled_with_deal = con.execute(
        """select count(*) from marts.mart_lead_lifecycle
           where lifecycle_stage = 'recycled' and became_opportunity_at is not null
             and became_sql_at is not null"""
    ).fetchone()[0]
    assert recycled_with_deal > 0
    won = con.execute(
        "select count(*) from marts.mart_lead_lifecycle where became_customer_at is not null"
    ).fetchone()[0]
    assert won == con.execute("select count(*) from truth where won").fetchone()[0]


def test_buying_stage_mix_matches_the_true_journey_phase(con):
    rows = con.execute(
        """with mart as (
               select buying_stage as stage, count(*) / sum(count(*)) over () as share
               from marts.mart_lead_scores where model_id = 'default' group by 1),
           truth_mix as (
               select journey_phase as stage, count(*) / sum(count(*)) over () as share
               from truth group by 1)
           select t.stage, coalesce(m.share, 0), t.share
           from truth_mix as t left join mart as m using (stage) order by t.stage"""
    ).fetchall()
    assert [stage for stage, _, _ in rows] == ["awareness", "consideration", "decision"]
    gaps = {stage: round(100 * abs(mart - truth), 1) for stage, mart, truth in rows}
    assert max(gaps.values()) <= BUYING_STAGE_TOLERANCE_PP, gaps


def test_every_lead_with_a_deal_has_both_handoffs_once(con):
    per_lead = con.execute(
        """select t.lead_id,
                  count(*) filter (where h.handoff_type in ('mql', 'pql')) as marketing,
                  count(*) filter (where h.handoff_type = 'sql') as sales
           from truth as t
           left join marts.fct_lead_handoffs as h using (lead_id)
           where t.has_deal group by t.lead_id"""
    ).fetchall()
    assert len(per_lead) == 58
    assert {(m, s) for _, m, s in per_lead} == {(1, 1)}


def test_a_none_budget_earns_no_budget_points(con):
    budgets = dict(
        con.execute(
            """select l.stated_budget, count(distinct h.lead_id)
               from marts.dim_leads as l
               left join intermediate.int_scoring_fit__rule_hits as h
                 on h.lead_id = l.lead_id and h.rule_id = 'rv_bant_budget'
                 and h.model_id = 'default'
               where l.stated_budget is not null group by 1"""
        ).fetchall()
    )
    n_none = con.execute(
        "select count(*) from marts.dim_leads where stated_budget = 'none'"
    ).fetchone()[0]
    assert n_none > 0 and budgets["none"] == 0
    assert all(budgets[b] > 0 for b in ("under_10k", "10k_50k", "over_50k") if b in budgets)


def test_authority_is_read_from_the_role_answered_in_forms(con):
    rows = con.execute(
        """with latest as (
               select lead_id, arg_max(job_title, observed_at) as title
               from intermediate.int_identity__profile_observations
               where observation_source = 'form' and job_title is not null group by 1)
           select j.seniority, l.stated_authority, count(*)
           from latest
           inner join intermediate.int_identity__job_titles as j on j.job_title = latest.title
           inner join marts.dim_leads as l using (lead_id)
           group by all"""
    ).fetchall()
    expected = {
        "c_level": "decision_maker",
        "vp": "decision_maker",
        "director": "budget_holder",
        "manager": "influencer",
        "individual": "user",
        "student": "none",
        "unknown": None,
    }
    assert {seniority for seniority, _, _ in rows} >= {"c_level", "vp", "director", "manager"}
    wrong = [(s, a, n) for s, a, n in rows if expected[s] != a]
    assert wrong == []
    assert sum(n for _, a, n in rows if a == "decision_maker") > 20
