"""Shared fixtures of the sample-data tests: one tiny landing folder per session."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from orchestration.sample_data import generate


def checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> tuple[Path, object]:
    """A tiny landing folder (seed 42) and its GenerationReport."""
    out = tmp_path_factory.mktemp("tiny42")
    report = generate("tiny", 42, out)
    return out, report


@pytest.fixture(scope="session")
def checksum_of():
    """The :func:`checksums` helper, as a fixture (test folders are not packages)."""
    return checksums
