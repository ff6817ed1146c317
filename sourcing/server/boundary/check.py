"""One check of a whole request against the limits table, before any servicer runs.

Walks only the fields that are set (proto3 leaves the rest at their zero
value, which every limit admits), so the check costs little on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from sourcing.server.boundary.kinds import (
    Int,
    Items,
    Limit,
    Mapping,
    Mask,
    Moment,
    OutputOnly,
    Real,
    Span,
    Text,
)
from sourcing.server.boundary.limits import LIMITS
from sourcing.server.errors import FieldError

PACKAGE = "sourcing.v1."
# Seconds of 9999-12-31T23:59:59Z, the last moment a datetime can hold.
_MAX_TIMESTAMP_S = 253_402_300_799
_MAX_NANOS = 999_999_999
_FIELD_NAME = Text(64)


def limit_of(message: Any, field: FieldDescriptor) -> Limit | None:
    """The table's limit for one field, or None where the table has none."""
    name = message.full_name.removeprefix(PACKAGE)
    return LIMITS.get(f"{name}.{field.name}")


def check_request(request: Message) -> None:
    """Raise FieldError for the first field of ``request`` outside its limit."""
    for path, problem in violations(request):
        raise FieldError(path, problem)


def violations(message: Message, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each (field path, what was expected) of ``message`` that breaks a limit."""
    descriptor = message.DESCRIPTOR
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        limit = limit_of(descriptor, field)
        if isinstance(limit, OutputOnly):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            yield from _map(path, value, limit)
        elif field.is_repeated:
            yield from _repeated(path, field, value, limit)
        else:
            yield from _single(path, field, value, limit)


def _repeated(
    path: str, field: FieldDescriptor, values: Any, limit: Limit | None
) -> Iterator[tuple[str, str]]:
    if isinstance(limit, Items) and len(values) > limit.max_items:
        yield path, f"Expected {limit.describe()}, got {len(values)} items."
        return
    each = limit.each if isinstance(limit, Items) else None
    for i, value in enumerate(values):
        yield from _single(f"{path}[{i}]", field, value, each)


def _map(path: str, entries: Any, limit: Limit | None) -> Iterator[tuple[str, str]]:
    if not isinstance(limit, Mapping):
        return
    if len(entries) > limit.max_items:
        yield path, f"Expected {limit.describe()}, got {len(entries)} entries."
        return
    for key, value in entries.items():
        problem = limit.key.problem(key) or (None if key else "Expected a non-empty key.")
        if problem is None:
            problem = limit.value.problem(value)
        if problem is not None:
            yield path, problem
            return


def _single(
    path: str, field: FieldDescriptor, value: Any, limit: Limit | None
) -> Iterator[tuple[str, str]]:
    if field.type == FieldDescriptor.TYPE_ENUM:
        if field.enum_type.values_by_number.get(value) is None:
            yield path, f"Expected a value of {field.enum_type.name}, got {value}."
        return
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        problem = _well_known(value, limit)
        if problem is not None:
            yield path, problem
        elif not isinstance(limit, Span | Moment | Mask):
            yield from violations(value, f"{path}.")
        return
    if isinstance(limit, Text | Int | Real):
        problem = limit.problem(value)
        if problem is not None:
            yield path, problem


def _well_known(value: Any, limit: Limit | None) -> str | None:
    """The problem with a Duration, Timestamp or FieldMask field, if any."""
    if isinstance(limit, Span):
        if not (0 <= value.seconds <= limit.max_s and 0 <= value.nanos <= _MAX_NANOS):
            return f"Expected a {limit.describe()}."
    elif isinstance(limit, Moment):
        if not (0 <= value.seconds <= _MAX_TIMESTAMP_S and 0 <= value.nanos <= _MAX_NANOS):
            return f"Expected a {limit.describe()}."
    elif isinstance(limit, Mask):
        paths = list(value.paths)
        if len(paths) > limit.max_paths or any(_FIELD_NAME.problem(p) for p in paths):
            return f"Expected {limit.describe()}."
    return None
