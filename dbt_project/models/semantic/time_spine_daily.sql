-- One row per day: MetricFlow's time spine (metrics by day and week), 2020 to 2035.
with days as (
    {{ dbt.date_spine(datepart="day", start_date="cast('2020-01-01' as date)", end_date="cast('2036-01-01' as date)") }}
)

select cast(date_day as date) as date_day
from days
