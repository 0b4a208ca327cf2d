"""Item 6: what the official segment-analytics-python client sends reaches the right leads,
with the tracking plan's signals and the identify traits' names."""

from __future__ import annotations

import json

from tests.real_inputs.conftest import lead_id

DANA = "dana.scully@fbi-example.com"
FOX = "fox.mulder@fbi-example.com"


def test_the_landing_file_is_what_the_library_sent(real):
    path = real.landing / "web_events" / f"dt={real.days['item6'].isoformat()}"
    lines = (path / "segment-server-001.jsonl").read_text().splitlines()
    assert len(lines) == real.segment_requests >= 1
    messages = [m for line in lines for m in json.loads(line)["batch"]]
    assert {m["context"]["library"]["name"] for m in messages} == {"analytics-python"}
    assert sorted(m["type"] for m in messages) == sorted(
        ["page", "identify", "alias", *["track"] * 5, "identify", "track"]
    )
    # server-side calls carry a userId and no anonymousId (the library sends it as null)
    assert all(m["anonymousId"] is None for m in messages if m["type"] == "track")
    loaded = real.one(
        "select count(*) from raw.web_events where _file = ?",
        [f"web_events/dt={real.days['item6'].isoformat()}/segment-server-001.jsonl"],
    )
    assert loaded == len(messages) == 10


def test_track_calls_reach_their_lead_through_the_user_id(real):
    rows = real.rows(
        "select interaction_type, coalesce(form_type, ''), interaction_detail "
        "from marts.fct_interactions where lead_id = ? order by occurred_at",
        [lead_id(DANA)],
    )
    assert rows == [
        ("page_view", "", "/pricing"),  # the browser cookie, aliased to usr_4711
        ("form_submission", "demo_request", "Demo Requested"),
        ("form_submission", "free_trial", "Trial Started"),
        ("form_submission", "content_download", "Whitepaper Downloaded"),
    ]
    assert real.rows(
        "select interaction_type, interaction_detail from marts.fct_interactions where lead_id = ?",
        [lead_id(FOX)],
    ) == [("cta_click", "Button Clicked")]


def test_identify_traits_fill_the_names(real):
    assert real.rows(
        "select c.first_name, c.last_name, l.job_title, l.company_name from marts.dim_leads l "
        "join intermediate.int_identity__lead_contacts c using (lead_id) where lead_id = ?",
        [lead_id(DANA)],
    ) == [("Dana", "Katherine Scully", "Director of Operations", "FBI Example Corp")]
    assert real.rows(
        "select first_name, last_name from intermediate.int_identity__lead_contacts "
        "where lead_id = ?",
        [lead_id(FOX)],
    ) == [("Fox", "Mulder")]


def test_unmapped_track_names_are_reported_with_their_counts(real):
    assert real.rows(
        "select event_name, events from intermediate.int_tracking__unmapped_events"
    ) == [("Feature Flag Toggled", 2)]
    assert "Feature Flag Toggled" in real.summary


def test_the_tracking_plan_signals_score(real):
    rules = real.rows(
        "select rule_id from intermediate.int_scoring_engagement__events "
        "where lead_id = ? and model_id = 'default' order by rule_id",
        [lead_id(DANA)],
    )
    assert [r[0] for r in rules] == [
        "form_content_download",
        "form_demo",
        "form_free_trial",
        "pv_pricing",
    ]
