"""Which text belongs to a forgotten person: one pattern, used in SQL (RE2) and Python.

A person is a set of *tokens*: their normalised emails, the lead id (sha256 of the email),
the cookie ids (Segment ``anonymousId``) and app user ids stitched to them only. A text
matches when it holds a token as a whole word: ``bob@x.com`` does not match
``jimbob@x.com`` nor ``bob@x.com.au``; an id does not match inside a longer id.
Emails are also looked for URL-encoded (``bob%40x.com``), as form posts land them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_plus

#: characters an email's local part / domain may contain
_EMAIL_BEFORE = r"(?:^|[^a-z0-9._%+'-])"
_EMAIL_AFTER = r"(?:$|[^a-z0-9.-]|\.(?:$|[^a-z0-9]))"
_ID_BEFORE = r"(?:^|[^a-z0-9_-])"
_ID_AFTER = r"(?:$|[^a-z0-9_-])"
#: an email anywhere in a text (for the ingestion hook)
EMAIL_IN_TEXT = r"[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"


def normalise_email(value: str) -> str:
    return value.strip().lower()


@dataclass
class Subject:
    """Everything that identifies one or more forgotten people."""

    emails: set[str] = field(default_factory=set)
    lead_ids: set[str] = field(default_factory=set)
    anonymous_ids: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)

    def email_tokens(self) -> set[str]:
        out = set()
        for email in self.emails:
            out |= {email, quote(email, safe="").lower(), email.replace("@", "%40")}
        return out

    def id_tokens(self) -> set[str]:
        return {t.lower() for t in self.lead_ids | self.anonymous_ids | self.user_ids if t}

    def tokens(self) -> set[str]:
        """Every token as it may appear in text (lower case)."""
        return self.email_tokens() | self.id_tokens()

    def pattern(self) -> str:
        """RE2/Python regex over lower-cased text; matches any token as a whole word."""
        parts = []
        emails = sorted(self.email_tokens(), key=len, reverse=True)
        ids = sorted(self.id_tokens(), key=len, reverse=True)
        if emails:
            alt = "|".join(re.escape(e) for e in emails)
            parts.append(f"{_EMAIL_BEFORE}(?:{alt}){_EMAIL_AFTER}")
        if ids:
            alt = "|".join(re.escape(i) for i in ids)
            parts.append(f"{_ID_BEFORE}(?:{alt}){_ID_AFTER}")
        return "|".join(parts) if parts else r"(?!x)x"

    def matcher(self) -> re.Pattern[str]:
        return re.compile(self.pattern())

    def matches(self, text: str) -> bool:
        """True when ``text`` (or its URL-decoded form) names the subject."""
        low = text.lower()
        rx = self.matcher()
        return bool(rx.search(low) or ("%" in low and rx.search(unquote_plus(low))))

    def scrub(self, text: str, replacement: str = "[erased]") -> str:
        """``text`` with every token replaced (case-insensitive, whole words)."""
        tokens = sorted(self.tokens(), key=len, reverse=True)
        if not tokens:
            return text
        rx = re.compile(
            r"(?i)(?<![a-z0-9._%+'-])(?:"
            + "|".join(re.escape(t) for t in tokens)
            + r")(?![a-z0-9_-])"
        )
        return rx.sub(replacement, text)
