"""The solver's one validation error.

Everything the solver refuses because of what it was given (a problem, an
order, a weight, an option) raises :class:`InvalidProblem`, a ``ValueError``
whose message names the field. The server maps exactly this type (and the
persistence layer's ``InvalidField``) to INVALID_ARGUMENT; any other
exception, a plain ``ValueError`` from numpy included, is a bug of ours and
becomes INTERNAL.
"""

from __future__ import annotations


class InvalidProblem(ValueError):  # noqa: N818 - named as the caller sees it
    """The solver cannot accept its input; the message names the field and the value."""


__all__ = ["InvalidProblem"]
