"""Why each candidate was or was not used."""

from __future__ import annotations

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import CandidateExplanation, CandidateReason
from sourcing.solver.types import IntArray


def explain(arrays: SourcingArrays, allocation: IntArray) -> tuple[CandidateExplanation, ...]:
    """One explanation per candidate, in the problem's order.

    A used candidate is ``USED``; one kept out by rules lists every such rule;
    one the rules allow but with nothing usable for this order is
    ``NO_STOCK``; the rest could have served units but cost more.
    """
    served = allocation.sum(axis=1)
    could = arrays.cap.sum(axis=1)
    total = int(arrays.quantity.sum())
    out: list[CandidateExplanation] = []
    for i, location in enumerate(arrays.problem.locations):
        distance = round(float(arrays.distance_km[i]), 3)
        if served[i] > 0:
            lines = [arrays.problem.order.lines[k].ref for k in np.flatnonzero(allocation[i])]
            detail = f"serves {served[i]} of {total} units (lines {', '.join(lines)})"
            out.append(
                CandidateExplanation(location.ref, True, (CandidateReason.USED,), detail, distance)
            )
        elif reasons := arrays.kept_out(i):
            detail = "kept out by: " + ", ".join(r.value.lower().replace("_", " ") for r in reasons)
            out.append(CandidateExplanation(location.ref, False, reasons, detail, distance))
        elif could[i] == 0:
            missing = ", ".join(arrays.products)
            detail = f"no usable stock of {missing} for this order"
            out.append(
                CandidateExplanation(
                    location.ref, False, (CandidateReason.NO_STOCK,), detail, distance
                )
            )
        else:
            detail = f"could serve {could[i]} of {total} units, but the plan chosen costs less"
            out.append(
                CandidateExplanation(
                    location.ref, False, (CandidateReason.MORE_EXPENSIVE,), detail, distance
                )
            )
    return tuple(out)
