"""Blocking checks gate everything downstream of what they guard, not only the children.

Dagster makes a step wait on the blocking checks of its *direct* parents. A mart built in the
same dbt step as the mart a CRM sync reads (``mart_lead_scores`` under
``mart_lead_activation``) is not a direct parent of the sync, so a failing blocking check on
it would not stop the sync. :func:`gate_on_upstream_checks` adds every such ancestor as a
dependency of the gated assets (the CRM syncs, the publish step): Dagster then wires their
blocking checks in. Ancestors built in another step need nothing: a failing blocking check on
them already stops the step that builds the direct parents.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

#: groups whose assets leave the warehouse (CRM syncs, published files)
GATED_GROUPS = ("activation",)


def _ancestors(graph: dg.AssetGraph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = list(graph.get(key).parent_keys)
    while todo:
        parent = todo.pop()
        if parent not in seen:
            seen.add(parent)
            todo.extend(graph.get(parent).parent_keys)
    return seen


def guarded_in_same_step(graph: dg.AssetGraph, key: dg.AssetKey) -> set[dg.AssetKey]:
    """Ancestors of ``key`` that carry a blocking check defined outside the step that builds
    them and are built in the same step as one of ``key``'s direct parents."""
    parent_defs = {
        id(graph.assets_def_for_key(p))
        for p in graph.get(key).parent_keys
        if graph.get(p).is_executable
    }
    guarded = {
        ck.asset_key
        for ck in graph.asset_check_keys
        if graph.get(ck).blocking
        and graph.assets_def_for_key(ck) is not graph.assets_def_for_key(ck.asset_key)
    }
    return {
        a
        for a in _ancestors(graph, key) & guarded
        if id(graph.assets_def_for_key(a)) in parent_defs
    }


def gate_on_upstream_checks(
    defs: dg.Definitions, groups: Iterable[str] = GATED_GROUPS
) -> dg.Definitions:
    """``defs`` with the assets of ``groups`` depending on every ancestor guarded by a blocking
    check (see the module docstring)."""
    graph = defs.resolve_asset_graph()
    groups = set(groups)
    extra = {
        key: guarded_in_same_step(graph, key)
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name in groups and graph.get(key).is_executable
    }

    def add_deps(spec: dg.AssetSpec) -> dg.AssetSpec:
        have = {dep.asset_key for dep in spec.deps}
        missing = sorted(extra.get(spec.key, set()) - have)
        if not missing:
            return spec
        return spec.replace_attributes(deps=[*spec.deps, *missing])

    return _with_inputs_of_added_deps(defs.map_resolved_asset_specs(func=add_deps))


def _with_inputs_of_added_deps(defs: dg.Definitions) -> dg.Definitions:
    """Work around dagster 1.13: a dep added with ``map_resolved_asset_specs`` gets an input on
    the op but no entry in ``keys_by_input_name``, so the job would not wire the new parent
    (nor its blocking checks) to the step. Add the missing entries."""
    from dagster._core.definitions.assets.definition.assets_definition import (
        stringify_asset_key_to_input_name,
    )
    from dagster._record import replace

    def fixed(a: object) -> object:
        if not isinstance(a, dg.AssetsDefinition) or a.node_def is None:
            return a
        known = dict(a.node_keys_by_input_name)
        deps = {
            stringify_asset_key_to_input_name(dep.asset_key): dep.asset_key
            for spec in a.specs
            for dep in spec.deps
        }
        missing = {n: deps[n] for n in a.node_def.input_dict if n not in known and n in deps}
        if not missing:
            return a
        attrs = a.get_attributes_dict()
        return a.__class__.dagster_internal_init(
            **{**attrs, "keys_by_input_name": {**known, **missing}}
        )

    return replace(defs, assets=[fixed(a) for a in defs.assets or []])
