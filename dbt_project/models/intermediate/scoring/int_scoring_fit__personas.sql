{{ config(materialized='table') }}
-- One row per lead x model x persona: fit points, fit score (0-100) and data completeness.
{{ score_fit_personas(ref('dim_leads'), ref('scoring_fit_rules')) }}
