"""scoring_summary() on a tiny in-memory warehouse: sections, ordering, no personal data,
explanations."""

import duckdb

from orchestration.transform.scoring_report import scoring_summary


def _con():
    con = duckdb.connect()
    con.execute("create schema marts; create schema seeds")
    con.execute(
        "create table seeds.scoring_models as select 'default' as model_id, true as is_champion"
    )
    con.execute("""create table marts.mart_lead_activation as select * from (values
        ('L1', 'ada@acme.io', 'Acme', 80.0, 90.0, 70.0, 'A1', 'hot', 'sql', false, 'decision'),
        ('L2', 'bob@beta.io', null, 30.0, 40.0, 20.0, 'C3', 'cold', 'lead', false, 'awareness'),
        ('L3', 'eve@corp.io', 'Corp', 95.0, 95.0, 95.0, 'A1', 'hot', 'mql', true, 'consideration'),
        ('L4', 'dan@delta.io', 'Delta', 10.0, 10.0, 10.0, 'D4', 'cold', 'lead', false, 'awareness'))
        as t(lead_id, email, company_name, lead_score, fit_score, engagement_score, tier, temperature,
             lifecycle_stage, is_suppressed, buying_stage)""")
    con.execute("""create table marts.mart_lead_score_explanations as select * from (values
        ('L1', 'default', 'fit', 'r_industry', 90.0, 'industry in software'),
        ('L1', 'default', 'engagement', 'form_demo', 80.0, '1 event(s)'),
        ('L1', 'default', 'engagement', 'cap:form', -10.0, 'category form capped at 70'),
        ('L1', 'challenger', 'fit', 'r_other', 1.0, 'not the champion'))
        as t(lead_id, model_id, score_type, rule_id, points, detail)""")
    con.execute("""create table marts.mart_funnel_daily as select * from (values
        (date '2026-05-01', 'lead', 'mql', 1, 10, 4, 2.0),
        (date '2026-05-02', 'lead', 'mql', 1, 10, 2, 4.0),
        (date '2026-05-02', 'mql', 'sql', 2, 6, 3, 1.0),
        (date '2026-05-02', 'customer', null, 5, 1, 0, null))
        as t(funnel_date, funnel_stage, next_stage, stage_order, leads_entered, leads_converted, median_days_to_next)""")
    return con


def test_summary_sections_and_values():
    text = scoring_summary(_con())
    stage_block = text.split("Leads by tier")[0]
    assert stage_block.index("lead ") < stage_block.index("mql") < stage_block.index("sql")
    assert "  A1    hot          2      87.5" in text
    # top leads exclude the suppressed one, show key and company (no email), champion rows only
    assert (
        "  lead L1… (Acme): lead score 80.0 = fit 90.0 / engagement 70.0, tier A1, stage sql"
        in text
    )
    assert "lead L2… (no company): lead score 30.0" in text
    assert "@" not in text and "L3…" not in text
    assert "    engagement  -10.00  cap:form: category form capped at 70" in text
    assert "r_other" not in text
    assert "  lead -> mql  20       6          30.0%  3.0" in text
    assert "  mql -> sql   6        3          50.0%  1.0" in text
    assert "customer ->" not in text
    buying = text.split("Leads by buying stage")[1].split("Why the top")[0]
    assert buying.index("awareness      2      50.0%") < buying.index("consideration  1      25.0%")
    assert "decision       1      25.0%" in buying


def test_summary_without_marts_says_so():
    text = scoring_summary(duckdb.connect())
    assert text.count("(not built yet: run dbt build)") == 5
