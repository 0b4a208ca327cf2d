"""Calibration of rule points from outcomes, backtests, what-if replays and list scoring."""
