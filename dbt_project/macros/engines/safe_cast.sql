{#- dbt.safe_cast(field, type): the value as `type`, or null when it does not convert - never an error
    (real inputs never block a build). dbt's own default is a plain CAST on every engine, which fails
    the whole model on one bad value; the root project's <adapter>__safe_cast macros below take
    precedence over dbt's for the `dbt` namespace, so every `dbt.safe_cast` of the project is safe.

    DuckDB and Spark have try_cast. PostgreSQL (before 16's pg_input_is_valid) has none: a
    PL/pgSQL function per type catches the conversion error, created by the on-run-start hook
    engine_setup() in the target schema. -#}

{#- The types PostgreSQL gets a try-cast function for: type as written in a model -> function suffix. -#}
{% macro _pg_try_cast_types() -%}
    {{ return({
        'numeric': 'numeric',
        'decimal': 'numeric',
        'double precision': 'double',
        'float8': 'double',
        'integer': 'integer',
        'int': 'integer',
        'bigint': 'bigint',
        'date': 'date',
        'timestamp': 'timestamp',
        'timestamp without time zone': 'timestamp',
        'timestamp with time zone': 'timestamptz',
        'timestamptz': 'timestamptz',
        'boolean': 'boolean',
    }) }}
{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ leadhouse.spark_type(type) }})
{%- endmacro %}

{% macro postgres__safe_cast(field, type) -%}
    {%- set base = (type | lower).split('(')[0] | trim -%}
    {%- set suffix = leadhouse._pg_try_cast_types().get(base) -%}
    {%- if suffix is none -%}
        {#- text and the other types without a function (unit-test fixtures cast every value): a plain cast -#}
        {{ return('cast(' ~ field ~ ' as ' ~ type ~ ')') }}
    {%- endif -%}
    {%- set converted = adapter.quote(target.schema) ~ '.leadhouse_try_cast_' ~ suffix ~ '(cast(' ~ field ~ ' as text))' -%}
    {%- if '(' in type -%}
        cast({{ converted }} as {{ type }})
    {%- else -%}
        {{ converted }}
    {%- endif -%}
{%- endmacro %}

{#- postgres_try_cast_functions(): the DDL of the try-cast functions (one per target type). -#}
{% macro postgres_try_cast_functions() -%}
    {%- set types = {'numeric': 'numeric', 'double': 'double precision', 'integer': 'integer',
                     'bigint': 'bigint', 'date': 'date', 'timestamp': 'timestamp',
                     'timestamptz': 'timestamp with time zone', 'boolean': 'boolean'} -%}
    {%- set statements = ['create schema if not exists ' ~ adapter.quote(target.schema)] -%}
    {%- for suffix, pg_type in types.items() | sort -%}
        {%- do statements.append(
            'create or replace function ' ~ adapter.quote(target.schema) ~ '.leadhouse_try_cast_' ~ suffix
            ~ '(value text) returns ' ~ pg_type ~ ' language plpgsql stable as $fn$ '
            ~ 'begin return cast(value as ' ~ pg_type ~ '); '
            ~ 'exception when others then return null; end $fn$') -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}
