"""Dagster definitions of the activation area (merged in orchestration/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
