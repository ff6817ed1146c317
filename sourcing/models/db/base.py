"""The declarative base, column types shared by every table, and the clock.

Every timestamp is stored in UTC and comes back timezone-aware on both
backends: SQLite has no timezone type, so :class:`UTCDateTime` strips the
offset on the way in and puts UTC back on the way out, and refuses naive
datetimes instead of guessing what zone they meant.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, MetaData, String, Table
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so later migrations can alter and drop them by name
# on PostgreSQL and in SQLite batch mode alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit keys on PostgreSQL, where the ledger and the outbox grow without
# bound; SQLite only autoincrements an INTEGER PRIMARY KEY, which is 64-bit
# there anyway.
IdType = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite gets a naive UTC value."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"Expected a timezone-aware datetime, got naive {value.isoformat()}.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what SQLite returns; normalise PostgreSQL's offset to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Annotated column types, mapped once in ``Base.type_annotation_map``.
Id = Annotated[int, mapped_column(IdType, primary_key=True, autoincrement=True)]
Ref = Annotated[str, 64]
Name = Annotated[str, 200]
Currency = Annotated[str, 3]
Url = Annotated[str, 2000]
JsonDict = dict[str, Any]
JsonList = list[str]


class Base(DeclarativeBase):
    """Declarative base for every table of the sourcing engine."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - read by SQLAlchemy, not mutated
        datetime: UTCDateTime(),
        Ref: String(64),
        Name: String(200),
        Currency: String(3),
        Url: String(2000),
        JsonDict: JSON(),
        JsonList: JSON(),
        # Status columns are VARCHAR with a CHECK constraint rather than native
        # PostgreSQL enums: adding a status later is then a plain migration on
        # both backends, with no ALTER TYPE.
        enum.Enum: SqlEnum(
            enum.Enum, native_enum=False, create_constraint=True, length=32, validate_strings=True
        ),
    }


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for bulk statements that skip the ORM's bookkeeping."""
    return Base.metadata.tables[model.__tablename__]


def dialect_insert(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """The dialect's INSERT for ``table``, which knows ON CONFLICT (an upsert)."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)
