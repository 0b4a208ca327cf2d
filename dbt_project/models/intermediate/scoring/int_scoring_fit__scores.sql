-- One row per lead x model: the best persona and its fit score.
-- a table, not a view: the explanations and scores join it twice, and PostgreSQL misestimates
-- the inlined view (2 rows for tens of thousands) into a nested loop of minutes on `small`
{{ config(materialized='table') }}
{{ score_fit(ref('dim_leads'), ref('scoring_fit_rules')) }}
