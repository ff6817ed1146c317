"""Webhooks: events written to the outbox with the change that caused them,
subscriptions, and delivery (claim, sign, POST, retry, park)."""
