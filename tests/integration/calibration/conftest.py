"""Fixtures of the calibration tests: a synthetic warehouse with a known propensity."""

from pathlib import Path

import pytest
from calibration_synthetic import build_warehouse, write_misset_seeds

from orchestration.config import SEEDS_DIR


@pytest.fixture(scope="module")
def synthetic_warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "synthetic.duckdb", n=3000, seed=7)


@pytest.fixture(scope="module")
def misset_seeds(tmp_path_factory) -> Path:
    """The project's scoring seeds with the 'default' model's points inverted."""
    return write_misset_seeds(SEEDS_DIR, tmp_path_factory.mktemp("misset"))
