"""The run after the real inputs landed: rc 0 and every landed record accounted for."""

from __future__ import annotations


def test_the_run_after_real_inputs_succeeds(real):
    failures = [e.message for e in real.result.all_events if e.is_step_failure]
    assert real.baseline.success
    assert real.result.success, failures
    blocking = [
        (c.asset_key.to_user_string(), c.check_name, c.description)
        for c in real.result.get_asset_check_evaluations()
        if not c.passed and (c.severity is None or c.severity.value == "ERROR")
    ]
    assert blocking == []


def test_every_landed_record_is_accounted_for(real):
    rows = real.rows(
        "select path, rows_in, rows_loaded, rows_duplicate, rows_quarantined, "
        "records_in_file, records_read from raw.load_manifest"
    )
    for path, rows_in, loaded, dup, quarantined, in_file, read in rows:
        assert rows_in == loaded + dup + quarantined, path
        assert in_file == read, path
    loaded_by_file = dict(
        real.rows(
            "select _file, count(*) from (select _file from raw.web_events union all "
            "select _file from raw.email_events union all select _file from raw.form_submissions "
            "union all select _file from raw.lead_lists union all select _file from raw.crm_deals) "
            "group by 1"
        )
    )
    quarantined_by_file = dict(real.rows("select _file, count(*) from raw.quarantine group by 1"))
    for path, _, loaded, _, quarantined, _, _ in rows:
        assert loaded_by_file.get(path, 0) == loaded, path
        assert quarantined_by_file.get(path, 0) == quarantined, path
    # every real-input day's file is in the manifest (the temp file excepted)
    for day in real.days.values():
        landed = {
            p.relative_to(real.landing).as_posix()
            for p in real.landing.glob(f"*/dt={day.isoformat()}/*")
            if not p.name.endswith(".tmp")
        }
        assert landed <= {r[0] for r in rows}, landed - {r[0] for r in rows}
