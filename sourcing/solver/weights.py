"""Objective weights: one non-negative number per term of the objective."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from sourcing.solver.errors import InvalidProblem

# The default per-unit rejection penalty. The solver raises it further when
# the order's other costs could exceed it, so rejecting a unit that can be
# served never pays off, whatever the weights (see objective.rejection_penalty).
DEFAULT_REJECTION_WEIGHT = 1_000_000.0
# The largest weight accepted. Costs are weight x quantity x distance and
# summed over thousands of orders; above this they leave the range where a MIP
# solver's tolerances mean anything (and, near 1e308, overflow to inf).
MAX_WEIGHT = 1e9
# Terms that steer the solver but are no cost of the plan: the solver
# minimises them with the rest, the plan reports them apart from its total.
STEERING_TERMS = ("scarcity_price",)


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the objective's terms.

    Each weight multiplies one term of the cost of a plan:

    * ``fixed``: the location's fixed cost per fulfilment.
    * ``handling``: the location's handling cost per unit.
    * ``shipping``: the location's shipping cost per unit and km (haversine
      distance from the location to the delivery point or collection store).
    * ``distance``: km per fulfilment.
    * ``split``: per fulfilment beyond the first.
    * ``speed``: the location's pick-and-pack hours per fulfilment.
    * ``ideal_stock``: per unit taken below the location's ideal stock level.
    * ``markdown``, ``overstock``, ``stock_age``, ``sell_through``: per unit,
      times how far the position is from the preferred extreme (no markdown,
      no surplus, fresh stock, fast sell-through cost the full weight).
    * ``vip_service``: per fulfilment of a VIP order at a location without
      VIP service.
    * ``scarcity_price``: times each position's scarce-stock price per unit
      taken (the opportunity cost of the unit for later orders, see
      ``sourcing.solver.scarcity``). It steers only: the plan reports it
      apart from its cost. 0 (the default) switches it off.
    * ``rejection``: per rejected unit; always dominates the other terms.
    """

    fixed: float = 1.0
    handling: float = 1.0
    shipping: float = 1.0
    distance: float = 0.0
    split: float = 0.0
    speed: float = 0.0
    ideal_stock: float = 1.0
    markdown: float = 0.0
    overstock: float = 0.0
    stock_age: float = 0.0
    sell_through: float = 0.0
    vip_service: float = 0.0
    scarcity_price: float = 0.0
    rejection: float = DEFAULT_REJECTION_WEIGHT

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidProblem(f"Expected weights.{f.name} to be a number, got {value!r}.")
            if math.isnan(value) or math.isinf(value) or not 0 <= value <= MAX_WEIGHT:
                raise InvalidProblem(
                    f"Expected weights.{f.name} to be a number in [0, {MAX_WEIGHT:g}], "
                    f"got {value!r}."
                )
            object.__setattr__(self, f.name, float(value))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names of the terms, in the order of the fields."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        """Build weights from a mapping; terms not given keep their defaults."""
        return cls().override(values)

    @classmethod
    def from_toml(cls, path: str | Path) -> Weights:
        """Load weights from a TOML file, from its ``[weights]`` table if it has one.

        Examples
        --------
        A file holding ``[weights]`` then ``split = 50.0`` gives the default
        weights with a split penalty of 50.
        """
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
        table = data.get("weights", data)
        if not isinstance(table, Mapping):
            raise InvalidProblem(f"Expected [weights] in {path} to be a table, got {table!r}.")
        return cls.from_mapping(table)

    def override(self, values: Mapping[str, float]) -> Weights:
        """These weights with some terms replaced, e.g. per request."""
        known = set(self.names())
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidProblem(
                f"Expected weight names among {', '.join(self.names())}, got {', '.join(unknown)}."
            )
        return replace(self, **dict(values))

    def as_dict(self) -> dict[str, float]:
        """The weights as a plain mapping from term name to weight."""
        return asdict(self)
