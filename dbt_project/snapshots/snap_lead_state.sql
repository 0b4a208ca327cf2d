{#- SCD type 2 history of each lead's state. It keeps the pseudonymous lead_id, never the
    email, names or company of mart_lead_activation: history is kept for ever, so it holds
    nothing personal beyond the key (`leadhouse forget` deletes a lead's versions). -#}
{% snapshot snap_lead_state %}
{{ config(
    unique_key='lead_id',
    strategy='check',
    check_cols=['lifecycle_stage', 'stage_entered_at', 'fit_score', 'engagement_score', 'lead_score', 'tier', 'temperature'],
    hard_deletes='invalidate',
) }}
    select
        lead_id, lifecycle_stage, stage_entered_at, fit_score, engagement_score, lead_score,
        fit_grade, tier, temperature, buying_stage, model_version, scored_at
    from {{ ref('mart_lead_activation') }}
{% endsnapshot %}
