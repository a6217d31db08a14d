"""Acceptance suite of the shipped processes: the real console scripts, started as subprocesses
exactly as README tells an operator, configured only through ``MINYI_*`` variables, checked from
the citizen's side on local fakes of the WeChat API and the Telegram Bot API.

Two shapes (the ``shape`` fixture, session-scoped, parametrised over both):

- **embedded**: one ``minyi serve`` on SQLite (``sqlite://<tmp>/minyi.db``), no Redis, the relay
  inside it (``MINYI_NOTIFIER_EMBEDDED=true``); ``minyi-admin`` on the same database file.
- **scaled**: PostgreSQL (a fresh ``minyi_acceptance`` database, ``minyi migrate`` once) and Redis
  (db 14, flushed): two ``minyi serve`` on two ports, two ``minyi notifier``; citizens' messages
  alternate between the servers. Skips without the services, fails without them under ``CI=true``.

Every process gets ``MINYI_QUIET_HOURS=`` (no quiet hours), WeChat in safe mode and Telegram, both
pointed at the fakes (``MINYI_TELEGRAM_RATE_PER_CHAT`` is raised: the 1/second default has its own
tests and would make every Telegram reply wait). ``minyi-admin`` runs with the same environment,
its working directory the shape's temporary directory.

Each scenario runs per shape × channel (web, WeChat safe mode, Telegram): a citizen driver
(``citizens.py``) talks to the service, a staff driver (``staff.py``) runs ``minyi-admin … --json``,
and the citizen's screen must show every notice staff wrote exactly once, in order, on WeChat and
Telegram within 10 s, and nothing that was not written (``case.py``). On the scaled shape the three
channels of a scenario run at once (``runs.py``); ``test_staff_at_once`` runs staff commands together.
"""
