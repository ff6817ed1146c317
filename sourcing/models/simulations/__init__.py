"""What-if simulation runs: their stored state, progress and results."""
