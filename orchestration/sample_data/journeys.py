"""What each lead (and each anonymous visitor) does on one day: the behaviour model.

Everything is decided with numpy for a whole chunk of leads at once; the renderers then turn
the plans into records. Behaviour follows the hidden propensity: higher propensity means more
visits, more pricing/demo/trial pages, more bottom-of-funnel forms and more email clicks, with
a burst of intent in the days before an opportunity; cold leads stop engaging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample_data import vocab
from orchestration.sample_data.catalog import Catalog
from orchestration.sample_data.population import KIND_COMPETITOR, KIND_STUDENT, PopulationChunk

LOW_FORMS = {"newsletter": 3.0, "content_download": 3.0, "webinar": 2.0}
HIGH_FORMS = {"demo_request": 2.0, "contact_sales": 1.0, "free_trial": 1.5, "pricing_question": 1.0}
DAY_MS = 86_400_000


def weekday_factor(ordinal: int) -> float:
    """Less traffic on weekends (date.toordinal() % 7: 0 = Sunday, 6 = Saturday)."""
    return 0.45 if ordinal % 7 in (0, 6) else 1.0


def category_weights(pop: PopulationChunk, catalog: Catalog) -> np.ndarray:
    """Per-lead page-category weights (n x categories), cached on the chunk."""
    cached = getattr(pop, "_cat_w", None)
    if cached is not None:
        return cached
    cats = catalog.categories
    w = np.tile(np.array(catalog.category_weights, dtype=float), (pop.n, 1))
    prop = pop.propensity
    student, competitor = pop.kind == KIND_STUDENT, pop.kind == KIND_COMPETITOR
    for j, c in enumerate(cats):
        if c in vocab.DECISION_CATEGORIES:
            w[:, j] *= 1 + 8 * prop
            w[student, j] *= 0.3
        if c == "product":
            w[:, j] *= 1 + 2 * prop
        if c == "careers":
            w[:, j] *= np.where(student, 5.0, 1.0) * (1.5 - prop)
        if c == "pricing":
            w[competitor, j] *= 12
        if c in ("product", "docs"):
            w[competitor, j] *= 4
    pop._cat_w = w  # type: ignore[attr-defined]
    return w


@dataclass
class SessionPlan:
    """Sessions of known leads on one day (parallel arrays, one entry per session)."""

    lead: np.ndarray  # local lead index
    start_ms: np.ndarray
    n_pages: np.ndarray
    categories: np.ndarray  # flat page categories, n_pages per session in order
    device2: np.ndarray  # bool: second device (anonymous id 2)
    form: list  # per session: Form or None (submitted at the end of the session)
    traffic: np.ndarray  # index into vocab.TRAFFIC_SOURCES
    cta: np.ndarray  # flat, per page: a CTA click after the page


def _sample_rows(rng: np.random.Generator, weights: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """For each row of ``weights`` draw ``reps[row]`` categories."""
    if weights.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    rows = np.repeat(np.arange(weights.shape[0]), reps)
    u = rng.random(rows.shape[0])
    return (u[:, None] > cdf[rows]).sum(axis=1)


def _starts(rng: np.random.Generator, n: int) -> np.ndarray:
    hours = rng.normal(14.0, 3.8, size=n) % 24.0
    return (hours * 3_600_000).astype(np.int64)


def _pick_forms(
    rng: np.random.Generator, prop: np.ndarray, catalog: Catalog, high_only: bool = False
):
    types = catalog.form_types()
    low = np.array([LOW_FORMS.get(t, 0.5) for t in types])
    high = np.array([HIGH_FORMS.get(t, 0.0) for t in types])
    out = []
    u, v = rng.random(prop.shape[0]), rng.random(prop.shape[0])
    for p, a, b in zip(prop.tolist(), u.tolist(), v.tolist(), strict=True):
        w = high * (0.2 + 3 * p) if high_only else low * (1 - p) + high * 3 * p**1.3
        cdf = np.cumsum(w) / w.sum()
        t = types[min(int(np.searchsorted(cdf, a, side="right")), len(types) - 1)]
        forms = catalog.forms_by_type[t]
        out.append(forms[min(int(b * len(forms)), len(forms) - 1)])
    return out


def plan_lead_sessions(
    pop: PopulationChunk,
    d: int,
    ordinal: int,
    rng: np.random.Generator,
    mult: float,
    catalog: Catalog,
) -> SessionPlan:
    """Decide the web sessions (and the forms submitted in them) of a chunk on day ``d``."""
    prop = pop.propensity
    active = (d >= pop.first_seen) & (d < pop.cold_day)
    phase = np.where(d < pop.created, 0.6, 1.0)
    dist = np.abs(d - pop.opp_day).astype(float)
    boost = 1.0 + 3.0 * np.exp(-dist / 4.0) * (pop.opp_day < 10**6)
    lam = mult * pop.activity * phase * boost * weekday_factor(ordinal) * active
    n_free = rng.poisson(lam)

    # forms: the capture form on the creation day (inbound), more later, a demo before the opp
    capture = (pop.created == d) & (pop.origin == 0)
    later = active & (d > pop.created) & (rng.random(pop.n) < 0.004 + 0.03 * prop)
    pre_opp = (pop.opp_day - 1 == d) & (rng.random(pop.n) < 0.7)
    form_any = capture | later | pre_opp
    form_leads = np.flatnonzero(form_any)
    high_leads = set(np.flatnonzero(pre_opp).tolist())
    forms_for = {}
    if form_leads.size:
        normal = [i for i in form_leads.tolist() if i not in high_leads]
        high = [i for i in form_leads.tolist() if i in high_leads]
        for i, f in zip(normal, _pick_forms(rng, prop[normal], catalog), strict=True):
            forms_for[i] = f
        for i, f in zip(high, _pick_forms(rng, prop[high], catalog, high_only=True), strict=True):
            forms_for[i] = f

    lead = np.concatenate([np.repeat(np.arange(pop.n), n_free), form_leads])
    form = [None] * int(n_free.sum()) + [forms_for[i] for i in form_leads.tolist()]
    n = lead.shape[0]
    n_pages = np.minimum(rng.geometric(0.33, size=n), 15)
    weights = category_weights(pop, catalog)[lead]
    decision = [j for j, c in enumerate(catalog.categories) if c in vocab.DECISION_CATEGORIES]
    if decision and n:
        weights = weights.copy()
        weights[:, decision] *= boost[lead][:, None]
    categories = _sample_rows(rng, weights, n_pages)
    traffic_w = np.array([t[4] for t in vocab.TRAFFIC_SOURCES], dtype=float)
    traffic = rng.choice(len(traffic_w), size=n, p=traffic_w / traffic_w.sum())
    device2 = pop.two_devices[lead] & (rng.random(n) < 0.4)
    cta = rng.random(categories.shape[0]) < (0.05 + 0.15 * np.repeat(prop[lead], n_pages))
    return SessionPlan(lead, _starts(rng, n), n_pages, categories, device2, form, traffic, cta)


@dataclass
class AnonPlan:
    """Sessions of never-identified visitors."""

    visitor: np.ndarray
    start_ms: np.ndarray
    n_pages: np.ndarray
    categories: np.ndarray
    traffic: np.ndarray
    ua: np.ndarray
    cta: np.ndarray


def plan_anon_sessions(
    rng: np.random.Generator, expected: float, pool: int, catalog: Catalog
) -> AnonPlan:
    n = int(rng.poisson(expected))
    visitor = (pool * rng.random(n) ** 2.5).astype(np.int64)
    n_pages = np.minimum(rng.geometric(0.45, size=n), 12)
    base = np.array(catalog.category_weights, dtype=float)
    cdf = np.cumsum(base) / base.sum()
    categories = np.searchsorted(cdf, rng.random(int(n_pages.sum())), side="right")
    categories = np.minimum(categories, len(base) - 1)
    traffic_w = np.array([t[4] for t in vocab.TRAFFIC_SOURCES], dtype=float)
    traffic = rng.choice(len(traffic_w), size=n, p=traffic_w / traffic_w.sum())
    ua = rng.integers(0, len(vocab.USER_AGENTS), size=n)
    cta = rng.random(categories.shape[0]) < 0.04
    return AnonPlan(visitor, _starts(rng, n), n_pages, categories, traffic, ua, cta)


@dataclass
class SendPlan:
    """One marketing email per recipient on a send day, and what happened to it."""

    lead: np.ndarray
    campaign: np.ndarray
    send_ms: np.ndarray
    hard_bounce: np.ndarray
    soft_bounce: np.ndarray
    machine_open: np.ndarray
    human_open: np.ndarray
    click: np.ndarray
    link: np.ndarray
    unsubscribe: np.ndarray
    spam: np.ndarray


def is_send_day(ordinal: int) -> bool:
    """Campaigns go out on Tuesdays and Thursdays."""
    return ordinal % 7 in (2, 4)


def plan_sends(pop: PopulationChunk, d: int, ordinal: int, rng: np.random.Generator) -> SendPlan:
    prop = pop.propensity
    outbound_seq = (pop.origin != 0) & (d - pop.created < 28)
    eligible = (pop.created < d) & (pop.opt_in | outbound_seq)
    eligible &= (d <= pop.unsub_day) & (d <= pop.bounce_day) & (d <= pop.spam_day)
    if not is_send_day(ordinal):
        eligible &= False
    chosen = eligible & (rng.random(pop.n) < 0.65)
    lead = np.flatnonzero(chosen)
    n = lead.shape[0]
    p = prop[lead]
    campaign = np.where(
        pop.origin[lead] != 0,
        len(vocab.EMAIL_CAMPAIGNS) - 1,
        (ordinal // 2 + rng.integers(0, 2, size=n)) % (len(vocab.EMAIL_CAMPAIGNS) - 1),
    )
    send_ms = 8 * 3_600_000 + rng.integers(0, 3_600_000, size=n)
    hard = pop.bounce_day[lead] == d
    soft = ~hard & (rng.random(n) < 0.015)
    delivered = ~hard & ~soft
    engaged = d < pop.cold_day[lead]
    machine = delivered & pop.is_mpp[lead]
    human = delivered & engaged & (rng.random(n) < 0.1 + 0.45 * p)
    click = human & (rng.random(n) < 0.06 + 0.6 * p**1.2)
    hi = rng.random(n) < 0.15 + 0.6 * p
    link = np.where(
        hi,
        rng.choice(vocab.EMAIL_HIGH_INTENT_LINKS, size=n),
        rng.integers(0, len(vocab.EMAIL_LINK_PATHS), size=n),
    )
    unsub = delivered & (pop.unsub_day[lead] == d)
    spam = delivered & (pop.spam_day[lead] == d)
    return SendPlan(lead, campaign, send_ms, hard, soft, machine, human, click, link, unsub, spam)
