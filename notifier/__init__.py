"""The outbox relay: delivers status notices to citizens through per-channel senders."""
