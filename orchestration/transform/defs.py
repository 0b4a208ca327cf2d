"""Dagster definitions of the transform area (merged in orchestration/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
