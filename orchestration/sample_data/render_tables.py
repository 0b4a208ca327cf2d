"""CSV outputs: imported lead lists and CRM deal/opportunity exports.

Lists (``lead_lists/dt=.../<kind>__<name>.csv``) land on the day of the import and hold the
leads that came with it. CRM exports hold one row per deal, on the day it reached its
last stage within the window (creation if still open at the end of the window, else close);
deals created after the window land on their creation day.
"""

from __future__ import annotations

from orchestration.sample_data import clock, dirty
from orchestration.sample_data.population import NEVER, PopulationChunk
from orchestration.sample_data.writer import RotatingWriter

LIST_HEADER = [
    "email",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "phone",
    "country",
    "industry",
    "company_size",
]
LIST_EXTRA = {
    "purchased": ["employees"],
    "tradeshow": ["badge_scanned_at", "notes"],
    "referral": ["referred_by"],
}
HUBSPOT_HEADER = [
    "deal_id",
    "contact_email",
    "hubspot_contact_id",
    "dealname",
    "dealstage",
    "amount",
    "createdate",
    "closedate",
    "pipeline",
]
SALESFORCE_HEADER = [
    "Id",
    "Lead_Email__c",
    "ContactId",
    "Name",
    "StageName",
    "Amount",
    "CreatedDate",
    "CloseDate",
    "IsClosed",
    "IsWon",
]
HUBSPOT_OPEN = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
SALESFORCE_OPEN = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)


def list_row(pop: PopulationChunk, i: int, kind: str, ordinal: int, email: str | None) -> list:
    row = [
        email or "",
        pop.first[i],
        pop.last[i],
        pop.company[i],
        pop.title[i],
        pop.phone[i],
        pop.country_code(i),
        pop.industry_name(i),
        pop.size_label(i),
    ]
    if kind == "purchased":
        row.append(str(int(pop.employees[i])))
    elif kind == "tradeshow":
        row += [
            clock.iso_seconds(ordinal, 9 * 3_600_000 + (i * 7919) % 28_800_000),
            "Visited booth" if pop.propensity[i] < 0.3 else "Asked for a demo",
        ]
    else:
        row.append(f"partner-{int(pop.gidx[i]) % 17:02d}")
    return row


def write_list_rows(
    w: RotatingWriter,
    pop: PopulationChunk,
    leads: list[int],
    kind: str,
    ordinal: int,
    picker: dirty.DirtyPicker,
) -> None:
    for i in leads:
        dk = picker.pick("list")
        email: str | None = pop.email[i]
        if dk == "invalid_email":
            email = dirty.invalid_email(email, picker)
        elif dk == "mixed_case_email":
            email = dirty.mixed_case_email(email, picker)
        elif dk == "missing_required_field:email":
            email = None
        row = list_row(pop, i, kind, ordinal, email)
        if dk == "malformed_csv_row":
            row = row + ["?", "unexpected extra column"]
        if dk == "duplicate":
            w.write_csv(row, None)
        w.write_csv(row, dk)


def deal_rows_for_day(pop: PopulationChunk, d: int, last_day: int) -> list[tuple[int, bool]]:
    """Leads whose deal lands today: (index, closed?) pairs."""
    out = []
    created_today = pop.opp_day == d
    closed_today = (pop.close_day == d) & (pop.close_day <= last_day)
    for i in (created_today | closed_today).nonzero()[0].tolist():
        closes_in_window = pop.close_day[i] <= last_day
        if d <= last_day and created_today[i] and closes_in_window:
            continue  # it will be exported once, on its close day
        out.append((i, bool(closed_today[i])))
    return out


def write_deal(
    writers: dict[str, RotatingWriter],
    pop: PopulationChunk,
    i: int,
    closed: bool,
    start_ordinal: int,
    last_day: int,
    picker: dirty.DirtyPicker,
) -> None:
    g = int(pop.gidx[i])
    opp, close = int(pop.opp_day[i]), int(pop.close_day[i])
    created = clock.iso_seconds(start_ordinal + opp, 10 * 3_600_000 + (g * 3571) % 25_200_000)
    closed_at = clock.iso_seconds(start_ordinal + close, 15 * 3_600_000) if closed else ""
    won = closed and bool(pop.won[i])
    amount = int(min(5000 + int(pop.employees[i]) * 25, 240_000) // 100 * 100)
    if close != NEVER and close > opp:
        progress = max(0.0, min(0.99, (min(last_day, opp + 60) - opp) / (close - opp)))
    else:
        progress = 0.0
    stage_i = int(progress * 5)
    email = pop.email[i]
    kind = None
    if picker.uniform() < 0.15:
        email, kind = dirty.mixed_case_email(email, picker).strip(), "mixed_case_email"
    name = f"{pop.company[i] or pop.last[i]} - New Business"
    if pop.crm_provider[i] == 0:
        stage = ("closedwon" if won else "closedlost") if closed else HUBSPOT_OPEN[stage_i]
        writers["hubspot"].write_csv(
            [
                str(9_000_000_000 + g),
                email,
                str(int(pop.crm_contact[i])),
                name,
                stage,
                str(amount),
                created,
                closed_at,
                "default",
            ],
            kind,
        )
    else:
        stage = ("Closed Won" if won else "Closed Lost") if closed else SALESFORCE_OPEN[stage_i]
        writers["salesforce"].write_csv(
            [
                f"0068d{g:010d}",
                email,
                f"0038d{int(pop.crm_contact[i]):010d}",
                name,
                stage,
                f"{amount:.2f}",
                created,
                closed_at[:10],
                str(closed).lower(),
                str(won).lower(),
            ],
            kind,
        )
