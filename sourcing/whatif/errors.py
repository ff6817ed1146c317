"""The one error of the what-if engine's input: which file, which line, which field."""

from __future__ import annotations


class WhatIfInputError(ValueError):
    """A scenario file, history file or rule change the replay cannot use.

    ``source`` is the file (or ``"scenarios"`` for a request), ``line`` its
    1-based line when known, ``field`` the dotted path of the offending value.
    """

    def __init__(self, source: str, line: int | None, field: str, message: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {field}: {message}")
