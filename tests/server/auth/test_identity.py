"""The caller of the call in progress is visible to the code serving it, and only there."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sourcing.server.auth.identity import Identity, acting_as, current_identity
from sourcing.server.auth.permissions import Permission


def test_acting_as_sets_and_restores_the_caller() -> None:
    """Inside the block the identity is current; afterwards the previous one is back."""
    store = Identity("key:abc", ("store",), frozenset({"A"}))
    assert current_identity() is None
    with acting_as(store):
        assert current_identity() is store
        with ThreadPoolExecutor(1) as pool:  # another thread serves another call
            assert pool.submit(current_identity).result() is None
    assert current_identity() is None


def test_permissions_follow_the_roles() -> None:
    """Several roles grant their union; OPEN is everyone's; an unknown role grants nothing."""
    both = Identity("jwt:u", ("store", "inventory_feed"))
    assert both.may(Permission.FULFILMENT_UPDATE)
    assert both.may(Permission.INVENTORY_WRITE)
    assert not both.may(Permission.SOURCING_SOURCE)
    nobody = Identity("jwt:x", ("root",))
    assert nobody.may(Permission.OPEN) and not nobody.may(Permission.ORDER_READ)
    assert not nobody.scoped and Identity("k", ("store",), frozenset({"A"})).scoped
