"""Fulfilment options see a configuration change at once, through a real server, both databases.

The server keeps the candidate locations (their calendars and rate cards
with them) and what the options derive from them (the collection stores
and their coordinates) per configuration version; every config write moves
the version, so the next call answers from the changed configuration.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from google.protobuf.field_mask_pb2 import FieldMask

from sourcing.v1 import common_pb2, config_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_fulfilment_options import CART, HOME, every_day, set_up, standard


def options(clients: Clients) -> sourcing_pb2.GetFulfilmentOptionsResponse:
    """The cart's options around HOME, stores within 20 km (A and B)."""
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=CART, customer_position=HOME, radius_km=20.0
    )
    answer: sourcing_pb2.GetFulfilmentOptionsResponse = clients.sourcing.GetFulfilmentOptions(
        request, timeout=30
    )
    return answer


def update(clients: Clients, location: config_pb2.Location, *paths: str) -> None:
    """Change the given fields of a stored location."""
    clients.config.UpdateLocation(
        config_pb2.UpdateLocationRequest(location=location, update_mask=FieldMask(paths=paths)),
        timeout=10,
    )


def cheapest_price(answer: sourcing_pb2.GetFulfilmentOptionsResponse) -> int:
    [cheapest] = [d for d in answer.delivery if d.name == "cheapest"]
    return int(cheapest.price.amount_minor)


def ready(answer: sourcing_pb2.GetFulfilmentOptionsResponse, ref: str) -> int:
    [store] = [c for c in answer.collection if c.location_ref == ref]
    return int(store.ready_time.seconds)


def test_rate_card_calendar_and_location_changes_reach_the_next_options(
    clients: Clients,
) -> None:
    """A's rate card halves (cheapest follows), B's hours shrink to one hour half a day
    away (its ready time moves), then B stops taking click and collect and A moves 100 km away
    (they leave the collection stores): each is seen by the very next call."""
    set_up(clients)
    before = options(clients)
    assert cheapest_price(before) == 1800  # two 1.5 kg parcels at 900, from A and B
    assert {c.location_ref for c in before.collection} == {"A", "B"}

    update(
        clients,
        config_pb2.Location(ref="A", carrier_services=[standard((450, 2500))]),
        "carrier_services",
    )
    assert cheapest_price(options(clients)) == 450 + 900

    # One hour a day, twelve hours from now in the store's time zone: the ready time moves
    # whatever the time of day the test runs at (23:00-23:59 alone did not, at 23:03).
    local = datetime.now(ZoneInfo("America/Sao_Paulo"))
    opens = (local.hour + 12) % 24 * 60
    update(clients, config_pb2.Location(ref="B", calendar=every_day(opens, opens + 59)), "calendar")
    assert ready(options(clients), "B") != ready(before, "B")

    update(clients, config_pb2.Location(ref="B", cc_enabled=False), "cc_enabled")
    assert {c.location_ref for c in options(clients).collection} == {"A"}

    update(clients, config_pb2.Location(ref="A", latitude=HOME.latitude + 0.9), "latitude")
    assert not options(clients).collection


def cheapest_sources(answer: sourcing_pb2.GetFulfilmentOptionsResponse) -> set[str]:
    [cheapest] = [d for d in answer.delivery if d.name == "cheapest"]
    return {f.location_ref for f in cheapest.fulfilments}


def test_a_new_profile_reaches_the_next_options(clients: Clients) -> None:
    """The server keeps the active profiles (and the cart's products) per configuration
    version: a profile keeping A out is used by the very next call, and one letting it
    back in by the call after (a cache kept across the change would still use the old)."""
    set_up(clients)
    assert cheapest_sources(options(clients)) == {"A", "B"}

    def set_profile(excluded: list[str]) -> None:
        clients.config.SetSourcingProfile(
            config_pb2.SetSourcingProfileRequest(
                profile=config_pb2.SourcingProfile(
                    order_type=common_pb2.ORDER_TYPE_HD,
                    rules=config_pb2.SourcingRules(excluded_location_refs=excluded),
                )
            ),
            timeout=10,
        )

    set_profile(["A"])
    assert "A" not in cheapest_sources(options(clients))
    set_profile([])
    assert cheapest_sources(options(clients)) == {"A", "B"}
