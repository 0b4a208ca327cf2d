"""Dagster definitions of the ingestion area (merged in orchestration/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
