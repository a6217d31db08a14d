"""The workflow: the one table of legal transitions, the statutory clocks, and the service
that writes a state change, its audit event and its outbox notices in one transaction."""
