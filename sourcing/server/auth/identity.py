"""The caller of the call in progress, for audit rows and store scope.

The auth interceptor sets it around each call; servicers and use cases read
it with :func:`current_identity`. gRPC runs a call's handler on one thread,
so a context variable set there is the call's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sourcing.server.auth.permissions import Permission, permissions_of


@dataclass(frozen=True)
class Identity:
    """Who is calling: a principal (``key:<id>``, ``jwt:<sub>``, ``cert:<CN>``), roles, scope.

    ``locations`` empty means every location; otherwise the caller may only
    act on records at those location refs.
    """

    principal: str
    roles: tuple[str, ...]
    locations: frozenset[str] = field(default_factory=frozenset)

    @property
    def permissions(self) -> frozenset[Permission]:
        """Everything the roles grant."""
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        """Whether the roles grant ``permission`` (OPEN is granted to everyone)."""
        return permission is Permission.OPEN or permission in self.permissions

    @property
    def scoped(self) -> bool:
        """Whether the caller is limited to some locations."""
        return bool(self.locations)


# Dev mode (no credentials configured, loopback only): every caller is this one.
LOCAL_DEVELOPER = Identity("local-developer", ("admin",))

_CURRENT: ContextVar[Identity | None] = ContextVar("sourcing_identity", default=None)


def current_identity() -> Identity | None:
    """The caller of the call this thread is serving, None outside a call."""
    return _CURRENT.get()


@contextmanager
def acting_as(identity: Identity) -> Iterator[Identity]:
    """Make ``identity`` the current caller for the duration of the block."""
    token = _CURRENT.set(identity)
    try:
        yield identity
    finally:
        _CURRENT.reset(token)
