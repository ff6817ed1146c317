"""A scenario applied to a history: its locations, its profiles and its policy.

Nothing here changes the history: every location, stock position and profile
a scenario changes is a new frozen dataclass (``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sourcing import solver
from sourcing.bench.policies import BatchPolicy, Policy, PolicyOptions, make_policy
from sourcing.bench.simulation import Instance
from sourcing.whatif.history import CANDIDATE_NETWORKS, History, candidate_profile
from sourcing.whatif.scenarios import AddedLocation, RuleChanges, Scenario, ScenarioFile


def scenario_instance(history: History, scenario: Scenario, file: ScenarioFile) -> Instance:
    """The bench's ``Instance`` of ``history`` under ``scenario``: one problem per order.

    Raises
    ------
    WhatIfInputError
        For a location in a rule change the history does not have, or a
        profile version it does not hold (naming the file, line and field).
    """
    check_scenario(history, scenario, file)
    locations = scenario_locations(history, scenario.rules)
    profiles = scenario_profiles(history, scenario)
    problems = tuple(
        solver.SourcingProblem(o.order, locations, profiles[o.order.type]) for o in history.orders
    )
    return Instance(scenario.name, problems, history.days)


def check_scenario(history: History, scenario: Scenario, file: ScenarioFile) -> None:
    """Raise ``WhatIfInputError`` when ``scenario`` names what ``history`` does not hold."""
    known = frozenset(loc.ref for loc in history.locations)
    versions = frozenset(v for _, v in history.profile_versions)
    check_scenario_names(known, versions, scenario, file)


def check_scenario_names(
    location_refs: frozenset[str], versions: frozenset[int], scenario: Scenario, file: ScenarioFile
) -> None:
    """Raise ``WhatIfInputError`` when ``scenario`` names an unknown location or version."""
    added = {a.ref for a in scenario.rules.added}
    for name, refs in scenario.rules.location_refs().items():
        unknown = sorted(refs - location_refs - added)
        if unknown:
            raise file.error(
                f"{scenario.path}.rules.{name}", f"Unknown location {', '.join(unknown)}."
            )
    for i, location in enumerate(scenario.rules.added):
        path = f"{scenario.path}.rules.add_location[{i}]"
        if location.ref in location_refs:
            raise file.error(f"{path}.ref", f"Location {location.ref} exists already.")
        if location.stock_from is not None and location.stock_from not in location_refs:
            raise file.error(f"{path}.stock_from", f"Unknown location {location.stock_from}.")
    version = scenario.profile_version
    if version is not None and version not in versions:
        raise file.error(
            f"{scenario.path}.profile_version",
            f"Unknown profile version {version}; stored versions: {sorted(versions) or 'none'}.",
        )


def scenario_profiles(
    history: History, scenario: Scenario
) -> dict[solver.OrderType, solver.SourcingProfile]:
    """The profile each order type is sourced under in ``scenario``."""
    rules = scenario.rules
    profiles: dict[solver.OrderType, solver.SourcingProfile] = {}
    for order_type in solver.OrderType:
        profile = history.profiles.get(order_type, solver.SourcingProfile())
        if scenario.profile_version is not None:
            profile = history.profile_versions.get((order_type, scenario.profile_version), profile)
        if scenario.weights:
            profile = replace(profile, weights=profile.weights.override(scenario.weights))
        if scenario.split_limit is not None:
            profile = replace(profile, split_limit=scenario.split_limit)
        profile = replace(
            profile,
            rules=replace(
                profile.rules,
                excluded_products=profile.rules.excluded_products | rules.excluded_products,
                excluded_categories=profile.rules.excluded_categories | rules.excluded_categories,
                excluded_locations=profile.rules.excluded_locations | rules.excluded_locations,
            ),
        )
        profiles[order_type] = candidate_profile(profile, order_type)
    return profiles


def scenario_locations(history: History, rules: RuleChanges) -> tuple[solver.Location, ...]:
    """The history's locations under ``rules``: closed gone, added open, the rest changed."""
    out = []
    for location in history.locations:
        if location.ref in rules.closed:
            continue
        out.append(_changed(location, rules))
    for added in rules.added:
        stock = history.location(added.stock_from).stock if added.stock_from else {}
        out.append(_changed(_opened(added, stock), rules))
    return tuple(out)


def _changed(location: solver.Location, rules: RuleChanges) -> solver.Location:
    changes: dict[str, object] = {}
    if rules.buffer:
        changes["stock"] = {
            product: replace(position, buffer_qty=position.buffer_qty + rules.buffer)
            for product, position in location.stock.items()
        }
    total = rules.capacity.get(location.ref, rules.capacity_by_type.get(location.type))
    if total is not None:
        changes["capacity"] = replace(location.capacity, total=total)
    if location.ref in rules.hd_on | rules.hd_off:
        changes["hd_enabled"] = location.ref in rules.hd_on
    if location.ref in rules.cc_on | rules.cc_off:
        changes["cc_enabled"] = location.ref in rules.cc_on
    return replace(location, **changes) if changes else location  # type: ignore[arg-type]


def _opened(added: AddedLocation, stock: Mapping[str, solver.StockPosition]) -> solver.Location:
    return solver.Location(
        ref=added.ref,
        type=added.type,
        point=solver.GeoPoint(added.latitude, added.longitude),
        stock=dict(stock),
        networks=frozenset(CANDIDATE_NETWORKS.values()),
        fixed_cost=added.fixed_cost,
        handling_cost=added.handling_cost,
        shipping_cost_per_km=added.shipping_cost_per_km,
        capacity=solver.Capacity(total=added.capacity),
    )


def scenario_policy(scenario: Scenario, file: ScenarioFile) -> Policy:
    """The bench policy ``scenario`` sources with."""
    options = PolicyOptions(mip_time_limit_s=file.mip_time_limit_s)
    if scenario.policy == "wave":
        return BatchPolicy(scenario.wave_size, options)
    return make_policy(scenario.policy, options)
