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
