"""Webhook delivery as a use case, called by the server's housekeeping loop.

:func:`deliver_due` claims due events, posts them and records each answer,
every step in a transaction of its own (see
:mod:`sourcing.models.events.webhooks`); it is named here so that every use
case of the package is called from one place.
"""

from __future__ import annotations

from sourcing.models.events.webhooks import deliver_due

__all__ = ["deliver_due"]
