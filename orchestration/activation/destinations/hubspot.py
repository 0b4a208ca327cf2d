"""HubSpot contacts through the official ``hubspot-api-client`` (CRM v3 batch endpoints).

- upsert / mirror: ``POST /crm/v3/objects/contacts/batch/upsert`` with ``idProperty`` = the
  spec's match key (``email`` or a ``hasUniqueValue`` custom property) and
  ``objectWriteTraceId = "<sync_run_id>:<pk>"`` to map results back to records;
- update_only: ``batch/update`` by the match key; insert_only: ``batch/create``;
- mirror deletes: ``batch/archive`` (delete_behavior delete) or ``batch/update`` with
  empty values (clear), by the HubSpot id recorded in ``retl.sync_state``.
``prepare`` creates the missing ``dw_*`` properties (and their group) through the
properties API; a 429/5xx/connection error there is retryable like any write (the runner
retries the whole, idempotent set-up). ``erase`` is the GDPR delete
(``POST /crm/v3/objects/contacts/gdpr-delete``) of contacts by HubSpot id, queued by
``leadhouse forget``. The client's own urllib3 retries are disabled: :mod:`sender` retries.
Error bodies are redacted (:mod:`secrets`) before they leave this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import urllib3

from orchestration.activation.destinations.base import (
    RecordResult,
    RetryableError,
    TerminalError,
    classify_status,
    parse_retry_after,
)
from orchestration.activation.planner import NUMERIC, PlannedRecord
from orchestration.activation.spec import SyncSpec

DEFAULT_BASE_URL = "https://api.hubapi.com"


def _value(value: object) -> str:
    """HubSpot property values are strings; null clears the property."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error(exc: Exception) -> Exception:
    """Turn a client exception into the sender's error classes (never echoes the token)."""
    from orchestration.activation.secrets import redact

    # each generated API module (contacts, properties, ...) has its own ApiException class;
    # they all carry status, reason, headers and body. Only status, Retry-After and the
    # body's message are kept: the exception's own text echoes every header.
    if all(hasattr(exc, a) for a in ("status", "reason", "body", "headers")):
        status = int(exc.status or 0)
        body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
        code = None
        try:
            parsed = json.loads(body)
            code = parsed.get("category") or parsed.get("errorType")
            body = parsed.get("message") or body
        except (ValueError, AttributeError):
            pass
        if status == 0:
            return RetryableError(f"connection error: {redact(exc.reason)}")
        headers = exc.headers or {}
        return classify_status(
            status,
            redact(body)[:500],
            code=code,
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return RetryableError(f"{type(exc).__name__}")
    return exc


class HubSpotDestination:
    """Writes batches of contacts (or another object type) to one HubSpot portal."""

    def __init__(
        self,
        spec: SyncSpec,
        sync_run_id: str,
        *,
        access_token: str,
        base_url: str = DEFAULT_BASE_URL,
    ):
        from hubspot import HubSpot

        from orchestration.activation.secrets import require_https

        if not access_token:
            raise TerminalError("no HubSpot access token")
        require_https(base_url, "HubSpot base URL")
        if spec.object != "contacts":
            raise TerminalError(f"object: HubSpot syncs support 'contacts', not {spec.object!r}")
        self.spec = spec
        self.sync_run_id = sync_run_id
        self.client = HubSpot(access_token=access_token, host=base_url.rstrip("/"), retry=False)
        self.timeout = spec.retry.timeout_seconds

    # -- setup ----------------------------------------------------------------------------
    def _property_definition(self, source_col: str, dest: str, dtype: str) -> dict:
        options = self.spec.validation.enums.get(source_col)
        base = {
            "name": dest,
            "label": dest.removeprefix("dw_").replace("_", " ").capitalize() + " (DW)",
            "group_name": self.spec.hubspot.property_group,
        }
        if options:
            return {
                **base,
                "type": "enumeration",
                "field_type": "select",
                "options": [
                    {"label": o, "value": o, "display_order": i, "hidden": False}
                    for i, o in enumerate(options)
                ],
            }
        if dtype.startswith("DECIMAL") or dtype in NUMERIC:
            return {**base, "type": "number", "field_type": "number"}
        if dtype.startswith("TIMESTAMP") or dtype == "DATE":
            return {**base, "type": "datetime", "field_type": "date"}
        return {**base, "type": "string", "field_type": "text"}

    def prepare(self, columns: dict[str, str]) -> int:
        """Create missing ``dw_*`` properties; returns the number of API calls made."""
        if not self.spec.hubspot.create_properties:
            return 0
        from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate

        props_api = self.client.crm.properties
        obj = self.spec.object
        calls = 1
        try:
            existing = {
                p.name
                for p in props_api.core_api.get_all(
                    object_type=obj, _request_timeout=self.timeout
                ).results
            }
            wanted = [
                (c, d)
                for c, d in self.spec.mappings.items()
                if d.startswith("dw_") and d not in existing
            ]
            if not wanted:
                return calls
            calls += 1
            try:
                props_api.groups_api.create(
                    object_type=obj,
                    property_group_create=PropertyGroupCreate(
                        name=self.spec.hubspot.property_group,
                        label=self.spec.hubspot.property_group_label,
                    ),
                    _request_timeout=self.timeout,
                )
            except Exception as exc:  # 409: the group already exists
                if getattr(exc, "status", None) != 409:
                    raise
            for col, dest in wanted:
                definition = self._property_definition(col, dest, columns.get(col, "VARCHAR"))
                if "options" in definition:
                    definition["options"] = [OptionInput(**o) for o in definition["options"]]
                calls += 1
                try:
                    props_api.core_api.create(
                        object_type=obj,
                        property_create=PropertyCreate(**definition),
                        _request_timeout=self.timeout,
                    )
                except Exception as exc:
                    if getattr(exc, "status", None) != 409:
                        raise
        except Exception as exc:  # noqa: BLE001 (each generated API module has its own ApiException)
            err = _error(exc)
            if isinstance(err, RetryableError):
                raise RetryableError(
                    f"creating HubSpot properties: {err}",
                    status=err.status,
                    retry_after=err.retry_after,
                ) from None
            status = getattr(err, "status", None)
            raise TerminalError(
                f"creating HubSpot properties failed: HTTP {status or '-'}: {err}", status=status
            ) from None
        return calls

    # -- erasure --------------------------------------------------------------------------
    def erase(self, dest_record_id: str) -> RecordResult:
        """GDPR-delete one contact by HubSpot id (404: already gone, a success)."""
        from hubspot.crm.contacts import PublicGdprDeleteInput

        try:
            self.client.crm.contacts.basic_api.purge(
                public_gdpr_delete_input=PublicGdprDeleteInput(object_id=str(dest_record_id)),
                _request_timeout=self.timeout,
            )
        except Exception as exc:  # noqa: BLE001
            err = _error(exc)
            if getattr(err, "status", None) == 404:
                return RecordResult("success", dest_record_id, 404, "already_absent")
            raise err from None
        return RecordResult("success", dest_record_id, 204)

    # -- writes ---------------------------------------------------------------------------
    def _trace(self, record: PlannedRecord) -> str:
        return f"{self.sync_run_id}:{record.primary_key}"

    def _call(self, records: list[PlannedRecord], operation: str):
        from hubspot.crm import contacts as m

        api = self.client.crm.contacts.batch_api
        kw = {"_preload_content": False, "_request_timeout": self.timeout}
        key = self.spec.match_key
        if operation == "delete" and self.spec.delete_behavior == "delete":
            body = m.BatchInputSimplePublicObjectId(
                inputs=[m.SimplePublicObjectId(id=r.dest_record_id) for r in records]
            )
            return self._invoke(api.archive, "batch_input_simple_public_object_id", body, kw)
        if operation == "delete":  # clear: empty every mapped property, by HubSpot id
            body = m.BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    m.SimplePublicObjectBatchInput(
                        id=r.dest_record_id,
                        properties={k: _value(v) for k, v in r.payload.items()},
                        object_write_trace_id=self._trace(r),
                    )
                    for r in records
                ]
            )
            return self._invoke(
                api.update, "batch_input_simple_public_object_batch_input", body, kw
            )
        props = [{k: _value(v) for k, v in r.payload.items()} for r in records]
        if self.spec.mode == "update_only":
            body = m.BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    m.SimplePublicObjectBatchInput(
                        id=r.dest_record_id or r.match_value,
                        properties=p,
                        id_property=None if (r.dest_record_id or key == "hs_object_id") else key,
                        object_write_trace_id=self._trace(r),
                    )
                    for r, p in zip(records, props, strict=True)
                ]
            )
            return self._invoke(
                api.update, "batch_input_simple_public_object_batch_input", body, kw
            )
        if self.spec.mode == "insert_only":
            body = m.BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[
                    m.SimplePublicObjectBatchInputForCreate(
                        properties={key: r.match_value, **p},
                        associations=[],
                        object_write_trace_id=self._trace(r),
                    )
                    for r, p in zip(records, props, strict=True)
                ]
            )
            return self._invoke(
                api.create, "batch_input_simple_public_object_batch_input_for_create", body, kw
            )
        body = m.BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                m.SimplePublicObjectBatchInputUpsert(
                    id_property=key,
                    id=r.match_value,
                    properties=p,
                    object_write_trace_id=self._trace(r),
                )
                for r, p in zip(records, props, strict=True)
            ]
        )
        return self._invoke(
            api.upsert, "batch_input_simple_public_object_batch_input_upsert", body, kw
        )

    def _invoke(
        self,
        method: Callable[..., urllib3.BaseHTTPResponse],
        arg_name: str,
        body: object,
        kw: dict[str, Any],
    ) -> urllib3.BaseHTTPResponse:
        try:
            return method(**{arg_name: body}, **kw)
        except Exception as exc:  # noqa: BLE001 (each generated API module has its own ApiException)
            raise _error(exc) from None

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        resp = self._call(records, operation)
        status = resp.status
        raw = resp.data if hasattr(resp, "data") else resp.read()
        if status == 204 or not raw:
            return [
                RecordResult("success", dest_record_id=r.dest_record_id, http_status=status)
                for r in records
            ]
        answer = json.loads(raw)
        by_trace = {}
        by_id = {}
        for item in answer.get("results") or []:
            if item.get("objectWriteTraceId"):
                by_trace[item["objectWriteTraceId"]] = item
            props = item.get("properties") or {}
            if props.get(self.spec.match_key) is not None:
                by_id[str(props[self.spec.match_key]).lower()] = item
        errors_by_trace: dict[str, dict] = {}
        for err in answer.get("errors") or []:
            ctx = err.get("context") or {}
            for trace in ctx.get("objectWriteTraceId") or []:
                errors_by_trace[trace] = err
            for ident in ctx.get("ids") or []:
                errors_by_trace.setdefault(f"id:{str(ident).lower()}", err)
        first_error = (answer.get("errors") or [None])[0]
        out = []
        for r in records:
            item = by_trace.get(self._trace(r)) or by_id.get(str(r.match_value).lower())
            if item is not None:
                out.append(
                    RecordResult("success", dest_record_id=str(item.get("id")), http_status=status)
                )
                continue
            err = (
                errors_by_trace.get(self._trace(r))
                or errors_by_trace.get(f"id:{str(r.match_value).lower()}")
                or first_error
                or {}
            )
            out.append(
                RecordResult(
                    "rejected",
                    http_status=int(err.get("status") or status)
                    if str(err.get("status", "")).isdigit()
                    else status,
                    error_code=err.get("category") or "no_result",
                    error_message=str(
                        err.get("message") or "HubSpot returned no result for this record"
                    ),
                )
            )
        return out
