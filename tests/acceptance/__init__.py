"""Acceptance suite of the shipped processes: the real console scripts, started as subprocesses
exactly as README tells an operator, configured only through ``MINYI_*`` variables, checked from
the citizen's side on local fakes of the WeChat API and the Telegram Bot API.

Two shapes (the ``shape`` fixture, session-scoped, parametrised over both):

- **embedded**: one ``minyi serve`` on SQLite (``sqlite://<tmp>/minyi.db``), no Redis, the relay
  inside it (``MINYI_NOTIFIER_EMBEDDED=true``); ``minyi-admin`` on the same database file.
- **scaled**: PostgreSQL (a fresh ``minyi_acceptance`` database, ``minyi migrate`` once) and Redis
  (db 14, flushed): two ``minyi serve`` on two ports, two ``minyi notifier``; citizens' messages
  alternate between the servers. Skips without the services, fails without them under ``CI=true``.

Each scenario runs per shape × channel (web, WeChat safe mode, Telegram): a citizen driver talks
to the service, a staff driver runs ``minyi-admin … --json``, and the citizen's screen must show
every notice staff wrote exactly once, in order, and nothing that was not written.
"""
