{#- Persona-fit scoring, reusable on any relation that has the dim_leads attribute columns.

    fit_rule_hits(leads, rules)     one row per lead x rule that fired (lead_id, model_id, persona_id,
                                    rule_id, attribute, operator, points, detail)
    score_fit_personas(leads, rules) one row per lead x model x persona (fit_points, fit_score 0-100,
                                    fit_completeness = share of the persona's attributes known)
    score_fit(leads, rules)         one row per lead x model: best persona and its fit, split into the
                                    profile fit (what a lead list can state) and the qualification points

    The fit is split in two parts that add up exactly: profile_fit_score is the fit the lead's profile
    alone earns (rules on every attribute but scoring_qualification_attributes(): best persona, clamped
    to 0-100 — what `leadhouse score --input` computes from a lead list); qualification_points =
    fit_score - profile_fit_score is what the lead's form answers (BANT) and its origin / lead source
    add or take away (a persona switch and the 0-100 clamp included).

    `leads` needs lead_id plus every column of scoring_fit_attributes() that rules use; pass `attributes`
    (a list of column names) to score a relation with other columns (e.g. `leadhouse score` on the rules
    `calibrate --input` learnt from a file's own columns);
    `rules` has the columns of seeds/scoring_fit_rules.csv. Compile against any relation:
      dbt show --inline "{{ score_fit(ref('dim_leads'), ref('scoring_fit_rules')) }}"
-#}

{#- The attributes a fit rule may test (the validation test rejects any other). -#}
{% macro scoring_fit_attributes() -%}
    {{ return(['industry', 'company_size_bucket', 'employee_count', 'seniority', 'job_function',
               'job_title', 'country_iso2', 'region', 'is_free_email', 'email_domain', 'company_domain',
               'has_phone', 'origin', 'lead_source', 'enrichment_level',
               'stated_budget', 'stated_timeline', 'stated_need', 'stated_authority']) }}
{%- endmacro %}

{#- The attributes of the qualification part of the fit: what the lead stated on forms (BANT) and how it
    reached us; a bought or imported lead list cannot state them. Every other attribute is profile. -#}
{% macro scoring_qualification_attributes() -%}
    {{ return(['stated_budget', 'stated_timeline', 'stated_need', 'stated_authority', 'origin', 'lead_source']) }}
{%- endmacro %}

{% macro scoring_fit_operators() -%}
    {{ return(['equals', 'in', 'range', 'pattern', 'is_free_email', 'is_missing']) }}
{%- endmacro %}

{#- _fit_attribute_values(leads, attributes): the leads' attributes as (lead_id, attribute, attr_value) text rows
    (column names quoted, so any file header works);
    'unknown' and empty strings count as missing (null). -#}
{% macro _fit_attribute_values(leads, attributes) -%}
    {%- for attribute in attributes %}
    {%- set column = adapter.quote(attribute) %}
    select lead_id, '{{ attribute | replace("'", "''") }}' as attribute,
           case when lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) in ('', 'unknown') then null
                else trim(cast({{ column }} as {{ dbt.type_string() }})) end as attr_value
    from {{ leads }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- fit_rule_matches(op, attr, value): the boolean condition of one rule on one attribute value. -#}
{% macro fit_rule_matches(op, attr, value) -%}
    case {{ op }}
        when 'equals' then lower({{ attr }}) = lower(trim({{ value }}))
        when 'in' then {{ scoring_in_list(attr, value) }}
        when 'range' then
            {{ scoring_try_number(attr) }}
              >= coalesce({{ scoring_try_number("nullif(" ~ dbt.split_part(value, "'..'", 1) ~ ", '')") }}, -1e18)
            and {{ scoring_try_number(attr) }}
              <= coalesce({{ scoring_try_number("nullif(" ~ dbt.split_part(value, "'..'", 2) ~ ", '')") }}, 1e18)
        when 'pattern' then {{ regex_matches_ci(attr, value) }}
        when 'is_free_email' then lower({{ attr }}) = lower(trim({{ value }}))
        when 'is_missing' then ({{ attr }} is null) = (lower(trim({{ value }})) = 'true')
        else false
    end
{%- endmacro %}

{% macro fit_rule_hits(leads, rules, attributes=none) -%}
with fit_rules as (
    select model_id, persona_id, rule_id, attribute, operator,
           cast(value as {{ dbt.type_string() }}) as value,
           {{ scoring_points('points') }} as points, description
    from {{ rules }}
),
attribute_values as (
    {{ _fit_attribute_values(leads, attributes or scoring_fit_attributes()) }}
),
distinct_values as (
    -- a rule is evaluated once per distinct value of its attribute, not once per lead
    select distinct attribute, attr_value from attribute_values
),
value_hits as (
    select v.attribute, {{ null_safe_key('v.attr_value') }} as value_key, r.model_id, r.persona_id,
           r.rule_id, r.operator, r.points,
           coalesce(r.description, r.rule_id) || ' (' || v.attribute || ' ' || r.operator || ' '
               || coalesce(r.value, '') || '; lead has ' || coalesce(v.attr_value, 'nothing') || ')' as detail
    from distinct_values as v
    inner join fit_rules as r on r.attribute = v.attribute
    where (v.attr_value is not null or r.operator = 'is_missing')
        and {{ fit_rule_matches('r.operator', 'v.attr_value', 'r.value') }}
)
select v.lead_id, h.model_id, h.persona_id, h.rule_id, h.attribute, h.operator, h.points, h.detail
from attribute_values as v
inner join value_hits as h
    on h.attribute = v.attribute and h.value_key = {{ null_safe_key('v.attr_value') }}
{%- endmacro %}

{% macro score_fit_personas(leads, rules, attributes=none) -%}
with hits as (
    {{ fit_rule_hits(leads, rules, attributes) }}
),
personas as (
    select distinct model_id, persona_id from {{ rules }}
),
persona_attributes as (
    select model_id, persona_id, count(distinct attribute) as n_attributes
    from {{ rules }} where operator <> 'is_missing'
    group by model_id, persona_id
),
known_attributes as (
    {{ _fit_attribute_values(leads, attributes or scoring_fit_attributes()) }}
),
lead_persona_known as (
    select k.lead_id, r.model_id, r.persona_id, count(distinct r.attribute) as n_known
    from known_attributes as k
    inner join (select distinct model_id, persona_id, attribute from {{ rules }} where operator <> 'is_missing') as r
        on r.attribute = k.attribute
    where k.attr_value is not null
    group by k.lead_id, r.model_id, r.persona_id
),
lead_persona as (
    select l.lead_id, p.model_id, p.persona_id
    from (select distinct lead_id from {{ leads }}) as l
    cross join personas as p
),
summed as (
    select lp.lead_id, lp.model_id, lp.persona_id,
           {{ scoring_points('coalesce(sum(h.points), 0)') }} as fit_points,
           {{ scoring_points("coalesce(sum(case when h.attribute in ('" ~ (scoring_qualification_attributes() | join("', '")) ~ "') then 0 else h.points end), 0)") }}
               as profile_points
    from lead_persona as lp
    left join hits as h
        on h.lead_id = lp.lead_id and h.model_id = lp.model_id and h.persona_id = lp.persona_id
    group by lp.lead_id, lp.model_id, lp.persona_id
)
select s.lead_id, s.model_id, s.persona_id, s.fit_points,
       {{ scoring_points('case when s.fit_points < 0 then 0 when s.fit_points > 100 then 100 else s.fit_points end') }}
           as fit_score,
       s.profile_points,
       {{ scoring_points('case when s.profile_points < 0 then 0 when s.profile_points > 100 then 100 else s.profile_points end') }}
           as profile_score,
       cast(coalesce(k.n_known, 0) as {{ scoring_float() }}) / nullif(pa.n_attributes, 0) as fit_completeness
from summed as s
left join persona_attributes as pa on pa.model_id = s.model_id and pa.persona_id = s.persona_id
left join lead_persona_known as k
    on k.lead_id = s.lead_id and k.model_id = s.model_id and k.persona_id = s.persona_id
{%- endmacro %}

{% macro score_fit(leads, rules, attributes=none) -%}
with personas as (
    {{ score_fit_personas(leads, rules, attributes) }}
),
ranked as (
    select personas.*,
           row_number() over (partition by lead_id, model_id
                              order by fit_score desc, fit_points desc, persona_id) as persona_rank,
           row_number() over (partition by lead_id, model_id
                              order by profile_score desc, profile_points desc, persona_id) as profile_rank
    from personas
)
select best.lead_id, best.model_id, best.persona_id as best_persona_id, best.fit_points, best.fit_score,
       best.fit_completeness,
       profile.persona_id as profile_persona_id, profile.profile_points as profile_fit_points,
       profile.profile_score as profile_fit_score,
       {{ scoring_points('best.fit_score - profile.profile_score') }} as qualification_points
from ranked as best
inner join ranked as profile
    on profile.lead_id = best.lead_id and profile.model_id = best.model_id and profile.profile_rank = 1
where best.persona_rank = 1
{%- endmacro %}
