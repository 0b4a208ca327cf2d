{#- channel(utm_medium, utm_source, referrer): the marketing channel of a visit or touch, from its
    UTM medium first, then its referrer; 'direct' when neither says anything. -#}
{% macro channel(utm_medium, utm_source, referrer) -%}
    case
        when lower({{ utm_medium }}) in ('cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'sem') then 'paid_search'
        when lower({{ utm_medium }}) in ('paid_social', 'paidsocial', 'social_paid') then 'paid_social'
        when lower({{ utm_medium }}) in ('social', 'social-media', 'social_media', 'sm') then 'social'
        when lower({{ utm_medium }}) in ('email', 'e-mail', 'newsletter') then 'email'
        when lower({{ utm_medium }}) in ('display', 'banner', 'cpm') then 'display'
        when lower({{ utm_medium }}) in ('affiliate', 'partner') then 'affiliate'
        when lower({{ utm_medium }}) in ('referral') then 'referral'
        when lower({{ utm_medium }}) in ('organic') then 'organic_search'
        when {{ utm_medium }} is not null then 'other'
        when {{ leadhouse.regex_matches('lower(' ~ referrer ~ ')', '^https?://([a-z0-9-]+\\.)*(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia)\\.') }} then 'organic_search'
        when {{ leadhouse.regex_matches('lower(' ~ referrer ~ ')', '^https?://([a-z0-9-]+\\.)*(linkedin|facebook|twitter|x|t|instagram|reddit|youtube)\\.') }} then 'social'
        when {{ referrer }} is not null and {{ referrer }} <> '' then 'referral'
        else 'direct'
    end
{%- endmacro %}
