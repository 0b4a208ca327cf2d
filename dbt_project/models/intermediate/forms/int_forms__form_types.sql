-- One row per form seen in submissions: its form type and where the type came from. A form in
-- seeds/form_catalog.csv has its catalog type; any other form is `unknown` to the catalog and gets
-- the type its title or id suggests (seeds/form_type_keywords.csv, lowest priority wins), else
-- `other`, which the default form rule of seeds/scoring_engagement_rules.csv scores. Unknown forms
-- are listed in the run summary so someone adds them to the catalog; they never score 0 silently.

with submissions as (

    select * from {{ ref('stg_forms__submissions') }}

),

catalog as (

    select * from {{ ref('form_catalog') }}

),

keywords as (

    select * from {{ ref('form_type_keywords') }}

),

forms as (

    select
        provider,
        form_id,
        {{ latest_value('form_title', 'submitted_at') }} as form_title,
        count(*) as submissions,
        min(submitted_at) as first_submitted_at,
        max(submitted_at) as last_submitted_at
    from submissions
    where form_id is not null
    group by provider, form_id

),

inferred as (

    select
        forms.provider,
        forms.form_id,
        keywords.form_type,
        row_number() over (partition by forms.provider, forms.form_id order by keywords.priority) as match_rank
    from forms
    inner join keywords
        on {{ regex_matches_ci("coalesce(forms.form_title, '') || ' ' || replace(replace(forms.form_id, '-', ' '), '_', ' ')", "keywords.pattern") }}

)

select
    forms.provider,
    forms.form_id,
    forms.form_title,
    coalesce(catalog.form_type, inferred.form_type, 'other') as form_type,
    case
        when catalog.form_type is not null then 'catalog'
        when inferred.form_type is not null then 'title_keyword'
        else 'default'
    end as form_type_source,
    catalog.form_type is null as is_unknown_form,
    forms.submissions,
    forms.first_submitted_at,
    forms.last_submitted_at
from forms
left join catalog
    on forms.provider = catalog.provider
        and forms.form_id = catalog.form_id
left join inferred
    on forms.provider = inferred.provider
        and forms.form_id = inferred.form_id
        and inferred.match_rank = 1
