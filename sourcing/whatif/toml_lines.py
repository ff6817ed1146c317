"""Where each key of a TOML file is written, so an error can name the line.

``tomllib`` gives values without positions. This reads the text once more,
line by line, and records for every ``key = value`` the dotted path of its
table (``[[scenarios]]`` counted: ``scenarios[1].rules.closed``). It knows
the subset of TOML a scenario file uses (tables, arrays of tables, plain and
inline keys); anything else only loses the line number, never the error.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """Path of every table and key in ``text`` -> its 1-based line number."""
    found: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).replace('"', "").replace(" ", "")
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
            table = _indexed(name, counts)
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = f"{table}.{key.group(1).strip(chr(34))}" if table else key.group(1)
            found.setdefault(path, number)
    return found


def _indexed(name: str, counts: dict[str, int]) -> str:
    """``scenarios.rules`` as ``scenarios[2].rules`` when it sits in the third ``[[scenarios]]``."""
    parts = name.split(".")
    out: list[str] = []
    for i in range(len(parts)):
        prefix = ".".join(parts[: i + 1])
        out.append(f"{parts[i]}[{counts[prefix]}]" if prefix in counts else parts[i])
    return ".".join(out)


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, else of the nearest enclosing table that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path.rsplit(".", 1)[0] if "." in path else ""
    return None
