"""Email events of the planned sends, in the provider's own shape.

SendGrid: one event-webhook JSON array per file. Mailgun: one ``{"signature", "event-data"}``
body a line. SES: one SNS notification a line, whose ``Message`` is the SES event as a JSON
*string*. Opens of Apple-MPP recipients are machine opens (``sg_machine_open: true``).
"""

from __future__ import annotations

import base64

from orchestration.sample_data import clock, dirty, vocab
from orchestration.sample_data.journeys import SendPlan
from orchestration.sample_data.population import PopulationChunk
from orchestration.sample_data.render_web import IdSource
from orchestration.sample_data.writer import RotatingWriter, dumps

APPLE_PROXY_IP = "17.58.{}.{}"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:leadhouse-ses-events"


class EmailRenderer:
    """Render one day's sends for the three providers."""

    def __init__(
        self,
        writers: dict[str, RotatingWriter],
        picker: dirty.DirtyPicker,
        ids: IdSource,
        ordinal: int,
    ):
        self.w, self.picker, self.ids, self.ordinal = writers, picker, ids, ordinal
        self.deferred: list[tuple[str, bytes, str]] = []

    def render(self, pop: PopulationChunk, plan: SendPlan) -> list[tuple[int, int, str, str]]:
        """Write the events of the sends; return the clicks (lead, time, path, query)."""
        p = self.picker
        clicks: list[tuple[int, int, str, str]] = []
        for k in range(plan.lead.shape[0]):
            i = int(plan.lead[k])
            camp, cat = vocab.EMAIL_CAMPAIGNS[int(plan.campaign[k])]
            t0 = int(plan.send_ms[k])
            email = pop.email[i]
            msg = self.ids.hex32()
            events: list[tuple[str, int, dict]] = [("processed", t0, {})]
            if plan.hard_bounce[k]:
                events.append(("bounce_hard", t0 + 4000 + p.randint(0, 60_000), {}))
            elif plan.soft_bounce[k]:
                events.append(("bounce_soft", t0 + 4000 + p.randint(0, 60_000), {}))
            else:
                t = t0 + 2000 + p.randint(0, 60_000)
                events.append(("delivered", t, {}))
                if plan.machine_open[k]:
                    events.append(("open_machine", t + 60_000 + p.randint(0, 600_000), {}))
                if plan.human_open[k]:
                    t = t + 600_000 + p.randint(0, 4 * 3_600_000)
                    events.append(("open", t, {}))
                    if plan.click[k]:
                        path = vocab.EMAIL_LINK_PATHS[int(plan.link[k])]
                        query = f"?utm_source={cat}&utm_medium=email&utm_campaign={camp}"
                        if p.uniform() < 0.35:
                            query += f"&ajs_uid={pop.anon[i]}"
                        tc = min(t + 5000 + p.randint(0, 120_000), 86_000_000)
                        events.append(("click", tc, {"url": f"{vocab.SITE}{path}{query}"}))
                        clicks.append((i, tc, path, query))
                if plan.unsubscribe[k]:
                    events.append(("unsubscribe", t + 30_000 + p.randint(0, 3_600_000), {}))
                if plan.spam[k]:
                    events.append(("spamreport", t + 60_000 + p.randint(0, 3_600_000), {}))
            provider = int(pop.email_provider[i])
            ua = vocab.USER_AGENTS[int(pop.ua[i])]
            ip = clock.ip_str(int(pop.ip[i]))
            for name, t, extra in events:
                if provider == 0:
                    self._sendgrid(name, t, email, msg, camp, cat, ua, ip, extra)
                elif provider == 1:
                    self._mailgun(name, t, email, msg, camp, cat, ua, ip, extra)
                else:
                    self._ses(name, t, email, msg, camp, cat, ua, ip, extra)
        return clicks

    # -- SendGrid -------------------------------------------------------------------------
    def _sendgrid(
        self,
        name: str,
        t: int,
        email: str,
        msg: str,
        camp: str,
        cat: str,
        ua: str,
        ip: str,
        extra: dict,
    ) -> None:
        p = self.picker
        o = self.ordinal
        kind = p.pick("sendgrid")
        if kind == "late_event":
            t -= p.randint(1, 5) * 86_400_000
        event = {
            "processed": "processed",
            "delivered": "delivered",
            "open": "open",
            "open_machine": "open",
            "click": "click",
            "bounce_hard": "bounce",
            "bounce_soft": "bounce",
            "unsubscribe": "unsubscribe",
            "spamreport": "spamreport",
        }[name]
        e = {
            "email": email,
            "timestamp": clock.epoch_s(o, t),
            "event": event,
            "sg_event_id": base64.urlsafe_b64encode(bytes.fromhex(self.ids.hex32())).decode()[:22],
            "sg_message_id": (
                f"{msg[:11]}.{msg[11:14]}.{msg[14:20]}.filter0001.{msg[20:25]}.{msg[25:32].upper()}.0"
            ),
            "smtp-id": f"<{msg[:11]}.{msg[11:14]}.{msg[14:20]}@ismtpd-{msg[28:31]}>",
            "category": [cat, camp],
            "campaign": camp,
        }
        if name.startswith("bounce"):
            hard = name == "bounce_hard"
            e["type"] = "bounce" if hard else "blocked"
            e["status"] = "5.1.1" if hard else "4.2.2"
            e["reason"] = (
                "550 5.1.1 The email account does not exist" if hard else "452 4.2.2 Mailbox full"
            )
            if hard:
                e.pop("sg_message_id")  # asynchronous bounces lack it
        elif name == "delivered":
            e["response"] = "250 2.0.0 OK"
        elif name == "open_machine":
            e["sg_machine_open"] = True
            e["useragent"] = vocab.APPLE_MPP_USER_AGENT
            e["ip"] = APPLE_PROXY_IP.format(p.randint(0, 255), p.randint(1, 255))
        elif name in ("open", "click", "unsubscribe"):
            e["useragent"], e["ip"] = ua, ip
            if name == "open":
                e["sg_machine_open"] = False
            if name == "click":
                e["url"] = extra["url"]
                e["url_offset"] = {"index": 0, "type": "html"}
        if kind == "unknown_event_type":
            e["event"] = "weird_event"
        elif kind == "missing_required_field:sg_event_id":
            del e["sg_event_id"]
        elif kind == "invalid_email":
            e["email"] = dirty.invalid_email(email, p)
        elif kind == "mixed_case_email":
            e["email"] = dirty.mixed_case_email(email, p)
        line = dumps(e)
        w = self.w["sendgrid"]
        if kind == "duplicate":
            w.write(line, 1, None)
            self.deferred.append(("sendgrid", line, kind))
        else:
            w.write(line, 1, kind)

    # -- Mailgun --------------------------------------------------------------------------
    def _mailgun(
        self,
        name: str,
        t: int,
        email: str,
        msg: str,
        camp: str,
        cat: str,
        ua: str,
        ip: str,
        extra: dict,
    ) -> None:
        p = self.picker
        kind = p.pick("mailgun")
        if kind == "late_event":
            t -= p.randint(1, 5) * 86_400_000
        event = {
            "processed": "accepted",
            "delivered": "delivered",
            "open": "opened",
            "open_machine": "opened",
            "click": "clicked",
            "bounce_hard": "failed",
            "bounce_soft": "failed",
            "unsubscribe": "unsubscribed",
            "spamreport": "complained",
        }[name]
        ts = clock.epoch_ms(self.ordinal, t) / 1000.0
        data = {
            "event": event,
            "id": self.ids.hex32()[:22],
            "timestamp": ts,
            "recipient": email,
            "message": {"headers": {"message-id": f"{msg}@mg.leadhouse-demo.io"}},
            "tags": [cat, camp],
            "user-variables": {"campaign": camp},
        }
        if name.startswith("bounce"):
            data["severity"] = "permanent" if name == "bounce_hard" else "temporary"
            data["delivery-status"] = {"code": 550 if name == "bounce_hard" else 452}
        if name in ("open", "open_machine", "click"):
            data["ip"] = ip if name != "open_machine" else APPLE_PROXY_IP.format(1, 2)
            data["client-info"] = {"user-agent": ua if name != "open_machine" else "Mozilla/5.0"}
        if name == "click":
            data["url"] = extra["url"]
        if kind == "missing_required_field:id":
            del data["id"]
        elif kind == "invalid_email":
            data["recipient"] = dirty.invalid_email(email, p)
        elif kind == "mixed_case_email":
            data["recipient"] = dirty.mixed_case_email(email, p)
        token = self.ids.hex32() + self.ids.hex32()[:18]
        body = {
            "signature": {
                "timestamp": str(int(ts)),
                "token": token,
                "signature": self.ids.hex32() + self.ids.hex32(),
            },
            "event-data": data,
        }
        self._write("mailgun", dumps(body), kind)

    # -- SES over SNS ---------------------------------------------------------------------
    def _ses(
        self,
        name: str,
        t: int,
        email: str,
        msg: str,
        camp: str,
        cat: str,
        ua: str,
        ip: str,
        extra: dict,
    ) -> None:
        p = self.picker
        o = self.ordinal
        kind = p.pick("ses")
        if kind == "late_event":
            t -= p.randint(1, 5) * 86_400_000
        etype = {
            "processed": "Send",
            "delivered": "Delivery",
            "open": "Open",
            "open_machine": "Open",
            "click": "Click",
            "bounce_hard": "Bounce",
            "bounce_soft": "Bounce",
            "unsubscribe": "Subscription",
            "spamreport": "Complaint",
        }[name]
        rcpt = email
        if kind == "mixed_case_email":
            rcpt = dirty.mixed_case_email(email, p)
        when = clock.iso(o, t)
        event: dict = {
            "eventType": etype,
            "mail": {
                "timestamp": clock.iso(o, t - 2000),
                "messageId": f"0102{msg}-000000",
                "source": vocab.SENDER,
                "destination": [rcpt],
                "tags": {"campaign": [camp], "category": [cat]},
            },
        }
        if etype == "Bounce":
            event["bounce"] = {
                "bounceType": "Permanent" if name == "bounce_hard" else "Transient",
                "bouncedRecipients": [{"emailAddress": rcpt}],
                "timestamp": when,
            }
        elif etype == "Open":
            event["open"] = {
                "ipAddress": ip if name == "open" else APPLE_PROXY_IP.format(3, 4),
                "timestamp": when,
                "userAgent": ua if name == "open" else vocab.APPLE_MPP_USER_AGENT,
            }
        elif etype == "Click":
            event["click"] = {
                "ipAddress": ip,
                "link": extra["url"],
                "timestamp": when,
                "userAgent": ua,
                "linkTags": {"campaign": [camp]},
            }
        elif etype == "Delivery":
            event["delivery"] = {"timestamp": when, "recipients": [rcpt], "smtpResponse": "250 OK"}
        elif etype == "Complaint":
            event["complaint"] = {
                "complainedRecipients": [{"emailAddress": rcpt}],
                "timestamp": when,
            }
        elif etype == "Subscription":
            event["subscription"] = {
                "contactList": "marketing",
                "timestamp": when,
                "newTopicPreferences": {"unsubscribeAll": True},
            }
        elif etype == "Send":
            event["send"] = {}
        mid = self.ids.hex32()
        note = {
            "Type": "Notification",
            "MessageId": f"{mid[:8]}-{mid[8:12]}-{mid[12:16]}-{mid[16:20]}-{mid[20:]}",
            "TopicArn": TOPIC,
            "Message": dumps(event).decode(),
            "Timestamp": when,
            "SignatureVersion": "1",
            "Signature": base64.b64encode(bytes.fromhex(self.ids.hex32() * 4)).decode(),
            "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
        }
        if kind == "missing_required_field:MessageId":
            del note["MessageId"]
        self._write("ses", dumps(note), kind)

    def _write(self, provider: str, line: bytes, kind: str | None) -> None:
        w = self.w[provider]
        if kind == "malformed_json":
            w.write(dirty.malformed(line, self.picker), 1, kind)
        elif kind == "duplicate":
            w.write(line, 1, None)
            self.deferred.append((provider, line, kind))
        else:
            w.write(line, 1, kind)

    def finish(self) -> None:
        for provider, line, kind in self.deferred:
            self.w[provider].write(line, 1, kind)
        self.deferred.clear()
