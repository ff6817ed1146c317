"""Who may call: API keys (only their salted hashes) and the append-only audit trail."""
