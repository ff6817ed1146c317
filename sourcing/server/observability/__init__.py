"""Metrics, traces and structured logs of a running server.

Each server gets its own :class:`~sourcing.server.observability.setup.Observability`:
its own Prometheus registry and tracer provider, so several servers in one
process (as in the tests) never count each other's calls.
"""
