-- One row per lead x fit rule that fired (every model, every persona).
-- a table, not a view: the explanations and scores join it twice, and PostgreSQL misestimates
-- the inlined view (2 rows for tens of thousands) into a nested loop of minutes on `small`
{{ config(materialized='table') }}
{{ fit_rule_hits(ref('dim_leads'), ref('scoring_fit_rules')) }}
