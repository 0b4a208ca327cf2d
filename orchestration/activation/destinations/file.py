"""File destination: every confirmed change of a run, as JSON lines or CSV.

One file per run: ``<output_dir>/syncs/<sync_id>/<sync_run_id>.<jsonl|csv>``; each line is
``{"operation", "key", "match": {key: value}, "fields": {...}}`` (CSV: the same, flattened).
A run with nothing to send writes no file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from orchestration.activation.destinations.base import RecordResult
from orchestration.activation.planner import PlannedRecord
from orchestration.activation.spec import SyncSpec


class FileDestination:
    """Appends each batch to the run's file; the write is confirmed once flushed."""

    def __init__(self, spec: SyncSpec, output_dir: Path, sync_run_id: str):
        self.spec = spec
        self.path = Path(output_dir) / "syncs" / spec.sync_id / f"{sync_run_id}.{spec.file.format}"
        self.fields = sorted(spec.mappings.values())

    def prepare(self, columns: dict[str, str]) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return 0

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        op = "delete" if operation == "delete" else self.spec.mode
        new = not self.path.exists()
        with self.path.open("a", newline="") as fh:
            if self.spec.file.format == "jsonl":
                fh.writelines(
                    json.dumps(
                        {
                            "operation": op,
                            "key": r.primary_key,
                            "match": {self.spec.match_key: r.match_value or r.dest_record_id},
                            "fields": r.payload,
                        },
                        sort_keys=True,
                    )
                    + "\n"
                    for r in records
                )
            else:
                writer = csv.DictWriter(
                    fh,
                    ["operation", "key", self.spec.match_key, *self.fields],
                    extrasaction="ignore",
                )
                if new:
                    writer.writeheader()
                writer.writerows(
                    {
                        "operation": op,
                        "key": r.primary_key,
                        self.spec.match_key: r.match_value or r.dest_record_id,
                        **r.payload,
                    }
                    for r in records
                )
        return [
            RecordResult("success", dest_record_id=r.dest_record_id or r.primary_key)
            for r in records
        ]
