"""Leadhouse: warehouse-native lead scoring (Dagster + dbt + DuckDB)."""

__version__ = "0.1.0"
