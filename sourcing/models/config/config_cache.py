"""The active profiles and the products an order reads, cached per process at one config version.

Every ``Source`` and every fulfilment-options call reads its products (id,
category, weight) and the active profile of its order type; both change
only through configuration writes. Like the candidate locations
(``candidate_cache``), a process keeps them per database engine at one
``config_version``: every ORM flush that writes a ``SourcingProfile``, or
updates or deletes a ``Product``, moves the version (``config_version.WATCHED``),
and a cache built at another version is dropped. A product not yet cached is
read (and kept), so a new one needs no new version; a ref that does not exist
is never cached.

Only plain values are kept (``ProductView``, ``ProfileView``), never ORM rows,
which belong to their session.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidates import active_profile, solver_profile
from sourcing.models.config.config_version import config_version
from sourcing.models.config.tables import Product
from sourcing.models.db.enums import OrderType


@dataclass(frozen=True, slots=True)
class ProductView:
    """What sourcing reads of a product."""

    id: int
    ref: str
    category: str | None
    weight_grams: int | None


@dataclass(frozen=True, slots=True)
class ProfileView:
    """The active profile of an order type as sourcing uses it (``id`` None: none is stored)."""

    id: int | None
    version: int
    rules: Mapping[str, Any]
    profile: solver.SourcingProfile


@dataclass(slots=True)
class _Cached:
    version: int
    products: dict[str, ProductView] = field(default_factory=dict)
    profiles: dict[OrderType, ProfileView] = field(default_factory=dict)


_PRODUCTS = select(Product.id, Product.ref, Product.category, Product.weight_grams).where(
    Product.ref.in_(bindparam("refs", expanding=True))
)
_LOCK = threading.Lock()
_CACHES: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()


def _current(session: Session) -> _Cached | None:
    """This engine's cache at the version the session reads now (emptied when it moved);
    None when the version row is missing (nothing may then be cached)."""
    version = config_version(session)
    if version is None:
        return None
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _LOCK:
        cached = _CACHES.get(engine)
        if cached is None or cached.version != version:
            cached = _CACHES[engine] = _Cached(version)
    return cached


def products_and_profile(
    session: Session, refs: list[str], order_type: OrderType
) -> tuple[dict[str, ProductView], ProfileView]:
    """The products of ``refs`` that exist, by ref, and the active profile of ``order_type``."""
    cached = _current(session)
    known = cached.products if cached is not None else {}
    missing = [ref for ref in dict.fromkeys(refs) if ref not in known]
    read = (
        {
            row.ref: ProductView(row.id, row.ref, row.category, row.weight_grams)
            for row in session.execute(_PRODUCTS, {"refs": missing})
        }
        if missing
        else {}
    )
    profile = cached.profiles.get(order_type) if cached is not None else None
    if profile is None:
        row = active_profile(session, order_type)
        profile = ProfileView(
            id=row.id if row else None,
            version=row.version if row else 0,
            rules=dict(row.rules or {}) if row else {},
            profile=solver_profile(row),
        )
    if cached is not None:
        with _LOCK:
            cached.products.update(read)
            cached.profiles.setdefault(order_type, profile)
    products = {ref: known.get(ref) or read[ref] for ref in refs if ref in known or ref in read}
    return products, profile


def stored_profile(session: Session, order_type: OrderType) -> ProfileView:
    """The active profile of ``order_type`` (``products_and_profile`` without products)."""
    return products_and_profile(session, [], order_type)[1]


__all__ = ["ProductView", "ProfileView", "products_and_profile", "stored_profile"]
