"""How a solve is run: policy, MIP backend and time limit, checked once where they enter.

Strings from the CLI, the gRPC converters and the bench become these enums
in :meth:`SolveOptions.of`; past it the solver trusts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sourcing.solver.errors import InvalidProblem

# Wall-clock budget of one order's MIP when the caller gives none.
DEFAULT_TIME_LIMIT_S = 10.0
# Wall-clock budget of a wave (many orders solved together).
DEFAULT_WAVE_TIME_LIMIT_S = 60.0


class Policy(StrEnum):
    """How one order is sourced."""

    MIP = "mip"  # the provably cheapest plan under every rule
    GREEDY = "greedy"  # the reference greedy of rule-based systems


class Backend(StrEnum):
    """The MIP solver OR-tools runs."""

    SCIP = "scip"
    HIGHS = "highs"
    SAT = "sat"


E = TypeVar("E", bound=StrEnum)


def _choice(kind: type[E], field: str, value: object) -> E:
    try:
        if not isinstance(value, str):
            raise InvalidProblem(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidProblem(f"Expected {field} to be one of {allowed}, got {value!r}.") from None


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """A checked policy, backend and time limit."""

    policy: Policy = Policy.MIP
    backend: Backend = Backend.SCIP
    time_limit_s: float = DEFAULT_TIME_LIMIT_S

    @classmethod
    def of(
        cls,
        *,
        policy: Policy | str = Policy.MIP,
        backend: Backend | str = Backend.SCIP,
        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    ) -> SolveOptions:
        """Check the values; a ValueError names the field that is wrong."""
        if (
            isinstance(time_limit_s, bool)
            or not isinstance(time_limit_s, int | float)
            or math.isnan(time_limit_s)
            or time_limit_s <= 0
        ):
            raise InvalidProblem(
                f"Expected time_limit_s to be a positive number, got {time_limit_s!r}."
            )
        return cls(
            _choice(Policy, "policy", policy),
            _choice(Backend, "backend", backend),
            float(time_limit_s),
        )


POLICIES = tuple(p.value for p in Policy)
BACKENDS = tuple(b.value for b in Backend)

__all__ = [
    "BACKENDS",
    "DEFAULT_TIME_LIMIT_S",
    "DEFAULT_WAVE_TIME_LIMIT_S",
    "POLICIES",
    "Backend",
    "Policy",
    "SolveOptions",
]
