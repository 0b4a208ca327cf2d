"""A small synthetic warehouse (marts.dim_leads / fct_interactions / fct_opportunities) with a
known propensity, for the calibration tests. Written with DuckDB from numpy arrays."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

DIM_LEADS_COLUMNS = [
    "lead_id",
    "email_domain",
    "is_free_email",
    "company_name",
    "company_domain",
    "job_title",
    "seniority",
    "job_function",
    "company_size_bucket",
    "employee_count",
    "industry",
    "country_iso2",
    "region",
    "has_phone",
    "is_enriched",
    "enrichment_level",
    "origin",
    "lead_source",
    "first_touch_utm_source",
    "first_touch_utm_medium",
    "first_touch_utm_campaign",
    "last_touch_utm_source",
    "last_touch_utm_medium",
    "last_touch_utm_campaign",
    "consent_to_process",
    "marketing_opt_in",
    "is_unsubscribed",
    "is_hard_bounced",
    "is_spam_reported",
    "crm_id",
    "stated_budget",
    "stated_timeline",
    "stated_need",
    "stated_authority",
    "created_at",
    "first_seen_at",
    "last_activity_at",
]

START = datetime(2025, 1, 1)
END = datetime(2025, 12, 31)
CATEGORIES = ["pricing", "demo", "blog", "home", "docs", "careers"]


def make_leads(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Leads and their true daily conversion hazard (depends on industry, seniority, mail)."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(
        ["software", "retail", "education", "financial services"], n, p=[0.3, 0.3, 0.2, 0.2]
    )
    seniority = rng.choice(["vp", "manager", "individual", "student"], n, p=[0.2, 0.3, 0.35, 0.15])
    free = rng.random(n) < 0.3
    intent = rng.random(n)  # hidden buying intent, drives pricing/demo visits and conversion
    logit = (
        -7.0
        + 1.2 * (industry == "software")
        + 0.6 * (industry == "financial services")
        + 1.0 * (seniority == "vp")
        - 1.5 * (seniority == "student")
        - 0.8 * free
        + 2.0 * intent
    )
    hazard = 1 / (1 + np.exp(-logit))
    created = START + pd.to_timedelta(rng.uniform(0, 300, n), unit="D")
    df = pd.DataFrame({c: pd.Series([None] * n, dtype="object") for c in DIM_LEADS_COLUMNS})
    df["lead_id"] = [f"lead{i:05d}" for i in range(n)]
    df["industry"] = industry
    df["seniority"] = seniority
    df["is_free_email"] = free
    df["company_size_bucket"] = rng.choice(["11-50", "51-200", "201-1000", "5000+"], n)
    df["job_function"] = rng.choice(["sales", "marketing", "engineering", "other"], n)
    df["region"] = rng.choice(["North America", "Europe", "Asia"], n)
    df["country_iso2"] = "US"
    df["created_at"] = created
    df["first_seen_at"] = created
    return df, np.column_stack([hazard, intent])


def make_interactions(
    leads: pd.DataFrame, latent: np.ndarray, seed: int, start: datetime = START, end: datetime = END
) -> pd.DataFrame:
    """Page views between each lead's creation and `end`; intent drives pricing/demo visits."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    intent = latent[:, 1]
    for i, created in enumerate(pd.to_datetime(leads["created_at"])):
        lo = max(created, pd.Timestamp(start))
        days = (pd.Timestamp(end) - lo).days
        if days <= 0:
            continue
        k = rng.poisson(days / 30 * (1 + 3 * intent[i]))
        if not k:
            continue
        p = np.array([0.05 + 0.3 * intent[i], 0.02 + 0.2 * intent[i], 0.4, 0.3, 0.1, 0.05])
        cats = rng.choice(CATEGORIES, k, p=p / p.sum())
        at = lo + pd.to_timedelta(rng.uniform(0, days, k), unit="D")
        rows.append(
            pd.DataFrame(
                {"lead_id": leads["lead_id"].iat[i], "occurred_at": at, "content_category": cats}
            )
        )
    df = pd.concat(rows, ignore_index=True)
    df.insert(0, "interaction_id", [f"i{seed}-{j}" for j in range(len(df))])
    df["source"] = "web"
    df["interaction_type"] = "page_view"
    df["interaction_detail"] = "/" + df["content_category"]
    df["form_type"] = None
    df["url"] = "https://acme.io/" + df["content_category"]
    df["is_machine_open"] = False
    df["is_bot"] = False
    return df


def make_opportunities(leads: pd.DataFrame, latent: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    created = pd.to_datetime(leads["created_at"])
    wait = rng.exponential(1 / latent[:, 0])  # days until the opportunity
    at = created + pd.to_timedelta(np.minimum(wait, 5000), unit="D")
    keep = at <= pd.Timestamp(END)
    return pd.DataFrame(
        {
            "opportunity_id": [f"o{i}" for i in range(int(keep.sum()))],
            "provider": "hubspot",
            "lead_id": leads["lead_id"][keep].values,
            "crm_id": None,
            "stage": "qualifiedtobuy",
            "amount": 1000.0,
            "created_at": at[keep].values,
            "closed_at": None,
            "is_closed": False,
            "is_won": False,
            "won_at": None,
            "lost_at": None,
        }
    )


def build_warehouse(path: Path, n: int = 3000, seed: int = 7) -> Path:
    leads, latent = make_leads(n, seed)
    inter = make_interactions(leads, latent, seed)
    opps = make_opportunities(leads, latent, seed)
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    for name, df in (
        ("dim_leads", leads),
        ("fct_interactions", inter),
        ("fct_opportunities", opps),
    ):
        con.register("df_view", df)
        con.execute(f"create or replace table marts.{name} as select * from df_view")
        con.unregister("df_view")
    con.execute("alter table marts.dim_leads alter is_free_email type boolean")
    con.close()
    return path


def write_misset_seeds(project_seeds: Path, out: Path) -> Path:
    """Copy the project's scoring seeds with model 'default' points deliberately inverted."""
    out.mkdir(parents=True, exist_ok=True)
    for f in project_seeds.glob("scoring_*.csv"):
        with f.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
            cols = list(rows[0].keys()) if rows else []
        if f.name in ("scoring_fit_rules.csv", "scoring_engagement_rules.csv"):
            for r in rows:
                if r["model_id"] == "default":
                    r["points"] = str(-int(float(r["points"])))
        with (out / f.name).open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return out
