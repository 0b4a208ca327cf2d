"""The synthetic population: companies, people, hidden propensity and true outcomes.

Leads are generated in chunks (``chunk_leads`` at a time) from a random generator seeded
with ``(seed, chunk)``, so any chunk can be rebuilt on its own and memory does not grow
with the scale. Days are integer offsets from the first day of the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from orchestration.sample_data import vocab

NEVER = 10**6  # a day that never comes

ORIGINS = ("inbound", "purchased", "tradeshow", "referral")
ORIGIN_WEIGHTS = (0.62, 0.24, 0.08, 0.06)
KIND_BUSINESS, KIND_STUDENT, KIND_COMPETITOR = 0, 1, 2
EMAIL_PROVIDERS = ("sendgrid", "mailgun", "ses")
CRM_PROVIDERS = ("hubspot", "salesforce")
CALLING_CODES = {
    "US": "1",
    "CA": "1",
    "GB": "44",
    "DE": "49",
    "FR": "33",
    "NL": "31",
    "ES": "34",
    "IT": "39",
    "SE": "46",
    "AU": "61",
    "IN": "91",
    "BR": "55",
    "JP": "81",
    "SG": "65",
    "IE": "353",
    "CH": "41",
}


@dataclass(frozen=True)
class ListEvent:
    """One imported lead list: kind, file name stem and the day it lands."""

    kind: str  # purchased | tradeshow | referral
    name: str
    day: int


def list_schedule(window_days: int) -> list[ListEvent]:
    """The lists imported over the window (a fixed calendar, the same for every seed)."""
    events: list[ListEvent] = []
    for i, day in enumerate(range(8, window_days, 30)):
        events.append(ListEvent("purchased", f"datavendor_batch_{i + 1:02d}", day))
    for i, day in enumerate(range(20, window_days, 25)):
        events.append(ListEvent("tradeshow", f"revops_summit_day_{i + 1}", day))
    for day in range(6, window_days, 7):
        events.append(ListEvent("referral", f"partner_referrals_w{day // 7 + 1:02d}", day))
    return events


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choice(
    rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int
) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _hex_ids(rng: np.random.Generator, n: int) -> list[str]:
    a = rng.integers(0, 2**63, size=n, dtype=np.int64)
    b = rng.integers(0, 2**63, size=n, dtype=np.int64)
    return [f"{x:016x}{y:016x}" for x, y in zip(a.tolist(), b.tolist(), strict=True)]


def as_uuid(h: str) -> str:
    """Format 32 hex digits as a UUID-4 looking string."""
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def company_identity(g: int) -> tuple[str, str]:
    """(name, domain) of global company ``g``; unique for every g."""
    na, nb, nt = len(vocab.COMPANY_WORDS_A), len(vocab.COMPANY_WORDS_B), len(vocab.TLDS)
    cap = na * nb * nt
    p, rep = (g * 7919) % cap, g // cap
    a, rest = divmod(p, nb * nt)
    b, t = divmod(rest, nt)
    wa, wb = vocab.COMPANY_WORDS_A[a], vocab.COMPANY_WORDS_B[b]
    tail = str(rep + 1) if rep else ""
    name = f"{wa.title()}{wb.title()}{(' ' + tail) if tail else ''}"
    suffix = vocab.COMPANY_SUFFIX[(a + b) % len(vocab.COMPANY_SUFFIX)]
    return name + suffix, f"{wa}{wb}{tail}{vocab.TLDS[t]}"


class PopulationChunk:
    """Attributes of ``n`` consecutive leads (numpy arrays and lists of strings)."""

    def __init__(self, seed: int, chunk: int, start: int, n: int, window_days: int):
        rng = np.random.default_rng([seed, 1, chunk])
        self.chunk, self.start, self.n = chunk, start, n
        self.gidx = np.arange(start, start + n)
        w = window_days

        # --- who they are -------------------------------------------------------------
        kind = np.zeros(n, dtype=np.int8)
        u = rng.random(n)
        kind[u < 0.03] = KIND_STUDENT
        kind[(u >= 0.03) & (u < 0.04)] = KIND_COMPETITOR
        self.kind = kind
        origin = _choice(rng, ORIGIN_WEIGHTS, n).astype(np.int8)
        origin[kind != KIND_BUSINESS] = 0  # students and competitors come inbound
        self.origin = origin

        n_comp = max(1, n // 3)
        comp_local = np.minimum((n_comp * rng.random(n) ** 1.6).astype(np.int64), n_comp - 1)
        comp_global = start // 3 + comp_local  # unique: chunks are equal-sized
        comp_rng = np.random.default_rng([seed, 2, chunk])
        ind_w = [x[2] for x in vocab.INDUSTRIES]
        comp_industry = _choice(comp_rng, ind_w, n_comp)
        comp_size = _choice(comp_rng, vocab.SIZE_WEIGHTS, n_comp)
        lo = np.array([b[1] for b in vocab.SIZE_BUCKETS])[comp_size]
        hi = np.array([b[2] for b in vocab.SIZE_BUCKETS])[comp_size]
        comp_emp = (lo + (hi - lo) * comp_rng.random(n_comp) ** 2).astype(np.int64)
        comp_country = _choice(comp_rng, [c[1] for c in vocab.COUNTRIES], n_comp)
        self.industry = comp_industry[comp_local]
        self.size = comp_size[comp_local]
        self.employees = comp_emp[comp_local]
        self.country = comp_country[comp_local]
        self.company_global = comp_global

        self.seniority = _choice(rng, vocab.SENIORITY_WEIGHTS, n).astype(np.int8)
        self.function = _choice(rng, vocab.FUNCTION_WEIGHTS, n).astype(np.int8)
        title_variant = rng.integers(0, 3, size=n)
        no_title = rng.random(n) < 0.04
        self.is_free = (rng.random(n) < 0.14) | (kind == KIND_STUDENT)
        self.is_free[kind == KIND_COMPETITOR] = False
        first_i = rng.integers(0, len(vocab.FIRST_NAMES), size=n)
        last_i = rng.integers(0, len(vocab.LAST_NAMES), size=n)
        pattern = _choice(rng, (45, 20, 10, 10, 15), n)
        free_dom = rng.integers(0, len(vocab.FREE_MAIL_DOMAINS), size=n)
        comp_i = rng.integers(0, len(vocab.COMPETITOR_DOMAINS), size=n)
        has_phone = rng.random(n) < 0.4
        phone_num = rng.integers(10**8, 10**9, size=n)

        # --- hidden propensity ----------------------------------------------------------
        sen_fit = np.array(vocab.SENIORITY_FIT)[self.seniority]
        fun_fit = np.array(vocab.FUNCTION_FIT)[self.function]
        ind_fit = np.where(np.array([x[1] for x in vocab.INDUSTRIES])[self.industry], 0.8, -0.3)
        size_fit = np.array([b[3] for b in vocab.SIZE_BUCKETS])[self.size]
        origin_adj = np.array([0.0, -1.8, -0.5, 0.6])[origin]
        intent = rng.normal(0.0, 0.9, size=n)
        logit = -1.7 + sen_fit + fun_fit + ind_fit + size_fit - 1.2 * self.is_free + origin_adj
        logit = logit + intent - np.where(no_title, 0.5, 0.0)
        logit[kind == KIND_STUDENT] = -4.5 + 0.3 * intent[kind == KIND_STUDENT]
        logit[kind == KIND_COMPETITOR] = -5.0 + 0.3 * intent[kind == KIND_COMPETITOR]
        self.propensity = np.round(_sigmoid(logit), 4)
        prop = self.propensity
        self.fit_logit = logit - intent

        # --- timeline -------------------------------------------------------------------
        created = rng.integers(0, w, size=n)
        self.list_index = np.full(n, -1, dtype=np.int64)
        schedule = list_schedule(w)
        for o, kind_name in ((1, "purchased"), (2, "tradeshow"), (3, "referral")):
            idx = [i for i, e in enumerate(schedule) if e.kind == kind_name]
            mask = origin == o
            if idx and mask.any():
                pick = np.array(idx)[rng.integers(0, len(idx), size=int(mask.sum()))]
                self.list_index[mask] = pick
                created[mask] = np.array([schedule[i].day for i in pick])
            elif mask.any():
                origin[mask] = 0
        self.created = created
        pre = rng.geometric(0.15, size=n) - 1
        self.first_seen = np.where(origin == 0, np.maximum(created - pre, 0), created)
        self.activity = (0.3 + 2.6 * prop**1.2) * np.where(origin == 1, 0.15, 1.0)
        self.activity = self.activity * np.where(origin >= 2, 0.5, 1.0)

        p_opp = np.clip(0.005 + 0.8 * prop**1.5, 0, 0.95)
        p_opp[kind != KIND_BUSINESS] = 0.0
        has_opp = rng.random(n) < p_opp
        opp_day = created + 3 + rng.gamma(2.0, 6.0, size=n).astype(np.int64)
        self.opp_day = np.where(has_opp, opp_day, NEVER)
        won = rng.random(n) < (0.15 + 0.6 * prop)
        close_day = opp_day + 7 + rng.gamma(2.0, 8.0, size=n).astype(np.int64)
        self.close_day = np.where(has_opp, close_day, NEVER)
        self.won = has_opp & won
        p_cold = 0.2 + 0.45 * (1 - prop)
        cold = rng.random(n) < p_cold
        cold_day = created + 2 + rng.exponential(14.0, size=n).astype(np.int64)
        self.cold_day = np.where(
            has_opp, np.where(won, NEVER, close_day + 5), np.where(cold, cold_day, NEVER)
        )

        purchased = origin == 1
        p_unsub = np.where(purchased, 0.12, 0.03 + 0.08 * (1 - prop))
        self.unsub_day = np.where(
            rng.random(n) < p_unsub,
            created + 3 + rng.exponential(20.0, size=n).astype(np.int64),
            NEVER,
        )
        self.bounce_day = np.where(
            rng.random(n) < np.where(purchased, 0.08, 0.012),
            created + 1 + rng.exponential(6.0, size=n).astype(np.int64),
            NEVER,
        )
        self.spam_day = np.where(
            rng.random(n) < np.where(purchased, 0.02, 0.003),
            created + 2 + rng.exponential(15.0, size=n).astype(np.int64),
            NEVER,
        )
        self.is_mpp = rng.random(n) < 0.35
        self.email_provider = _choice(rng, (80, 12, 8), n).astype(np.int8)
        self.crm_provider = _choice(rng, (60, 40), n).astype(np.int8)
        self.opt_in = (origin == 0) & (rng.random(n) < 0.75)
        self.two_devices = rng.random(n) < 0.3
        self.locale = rng.integers(0, len(vocab.LOCALES), size=n)
        self.ua = rng.integers(0, len(vocab.USER_AGENTS), size=n)
        self.ip = rng.integers(0x0B000000, 0xDF000000, size=n)
        self.anon = [as_uuid(h) for h in _hex_ids(rng, n)]
        self.anon2 = [as_uuid(h) for h in _hex_ids(rng, n)]
        self.user_id = [f"usr_{h[:20]}" for h in _hex_ids(rng, n)]
        self.crm_contact = rng.integers(10**9, 10**10, size=n)

        # --- strings ----------------------------------------------------------------------
        self.first = [vocab.FIRST_NAMES[i] for i in first_i.tolist()]
        self.last = [vocab.LAST_NAMES[i] for i in last_i.tolist()]
        self.title: list[str] = []
        self.company: list[str] = []
        self.domain: list[str] = []
        self.email: list[str] = []
        self.phone: list[str] = []
        seen: set[str] = set()
        countries = [c[0] for c in vocab.COUNTRIES]
        for i in range(n):
            k = int(kind[i])
            sen, fun = int(self.seniority[i]), int(self.function[i])
            if k == KIND_STUDENT:
                title = vocab.STUDENT_TITLES[int(title_variant[i]) % len(vocab.STUDENT_TITLES)]
                company, domain = "", ""
            else:
                title = "" if no_title[i] else _title(sen, fun, int(title_variant[i]))
                if k == KIND_COMPETITOR:
                    company, domain = vocab.COMPETITOR_DOMAINS[int(comp_i[i])]
                else:
                    company, domain = company_identity(int(comp_global[i]))
            first, last = self.first[i].lower(), self.last[i].lower()
            p = int(pattern[i])
            local = (
                f"{first}.{last}",
                f"{first[0]}{last}",
                first,
                f"{first}_{last}",
                f"{first}{last[0]}",
            )[p]
            if self.is_free[i]:
                email = f"{local}{int(self.gidx[i])}@{vocab.FREE_MAIL_DOMAINS[int(free_dom[i])]}"
            elif k == KIND_COMPETITOR:
                email = f"{local}{int(self.gidx[i])}@{domain}"
            else:
                email = f"{local}@{domain}"
                if email in seen:
                    email = f"{local}{int(self.gidx[i])}@{domain}"
            seen.add(email)
            self.title.append(title)
            self.company.append(company)
            self.domain.append(domain)
            self.email.append(email)
            cc = CALLING_CODES.get(countries[int(self.country[i])], "1")
            self.phone.append(f"+{cc}{int(phone_num[i])}" if has_phone[i] else "")
        self.persona = _personas(self)

    # ------------------------------------------------------------------------------------
    def country_code(self, i: int) -> str:
        return vocab.COUNTRIES[int(self.country[i])][0]

    def industry_name(self, i: int) -> str:
        return vocab.INDUSTRIES[int(self.industry[i])][0] if self.kind[i] != KIND_STUDENT else ""

    def size_label(self, i: int) -> str:
        return vocab.SIZE_BUCKETS[int(self.size[i])][0] if self.kind[i] != KIND_STUDENT else ""


def _title(sen: int, fun: int, variant: int) -> str:
    label = vocab.FUNCTION_LABEL[fun]
    if sen == 0:
        return (vocab.C_LEVEL_TITLES[fun], vocab.C_LEVEL_SHORT[fun], vocab.C_LEVEL_TITLES[fun])[
            variant
        ]
    if sen == 1:
        return (f"VP {label}", f"VP of {label}", f"Vice President, {label}")[variant]
    if sen == 2:
        return (f"Director of {label}", f"{label} Director", f"Head of {label}")[variant]
    if sen == 3:
        return (f"{label} Manager", f"Senior {label} Manager", f"{label} Operations Manager")[
            variant
        ]
    return vocab.INDIVIDUAL_TITLES[fun][variant]


def _personas(pop: PopulationChunk) -> list[str]:
    out = []
    for i in range(pop.n):
        k, sen, fun = int(pop.kind[i]), int(pop.seniority[i]), int(pop.function[i])
        if k == KIND_STUDENT:
            out.append("student")
        elif k == KIND_COMPETITOR:
            out.append("competitor")
        elif pop.size[i] == 0:
            out.append("small_business")
        elif sen <= 2 and fun in (0, 1, 6):
            out.append("revenue_leader")
        elif sen == 3 and fun in (0, 1, 6):
            out.append("ops_champion")
        elif fun in (2, 3):
            out.append("technical_evaluator")
        elif sen <= 1:
            out.append("executive_other")
        else:
            out.append("individual_contributor")
    return out
