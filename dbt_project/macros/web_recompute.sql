{#- Incremental web interactions: which visitors a run recomputes. -#}

{#- web_visitors_to_recompute(high_water_mark): a select of the visitor ids (anonymous id, else
    'user:' || user_id, as in int_sessions__page_views) whose web interactions may have changed since
    `high_water_mark` (an SQL expression: the table's max(inputs_loaded_at)). A visitor's rows
    depend on their own events (sessions), the stitching of their anonymous id and the email of
    their userId, so the visitors to recompute are those with
      1. a web event of any type loaded after the mark (new events; a late one renumbers their
         sessions; an identify or alias with an email userId changes the visitor's own lead),
      2. an identity edge of their own loaded after the mark (identify, alias, form, email click:
         the anonymous id may resolve to another lead, or become a shared device), or
      3. an event whose userId an identify loaded after the mark linked to an email: the events'
         lead changes, and so do the user_id/alias edges of their anonymous (or previous) ids,
         whose own load time is older.
    Everything else a row reads is per event (staging) or configuration (seeds: a change of
    content_categories or tracking_plan needs a full refresh, docs/warehouse.md). -#}
{% macro web_visitors_to_recompute(high_water_mark) -%}
    select coalesce(web.anonymous_id, 'user:' || web.user_id) as visitor_id
    from {{ ref('stg_segment__web_events') }} as web
    where web.loaded_at > {{ high_water_mark }}

    union

    select anonymous_id as visitor_id
    from {{ ref('int_identity__anonymous_to_lead') }}
    where last_edge_loaded_at > {{ high_water_mark }}

    union

    select coalesce(web.anonymous_id, 'user:' || web.user_id) as visitor_id
    from {{ ref('stg_segment__web_events') }} as web
    where web.user_id in ({{ relinked_user_ids(high_water_mark) }})

    union

    select web.previous_id as visitor_id
    from {{ ref('stg_segment__web_events') }} as web
    where web.previous_id is not null
        and web.user_id in ({{ relinked_user_ids(high_water_mark) }})
{%- endmacro %}

{#- relinked_user_ids(high_water_mark): userIds an identify loaded after the mark linked to an email. -#}
{% macro relinked_user_ids(high_water_mark) -%}
    select user_ids.user_id
    from {{ ref('int_identity__user_ids') }} as user_ids
    where user_ids.last_loaded_at > {{ high_water_mark }}
{%- endmacro %}

{#- web_high_water_mark(): the incremental web models' mark, max(inputs_loaded_at) of this table
    less the look-back (var interactions_lookback_hours). A table built by a Leadhouse from before
    the column existed has no mark: the run then recomputes every visitor once (the column is
    added by on_schema_change), instead of failing on the missing column. -#}
{% macro web_high_water_mark() -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'inputs_loaded_at' in columns -%}
        (select {{ dbt.dateadd('hour', -1 * var('interactions_lookback_hours'), 'max(inputs_loaded_at)') }}
        from {{ this }})
    {%- else -%}
        cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
