"""A counter that moves whenever a location, network, product or sourcing profile changes.

Each server process caches the candidate locations it builds for sourcing
(see ``sourcing.models.config.candidate_cache``), and the products and
active profiles orders read (``sourcing.models.config.config_cache``).
Replicas share one database, so a process cannot know from its own calls
alone that another replica changed a location; instead every ORM flush
that inserts, updates or deletes a ``Location``, a ``Network`` (network
membership included, since it dirties one of the two) or a
``SourcingProfile``, or updates or deletes a ``Product``, adds one to
``config_version.version`` in the same transaction. A reader compares one
integer with the version its cache was built at and rebuilds on any
difference.

Writes that bypass the ORM's unit of work (``session.execute(update(Location))``,
Core inserts, SQL run by hand) must call :func:`bump_config_version` in
their transaction, or restart the servers.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import BigInteger, Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sourcing.models.config.tables import Location, Network, Product, SourcingProfile
from sourcing.models.db.base import Base

# Tables whose rows the candidate cache and the config cache are built from.
WATCHED = (Location, Network, SourcingProfile)
# Watched for changes and deletions only: the config cache reads a product it does
# not hold yet, so a new one needs no new version (catalogue imports add many).
WATCHED_ONCE_STORED = (Product,)


class ConfigVersion(Base):
    """The single row counting changes to the watched tables (``id`` is always 1)."""

    __tablename__ = "config_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_CURRENT = select(ConfigVersion.version).where(ConfigVersion.id == 1)


def config_version(session: Session) -> int | None:
    """The current version; ``None`` when the row is missing (nothing may then be cached).

    Read once per session after ``read_config_version_once`` (read-only work that asks
    for it several times: the version its first read saw holds for all of them).
    """
    once: list[int | None] | None = session.info.get(_READ_ONCE)
    if once:
        return once[0]
    version: int | None = session.connection().execute(_CURRENT).scalar()
    if once is not None:
        once.append(version)
    return version


def read_config_version_once(session: Session) -> None:
    """Let ``config_version`` read the version once in ``session`` and give it again after.

    For read-only sessions only: a write in the session that moves the version
    (a watched row flushed) would not be seen by the caches.
    """
    session.info.setdefault(_READ_ONCE, [])


# session.info key: [the version read] once read, [] before, absent when read every time.
_READ_ONCE = "sourcing.config_version_once"


def bump_config_version(session: Session) -> None:
    """Move the version on, in the caller's transaction (held locked until it ends)."""
    session.execute(
        update(ConfigVersion)
        .where(ConfigVersion.id == 1)
        .values(version=ConfigVersion.version + 1)
        .execution_options(synchronize_session=False)
    )


@event.listens_for(Session, "before_flush")
def _bump_when_watched_rows_change(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(row, WATCHED) for row in session.new) or any(
        isinstance(row, WATCHED + WATCHED_ONCE_STORED)
        for row in chain(session.dirty, session.deleted)
    ):
        bump_config_version(session)
