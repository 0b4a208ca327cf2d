-- One row per lead x model: the best persona and its fit score.
{{ score_fit(ref('dim_leads'), ref('scoring_fit_rules')) }}
