"""How dbt nodes become Dagster assets: keys, groups by layer, checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

#: dbt folder (first path part under models/) or resource type -> Dagster group
_LAYER_GROUPS = {
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "analytics": "analytics",
    "semantic": "analytics",
}

#: who answers for an asset (shown in the Dagster UI): the data platform team owns loading and
#: modelling, marketing ops owns the scoring rules (seeds) and what people read (marts, BI)
PLATFORM, MARKETING_OPS = "team:data-platform", "team:marketing-ops"
_LAYER_OWNERS = {
    "config_seeds": MARKETING_OPS,
    "marts": MARKETING_OPS,
    "analytics": MARKETING_OPS,
}


def leading_comment(sql: str) -> str:
    """The ``--`` comment lines a model's SQL starts with, joined (its description when the
    YAML has none)."""
    lines = []
    for line in sql.lstrip().splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def layer_group(dbt_resource_props: Mapping[str, Any]) -> str:
    """The Dagster group of a dbt node: its layer (staging, intermediate, marts), or
    its resource type for seeds and snapshots."""
    resource_type = dbt_resource_props["resource_type"]
    if resource_type == "seed":
        return "config_seeds"
    if resource_type == "snapshot":
        return "snapshots"
    fqn = dbt_resource_props.get("fqn", [])
    # fqn = [project, layer, ..., model]
    if len(fqn) > 2 and fqn[1] in _LAYER_GROUPS:
        return _LAYER_GROUPS[fqn[1]]
    return "dbt_other"


class LeadhouseTranslator(DagsterDbtTranslator):
    """Model keys are the model name; sources take ``meta.dagster.asset_key`` (the ingestion
    assets ``["raw", "<source>"]``); groups follow the layers."""

    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True,
                # Source tests still run inside `dbt build`, but are not modelled as checks of
                # the raw assets: a multi-asset that checks an upstream key is exempt from that
                # key's blocking checks, and the raw quality checks must stop the dbt build.
                enable_source_tests_as_checks=False,
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        meta = dbt_resource_props.get("config", {}).get("meta", {}) or dbt_resource_props.get(
            "meta", {}
        )
        if dbt_resource_props["resource_type"] == "source" or meta.get("dagster", {}).get(
            "asset_key"
        ):
            return super().get_asset_key(dbt_resource_props)
        # Model names are unique across layers: the key is the name alone
        # (docs/data-contracts.md §5), whatever schema the folder writes to.
        return dg.AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_group(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        declared = super().get_owners(dbt_resource_props)
        if declared:
            return list(declared)
        if dbt_resource_props["resource_type"] == "source":
            return None
        return [_LAYER_OWNERS.get(layer_group(dbt_resource_props), PLATFORM)]

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        if not dbt_resource_props.get("description"):
            comment = leading_comment(dbt_resource_props.get("raw_code") or "")
            if comment:
                dbt_resource_props = {**dbt_resource_props, "description": comment}
        return super().get_description(dbt_resource_props)
