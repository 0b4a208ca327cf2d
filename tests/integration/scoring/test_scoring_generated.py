"""Scores on the generated tiny sample (seed 42) against the generator's truth (became_opportunity)."""

from __future__ import annotations

import duckdb
import pytest
from sklearn.metrics import roc_auc_score

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def con(scored_tiny):
    connection = duckdb.connect(str(scored_tiny["warehouse"]), read_only=True)
    connection.execute(
        "create temp table truth as select lead_id, cast(became_opportunity as boolean) as converted "
        f"from read_csv('{scored_tiny['truth']}', header = true)"
    )
    yield connection
    connection.close()


def _rates(con, column: str) -> list[tuple]:
    return con.execute(
        f"""select s.{column}, count(*), avg(cast(t.converted as integer))
            from marts.mart_lead_scores as s inner join truth as t using (lead_id)
            where s.model_id = 'default' group by 1 order by 1"""
    ).fetchall()


def test_every_lead_is_scored_for_both_models(con):
    counts = dict(
        con.execute("select model_id, count(*) from marts.mart_lead_scores group by 1").fetchall()
    )
    n_leads = con.execute("select count(*) from marts.dim_leads").fetchone()[0]
    assert counts == {"default": n_leads, "challenger": n_leads}
    assert con.execute("select count(*) from marts.mart_lead_activation").fetchone()[0] == n_leads


def test_explanation_rows_sum_to_scores(con):
    mismatches = con.execute(
        """with sums as (
               select lead_id, model_id,
                      sum(case when score_type = 'fit' then points else 0 end) as fit,
                      sum(case when score_type = 'engagement' then points else 0 end) as engagement
               from marts.mart_lead_score_explanations group by 1, 2)
           select count(*) from marts.mart_lead_scores as s left join sums as x using (lead_id, model_id)
           where s.fit_score <> coalesce(x.fit, 0) or s.engagement_score <> coalesce(x.engagement, 0)"""
    ).fetchone()[0]
    assert mismatches == 0
    assert (
        con.execute("select count(*) from marts.mart_lead_score_explanations").fetchone()[0] > 1000
    )


def test_conversion_falls_monotonically_across_fit_grades(con):
    rates = _rates(con, "fit_grade")
    assert [grade for grade, _, _ in rates] == ["A", "B", "C", "D"]
    conversion = [rate for _, _, rate in rates]
    assert conversion == sorted(conversion, reverse=True), rates
    assert conversion[0] > 2 * conversion[-1]


def test_conversion_falls_monotonically_across_engagement_bands(con):
    rates = _rates(con, "engagement_band")
    assert [band for band, _, _ in rates] == [1, 2, 3, 4]
    conversion = [rate for _, _, rate in rates]
    assert conversion == sorted(conversion, reverse=True), rates


def test_hot_leads_convert_more_than_warm_more_than_cold(con):
    rates = {temp: rate for temp, _, rate in _rates(con, "temperature")}
    assert rates["hot"] > rates["warm"] > rates["cold"]


def test_lead_score_ranks_converters_first(con):
    rows = con.execute(
        """select s.lead_score, t.converted from marts.mart_lead_scores as s inner join truth as t using (lead_id)
           where s.model_id = 'default'"""
    ).fetchall()
    auc = roc_auc_score([bool(y) for _, y in rows], [float(x) for x, _ in rows])
    assert auc > 0.75
