"""CRM connections as Dagster resources. Tokens stay in the environment.

Each resource holds the *name* of the environment variable that carries its secret and
reads it at run time, so the token never appears in Dagster config, the UI or logs, and
a missing token is a state the sync can act on (dry run) rather than a load error.
Base URLs are plain config (tests point them at local servers).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import requests

from orchestration.activation.destinations.base import Destination, TerminalError
from orchestration.activation.spec import SyncSpec
from orchestration.config import secret, settings


class HubSpotResource(dg.ConfigurableResource):
    """HubSpot private-app access: token from ``access_token_env``."""

    access_token_env: str = "HUBSPOT_ACCESS_TOKEN"
    base_url: str = "https://api.hubapi.com"

    def token(self) -> str | None:
        return secret(self.access_token_env)

    def missing(self) -> str | None:
        return None if self.token() else f"{self.access_token_env} is not set"


class SalesforceResource(dg.ConfigurableResource):
    """Salesforce access: OAuth access token and instance URL from the environment."""

    access_token_env: str = "SALESFORCE_ACCESS_TOKEN"
    instance_url_env: str = "SALESFORCE_INSTANCE_URL"
    api_version: str = "59.0"
    ca_bundle: str | None = None  # a CA file to trust (tests: a self-signed certificate)

    def token(self) -> str | None:
        return secret(self.access_token_env)

    def instance_url(self) -> str | None:
        return secret(self.instance_url_env)

    def missing(self) -> str | None:
        absent = [
            n
            for n, v in (
                (self.access_token_env, self.token()),
                (self.instance_url_env, self.instance_url()),
            )
            if not v
        ]
        return f"{' and '.join(absent)} not set" if absent else None

    def session(self) -> requests.Session:
        session = requests.Session()
        if self.ca_bundle:
            # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify;
            # an explicitly configured CA file must win, so ignore the environment here.
            session.trust_env = False
            session.verify = self.ca_bundle
        return session


def default_hubspot() -> HubSpotResource:
    return HubSpotResource(base_url=settings().hubspot_base_url)


def default_salesforce() -> SalesforceResource:
    return SalesforceResource()


def missing_credentials(
    spec: SyncSpec, hubspot: HubSpotResource, salesforce: SalesforceResource
) -> str | None:
    """Why ``spec`` cannot send right now (None when it can)."""
    if spec.destination == "hubspot":
        return hubspot.missing()
    if spec.destination == "salesforce":
        return salesforce.missing()
    if spec.destination == "webhook" and spec.webhook and spec.webhook.token_env:
        return None if secret(spec.webhook.token_env) else f"{spec.webhook.token_env} is not set"
    return None


def make_destination(
    spec: SyncSpec,
    sync_run_id: str,
    *,
    output_dir: Path,
    hubspot: HubSpotResource,
    salesforce: SalesforceResource,
) -> Destination:
    """The destination object for ``spec``."""
    if spec.destination == "file":
        from orchestration.activation.destinations.file import FileDestination

        return FileDestination(spec, output_dir, sync_run_id)
    if spec.destination == "webhook":
        from orchestration.activation.destinations.webhook import WebhookDestination

        return WebhookDestination(spec, sync_run_id)
    if spec.destination == "hubspot":
        from orchestration.activation.destinations.hubspot import HubSpotDestination

        if not hubspot.token():
            raise TerminalError(f"{hubspot.access_token_env} is not set")
        return HubSpotDestination(
            spec, sync_run_id, access_token=hubspot.token(), base_url=hubspot.base_url
        )
    from orchestration.activation.destinations.salesforce import SalesforceDestination

    if salesforce.missing():
        raise TerminalError(salesforce.missing())
    return SalesforceDestination(
        spec,
        sync_run_id,
        access_token=salesforce.token(),
        instance_url=salesforce.instance_url(),
        api_version=salesforce.api_version,
        session=salesforce.session(),
    )
