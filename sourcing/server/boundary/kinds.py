"""The kinds of limit a request field can have, each able to say itself in words.

A limit's ``describe()`` is the text written after ``// Limit:`` in the proto
comments; a test holds the two equal, so the contract a client reads is the
one the server applies.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from enum import Enum

MAX_INT32 = 2**31 - 1


class Chars(Enum):
    """Which characters a string may hold."""

    REF = "printable ASCII without spaces"
    TEXT = "any characters but control characters"
    DIGITS = "decimal digits"
    UPPER = "upper-case letters A-Z"
    DOCUMENT = "any characters but control characters other than tab and line breaks"

    def allows(self, value: str) -> bool:
        """Whether every character of ``value`` is of this set."""
        if self is Chars.REF:
            return all("!" <= c <= "~" for c in value)
        if self is Chars.DIGITS:
            return value.isascii() and value.isdigit()
        if self is Chars.UPPER:
            return value.isascii() and value.isalpha() and value.isupper()
        if self is Chars.DOCUMENT:  # a file's text, e.g. a TOML scenario file
            value = value.replace("\t", "").replace("\n", "").replace("\r", "")
        return not any(unicodedata.category(c) in ("Cc", "Cs") for c in value)


@dataclass(frozen=True)
class Text:
    """A string of at most ``max_len`` characters from ``chars``, or exactly that many.

    Empty is always within the limit: whether a field is required is the
    converters' business, since it often depends on other fields.
    """

    max_len: int
    chars: Chars = Chars.TEXT
    exact: bool = False

    def describe(self) -> str:
        size = f"empty or exactly {self.max_len}" if self.exact else f"at most {self.max_len}"
        return f"{size} characters, {self.chars.value}"

    def problem(self, value: str) -> str | None:
        if not value:
            return None
        if len(value) > self.max_len or (self.exact and len(value) != self.max_len):
            return f"Expected {self.describe()}; got {len(value)} characters."
        if not self.chars.allows(value):
            return f"Expected {self.describe()}."
        return None


@dataclass(frozen=True)
class Int:
    """A whole number from ``low`` to ``high``."""

    low: int
    high: int

    def describe(self) -> str:
        return f"integer from {self.low} to {self.high}"

    def problem(self, value: int) -> str | None:
        if self.low <= value <= self.high:
            return None
        return f"Expected an {self.describe()}, got {_short(value)}."


@dataclass(frozen=True)
class Real:
    """A finite number from ``low`` to ``high``."""

    low: float
    high: float

    def describe(self) -> str:
        return f"finite number from {self.low:g} to {self.high:g}"

    def problem(self, value: float) -> str | None:
        if math.isfinite(value) and self.low <= value <= self.high:
            return None
        return f"Expected a {self.describe()}, got {_short(value)}."


@dataclass(frozen=True)
class Span:
    """A google.protobuf.Duration from 0 to ``max_s`` seconds."""

    max_s: int

    def describe(self) -> str:
        return f"duration from 0 to {self.max_s} s"


@dataclass(frozen=True)
class Moment:
    """A google.protobuf.Timestamp in years 1970 to 9999 (what a datetime holds)."""

    def describe(self) -> str:
        return "timestamp from 1970-01-01 to 9999-12-31"


@dataclass(frozen=True)
class Mask:
    """A google.protobuf.FieldMask of at most ``max_paths`` field names."""

    max_paths: int

    def describe(self) -> str:
        return f"at most {self.max_paths} paths, each a field name of at most 64 characters"


@dataclass(frozen=True)
class Items:
    """A repeated field of at most ``max_items`` items, each within ``each`` when given."""

    max_items: int
    each: Text | Int | Real | None = None

    def describe(self) -> str:
        text = f"at most {self.max_items} items"
        return f"{text}; each {self.each.describe()}" if self.each is not None else text


@dataclass(frozen=True)
class Mapping:
    """A map of at most ``max_items`` entries, keys within ``key``, values within ``value``."""

    max_items: int
    key: Text
    value: Int | Real

    def describe(self) -> str:
        return (
            f"at most {self.max_items} entries; keys {self.key.describe()}; "
            f"values {self.value.describe()}"
        )


@dataclass(frozen=True)
class OutputOnly:
    """Set by the server; ignored on input, so not checked."""

    def describe(self) -> str:
        return "output only, ignored on input"


Limit = Text | Int | Real | Span | Moment | Mask | Items | Mapping | OutputOnly


def _short(value: object) -> str:
    """A value as an error message may repeat it: never more than 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
