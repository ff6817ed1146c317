"""Operating the service: what the use cases report as they run, and the status summary.

Not server-only: the use cases in ``sourcing.models`` report through
:mod:`sourcing.ops.recorder`, and ``sourcing status`` reads the database
directly.
"""
