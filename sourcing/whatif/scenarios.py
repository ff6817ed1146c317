"""Scenarios: the baseline and the variants to compare, read from one TOML file.

A file holds ``[baseline]``, one ``[[scenarios]]`` table per variant, an
optional ``[sweep]`` and the run's settings (``seed``, ``bootstrap``,
``top_changes``, ``mip_time_limit_s``). Each scenario may set a ``policy``
(``greedy``, ``fewest_splits``, ``mip``, ``wave`` with ``wave_size``), a
stored ``profile_version``, ``weights`` overrides, a ``split_limit`` and
``[scenarios.rules]`` changes (see ``RuleChanges``). ``examples/whatif/
scenarios.toml`` shows every key. A bad value raises ``WhatIfInputError``
naming the file, the line and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcing import solver
from sourcing.bench.policies import POLICIES
from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.toml_lines import key_lines, line_of

SCENARIO_POLICIES = (*POLICIES, "wave")
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 7
DEFAULT_TOP_CHANGES = 20


@dataclass(frozen=True, slots=True)
class AddedLocation:
    """A location the scenario opens; its stock is copied from ``stock_from`` (or none)."""

    ref: str
    type: solver.LocationType
    latitude: float
    longitude: float
    fixed_cost: float = 0.0
    handling_cost: float = 0.0
    shipping_cost_per_km: float = 0.0
    capacity: int | None = None
    stock_from: str | None = None


@dataclass(frozen=True, slots=True)
class RuleChanges:
    """Changes to the network and rules for one scenario.

    ``buffer`` units are added to every position's buffer; ``capacity`` sets
    orders per day per location ref, ``capacity_by_type`` per location type;
    ``hd_off`` / ``cc_off`` switch a location off for an order type and
    ``hd_on`` / ``cc_on`` on; ``closed`` locations are gone; ``added`` open.
    """

    buffer: int = 0
    excluded_products: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    excluded_locations: frozenset[str] = frozenset()
    capacity: Mapping[str, int] = field(default_factory=dict)
    capacity_by_type: Mapping[solver.LocationType, int] = field(default_factory=dict)
    hd_on: frozenset[str] = frozenset()
    hd_off: frozenset[str] = frozenset()
    cc_on: frozenset[str] = frozenset()
    cc_off: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    added: tuple[AddedLocation, ...] = ()

    def location_refs(self) -> dict[str, frozenset[str]]:
        """Each field naming existing locations, and the refs it names."""
        return {
            "excluded_locations": self.excluded_locations,
            "capacity": frozenset(self.capacity),
            "hd_on": self.hd_on,
            "hd_off": self.hd_off,
            "cc_on": self.cc_on,
            "cc_off": self.cc_off,
            "closed": self.closed,
        }


@dataclass(frozen=True, slots=True)
class Scenario:
    """One way to source the history: a policy, a profile and rule changes."""

    name: str
    policy: str = "mip"
    wave_size: int | None = None
    profile_version: int | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    split_limit: int | None = None
    rules: RuleChanges = RuleChanges()
    path: str = "baseline"  # where it was written, for errors: "scenarios[1]"


@dataclass(frozen=True, slots=True)
class Sweep:
    """One or two weights varied over their values, under ``policy``."""

    values: Mapping[str, tuple[float, ...]]
    policy: str = "mip"


@dataclass(frozen=True, slots=True)
class ScenarioFile:
    """A baseline, the variants, an optional sweep and the run's settings."""

    source: str
    baseline: Scenario
    variants: tuple[Scenario, ...]
    sweep: Sweep | None = None
    seed: int = DEFAULT_SEED
    bootstrap: int = DEFAULT_BOOTSTRAP
    top_changes: int = DEFAULT_TOP_CHANGES
    mip_time_limit_s: float = 10.0
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        """The baseline first, then the variants."""
        return (self.baseline, *self.variants)

    def error(self, path: str, message: str) -> WhatIfInputError:
        """An error naming this file, the line of ``path`` and ``path``."""
        return WhatIfInputError(self.source, line_of(dict(self.lines), path), path, message)

    @classmethod
    def read(cls, path: str | Path) -> ScenarioFile:
        """Read and check a scenario file (TOML)."""
        text = Path(path).read_text(encoding="utf-8")
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str = "scenarios") -> ScenarioFile:
        """Check a scenario file's text; ``source`` names it in errors."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's error has no line attribute; its message ends "(at line N, column M)".
            found = re.search(r"at line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
            raise WhatIfInputError(source, line, "(syntax)", str(exc)) from None
        return _Reader(source, key_lines(text)).file(data)


class _Reader:
    """Turns the parsed TOML into checked dataclasses, naming the line of any bad value."""

    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: str, message: str) -> WhatIfInputError:
        return WhatIfInputError(self.source, line_of(self.lines, path), path, message)

    def file(self, data: dict[str, Any]) -> ScenarioFile:
        settings = {"seed", "bootstrap", "top_changes", "mip_time_limit_s"}
        self.known(data, "", {"baseline", "scenarios", "sweep", *settings})
        if "baseline" not in data:
            raise self.fail("baseline", "Expected a [baseline] table.")
        baseline = self.scenario(self.table(data["baseline"], "baseline"), "baseline", "baseline")
        variants = data.get("scenarios", [])
        if not isinstance(variants, list):
            raise self.fail("scenarios", "Expected [[scenarios]] tables.")
        parsed = tuple(
            self.scenario(self.table(v, f"scenarios[{i}]"), f"scenarios[{i}]", f"variant {i + 1}")
            for i, v in enumerate(variants)
        )
        names = [s.name for s in (baseline, *parsed)]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(f"scenarios[{i - 1}].name", f"Expected unique names, got {name!r}.")
        sweep = None
        if "sweep" in data:
            sweep = self.sweep(self.table(data["sweep"], "sweep"))
        return ScenarioFile(
            self.source,
            baseline,
            parsed,
            sweep,
            seed=self.integer(data, "", "seed", DEFAULT_SEED, 0),
            bootstrap=self.integer(data, "", "bootstrap", DEFAULT_BOOTSTRAP, 0),
            top_changes=self.integer(data, "", "top_changes", DEFAULT_TOP_CHANGES, 0),
            mip_time_limit_s=self.number(data, "", "mip_time_limit_s", 10.0, low=1e-3),
            lines=self.lines,
        )

    def known(self, table: dict[str, Any], path: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(
                    where, f"Unknown key; expected one of {', '.join(sorted(allowed))}."
                )

    def table(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"Expected a table, got {value!r}.")
        return value

    def integer(self, table: dict[str, Any], path: str, key: str, default: Any, low: int) -> Any:
        value = table.get(key, default)
        where = f"{path}.{key}" if path else key
        if value is None and default is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(where, f"Expected an integer of at least {low}, got {value!r}.")
        return value

    def number(
        self, table: dict[str, Any], path: str, key: str, default: float, low: float
    ) -> float:
        value = table.get(key, default)
        where = f"{path}.{key}" if path else key
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= low:
            raise self.fail(where, f"Expected a number of at least {low}, got {value!r}.")
        return float(value)

    def refs(self, table: dict[str, Any], path: str, key: str) -> frozenset[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{path}.{key}", f"Expected a list of refs, got {value!r}.")
        return frozenset(value)

    def scenario(self, table: dict[str, Any], path: str, default_name: str) -> Scenario:
        keys = {"name", "policy", "wave_size", "profile_version", "weights", "split_limit", "rules"}
        self.known(table, path, keys)
        name = table.get("name", default_name)
        if not isinstance(name, str) or not name:
            raise self.fail(f"{path}.name", f"Expected a non-empty name, got {name!r}.")
        policy = table.get("policy", "mip")
        if policy not in SCENARIO_POLICIES:
            allowed = ", ".join(SCENARIO_POLICIES)
            raise self.fail(f"{path}.policy", f"Expected one of {allowed}, got {policy!r}.")
        wave_size = self.integer(table, path, "wave_size", None, 1)
        if policy == "wave" and wave_size is None:
            raise self.fail(f"{path}.wave_size", "Expected wave_size with policy = 'wave'.")
        weights = self.table(table.get("weights", {}), f"{path}.weights")
        try:
            solver.Weights().override(weights)
        except ValueError as exc:
            raise self.fail(f"{path}.weights", str(exc)) from None
        rules = self.rules(self.table(table.get("rules", {}), f"{path}.rules"), f"{path}.rules")
        return Scenario(
            name=name,
            policy=policy,
            wave_size=wave_size,
            profile_version=self.integer(table, path, "profile_version", None, 1),
            weights={k: float(v) for k, v in weights.items()},
            split_limit=self.integer(table, path, "split_limit", None, 1),
            rules=rules,
            path=path,
        )

    def rules(self, table: dict[str, Any], path: str) -> RuleChanges:
        lists = ("excluded_products", "excluded_categories", "excluded_locations")
        switches = ("hd_on", "hd_off", "cc_on", "cc_off", "closed")
        more = ("buffer", "capacity", "capacity_by_type", "add_location")
        self.known(table, path, {*lists, *switches, *more})
        capacity = self.counts(table, path, "capacity")
        by_type: dict[solver.LocationType, int] = {}
        for name, count in self.counts(table, path, "capacity_by_type").items():
            if name not in solver.LocationType.__members__:
                allowed = ", ".join(solver.LocationType.__members__)
                raise self.fail(f"{path}.capacity_by_type", f"Expected types among {allowed}.")
            by_type[solver.LocationType(name)] = count
        added = table.get("add_location", [])
        if not isinstance(added, list):
            raise self.fail(f"{path}.add_location", "Expected [[...add_location]] tables.")
        return RuleChanges(
            buffer=self.integer(table, path, "buffer", 0, 0),
            capacity=capacity,
            capacity_by_type=by_type,
            added=tuple(self.added(a, f"{path}.add_location[{i}]") for i, a in enumerate(added)),
            **{key: self.refs(table, path, key) for key in (*lists, *switches)},
        )

    def counts(self, table: dict[str, Any], path: str, key: str) -> dict[str, int]:
        value = self.table(table.get(key, {}), f"{path}.{key}")
        for name, count in value.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise self.fail(f"{path}.{key}", f"Expected {name} = a count >= 0, got {count!r}.")
        return dict(value)

    def added(self, value: object, path: str) -> AddedLocation:
        table = self.table(value, path)
        try:
            return AddedLocation(
                ref=str(table["ref"]),
                type=solver.LocationType(table.get("type", "WAREHOUSE")),
                latitude=self.number(table, path, "latitude", -91.0, -90.0),
                longitude=self.number(table, path, "longitude", -181.0, -180.0),
                fixed_cost=self.number(table, path, "fixed_cost", 0.0, 0.0),
                handling_cost=self.number(table, path, "handling_cost", 0.0, 0.0),
                shipping_cost_per_km=self.number(table, path, "shipping_cost_per_km", 0.0, 0.0),
                capacity=self.integer(table, path, "capacity", None, 0),
                stock_from=table.get("stock_from"),
            )
        except KeyError:
            raise self.fail(f"{path}.ref", "Expected a ref for the added location.") from None
        except ValueError as exc:
            if isinstance(exc, WhatIfInputError):
                raise
            raise self.fail(f"{path}.type", str(exc)) from None

    def sweep(self, table: dict[str, Any]) -> Sweep:
        policy = table.get("policy", "mip")
        if policy not in POLICIES:
            raise self.fail("sweep.policy", f"Expected one of {', '.join(POLICIES)}.")
        values: dict[str, tuple[float, ...]] = {}
        for name, raw in table.items():
            if name == "policy":
                continue
            if name not in solver.Weights.names():
                raise self.fail(f"sweep.{name}", "Expected a weight name.")
            ok = isinstance(raw, list) and raw and all(isinstance(v, int | float) for v in raw)
            if not ok or any(isinstance(v, bool) or v < 0 for v in raw):
                raise self.fail(f"sweep.{name}", f"Expected a list of weights >= 0, got {raw!r}.")
            values[name] = tuple(float(v) for v in raw)
        if not 1 <= len(values) <= 2:
            raise self.fail("sweep", "Expected one or two weights to sweep.")
        return Sweep(values, policy)
