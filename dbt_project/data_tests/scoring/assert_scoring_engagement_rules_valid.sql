{#- Every engagement rule has a known interaction type, numeric points / half-life / window / cap,
    a known buying stage, and a category that is either capped or 'negative'. -#}
{{ config(meta={'dagster': {'ref': {'name': 'scoring_engagement_rules'}}}) }}
{{ scoring_engagement_rule_problems(ref('scoring_engagement_rules'), ref('scoring_models')) }}
