"""Every fulfilment of a plan carries its promise when the problem has a ``now``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from sourcing.solver import OrderType, solve
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import dc_calendar, service, store_calendar

NOW = datetime(2026, 12, 4, 22, tzinfo=UTC)  # Friday 19:00 in Sao Paulo


def test_click_and_collect_from_the_store_and_by_transfer() -> None:
    """The store's own unit is ready Saturday 09:30; the DC's comes Tuesday 09:00 by truck."""
    truck = service(
        "TRUCK", transit=(1, 1), cut_off=time(20), weekdays=frozenset(range(6)), transfer=True
    )
    store = loc("S1", 0, {"p1": 1}, calendar=store_calendar(), pick_pack_hours=0.5)
    dc = loc(
        "DC1",
        30,
        {"p2": 1},
        calendar=dc_calendar(),
        pick_pack_hours=2.0,
        carrier_services=(truck,),
    )
    base = problem(order([("p1", 1), ("p2", 1)], type=OrderType.CC), [store, dc])
    plan = solve(replace(base, now=NOW))
    promises = {f.location_ref: f.promise for f in plan.fulfilments}
    assert promises["S1"] is not None and not promises["S1"].transfer
    assert promises["S1"].promised_at == datetime(2026, 12, 5, 12, 30, tzinfo=UTC)
    assert promises["DC1"] is not None and promises["DC1"].transfer
    assert promises["DC1"].promised_at == datetime(2026, 12, 8, 12, tzinfo=UTC)


def test_home_delivery_without_services_promises_ready_by() -> None:
    """A store without carriers promises the end of its pick and pack."""
    store = loc("S1", 5, {"p1": 1}, pick_pack_hours=3.0)
    plan = solve(replace(problem(order([("p1", 1)]), [store]), now=NOW))
    promise = plan.fulfilments[0].promise
    assert promise is not None and promise.promised_at == datetime(2026, 12, 5, 1, tzinfo=UTC)
