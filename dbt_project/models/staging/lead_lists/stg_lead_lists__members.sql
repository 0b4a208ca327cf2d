{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['list_member_id']}]
    )
}}
{#- indexes: PostgreSQL (other engines ignore it); staging_unseen() looks every new key up. -#}
-- Members of imported lead lists (outbound: purchased, tradeshow, referral), one row per CSV row.

with source as (

    select * from {{ source('raw', 'lead_lists') }}
    where {{ staging_new_rows_window() }}

),

renamed as (

    select
        -- ids
        {{ dbt.hash("_file || ':' || cast(_line as " ~ dbt.type_string() ~ ")") }} as list_member_id,
        -- the kind is the file name's prefix: free text from whoever exported the list; the known
        -- kinds as they are, event-like prefixes as tradeshow (met in person), anything else other
        case
            when lower(list_kind) in ('purchased', 'tradeshow', 'referral') then lower(list_kind)
            when lower(list_kind) in ('event', 'events', 'conference', 'meetup', 'booth', 'expo') then 'tradeshow'
            else 'other'
        end as list_kind,
        lower(list_kind) as source_list_kind,
        list_name,
        -- person
        {{ normalize_email('email') }} as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(trim(company_name), '') as company_name,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(phone), '') as phone,
        nullif(trim(country), '') as country,
        nullif(trim(industry), '') as industry,
        nullif(trim(company_size), '') as company_size,
        {{ employee_count_from_text('company_size') }} as employee_count,
        -- timestamps: the list date is the landing partition (dt=YYYY-MM-DD), else the load time
        coalesce(
            {{ dbt.safe_cast(regex_extract('_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})'), dbt.type_timestamp()) }},
            {{ to_utc('_loaded_at') }}
        ) as imported_at,
        {{ to_utc('_loaded_at') }} as loaded_at,
        _file as source_file,
        _line as source_line
    from source

)

select * from renamed
where {{ staging_unseen(['list_member_id'], 'renamed') }}
