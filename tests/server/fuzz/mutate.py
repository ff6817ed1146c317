"""Hypothesis strategies that mutate requests: field values by the descriptor, and raw bytes.

Field mutations walk the request's descriptor, pick a field at any depth
(adding an item to a list on the way) and set a hostile value of the field's
type: long, emoji, control and format strings; extreme integers; NaN,
infinities and 1e308; enum numbers the contract does not define.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

F = FieldDescriptor
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "SKU_1",
            "SKU_2",
            "NEAR",
            "FAR",
            "O1",
            "1",
            "42",
            "9" * 20,
            "%s%n%x",
            "🙂" * 70,
            "a\x00b",
            "R" * 65,
            "x" * 3000,
            "EUR",
            "brl!",
            "https://example.com/hook",
        ]
    ),
)


def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    edges = [low, high, 0, 1, -1, 500, 501, 1_000_000, 1_000_001]
    return st.one_of(
        st.integers(low, high), st.sampled_from([e for e in edges if low <= e <= high])
    )


def _value(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == F.TYPE_STRING:
        return TEXTS
    if kind == F.TYPE_BYTES:
        return st.binary(max_size=40)
    if kind == F.TYPE_BOOL:
        return st.booleans()
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return st.one_of(st.floats(width=64), st.sampled_from([1e308, -1e308, 0.0, 0.5]))
    if kind == F.TYPE_ENUM:
        return st.integers(-3, 40)
    if kind in (F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64):
        return _ints(*INT64)
    if kind in (F.TYPE_UINT64, F.TYPE_FIXED64):
        return _ints(0, 2**64 - 1)
    if kind in (F.TYPE_UINT32, F.TYPE_FIXED32):
        return _ints(0, 2**32 - 1)
    return _ints(*INT32)


@st.composite
def mutate_once(draw: st.DrawFn, message: Message, depth: int = 0) -> None:
    """Set one field somewhere inside ``message`` to a drawn value (in place)."""
    fields = list(message.DESCRIPTOR.fields)
    field = draw(st.sampled_from(fields))
    is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
    if is_map:
        container = getattr(message, field.name)
        key = draw(TEXTS)
        value_field = field.message_type.fields_by_name["value"]
        if value_field.type == F.TYPE_MESSAGE:
            draw(mutate_once(container[key], depth + 1))
        else:
            container[key] = draw(_value(value_field))
        return
    if field.type == F.TYPE_MESSAGE:
        if field.is_repeated:
            items = getattr(message, field.name)
            if len(items) and draw(st.booleans()):
                child = items[draw(st.integers(0, len(items) - 1))]
            else:
                child = items.add()
        else:
            child = getattr(message, field.name)
        if depth < 6 and child.DESCRIPTOR.fields:
            draw(mutate_once(child, depth + 1))
        else:
            child.SetInParent()
        return
    value = draw(_value(field))
    if field.is_repeated:
        getattr(message, field.name).append(value)
    else:
        setattr(message, field.name, value)


@st.composite
def mutated(draw: st.DrawFn, seed: Message) -> Message:
    """A copy of ``seed`` with one to four fields set to hostile values."""
    message = type(seed)()
    message.CopyFrom(seed)
    for _ in range(draw(st.integers(1, 4))):
        try:
            draw(mutate_once(message))
        except (ValueError, TypeError, OverflowError):
            # A value the Python runtime itself refuses to set (e.g. 2**40 into int32)
            # can never be sent; try another.
            continue
    return message


@st.composite
def garbled(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with bytes flipped, inserted, cut or appended."""
    raw = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "insert", "cut", "append"]))
        at = draw(st.integers(0, len(raw))) if raw else 0
        if action == "flip" and at < len(raw):
            raw[at] ^= draw(st.integers(1, 255))
        elif action == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "cut":
            del raw[at:]
        else:
            raw += draw(st.binary(min_size=1, max_size=16))
    return bytes(raw)
