"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from orchestration.ingestion.formats import common


@pytest.fixture
def reader_calls(monkeypatch) -> list[int]:
    """How many files each call of the NDJSON reader path read (a spy around the real
    function, which still does the work)."""
    calls: list[int] = []
    real = common.read_ndjson

    def spy(con, paths):  # noqa: ANN001, ANN202
        calls.append(len(paths))
        return real(con, paths)

    monkeypatch.setattr(common, "read_ndjson", spy)
    return calls
