{#- Incremental staging: raw is append-only and already deduplicated on the staging key at load
    time, so a staging table only ever needs the raw rows it has not seen. Each row's JSON is
    parsed once, when it first arrives; a full refresh gives the same rows (tested). -#}

{#- staging_new_rows_window(): a where-clause on a raw source (column _loaded_at) keeping the rows
    loaded since this table's high-water mark minus var('staging_lookback_hours'); true on a
    full build. The anti-join of staging_unseen() makes the window safe to overlap. -#}
{% macro staging_new_rows_window() -%}
    {%- if is_incremental() -%}
        {{ to_utc('_loaded_at') }} >= (
            select coalesce(max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }}
        ) - interval '{{ var("staging_lookback_hours") }} hours'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- staging_unseen(key_columns, alias): a where-clause keeping the rows whose key is not in this
    table yet (the first arrival of a key wins, as in a full build); true on a full build. -#}
{% macro staging_unseen(key_columns, alias) -%}
    {%- if is_incremental() -%}
        not exists (
            select 1 from {{ this }} as existing
            where {% for column in key_columns -%}
                existing.{{ column }} = {{ alias }}.{{ column }}{{ " and " if not loop.last }}
            {%- endfor %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- ranked_arrivals(relation, key_columns, order_by): the rows of `relation` (a CTE or table) with
    an arrival_rank column numbering the rows of each key by `order_by` (1 = the first arrival);
    keep `arrival_rank = 1` for one row per key. Only the keys that occur more than once (or have
    a null part) are ranked: nearly every key arrives once, and a window over all the rows with all
    their columns costs about three times the count of keys it replaces (measured on the web events
    of `small`: README, "Performance"). The rows and ranks are those of a window over every row. -#}
{% macro ranked_arrivals(relation, key_columns, order_by) -%}
    {%- set on_repeated -%}
        {% for column in key_columns -%}
            repeated.{{ column }} = arrivals.{{ column }}{{ " and " if not loop.last }}
        {%- endfor %}
    {%- endset -%}
    {%- set repeated_keys -%}
        select {{ key_columns | join(', ') }} from {{ relation }}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    {%- endset -%}
    select arrivals.*, 1 as arrival_rank
    from {{ relation }} as arrivals
    left join ({{ repeated_keys }}) as repeated
        on {{ on_repeated }}
    where repeated.{{ key_columns[0] }} is null
        {%- for column in key_columns %}
        and arrivals.{{ column }} is not null
        {%- endfor %}
    union all
    select
        arrivals.*,
        row_number() over (
            partition by {% for column in key_columns %}arrivals.{{ column }}{{ ", " if not loop.last }}{% endfor %}
            order by {{ order_by }}
        ) as arrival_rank
    from {{ relation }} as arrivals
    left join ({{ repeated_keys }}) as repeated
        on {{ on_repeated }}
    where repeated.{{ key_columns[0] }} is not null
        {%- for column in key_columns %}
        or arrivals.{{ column }} is null
        {%- endfor %}
{%- endmacro %}
