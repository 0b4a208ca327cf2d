{#- How each stated BANT answer is read (docs/scoring.md, "BANT"). A stated answer is not a positive signal
    by itself: "none", "no budget", "0", a negative amount or "just researching" say the opposite. -#}

{#- The answers that mean "no" for a budget or a timeline (lower-cased, trimmed; '_' and '-' read as spaces). -#}
{% macro bant_negative_answers() -%}
    {{ return(['none', 'no', 'no budget', 'not yet', 'nothing', 'n/a', 'na', '0', '$0', 'zero', 'not sure',
               'unknown', 'just researching', 'no timeline', 'never', 'not planned', 'no plans']) }}
{%- endmacro %}

{#- bant_answer_norm(expr): the answer lower-cased, trimmed, with '_' and '-' as spaces. -#}
{% macro bant_answer_norm(expr) -%}
    replace(replace(lower(trim({{ expr }})), '_', ' '), '-', ' ')
{%- endmacro %}

{#- bant_is_positive(expr): true when a budget / timeline answer is given and is not a "no" (null when absent). -#}
{% macro bant_is_positive(expr) -%}
    case when nullif(trim({{ expr }}), '') is null then null
         when {{ bant_answer_norm(expr) }} in ('{{ bant_negative_answers() | join("', '") }}') then false
         when {{ scoring_try_number("replace(replace(trim(" ~ expr ~ "), '$', ''), ',', '')") }} <= 0 then false
         else true end
{%- endmacro %}

{#- bant_authority_from_seniority(seniority_expr): the decision role a job title states (forms ask for it):
    c_level / vp decide, director holds a budget, manager influences, individual uses, student has none. -#}
{% macro bant_authority_from_seniority(expr) -%}
    case {{ expr }}
        when 'c_level' then 'decision_maker'
        when 'vp' then 'decision_maker'
        when 'director' then 'budget_holder'
        when 'manager' then 'influencer'
        when 'individual' then 'user'
        when 'student' then 'none'
    end
{%- endmacro %}
