{#- Every fit rule names a known attribute and operator, has numeric points and a well-formed value.
    Each failing row says what is wrong (run with --store-failures to keep them). -#}
{{ config(meta={'dagster': {'ref': {'name': 'scoring_fit_rules'}}}) }}
{{ scoring_fit_rule_problems(ref('scoring_fit_rules'), ref('scoring_personas')) }}
