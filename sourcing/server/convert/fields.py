"""Checks of single request fields, shared by the converters.

Each check returns the value in the domain's terms or raises
:class:`~sourcing.server.errors.FieldError` naming the field by its path in
the request (``positions[3].on_hand``) and saying what was expected. The
limits are the database's: refs fit 64 characters, names 200, URLs 2000,
quantities and money a 32-bit integer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from sourcing.server.errors import FieldError
from sourcing.v1 import common_pb2

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

MAX_INT32 = 2**31 - 1
REF_LENGTH = 64
NAME_LENGTH = 200
URL_LENGTH = 2000
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_CURRENCY = re.compile(r"[A-Z]{3}")


def require_ref(value: str, field: str) -> str:
    """A reference that must be given: 1 to 64 characters."""
    if not value:
        raise FieldError(field, "Expected a reference, got an empty string.")
    if len(value) > REF_LENGTH:
        raise FieldError(field, f"Expected at most {REF_LENGTH} characters, got {len(value)}.")
    return value


def optional_ref(value: str, field: str) -> str | None:
    """A reference that may be left empty (``None``)."""
    return require_ref(value, field) if value else None


def refs(values: Sequence[str], field: str) -> tuple[str, ...]:
    """A list of references, each given; duplicates are kept so indices match the request."""
    return tuple(require_ref(v, f"{field}[{i}]") for i, v in enumerate(values))


def check_name(
    value: str, field: str, *, required: bool = False, max_length: int = NAME_LENGTH
) -> str:
    """A display name or free text, 200 characters at most unless ``max_length`` says."""
    if required and not value:
        raise FieldError(field, "Expected a non-empty value, got an empty string.")
    if len(value) > max_length:
        raise FieldError(field, f"Expected at most {max_length} characters, got {len(value)}.")
    return value


def check_count(value: int, field: str, *, minimum: int = 0) -> int:
    """A whole number from ``minimum`` to 2**31 - 1."""
    if not minimum <= value <= MAX_INT32:
        raise FieldError(field, f"Expected an integer from {minimum} to {MAX_INT32}, got {value}.")
    return int(value)


def check_number(
    value: float, field: str, *, low: float = -math.inf, high: float = math.inf
) -> float:
    """A finite number from ``low`` to ``high``."""
    if not math.isfinite(value) or not low <= value <= high:
        raise FieldError(field, f"Expected a finite number from {low} to {high}, got {value}.")
    return float(value)


def money_from_proto(
    money: common_pb2.Money, field: str, *, currency_required: bool
) -> tuple[int, str]:
    """Amount in minor units (0 or more) and ISO 4217 currency code ("" when optional)."""
    amount = check_count(money.amount_minor, f"{field}.amount_minor")
    if (money.currency or currency_required) and not _CURRENCY.fullmatch(money.currency):
        raise FieldError(
            f"{field}.currency",
            f"Expected an ISO 4217 code in upper case, e.g. 'EUR', got {money.currency!r}.",
        )
    return amount, money.currency


def _prefix(proto_enum: Any) -> str:
    return str(proto_enum.DESCRIPTOR.values[0].name).removesuffix("UNSPECIFIED")


def enum_from_proto(
    value: int, proto_enum: Any, domain: type[E], field: str, *, default: E | None = None
) -> E:
    """The domain member for a proto enum value; UNSPECIFIED gives ``default`` or fails."""
    prefix = _prefix(proto_enum)
    allowed = ", ".join(prefix + member.value for member in domain)
    if value == 0 and default is not None:
        return default
    try:
        name = str(proto_enum.Name(value))
    except ValueError:  # a number this version of the contract does not know
        name = str(value)
    try:
        return domain(name.removeprefix(prefix))
    except ValueError:
        raise FieldError(field, f"Expected one of {allowed}, got {name}.") from None


def enum_to_proto(value: StrEnum, proto_enum: Any) -> str:
    """The name of the proto enum value for a domain member (message constructors take names)."""
    name = _prefix(proto_enum) + value.value
    proto_enum.Value(name)  # fails loudly if the contract lacks the member
    return name


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf timestamp, or ``None`` for no moment."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list call: skip ``offset`` items, return at most ``limit``.

    The page token is the offset as decimal digits; clients treat it as opaque.
    """

    offset: int
    limit: int

    @classmethod
    def from_request(cls, page_size: int, page_token: str) -> Page:
        """The page a request asks for; page size 0 means 100."""
        if not 0 <= page_size <= MAX_PAGE_SIZE:
            raise FieldError("page_size", f"Expected 0 to {MAX_PAGE_SIZE}, got {page_size}.")
        if page_token and not (page_token.isascii() and page_token.isdigit()):
            raise FieldError(
                "page_token", "Expected the next_page_token of a previous page, or empty."
            )
        return cls(int(page_token or 0), page_size or DEFAULT_PAGE_SIZE)

    def cut(self, rows: Sequence[T]) -> tuple[Sequence[T], str]:
        """The page's rows and the next page's token, from up to ``limit + 1`` rows."""
        if len(rows) > self.limit:
            return rows[: self.limit], str(self.offset + self.limit)
        return rows, ""
