"""Dagster definitions of the quality area (merged in orchestration/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
