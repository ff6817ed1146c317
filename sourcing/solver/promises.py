"""The promise each fulfilment of a plan carries (see ``eta`` for the rules)."""

from __future__ import annotations

import numpy as np

from sourcing.solver.eta import Promise, collection_promise, parcel_promise
from sourcing.solver.inputs import Location, OrderType
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.types import IntArray


def fulfilment_promise(arrays: SourcingArrays, index: int, units: IntArray) -> Promise | None:
    """The promise of candidate ``index`` sending ``units[k]`` of each line; None without a now.

    A home delivery goes with the service the rate card chose for the
    parcel's weight (none at a location without services); click and collect
    is ready at the collection store, after a transfer when the units come
    from elsewhere. The location that picks does so on days it has room
    (``SourcingProblem.day_room``).
    """
    problem = arrays.problem
    if problem.now is None:
        return None
    location = problem.locations[index]
    distance = float(arrays.distance_km[index])
    order = problem.order
    if order.type is OrderType.CC:
        store_ref = order.collection_location_ref
        store = _location(problem, store_ref)
        store_calendar = store.calendar if store is not None else None
        at_store = location.ref == store_ref
        full_days = problem.full_days(location.ref)
        transfer = location.transfer_service
        if problem.clock is not None and transfer is None:  # a clock the caller's orders share
            picker = store_calendar if at_store else location.calendar
            return problem.clock.collected(
                picker, location.pick_pack_hours, store_calendar, at_store, full_days
            )
        return collection_promise(
            problem.now,
            location.calendar,
            location.pick_pack_hours,
            transfer,
            distance,
            store_calendar,
            at_store=at_store,
            full_days=full_days,
        )
    service = None
    rates = arrays.rates
    if rates is not None:
        rated = np.flatnonzero(rates.location == index)
        if len(rated):
            weight = int(np.asarray(units) @ rates.line_weight)
            service = rates.service(int(rated[0]), weight)
    return parcel_promise(
        problem.now,
        location.calendar,
        location.pick_pack_hours,
        service,
        distance,
        problem.full_days(location.ref),
    )


def _location(problem: SourcingProblem, ref: str | None) -> Location | None:
    """Candidate ``ref`` of the problem, by its table's index when it has one (a plan's
    promises ask for the collection store once per fulfilment, over a thousand candidates)."""
    if ref is None:
        return None
    if problem.table is not None:
        at = problem.table.index_of(ref)
        return problem.locations[at] if at is not None else None
    return next((loc for loc in problem.locations if loc.ref == ref), None)


__all__ = ["fulfilment_promise"]
