"""Persistence: tortoise-orm models and every query, the one workflow service, the
conversation-state / dedupe / lock backends (memory or Redis), and the settings."""
