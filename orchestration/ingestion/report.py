"""The run summary's "Real inputs" part: what real data did that nobody configured yet.

* forms that are not in ``seeds/form_catalog.csv`` (typed by their title or scored by the
  default form rule; add them to the catalog);
* Segment ``track`` names the tracking plan (``seeds/tracking_plan.csv``) does not map, with
  their counts;
* landing files reloaded because they changed after their first load (latest 10).

Each part is skipped when its relation does not exist yet (a layer not built).
"""

from __future__ import annotations

from orchestration.console import text_table
from orchestration.resources import missing_relation

#: (title, query, headers)
_PARTS = (
    (
        "Forms not in seeds/form_catalog.csv (scored by the type shown)",
        "select provider, form_id, coalesce(form_title, ''), form_type, form_type_source, "
        "submissions from intermediate.int_forms__form_types where is_unknown_form "
        "order by submissions desc, provider, form_id",
        ("provider", "form_id", "title", "form_type", "typed_by", "submissions"),
    ),
    (
        "Track events the tracking plan does not map (seeds/tracking_plan.csv)",
        "select event_name, events from intermediate.int_tracking__unmapped_events "
        "order by events desc, event_name",
        ("event_name", "events"),
    ),
    (
        "Files changed after their first load (new records loaded, the rest duplicates)",
        "select path, rows_loaded, rows_duplicate, rows_quarantined, detected_at "
        "from raw.file_changes "
        "order by detected_at desc, path limit 10",
        ("path", "new", "duplicate", "quarantined", "detected"),
    ),
)


def inputs_summary(con: object) -> str:
    """The "Real inputs" section of the run summary."""
    parts = []
    for title, query, headers in _PARTS:
        try:
            rows = [
                tuple(f"{v:%Y-%m-%d %H:%M}" if hasattr(v, "strftime") else v for v in row)
                for row in con.execute(query).fetchall()
            ]
        except Exception as exc:
            if not missing_relation(exc):
                raise
            continue
        parts.append(f"{title}:\n" + (text_table(rows, headers) if rows else "  (none)"))
    return "Real inputs:\n" + "\n".join(parts) if parts else "Real inputs: (nothing built yet)"
