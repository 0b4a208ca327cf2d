"""Form submissions in the provider's shape: HubSpot Forms v3, Typeform webhook, HTML post.

HubSpot bodies go to ``hubspot__<formGuid>-NNN.jsonl`` (the GUID is in the submit URL, so in
the file name), Typeform bodies to ``typeform-NNN.jsonl``, urlencoded posts to
``post__<form_id>-NNN.txt``. Each carries the visitor's anonymous id (HubSpot ``hutk``,
Typeform hidden field, post field) so ingestion can stitch the web history to the lead.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from orchestration.sample_data import clock, dirty, vocab
from orchestration.sample_data.catalog import Form
from orchestration.sample_data.population import KIND_STUDENT, PopulationChunk
from orchestration.sample_data.render_web import IdSource
from orchestration.sample_data.writer import RotatingWriter, dumps

CONSENT_TEXT = "I agree to allow Leadhouse to store and process my personal data."
OPT_IN_TEXT = "I agree to receive marketing communications from Leadhouse."
TIMELINES = ("this_quarter", "next_quarter", "this_year", "just_researching")
BUDGETS = ("none", "under_10k", "10k_50k", "over_50k")


class FormRenderer:
    """Render one day's form submissions; writers are opened lazily per form."""

    def __init__(
        self,
        open_writer: Callable[[str], RotatingWriter],
        picker: dirty.DirtyPicker,
        ids: IdSource,
        ordinal: int,
    ):
        self.open_writer, self.picker, self.ids, self.ordinal = open_writer, picker, ids, ordinal
        self.writers: dict[str, RotatingWriter] = {}
        self.deferred: list[tuple[str, bytes, str]] = []

    def _writer(self, form: Form) -> tuple[str, RotatingWriter]:
        if form.provider == "hubspot":
            key = f"hubspot__{form.form_id}"
        elif form.provider == "typeform":
            key = "typeform"
        else:
            key = f"post__{form.form_id}"
        w = self.writers.get(key)
        if w is None:
            w = self.writers[key] = self.open_writer(key)
        return key, w

    def render(
        self,
        pop: PopulationChunk,
        i: int,
        form: Form,
        t_ms: int,
        anon: str,
        page_url: str,
        utm_source: str,
    ) -> None:
        p = self.picker
        family = form.provider if form.provider in ("hubspot", "typeform") else "post"
        kind = p.pick(family)
        email: str | None = pop.email[i]
        if kind == "invalid_email":
            email = dirty.invalid_email(email, p)
        elif kind == "mixed_case_email":
            email = dirty.mixed_case_email(email, p)
        elif kind == "missing_required_field:email":
            email = None
        prop = float(pop.propensity[i])
        level = min(int(prop * 4), 3)
        if form.provider == "hubspot":
            line = dumps(self._hubspot(pop, i, form, t_ms, anon, page_url, email))
        elif form.provider == "typeform":
            line = dumps(self._typeform(pop, i, form, t_ms, anon, utm_source, email, level))
        else:
            line = self._post(pop, i, form, t_ms, anon, page_url, utm_source, email).encode()
        key, w = self._writer(form)
        if kind == "malformed_json":
            w.write(dirty.malformed(line, p), 1, kind)
        elif kind == "duplicate":
            w.write(line, 1, None)
            self.deferred.append((key, line, kind))
        else:
            w.write(line, 1, kind)

    def _hubspot(
        self,
        pop: PopulationChunk,
        i: int,
        form: Form,
        t_ms: int,
        anon: str,
        page_url: str,
        email: str | None,
    ) -> dict:
        fields = []
        if email is not None:
            fields.append({"objectTypeId": "0-1", "name": "email", "value": email})
        fields.append({"objectTypeId": "0-1", "name": "firstname", "value": pop.first[i]})
        fields.append({"objectTypeId": "0-1", "name": "lastname", "value": pop.last[i]})
        if pop.kind[i] != KIND_STUDENT:
            fields.append({"objectTypeId": "0-1", "name": "company", "value": pop.company[i]})
            fields.append(
                {
                    "objectTypeId": "0-1",
                    "name": "numemployees",
                    "value": vocab.HUBSPOT_NUMEMPLOYEES[int(pop.size[i])],
                }
            )
            fields.append(
                {"objectTypeId": "0-1", "name": "industry", "value": pop.industry_name(i)}
            )
        fields.append({"objectTypeId": "0-1", "name": "jobtitle", "value": pop.title[i]})
        fields.append({"objectTypeId": "0-1", "name": "country", "value": pop.country_code(i)})
        if pop.phone[i]:
            fields.append({"objectTypeId": "0-1", "name": "phone", "value": pop.phone[i]})
        return {
            "submittedAt": str(clock.epoch_ms(self.ordinal, t_ms)),
            "fields": fields,
            "context": {
                "hutk": anon,
                "pageUri": page_url,
                "pageName": form.form_name,
                "ipAddress": clock.ip_str(int(pop.ip[i])),
            },
            "legalConsentOptions": {
                "consent": {
                    "consentToProcess": True,
                    "text": CONSENT_TEXT,
                    "communications": [
                        {
                            "value": bool(pop.opt_in[i]),
                            "subscriptionTypeId": 999,
                            "text": OPT_IN_TEXT,
                        }
                    ],
                }
            },
        }

    def _typeform(
        self,
        pop: PopulationChunk,
        i: int,
        form: Form,
        t_ms: int,
        anon: str,
        utm_source: str,
        email: str | None,
        level: int,
    ) -> dict:
        def field(ref: str, ftype: str) -> dict:
            return {"id": ref[:6], "ref": ref, "type": ftype}

        answers = []
        if email is not None:
            answers.append({"type": "email", "email": email, "field": field("work_email", "email")})
        answers.append(
            {"type": "text", "text": pop.first[i], "field": field("first_name", "short_text")}
        )
        answers.append(
            {"type": "text", "text": pop.last[i], "field": field("last_name", "short_text")}
        )
        answers.append(
            {"type": "text", "text": pop.company[i], "field": field("company", "short_text")}
        )
        answers.append(
            {"type": "text", "text": pop.title[i], "field": field("job_title", "short_text")}
        )
        if pop.kind[i] != KIND_STUDENT:
            answers.append(
                {
                    "type": "choice",
                    "choice": {"label": pop.size_label(i)},
                    "field": field("company_size", "multiple_choice"),
                }
            )
        if form.form_type in ("pricing_question", "contact_sales"):
            answers.append(
                {
                    "type": "choice",
                    "choice": {"label": TIMELINES[3 - level]},
                    "field": field("timeline", "multiple_choice"),
                }
            )
            answers.append(
                {
                    "type": "choice",
                    "choice": {"label": BUDGETS[level]},
                    "field": field("budget", "multiple_choice"),
                }
            )
        token = self.ids.hex32()[:16]
        return {
            "event_id": self.ids.hex32()[:26].upper(),
            "event_type": "form_response",
            "form_response": {
                "form_id": form.form_id,
                "token": token,
                "landed_at": clock.iso_seconds(
                    self.ordinal, t_ms - 60_000 - self.picker.randint(0, 240_000)
                ),
                "submitted_at": clock.iso_seconds(self.ordinal, t_ms),
                "hidden": {"anonymous_id": anon, "utm_source": utm_source},
                "definition": {
                    "id": form.form_id,
                    "title": form.form_name,
                    "fields": [a["field"] for a in answers],
                },
                "answers": answers,
            },
        }

    def _post(
        self,
        pop: PopulationChunk,
        i: int,
        form: Form,
        t_ms: int,
        anon: str,
        page_url: str,
        utm_source: str,
        email: str | None,
    ) -> str:
        pairs = []
        if email is not None:
            pairs.append(("email", email))
        pairs += [
            ("first_name", pop.first[i]),
            ("last_name", pop.last[i]),
            ("company", pop.company[i]),
            ("job_title", pop.title[i]),
            ("company_size", pop.size_label(i)),
            ("country", pop.country_code(i)),
        ]
        if pop.phone[i]:
            pairs.append(("phone", pop.phone[i]))
        pairs.append(("consent", "on"))
        if pop.opt_in[i]:
            pairs.append(("marketing_opt_in", "on"))
        pairs += [
            ("utm_source", utm_source),
            ("anonymous_id", anon),
            ("page_url", page_url),
            ("submitted_at", clock.iso(self.ordinal, t_ms)),
            ("website", ""),
        ]
        if form.form_type == "contact_sales":
            pairs.append(("message", "We would like to know more about lead scoring."))
        return urlencode(pairs)

    def finish(self) -> None:
        for key, line, kind in self.deferred:
            self.writers[key].write(line, 1, kind)
        self.deferred.clear()
