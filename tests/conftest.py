"""Test tiers.

``make test`` runs everything but the scenario suites below and the fault suite; each scenario
suite executes the whole ``leadhouse_main`` job several times on ``tiny`` (a baseline run, then
one run per scenario), which together take longer than CI allows. ``make test-e2e`` runs them
(README, "Tests"), ``make test-faults`` the fault suite.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

#: modules whose tests each run the full Dagster job one or more times
E2E_MODULES = (
    "tests/integration/gates/test_blocking_layers.py",
    "tests/integration/gates/test_raw_load_judged_once.py",
    "tests/integration/gates/test_run_operations.py",
    "tests/integration/publish/test_publish_run.py",
    "tests/integration/privacy/test_forget.py",
    "tests/integration/scoring/test_scoring_replay.py",
    "tests/real_inputs/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(E2E_MODULES):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def tiny_seed1_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's ``tiny`` sample (seed 1, window ending 2026-10-31) written by
    ``leadhouse generate``, once per session. Shared: read it, copy it before changing it."""
    from orchestration.cli import main

    landing = tmp_path_factory.mktemp("tiny_seed1") / "landing"
    argv = ["generate", "--scale", "tiny", "--seed", "1", "--end-date", "2026-10-31"]
    assert main([*argv, "--out", str(landing)]) == 0
    return landing


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 3 MB tmpfs for full-disk tests, or None where mounting is not allowed (root only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        yield None
        return
    yield mount
    subprocess.run(["umount", str(mount)], check=False)
