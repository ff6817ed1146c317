"""Many orders at once: SourceBatch (a wave sourced together) and Rebalance."""
