"""What-if: replay a history of orders under scenarios (weights, rules, policy) and compare.

``history`` (from ``database`` or ``files``) -> ``scenarios`` -> ``engine``
(the bench's simulation per scenario) -> ``kpis`` -> ``report``. The engine
never writes to the database it read; ``sourcing whatif`` is the command.
"""
