"""Cached products and profiles: reused while nothing changes, read again after any change."""

from __future__ import annotations

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import OrderType, Product, SourcingProfile
from sourcing.models.config.config_cache import products_and_profile
from sourcing.models.config.config_version import (
    bump_config_version,
    config_version,
    read_config_version_once,
)
from sourcing.models.db.engine import make_engine, session_factory
from tests.models.builders import add_product


def weights(sessions: sessionmaker[Session], *refs: str) -> dict[str, int | None]:
    """The products' weights as the cache gives them."""
    with sessions.begin() as session:
        products, _ = products_and_profile(session, list(refs), OrderType.HD)
        return {ref: p.weight_grams for ref, p in products.items()}


def test_products_are_read_once_then_served_from_the_cache(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """The second read of the same products asks the database for no product; an unknown
    ref is left out (and not remembered: created later, it is found)."""
    with sessions.begin() as session:
        add_product(session, "P1", weight_grams=100)
    assert weights(sessions, "P1", "NOPE") == {"P1": 100}
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert weights(sessions, "P1") == {"P1": 100}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in statements if "FROM products" in s]
    with sessions.begin() as session:
        add_product(session, "NOPE", weight_grams=5)
    assert weights(sessions, "P1", "NOPE") == {"P1": 100, "NOPE": 5}


def test_a_product_change_made_through_another_engine_is_seen(engine: Engine) -> None:
    """Two replicas: a weight one changes is what the other's next read gives."""
    ours = session_factory(engine)
    with ours.begin() as session:
        add_product(session, "P1", weight_grams=100)
    assert weights(ours, "P1") == {"P1": 100}
    other_engine = make_engine(engine.url)
    try:
        with session_factory(other_engine).begin() as session:
            session.scalars(select(Product).where(Product.ref == "P1")).one().weight_grams = 250
    finally:
        other_engine.dispose()
    assert weights(ours, "P1") == {"P1": 250}


def test_a_new_active_profile_is_seen_by_the_next_read(sessions: sessionmaker[Session]) -> None:
    """No profile (the solver's defaults), then version 1, then version 2 replacing it."""

    def active(session: Session) -> tuple[int, int]:
        profile = products_and_profile(session, [], OrderType.HD)[1]
        return profile.version, profile.profile.split_limit

    with sessions.begin() as session:
        assert active(session)[0] == 0
        session.add(SourcingProfile(order_type=OrderType.HD, version=1, active=True, split_limit=3))
    with sessions.begin() as session:
        assert active(session) == (1, 3)
        session.scalars(select(SourcingProfile)).one().active = False
        session.add(SourcingProfile(order_type=OrderType.HD, version=2, active=True, split_limit=2))
    with sessions.begin() as session:
        assert active(session) == (2, 2)


def test_the_version_is_read_once_where_asked_and_every_time_elsewhere(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A session reading it once asks the database once however often it is asked; any
    other session asks every time; a version moved in between is read by the next session."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    def reads(once: bool) -> tuple[int, int | None]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            with sessions.begin() as session:
                if once:
                    read_config_version_once(session)
                versions = {config_version(session) for _ in range(3)}
        finally:
            event.remove(engine, "before_cursor_execute", count)
        (version,) = versions
        return len([s for s in statements if "config_version" in s]), version

    assert reads(once=False)[0] == 3
    queries, before = reads(once=True)
    assert queries == 1
    with sessions.begin() as session:
        bump_config_version(session)
    assert before is not None
    assert reads(once=True) == (1, before + 1)
