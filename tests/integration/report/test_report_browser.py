"""The HTML report opened in headless Chromium (Debian's package, driven by playwright): no
console error, every chart drawn as SVG with its data, numbers as computed from the marts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.report.build import write_report

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[3] / "data" / "output" / "test_screenshots"


@pytest.fixture(scope="module")
def report(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADHOUSE_WAREHOUSE", str(built.core.warehouse))
        mp.setenv("LEADHOUSE_OUTPUT", str(built.output))
        write_report(out)
    return out


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    # no script, style or image is fetched: no http(s) src/href at all
    assert 'src="http' not in html and 'href="http' not in html
    assert "vegaEmbed" in html and "<script src" not in html


@pytest.fixture(scope="module")
def page(report):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_selector(
            "#chart-decile-conversion svg g.mark-rect.role-mark path", timeout=60_000
        )
        yield page, errors
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "report.png"), full_page=True)
        browser.close()


def test_no_console_errors(page):
    _, errors = page
    assert errors == []


def test_funnel_draws_one_bar_per_step(page, built):
    page, _ = page
    bars = page.locator("#chart-funnel svg g.mark-rect.role-mark path")
    assert bars.count() == 5
    leads, sqls = built.core.query(
        "select count(*), count(reached_sql_at) from analytics.lead_scores"
    )[0]
    kpis = page.locator(".kpi .n").all_inner_texts()
    assert kpis[0] == f"{leads:,}" and kpis[2] == f"{sqls:,}"


def test_tier_matrix_draws_one_cell_per_grade_and_band(page, built):
    page, _ = page
    cells = built.core.scalar(
        "select count(distinct (fit_grade, engagement_band)) from analytics.lead_scores"
    )
    assert page.locator("#chart-tiers svg g.mark-rect.role-mark path").count() == cells


def test_every_chart_is_drawn_with_marks(page):
    page, _ = page
    for chart in (
        "funnel",
        "sources",
        "velocity",
        "personas",
        "tiers",
        "tier-conversion",
        "decile-conversion",
    ):
        marks = page.locator(f"#chart-{chart} svg g.mark-rect.role-mark path")
        assert marks.count() > 0, chart


def test_handoffs_list_the_latest_day_with_reasons(page, built):
    page, _ = page
    day, n = built.core.query(
        "select max(handoff_date), count(*) filter (where handoff_date = "
        "(select max(handoff_date) from analytics.lead_handoffs)) from analytics.lead_handoffs"
    )[0]
    assert page.locator("#handoffs h2").inner_text() == f"New hand-offs on {day}"
    assert page.locator("#handoffs tr").count() == 1 + min(n, 25)
    assert "(+" in page.locator("#handoffs td.reasons").first.inner_text()
