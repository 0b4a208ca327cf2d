"""The generation loop: day by day, chunk of leads by chunk, writing as it goes.

Every day draws from generators seeded with ``(seed, day, chunk)``, so a day's files do not
depend on which other days are generated: generating one extra day later (or regenerating one
day alone) writes exactly the bytes a full run would. Memory holds one day's open writers and
one chunk of leads (all chunks are cached up to ``CACHE_LEADS`` leads).
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from orchestration import progress
from orchestration.sample_data import clock, dirty, journeys, vocab
from orchestration.sample_data.catalog import Catalog, Form, form_page_path, load_catalog
from orchestration.sample_data.population import (
    KIND_BUSINESS,
    NEVER,
    PopulationChunk,
    list_schedule,
)
from orchestration.sample_data.render_email import EmailRenderer
from orchestration.sample_data.render_forms import FormRenderer
from orchestration.sample_data.render_tables import (
    HUBSPOT_HEADER,
    LIST_EXTRA,
    LIST_HEADER,
    SALESFORCE_HEADER,
    deal_rows_for_day,
    write_deal,
    write_list_rows,
)
from orchestration.sample_data.render_web import IdSource, WebRenderer
from orchestration.sample_data.scales import SCALES, GeneratorOptions, ScaleSpec
from orchestration.sample_data.writer import RotatingWriter

CACHE_LEADS = 200_000
DAYS_PER_BLOCK = 10
LEAD_WEB_SHARE = 0.35  # share of web messages that come from known leads
MANIFEST = "_truth/dirty_manifest.json"
SOURCE_OF = {
    "segment": "web_events",
    "sendgrid": "email_events",
    "mailgun": "email_events",
    "ses": "email_events",
    "hubspot": "form_submissions",
    "typeform": "form_submissions",
    "post": "form_submissions",
    "list": "lead_lists",
    "hubspot_deals": "crm_deals",
    "salesforce_opportunities": "crm_deals",
}


class GenerationReport(BaseModel):
    """What a run wrote."""

    scale: str
    seed: int
    out: str
    start_date: date
    days: int
    window_end: date
    leads: int
    rows: dict[str, int]  # per source folder
    rows_by_format: dict[str, int]  # segment, sendgrid, mailgun, ses, hubspot, typeform, ...
    files: list[str]  # relative paths written
    dirty: dict[str, dict[str, int]]  # source -> kind -> count
    truth_written: bool
    seconds: float


class _Run:
    """State shared by one generation run."""

    def __init__(
        self, spec: ScaleSpec, seed: int, out: Path, opts: GeneratorOptions, catalog: Catalog
    ):
        self.spec, self.seed, self.out, self.opts, self.catalog = spec, seed, out, opts, catalog
        self.window_start = opts.end_date - timedelta(days=opts.window_days - 1)
        self.start_ord = self.window_start.toordinal()
        self.last_day = opts.window_days - 1
        self.chunk = min(spec.chunk_leads, spec.leads)
        self.n_chunks = -(-spec.leads // self.chunk)
        self.cache: dict[int, PopulationChunk] = {}
        self.manifest: dict[str, object] = {}
        self.lists = list_schedule(opts.window_days)
        self.mult = self._lead_rate_multiplier()
        anon_msgs = spec.web_events * (1 - LEAD_WEB_SHARE)
        self.anon_sessions_per_day = anon_msgs / 2.4 / opts.window_days / 0.84
        self.anon_pool = max(10, int(anon_msgs / 2.4 * 0.6))

    def population(self, c: int) -> PopulationChunk:
        pop = self.cache.get(c)
        if pop is None:
            n = min(self.chunk, self.spec.leads - c * self.chunk)
            pop = PopulationChunk(self.seed, c, c * self.chunk, n, self.opts.window_days)
            if self.spec.leads <= CACHE_LEADS:
                self.cache[c] = pop
        return pop

    def _lead_rate_multiplier(self) -> float:
        """Scale lead session rates so known leads make ~35% of the web messages."""
        pop = self.population(0)
        end = np.minimum(pop.cold_day, self.opts.window_days)
        active_days = np.maximum(end - pop.first_seen, 0)
        raw = float((pop.activity * active_days).sum()) * 0.84 * self.spec.leads / pop.n
        per_session = 3.4  # pages + CTA tracks per lead session
        target_sessions = self.spec.web_events * LEAD_WEB_SHARE / per_session
        return target_sessions / max(raw, 1e-9)

    def rng(self, stream: int, ordinal: int, c: int = 0) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream, ordinal, c])


def _anon_id(seed: int, visitor: int) -> str:
    h = hashlib.blake2b(f"{seed}:{visitor}".encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _session_messages(
    web: WebRenderer,
    catalog: Catalog,
    anon: str,
    uid: str | None,
    start: int,
    cats: Sequence[int],
    ctas: Sequence[bool],
    traffic: int,
    ua: str,
    ip: str,
    locale: str,
    rng_u: Callable[[], float],
) -> tuple[list, int, str]:
    """Page views (+ CTA clicks) of one session; returns messages, end time, last URL."""
    ref, src, med, camp, _ = vocab.TRAFFIC_SOURCES[traffic]
    campaign = {"source": src, "medium": med, "name": camp} if src else None
    search = f"?utm_source={src}&utm_medium={med}&utm_campaign={camp}" if src else ""
    msgs = []
    t = start
    url = ""
    for c, cta in zip(cats, ctas, strict=True):
        paths = catalog.paths[catalog.categories[c]]
        path = paths[int(rng_u() * len(paths)) % len(paths)]
        msgs.append(
            (web.page(anon, uid, t, path, ref, search, campaign, ua, ip, locale), "segment")
        )
        url = f"{vocab.SITE}{path}{search}"
        if cta:
            cid, label = vocab.CTA_LABELS[int(rng_u() * len(vocab.CTA_LABELS))]
            t += 3000 + int(rng_u() * 20_000)
            msgs.append(
                (
                    web.track(
                        anon,
                        uid,
                        t,
                        "CTA Clicked",
                        {"cta_id": cid, "label": label, "path": path},
                        ua,
                        ip,
                        locale,
                    ),
                    "segment",
                )
            )
        ref, search, campaign = url, "", None
        t += 5000 + int(rng_u() * 90_000)
        t = min(t, 86_399_000)
    return msgs, t, url


def _email_visit(
    web: WebRenderer,
    pop: PopulationChunk,
    i: int,
    d: int,
    t: int,
    path: str,
    query: str,
    rng_u: Callable[[], float],
) -> None:
    """A click in an email lands on the site: a page view with the email's UTM parameters
    (and ``ajs_uid`` when the link carried it), sometimes followed by the pricing page."""
    known = pop.origin[i] == 0 and d > pop.created[i]
    uid = pop.user_id[i] if known else None
    ua = vocab.USER_AGENTS[int(pop.ua[i])]
    ip, loc = clock.ip_str(int(pop.ip[i])), vocab.LOCALES[int(pop.locale[i])]
    params = dict(kv.split("=", 1) for kv in query[1:].split("&"))
    campaign = {"source": params["utm_source"], "medium": "email", "name": params["utm_campaign"]}
    t = min(t + 1500, 86_399_000)
    msgs = [(web.page(pop.anon[i], uid, t, path, "", query, campaign, ua, ip, loc), "segment")]
    if path != "/pricing" and rng_u() < float(pop.propensity[i]):
        t = min(t + 20_000 + int(rng_u() * 120_000), 86_399_000)
        msgs.append(
            (
                web.page(
                    pop.anon[i],
                    uid,
                    t,
                    "/pricing",
                    f"{vocab.SITE}{path}{query}",
                    "",
                    None,
                    ua,
                    ip,
                    loc,
                ),
                "segment",
            )
        )
    web.emit(msgs)


class _Uniforms:
    """Uniform numbers in [0, 1) drawn in blocks (cheap to call per event)."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.buf, self.i = rng, [], 0

    def __call__(self) -> float:
        if self.i >= len(self.buf):
            self.buf, self.i = self.rng.random(1 << 14).tolist(), 0
        u = self.buf[self.i]
        self.i += 1
        return u


class _Day:
    """Everything one day writes. Chunks of leads are fed in order with :meth:`chunk`; the
    day's state (writers, dirt pickers, id source) lives across chunks, so feeding several
    days chunk by chunk gives the same bytes as one day after the other."""

    def __init__(self, run: _Run, d: int):
        self.run, self.d = run, d
        self.o = o = run.start_ord + d
        ds = clock.day_str(o)
        opts, out, manifest = run.opts, run.out, run.manifest
        mx = opts.max_events_per_file

        def writer(
            folder: str,
            stem: str,
            ext: str,
            mode: str,
            header: list[str] | None = None,
            numbered: bool = True,
        ) -> RotatingWriter:
            return RotatingWriter(
                out, f"{folder}/dt={ds}", stem, ext, mode, mx, manifest, header, numbered
            )

        def picker(k: int) -> dirty.DirtyPicker:
            return dirty.DirtyPicker(opts.dirty_rate, run.rng(90 + k, o))

        self.seg = writer("web_events", "segment", "jsonl", "lines")
        self.mail = {
            "sendgrid": writer("email_events", "sendgrid", "json", "array"),
            "mailgun": writer("email_events", "mailgun", "jsonl", "lines"),
            "ses": writer("email_events", "ses", "jsonl", "lines"),
        }
        self.crm = {
            "hubspot": writer("crm_deals", "hubspot_deals", "csv", "csv", HUBSPOT_HEADER),
            "salesforce": writer(
                "crm_deals", "salesforce_opportunities", "csv", "csv", SALESFORCE_HEADER
            ),
        }
        ids = IdSource(run.rng(80, o))
        self.web = WebRenderer(self.seg, picker(0), ids, o, opts.batch_envelope_share)
        self.email = EmailRenderer(self.mail, picker(1), ids, o)

        def open_form_writer(key: str) -> RotatingWriter:
            ext = "txt" if key.startswith("post__") else "jsonl"
            return writer("form_submissions", key, ext, "lines")

        self.forms = FormRenderer(open_form_writer, picker(2), ids, o)
        self.list_picker, self.crm_picker = picker(3), picker(4)
        self.todays_lists = [(j, e) for j, e in enumerate(run.lists) if e.day == d]
        self.list_writers = {
            j: writer(
                "lead_lists",
                f"{e.kind}__{e.name}",
                "csv",
                "csv",
                LIST_HEADER + LIST_EXTRA[e.kind],
                numbered=False,
            )
            for j, e in self.todays_lists
        }

    def chunk(self, c: int, pop: PopulationChunk) -> None:
        run, d, o, web, catalog = self.run, self.d, self.o, self.web, self.run.catalog
        rng = run.rng(7, o, c)
        rng_u = _Uniforms(run.rng(8, o, c))

        # -- known leads: sessions, forms, identify/alias ------------------------------
        plan = journeys.plan_lead_sessions(pop, d, o, rng, run.mult, catalog)
        offsets = np.concatenate([[0], np.cumsum(plan.n_pages)]).tolist()
        cats_all, cta_all = plan.categories.tolist(), plan.cta.tolist()
        for s in range(plan.lead.shape[0]):
            i = int(plan.lead[s])
            form = plan.form[s]
            dev2 = bool(plan.device2[s]) and form is None
            anon = pop.anon2[i] if dev2 else pop.anon[i]
            known = pop.origin[i] == 0 and d > pop.created[i]
            uid = pop.user_id[i] if (known and not dev2) else None
            ua = vocab.USER_AGENTS[(int(pop.ua[i]) + (3 if dev2 else 0)) % len(vocab.USER_AGENTS)]
            ip, loc = clock.ip_str(int(pop.ip[i])), vocab.LOCALES[int(pop.locale[i])]
            a, b = offsets[s], offsets[s + 1]
            msgs, t, _ = _session_messages(
                web,
                catalog,
                anon,
                uid,
                int(plan.start_ms[s]),
                cats_all[a:b],
                cta_all[a:b],
                int(plan.traffic[s]),
                ua,
                ip,
                loc,
                rng_u,
            )
            if form is not None:
                self._form_tail(
                    pop,
                    i,
                    form,
                    msgs,
                    t,
                    anon,
                    uid,
                    ua,
                    ip,
                    loc,
                    vocab.TRAFFIC_SOURCES[int(plan.traffic[s])][1],
                    rng_u,
                )
            web.emit(msgs)

        # -- anonymous visitors ---------------------------------------------------------
        expected = run.anon_sessions_per_day * journeys.weekday_factor(o) * pop.n / run.spec.leads
        pool = -(-run.anon_pool // run.n_chunks)  # each chunk has its own visitors
        aplan = journeys.plan_anon_sessions(rng, expected, pool, catalog)
        offsets = np.concatenate([[0], np.cumsum(aplan.n_pages)]).tolist()
        cats_all, cta_all = aplan.categories.tolist(), aplan.cta.tolist()
        base_visitor = c * pool
        for s in range(aplan.visitor.shape[0]):
            v = base_visitor + int(aplan.visitor[s])
            anon = _anon_id(run.seed, v)
            ua = vocab.USER_AGENTS[int(aplan.ua[s])]
            ip = clock.ip_str(0x0B000000 + (v * 2654435761) % 0xD0000000)
            loc = vocab.LOCALES[v % len(vocab.LOCALES)]
            a, b = offsets[s], offsets[s + 1]
            msgs, _, _ = _session_messages(
                web,
                catalog,
                anon,
                None,
                int(aplan.start_ms[s]),
                cats_all[a:b],
                cta_all[a:b],
                int(aplan.traffic[s]),
                ua,
                ip,
                loc,
                rng_u,
            )
            web.emit(msgs)

        # -- email, and the visits its clicks bring ----------------------------------------
        for i, t, path, query in self.email.render(pop, journeys.plan_sends(pop, d, o, rng)):
            _email_visit(web, pop, i, d, t, path, query, rng_u)

        # -- lead lists and CRM -------------------------------------------------------------
        for j, e in self.todays_lists:
            leads = np.flatnonzero(pop.list_index == j).tolist()
            write_list_rows(self.list_writers[j], pop, leads, e.kind, o, self.list_picker)
        for i, closed in deal_rows_for_day(pop, d, run.last_day):
            write_deal(self.crm, pop, i, closed, run.start_ord, run.last_day, self.crm_picker)

    def _form_tail(
        self,
        pop: PopulationChunk,
        i: int,
        form: Form,
        msgs: list[tuple[dict, str]],
        t: int,
        anon: str,
        uid: str | None,
        ua: str,
        ip: str,
        loc: str,
        src: str,
        rng_u: Callable[[], float],
    ) -> None:
        """The form page, the submission, the identify call (and an alias on day one)."""
        web = self.web
        path = form_page_path(form.form_type, self.run.catalog)
        t = min(t + 20_000, 86_390_000)
        msgs.append((web.page(anon, uid, t, path, "", "", None, ua, ip, loc), "segment"))
        t = min(t + 30_000 + int(rng_u() * 120_000), 86_399_000)
        msgs.append(
            (
                web.track(
                    anon,
                    uid,
                    t,
                    "Form Submitted",
                    {"form_id": form.form_id, "form_type": form.form_type},
                    ua,
                    ip,
                    loc,
                ),
                "segment",
            )
        )
        self.forms.render(pop, i, form, t, anon, f"{vocab.SITE}{path}", src)
        uid = pop.user_id[i]
        traits = {
            "email": pop.email[i],
            "firstName": pop.first[i],
            "lastName": pop.last[i],
            "title": pop.title[i],
        }
        if pop.kind[i] == KIND_BUSINESS:
            traits["company"] = {
                "name": pop.company[i],
                "industry": pop.industry_name(i),
                "employee_count": int(pop.employees[i]),
            }
        msgs.append(
            (
                web.identify(anon, uid, min(t + 800, 86_399_500), traits, ua, ip, loc),
                "segment_identify",
            )
        )
        if pop.two_devices[i] and self.d == pop.created[i]:
            msgs.append(
                (web.alias(pop.anon2[i], uid, min(t + 1500, 86_399_800), ua, ip, loc), "segment")
            )

    def finish(self) -> None:
        self.web.finish()
        self.email.finish()
        self.forms.finish()
        for w in [
            self.seg,
            *self.mail.values(),
            *self.crm.values(),
            *self.forms.writers.values(),
            *self.list_writers.values(),
        ]:
            w.close()


def _generate_days(run: _Run, d0: int, n_days: int) -> None:
    """Days in blocks; within a block, each chunk of leads is built once and fed to every
    day (uncached scales rebuild a chunk once per block instead of once per day)."""
    block = 1 if run.spec.leads <= CACHE_LEADS else DAYS_PER_BLOCK
    with progress.task("generate sample days", total=n_days, unit="days") as bar:
        for first in range(d0, d0 + n_days, block):
            days = [_Day(run, d) for d in range(first, min(first + block, d0 + n_days))]
            rows_before = sum(st.rows for st in run.manifest.values())
            for c in range(run.n_chunks):
                pop = run.population(c)
                for day in days:
                    day.chunk(c, pop)
            for day in days:
                day.finish()
            rows = sum(st.rows for st in run.manifest.values()) - rows_before
            bar.advance(len(days), rows=rows)


#: A lead is in the decision phase this many days before its opportunity (the generator's intent
#: burst) and while the opportunity is open.
DECISION_LEAD_DAYS = 7


def journey_phase(pop: PopulationChunk, i: int, day: int) -> str:
    """Where lead ``i`` truly is in its buying journey on ``day`` (the window's last day in the
    truth file): ``decision`` from ``DECISION_LEAD_DAYS`` before its opportunity until the deal
    closes; ``consideration`` while it is active (seen, not gone cold) otherwise; ``awareness``
    before it is seen and once it has gone cold."""
    opp, close = int(pop.opp_day[i]), int(pop.close_day[i])
    if opp != NEVER and opp - DECISION_LEAD_DAYS <= day < close:
        return "decision"
    if int(pop.first_seen[i]) <= day < int(pop.cold_day[i]):
        return "consideration"
    return "awareness"


def _write_truth(run: _Run) -> Path:
    path = run.out / "_truth" / "leads.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    last = run.last_day
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(
            [
                "email",
                "lead_id",
                "propensity",
                "persona",
                "became_opportunity",
                "opportunity_at",
                "became_customer",
                "customer_at",
                "journey_phase",
            ]
        )
        for c in range(run.n_chunks):
            pop = run.population(c)
            for i in range(pop.n):
                email = pop.email[i]
                opp = int(pop.opp_day[i])
                is_opp = opp != NEVER and opp <= last
                close = int(pop.close_day[i])
                is_cust = bool(is_opp and pop.won[i] and close <= last)
                w.writerow(
                    [
                        email,
                        hashlib.sha256(email.strip().lower().encode()).hexdigest(),
                        f"{float(pop.propensity[i]):.4f}",
                        pop.persona[i],
                        str(is_opp).lower(),
                        clock.iso_seconds(run.start_ord + opp, 10 * 3_600_000) if is_opp else "",
                        str(is_cust).lower(),
                        clock.iso_seconds(run.start_ord + close, 15 * 3_600_000) if is_cust else "",
                        journey_phase(pop, i, last),
                    ]
                )
    return path


def _source_of(rel: str) -> str:
    return rel.split("/", 1)[0]


def _format_of(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    for key in (
        "hubspot_deals",
        "salesforce_opportunities",
        "segment",
        "sendgrid",
        "mailgun",
        "ses",
        "typeform",
    ):
        if name.startswith(key):
            return key
    if name.startswith("hubspot__"):
        return "hubspot_forms"
    if name.startswith("post__"):
        return "post"
    return name.split("__", 1)[0]  # list kind


def _merge_manifest(out: Path, files: dict[str, dict]) -> dict:
    """Add this run's files to ``_truth/dirty_manifest.json`` and recompute the totals."""
    path = out / MANIFEST
    existing = json.loads(path.read_text()) if path.exists() else {}
    merged = dict(existing.get("files", {}))
    merged.update(files)
    merged = dict(sorted(merged.items()))
    totals: dict[str, dict[str, int]] = {}
    for rel, st in merged.items():
        t = totals.setdefault(_source_of(rel), {"rows": 0})
        t["rows"] += st["rows"]
        for k, v in st["dirty"].items():
            t[k] = t.get(k, 0) + v
    doc = {
        "description": (
            "Dirty records injected by the generator. rows = records as ingestion counts "
            "them (a batch envelope counts its members). 'duplicate' counts the resent copies."
        ),
        "totals": {k: dict(sorted(v.items())) for k, v in sorted(totals.items())},
        "files": merged,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    return doc


def generate(
    scale: str,
    seed: int,
    out: Path,
    days: int | None = None,
    start_date: date | None = None,
    options: GeneratorOptions | None = None,
) -> GenerationReport:
    """Generate a landing folder.

    Without ``start_date``/``days`` the whole population window is written, plus
    ``_truth/leads.csv``. With them only those days are written (e.g. one extra day after the
    window, ``start_date=window_end + 1, days=1``) and the truth file is left alone; the dirty
    manifest is always updated with the files written.
    """
    began = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    opts = options or GeneratorOptions()
    out = Path(out)
    run = _Run(SCALES[scale], seed, out, opts, load_catalog())
    partial = start_date is not None or days is not None
    first = start_date or run.window_start
    n_days = days if days is not None else (opts.window_days if start_date is None else 1)
    d0 = (first - run.window_start).days
    _generate_days(run, d0, n_days)
    files = {rel: st.as_dict() for rel, st in run.manifest.items()}
    _merge_manifest(out, files)
    truth = False
    if not partial:
        _write_truth(run)
        truth = True
    rows: dict[str, int] = {}
    by_format: dict[str, int] = {}
    dirty_counts: dict[str, dict[str, int]] = {}
    for rel, st in files.items():
        src = _source_of(rel)
        rows[src] = rows.get(src, 0) + st["rows"]
        fmt = _format_of(rel)
        by_format[fmt] = by_format.get(fmt, 0) + st["rows"]
        for k, v in st["dirty"].items():
            dirty_counts.setdefault(src, {})
            dirty_counts[src][k] = dirty_counts[src].get(k, 0) + v
    return GenerationReport(
        scale=scale,
        seed=seed,
        out=str(out),
        start_date=first,
        days=n_days,
        window_end=opts.end_date,
        leads=run.spec.leads,
        rows=dict(sorted(rows.items())),
        rows_by_format=dict(sorted(by_format.items())),
        files=sorted(files),
        dirty={k: dict(sorted(v.items())) for k, v in sorted(dirty_counts.items())},
        truth_written=truth,
        seconds=round(time.perf_counter() - began, 3),
    )
