"""How dbt nodes become Dagster assets: keys, groups by layer, checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

#: dbt folder (first path part under models/) or resource type -> Dagster group
_LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


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
