{#- Validation of the rule seeds: each problem is a row with a readable message. -#}

{#- scoring_fit_rule_problems(rules, personas): one row (model_id, persona_id, rule_id, problem) per problem
    in a fit-rules relation; used by data_tests/scoring/assert_scoring_fit_rules_valid.sql and usable on any
    relation (e.g. a CSV being edited: dbt show --inline "{{ scoring_fit_rule_problems(\"read_csv('x.csv', all_varchar=true)\") }}"). -#}
{% macro scoring_fit_rule_problems(rules, personas=none) -%}
{%- set attributes = scoring_fit_attributes() -%}
{%- set operators = scoring_fit_operators() -%}
with rules as (select * from {{ rules }})
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
    from rules where {{ scoring_try_number('points') }} is null
    union all
    select model_id, persona_id, rule_id, 'range value "' || coalesce(value, '') || '" is not lo..hi'
    from rules where operator = 'range' and not {{ regex_matches_ci("coalesce(value, '')", "'^-?[0-9.]*\\.\\.-?[0-9.]*$'") }}
    union all
    select model_id, persona_id, rule_id, 'value must be true or false for operator ' || operator
    from rules where operator in ('is_free_email', 'is_missing') and lower(coalesce(value, '')) not in ('true', 'false')
    union all
    select model_id, persona_id, rule_id, 'duplicate rule_id within the model'
    from rules group by model_id, persona_id, rule_id having count(*) > 1
    {%- if personas is not none %}
    union all
    select r.model_id, r.persona_id, r.rule_id, 'persona not declared in scoring_personas'
    from rules as r
    left join {{ personas }} as p on p.model_id = r.model_id and p.persona_id = r.persona_id
    where p.persona_id is null
    {%- endif %}
) as problems
{%- endmacro %}

{#- scoring_engagement_rule_problems(rules, models): one row (model_id, rule_id, problem) per problem in an
    engagement-rules relation. -#}
{% macro scoring_engagement_rule_problems(rules, models=none) -%}
{%- set types = ['page_view', 'cta_click', 'form_submission', 'email_delivered', 'email_open', 'email_click',
                 'email_bounce_hard', 'email_bounce_soft', 'email_unsubscribe', 'email_spam_report',
                 'list_import', 'crm_activity'] -%}
with rules as (select * from {{ rules }})
select model_id, rule_id, problem from (
    select model_id, rule_id, 'unknown interaction_type "' || coalesce(interaction_type, '') || '"' as problem
    from rules where interaction_type is null or interaction_type not in ('{{ types | join("', '") }}')
    union all
    select model_id, rule_id, 'points "' || coalesce(points, '') || '" is not a number'
    from rules where {{ scoring_try_number('points') }} is null
    union all
    select model_id, rule_id, 'half_life_days "' || half_life_days || '" is not a positive number'
    from rules where half_life_days is not null and coalesce({{ scoring_try_number('half_life_days') }}, 0) <= 0
    union all
    select model_id, rule_id, 'window_days "' || window_days || '" is not a positive number'
    from rules where window_days is not null and coalesce({{ scoring_try_number('window_days') }}, 0) <= 0
    union all
    select model_id, rule_id, 'cap_per_day "' || cap_per_day || '" is not a positive number'
    from rules where cap_per_day is not null and coalesce({{ scoring_try_number('cap_per_day') }}, 0) <= 0
    union all
    select model_id, rule_id, 'buying_stage "' || coalesce(buying_stage, '') || '" is not awareness/consideration/decision/none'
    from rules where coalesce(buying_stage, '') not in ('awareness', 'consideration', 'decision', 'none')
    union all
    select model_id, rule_id, 'negative points must use category negative'
    from rules where {{ scoring_try_number('points') }} < 0 and category <> 'negative'
    union all
    select model_id, rule_id, 'duplicate rule_id within the model'
    from rules group by model_id, rule_id having count(*) > 1
    {%- if models is not none %}
    union all
    select r.model_id, r.rule_id, 'model_id not declared in scoring_models'
    from rules as r left join {{ models }} as m on m.model_id = r.model_id
    where m.model_id is null
    {%- endif %}
) as problems
{%- endmacro %}
