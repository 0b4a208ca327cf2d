{#- Every fit rule names a known attribute and operator, has numeric points and a well-formed value.
    Each failing row says what is wrong (run with --store-failures to keep them). -#}
{{ config(meta={'dagster': {'ref': {'name': 'scoring_fit_rules'}}}) }}
{%- set attributes = scoring_fit_attributes() -%}
{%- set operators = scoring_fit_operators() -%}
with rules as (select * from {{ ref('scoring_fit_rules') }})
select model_id, persona_id, rule_id, problem from (
    select model_id, persona_id, rule_id,
           'unknown attribute "' || coalesce(attribute, '') || '" (allowed: {{ attributes | join(", ") }})' as problem
    from rules where attribute is null or attribute not in ('{{ attributes | join("', '") }}')
    union all
    select model_id, persona_id, rule_id,
           'bad operator "' || coalesce(operator, '') || '" (allowed: {{ operators | join(", ") }})'
    from rules where operator is null or operator not in ('{{ operators | join("', '") }}')
    union all
    select model_id, persona_id, rule_id, 'points "' || coalesce(points, '') || '" is not a number'
    from rules where {{ dbt.safe_cast('points', scoring_float()) }} is null
    union all
    select model_id, persona_id, rule_id, 'range value "' || coalesce(value, '') || '" is not lo..hi'
    from rules where operator = 'range' and not {{ scoring_regex_ci("coalesce(value, '')", "'^-?[0-9.]*\\.\\.-?[0-9.]*$'") }}
    union all
    select model_id, persona_id, rule_id, 'value must be true or false for operator ' || operator
    from rules where operator in ('is_free_email', 'is_missing') and lower(coalesce(value, '')) not in ('true', 'false')
    union all
    select model_id, persona_id, rule_id, 'duplicate rule_id within the model'
    from rules group by model_id, persona_id, rule_id having count(*) > 1
    union all
    select r.model_id, r.persona_id, r.rule_id, 'persona not declared in scoring_personas'
    from rules as r
    left join {{ ref('scoring_personas') }} as p on p.model_id = r.model_id and p.persona_id = r.persona_id
    where p.persona_id is null
) as problems
