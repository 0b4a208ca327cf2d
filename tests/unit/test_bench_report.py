"""benchmarks/run.py's bookkeeping: growth per row between scales, resuming a stopped run."""

import json

from benchmarks import run as bench
from benchmarks.run import Phase, growth_per_row


def test_growth_per_row_compares_seconds_per_landing_row_with_the_previous_scale():
    small = {
        "scale": "small",
        "date": "2026-11-29",
        "landing_rows": 100,
        "phases": [
            {"name": "ingest", "wall_s": 5.0, "cpu_s": 4.0, "rows": 100},
            {"name": "code location load", "wall_s": 9.0, "cpu_s": 0.0},
        ],
    }
    phases = [Phase("ingest", 20.0, 10.0, 0.0, rows=200), Phase("code location load", 9, 0, 0)]
    # 20 s / 200 rows over 5 s / 100 rows; 10 / 200 over 4 / 100
    assert growth_per_row(phases, 200, small) == {"ingest": 2.0}
    assert growth_per_row(phases, 200, small, "cpu_s") == {"ingest": 1.25}
    assert growth_per_row(phases, 200, None) == {}


def test_resume_reads_the_phases_of_an_unfinished_result_only(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "RESULTS_DIR", tmp_path)
    partial = {
        "complete": False,
        "landing_rows": 1234,
        "phases": [
            {"name": "ingest", "wall_s": 3.0, "cpu_s": 2.0, "peak_rss_mb": 10.0, "rows": 1234,
             "floor": "ingest floor", "note": "", "rows_per_s": 411.3},
        ],
    }  # fmt: skip
    (tmp_path / "medium-2026-11-29.json").write_text(json.dumps(partial))
    phases, extra = bench.resumed_phases("medium")
    assert phases == [Phase("ingest", 3.0, 2.0, 10.0, rows=1234, floor="ingest floor")]
    assert extra == {"landing_rows": 1234}
    (tmp_path / "medium-2026-11-30.json").write_text(json.dumps({**partial, "complete": True}))
    assert bench.resumed_phases("medium") is None  # the newest result is complete
    assert bench.resumed_phases("large") is None
