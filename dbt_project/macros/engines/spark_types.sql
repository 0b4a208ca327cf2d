{#- Type names on Spark. The project writes the SQL type names DuckDB and PostgreSQL share
    (`varchar`, `double precision`) in seed column_types and model contracts; Spark has `string`
    and `double` (a `varchar` needs a length there). spark_type(type) translates one name; the
    seed macros below are dbt-spark's own, called with the seed's column_types translated. -#}

{% macro spark_type(type) -%}
    {%- set t = type | lower | trim -%}
    {%- set names = {'varchar': 'string', 'text': 'string', 'double precision': 'double',
                     'float8': 'double', 'timestamp with time zone': 'timestamp',
                     'timestamptz': 'timestamp', 'timestamp without time zone': 'timestamp'} -%}
    {{ return(names.get(t, type)) }}
{%- endmacro %}

{% macro _spark_seed_model(model) -%}
    {%- set types = {} -%}
    {%- for name, type in (model['config'].get('column_types') or {}).items() -%}
        {%- do types.update({name: leadhouse.spark_type(type)}) -%}
    {%- endfor -%}
    {%- set config = {} -%}
    {%- do config.update(model['config']) -%}
    {%- do config.update({'column_types': types}) -%}
    {%- set translated = {} -%}
    {%- do translated.update(model) -%}
    {%- do translated.update({'config': config}) -%}
    {{ return(translated) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(leadhouse._spark_seed_model(model), agate_table)) }}
{%- endmacro %}

{#- Seed rows on Spark as literals: dbt-spark's session cursor binds None as the string 'None' and
    does not escape quotes, so a seed's empty cell would read 'None'. Here an empty cell is null,
    a value with a single quote goes in a double-quoted literal. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = leadhouse._spark_seed_model(model)['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set values = [] -%}
        {%- for row in chunk -%}
            {%- set cells = [] -%}
            {%- for col_name in agate_table.column_names -%}
                {%- set type = column_types.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- set value = row[loop.index0] -%}
                {%- if value is none -%}
                    {%- do cells.append('cast(null as ' ~ type ~ ')') -%}
                {%- else -%}
                    {%- set text = value | string -%}
                    {%- set quote = '"' if "'" in text else "'" -%}
                    {%- do cells.append('cast(' ~ quote ~ text ~ quote ~ ' as ' ~ type ~ ')') -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do values.append('(' ~ cells | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ values | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{#- Model contracts on Spark: dbt learns the declared types by running `select cast(null as
    <data_type>)`; the contracts say `varchar` and `double precision`, translated here before
    dbt's own macro renders the query (the comparison then sees Spark's string and double). -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = {} -%}
        {%- do copy.update(column) -%}
        {%- if column.get('data_type') -%}
            {%- do copy.update({'data_type': leadhouse.spark_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
