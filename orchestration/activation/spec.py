"""Sync specs: the YAML that describes one reverse-ETL sync, validated with pydantic.

A spec names its source model, key, destination, mode, mappings, validation and
suppression rules, batching, rate limit, retry policy and abort threshold
(docs/reverse-etl.md documents every field). :func:`load_spec` raises
:class:`SpecError` whose message names the offending field, e.g.
``hubspot_contacts.yml: batch_size: must be <= 100 for hubspot``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SPECS_DIR = Path(__file__).resolve().parent / "specs"

#: Largest batch each destination accepts in one call.
MAX_BATCH = {"hubspot": 100, "salesforce": 200, "file": 100_000, "webhook": 10_000}
DEFAULT_BATCH = {"hubspot": 100, "salesforce": 200, "file": 1000, "webhook": 100}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(ValueError):
    """A sync spec is invalid; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuppressionRule(_Strict):
    """Leads whose ``column`` holds one of ``values`` are suppressed for ``reason``.

    ``action: skip`` never sends the lead; ``action: strip`` sends it without the
    sync's ``marketing_fields``. ``null`` in ``values`` matches a missing value.
    """

    column: str
    values: list[bool | int | float | str | None] = Field(min_length=1)
    reason: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    action: Literal["skip", "strip"] = "strip"


class Suppression(_Strict):
    """Per-sync suppression: which destination fields are marketing fields, and the rules."""

    marketing_fields: list[str] = Field(default_factory=list)
    rules: list[SuppressionRule] = Field(default_factory=list)


class Validation(_Strict):
    """Local validation run before anything is sent; failing rows are ``invalid``."""

    emails: list[str] = Field(default_factory=list, description="columns that must be valid emails")
    required: list[str] = Field(default_factory=list, description="columns that must not be null")
    enums: dict[str, list[str]] = Field(
        default_factory=dict, description="column -> allowed values"
    )


class RetryPolicy(_Strict):
    """Retries of 429 / 5xx / timeouts: Retry-After if given, else capped exponential backoff
    with jitter."""

    base_seconds: float = Field(default=1.0, ge=0)
    cap_seconds: float = Field(default=60.0, ge=0)
    max_tries: int = Field(default=6, ge=1, le=20)
    timeout_seconds: float = Field(default=30.0, gt=0)
    retry_after_cap_seconds: float = Field(
        default=120.0,
        ge=0,
        description="longest Retry-After honoured; a longer one is waited this long",
    )


class FileOptions(_Strict):
    """File destination: one file per run under ``<output_dir>/syncs/<sync_id>/``."""

    format: Literal["jsonl", "csv"] = "jsonl"


class WebhookOptions(_Strict):
    """Webhook destination: batches are POSTed as JSON to ``url``."""

    url: str = Field(pattern=r"^https?://")
    token_env: str | None = Field(default=None, description="env var holding a bearer token")


class HubSpotOptions(_Strict):
    """HubSpot: create missing ``dw_*`` properties in ``property_group`` before the first batch."""

    create_properties: bool = True
    property_group: str = "dw_scoring"
    property_group_label: str = "Lead scoring (data warehouse)"


class SyncSpec(_Strict):
    """One reverse-ETL sync."""

    sync_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    model: str = Field(description="source relation, e.g. marts.mart_lead_activation")
    primary_key: str
    destination: Literal["hubspot", "salesforce", "file", "webhook"]
    object: str
    mode: Literal["upsert", "update_only", "insert_only", "mirror"] = "upsert"
    match: dict[str, str] = Field(description="{source column: destination key}, exactly one")
    mappings: dict[str, str] = Field(min_length=1, description="{source column: destination field}")
    decimals: dict[str, int] = Field(
        default_factory=dict,
        description="{source column: decimals} numbers are rounded to before they are compared "
        "and sent (CRM scores are whole numbers: decay moves the decimals on every build)",
    )
    fingerprint_ignore: list[str] = Field(
        default_factory=list,
        description="destination fields sent with a changed record but left out of its fingerprint "
        "(values that move on every build, such as the scoring timestamp)",
    )
    delete_behavior: Literal["none", "clear", "delete"] = "none"
    batch_size: int | None = Field(default=None, ge=1)
    rate_limit: float = Field(default=9.0, gt=0, description="requests per second, client side")
    reject_abort_threshold: float = Field(default=0.2, gt=0, le=1)
    bulk_threshold: int = Field(
        default=10_000, ge=1, description="salesforce: Bulk API 2.0 above this"
    )
    validation: Validation = Field(default_factory=Validation)
    suppression: Suppression = Field(default_factory=Suppression)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    file: FileOptions = Field(default_factory=FileOptions)
    webhook: WebhookOptions | None = None
    hubspot: HubSpotOptions = Field(default_factory=HubSpotOptions)

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        parts = value.split(".")
        if not 1 <= len(parts) <= 2 or not all(_IDENT.match(p) for p in parts):
            raise ValueError("must be <model> or <schema>.<model> (identifiers only)")
        return value if len(parts) == 2 else f"marts.{value}"

    @field_validator("primary_key")
    @classmethod
    def _pk_name(cls, value: str) -> str:
        if not _IDENT.match(value):
            raise ValueError("must be a column name")
        return value

    @field_validator("match")
    @classmethod
    def _one_match(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) != 1:
            raise ValueError("needs exactly one {source column: destination key}")
        return value

    @field_validator("mappings")
    @classmethod
    def _mapping_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [c for c in value if not _IDENT.match(c)]
        if bad:
            raise ValueError(f"not a column name: {bad[0]!r}")
        if len(set(value.values())) != len(value):
            raise ValueError("two columns map to the same destination field")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> SyncSpec:
        limit = MAX_BATCH[self.destination]
        if self.batch_size is not None and self.batch_size > limit:
            raise _field_error("batch_size", f"must be <= {limit} for {self.destination}")
        for col in self.match:
            if not _IDENT.match(col):
                raise _field_error("match", f"not a column name: {col!r}")
        if self.mode == "mirror" and self.delete_behavior == "none":
            raise _field_error("delete_behavior", "mode mirror needs 'clear' or 'delete'")
        if self.destination == "webhook" and self.webhook is None:
            raise _field_error("webhook", "destination webhook needs webhook.url")
        fields = set(self.mappings.values())
        for name in self.suppression.marketing_fields:
            if name not in fields:
                raise _field_error(
                    "suppression.marketing_fields", f"{name!r} is not a mapped field"
                )
        for name, places in self.decimals.items():
            if name not in self.mappings:
                raise _field_error("decimals", f"{name!r} is not a mapped column")
            if not 0 <= places <= 6:
                raise _field_error("decimals", f"{name!r}: between 0 and 6 places")
        for name in self.fingerprint_ignore:
            if name not in fields:
                raise _field_error("fingerprint_ignore", f"{name!r} is not a mapped field")
        for name in [*self.validation.emails, *self.validation.required, *self.validation.enums]:
            if not _IDENT.match(name):
                raise _field_error("validation", f"not a column name: {name!r}")
        return self

    # -- derived -------------------------------------------------------------------------
    @property
    def effective_batch_size(self) -> int:
        return self.batch_size or DEFAULT_BATCH[self.destination]

    @property
    def match_column(self) -> str:
        return next(iter(self.match))

    @property
    def match_key(self) -> str:
        return next(iter(self.match.values()))

    def source_columns(self) -> list[str]:
        """Every source column the sync reads (for the column check against the model)."""
        cols = [self.primary_key, self.match_column, *self.mappings]
        cols += [r.column for r in self.suppression.rules]
        cols += [*self.validation.emails, *self.validation.required, *self.validation.enums]
        return list(dict.fromkeys(cols))


class _FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")


def _field_error(field: str, message: str) -> _FieldError:
    return _FieldError(field, message)


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(lines)


def parse_spec(data: object, source: str = "<spec>") -> SyncSpec:
    """Validate a parsed YAML mapping; raise :class:`SpecError` naming the field."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: a sync spec must be a YAML mapping")
    try:
        return SyncSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{source}: {_format(exc)}") from None


def load_spec(path: Path | str) -> SyncSpec:
    """Read and validate one spec file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SpecError(f"{path.name}: not valid YAML: {exc}") from None
    return parse_spec(data, path.name)


def shipped_specs(specs_dir: Path = SPECS_DIR) -> dict[str, SyncSpec]:
    """Every spec in ``specs_dir`` by sync_id (file name must equal sync_id)."""
    specs: dict[str, SyncSpec] = {}
    for path in sorted(specs_dir.glob("*.yml")):
        spec = load_spec(path)
        if spec.sync_id != path.stem:
            raise SpecError(f"{path.name}: sync_id: must equal the file name ({path.stem!r})")
        specs[spec.sync_id] = spec
    return specs


def find_spec(sync_id: str, specs_dir: Path = SPECS_DIR) -> SyncSpec:
    """The shipped spec ``sync_id`` (or a path to a spec file)."""
    candidate = Path(sync_id)
    if candidate.suffix in (".yml", ".yaml") and candidate.exists():
        return load_spec(candidate)
    specs = shipped_specs(specs_dir)
    if sync_id not in specs:
        raise SpecError(f"unknown sync {sync_id!r}; known: {', '.join(sorted(specs)) or 'none'}")
    return specs[sync_id]
