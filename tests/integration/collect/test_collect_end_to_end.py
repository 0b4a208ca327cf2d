"""Segment's official client → collector → ingestion → dbt build: the calls are interactions
of the right leads in fct_interactions, stitched retroactively (identify) and through alias."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from orchestration.ingestion.ingest import ingest_all
from tests.integration.collect.test_collect_tracking import segment_client
from tests.integration.dbt_core.conftest import DbtCore

pytestmark = pytest.mark.slow

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def lead(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def test_tracked_calls_become_stitched_interactions(collector, tmp_path):
    client = segment_client(collector.url)
    minute = timedelta(minutes=1)
    # Jane browses anonymously, clicks a CTA, then identifies with her email
    client.page(
        anonymous_id="anon-jane",
        name="Pricing",
        timestamp=T0,
        properties={
            "path": "/pricing",
            "url": "https://acme.example/pricing?utm_source=google&utm_medium=cpc",
        },
    )
    client.track(anonymous_id="anon-jane", event="CTA Clicked", timestamp=T0 + minute)
    client.identify(
        anonymous_id="anon-jane",
        timestamp=T0 + 2 * minute,
        traits={"email": " Jane.Doe@Acme.example ", "firstName": "Jane"},
    )
    # Ron reads the blog, then his cookie is aliased to his email user id
    client.page(
        anonymous_id="anon-ron", name="Blog", timestamp=T0, properties={"path": "/blog/why-crm"}
    )
    client.alias(previous_id="anon-ron", user_id="ron@globex.example", timestamp=T0 + 5 * minute)
    # a visitor who never identifies is nobody's interaction
    client.page(anonymous_id="anon-nobody", name="Home", timestamp=T0, properties={"path": "/"})
    client.flush()
    client.join()
    collector.stop()

    warehouse = tmp_path / "wh.duckdb"
    report = ingest_all(landing_dir=collector.landing, warehouse_path=warehouse)
    assert (report["web_events"].rows_loaded, report["web_events"].rows_quarantined) == (6, 0)
    dbt = DbtCore(warehouse, tmp_path)
    dbt.build()

    rows = dbt.query(
        """select lead_id, interaction_type, interaction_detail, content_category, is_stitched,
                  anonymous_id, utm_source, occurred_at
           from marts.fct_interactions order by lead_id, occurred_at"""
    )
    jane, ron = lead("jane.doe@acme.example"), lead("ron@globex.example")
    naive = T0.replace(tzinfo=None)
    expected = sorted(
        [
            (jane, "page_view", "/pricing", "pricing", True, "anon-jane", "google", naive),
            (
                jane,
                "cta_click",
                "CTA Clicked",
                None,
                True,
                "anon-jane",
                None,
                naive + timedelta(minutes=1),
            ),
            (ron, "page_view", "/blog/why-crm", "blog", True, "anon-ron", None, naive),
        ],
        key=lambda r: (r[0], r[7]),
    )
    assert rows == expected
    assert dbt.query(
        "select i.email from marts.dim_leads d "
        "join intermediate.int_identity__leads i using (lead_id) order by i.email"
    ) == [
        ("jane.doe@acme.example",),
        ("ron@globex.example",),
    ]
