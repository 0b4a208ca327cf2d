-- One row per lead x fit rule that fired (every model, every persona).
{{ fit_rule_hits(ref('dim_leads'), ref('scoring_fit_rules')) }}
