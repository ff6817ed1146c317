"""Reading and writing the ``// Limit:`` comments of the .proto files.

The limits table is the truth the server applies; the proto comments are what
a client in any language reads. ``scripts/write_proto_limits.py`` writes the
comments from the table and a test holds the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sourcing.server.boundary.limits import LIMITS

LIMIT_PREFIX = "// Limit: "
_BLOCK = re.compile(r"^\s*(message|enum|oneof|service)\s+(\w+)\s*\{")
_FIELD = re.compile(r"^(\s*)(?:optional\s+|repeated\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+")


@dataclass(frozen=True)
class FieldLine:
    """One field declaration: its table key, line index, indent and the Limit text above it."""

    key: str
    index: int
    indent: str
    limit_text: str | None
    limit_index: int | None


def fields(lines: list[str]) -> Iterator[FieldLine]:
    """Each field declared in a message of the file, with the Limit comment just above it."""
    stack: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        block = _BLOCK.match(line)
        if block:
            if not line.rstrip().endswith("}"):  # `message Empty {}` opens and closes at once
                stack.append((block.group(1), block.group(2)))
            continue
        if line.strip().startswith("}"):
            if stack:
                stack.pop()
            continue
        messages = [name for kind, name in stack if kind == "message"]
        field = _FIELD.match(line)
        if not field or not messages or stack[-1][0] == "enum":
            continue
        text, at = _limit_above(lines, i)
        yield FieldLine(".".join(messages) + "." + field.group(2), i, field.group(1), text, at)


def _limit_above(lines: list[str], index: int) -> tuple[str | None, int | None]:
    j = index - 1
    while j >= 0 and lines[j].strip().startswith("//"):
        comment = lines[j].strip()
        if comment.startswith(LIMIT_PREFIX):
            return comment.removeprefix(LIMIT_PREFIX), j
        j -= 1
    return None, None


def with_limits(text: str) -> str:
    """The file's text with every field's Limit comment written from the table."""
    lines = text.split("\n")
    edits = sorted(fields(lines), key=lambda f: f.index, reverse=True)
    for field in edits:
        limit = LIMITS.get(field.key)
        wanted = None if limit is None else f"{field.indent}{LIMIT_PREFIX}{limit.describe()}"
        if field.limit_index is not None:
            if wanted is None:
                del lines[field.limit_index]
            else:
                lines[field.limit_index] = wanted
        elif wanted is not None:
            lines.insert(field.index, wanted)
    return "\n".join(lines)
