"""Existing web users keep their items: the old page chose its own id (``minyi_user`` in
localStorage). The new page sends it once; the server moves that identity — the citizen row (and
with it their items and notices) and the conversation state — onto the new session, so a second
claim of the same id finds nothing. The first claimer wins: whoever knows an old id can claim it
once (``MINYI_WEB_LEGACY_CLAIMS=false`` turns claims off)."""

from __future__ import annotations

import logging
import re

from tortoise.transactions import in_transaction

from bot.channels.web.session import CHANNEL, IDENTITY_PREFIX
from dialogs import UserRef
from storage.backends import Backends
from storage.models import Citizen, Item, Outbox

log = logging.getLogger(__name__)
LEGACY_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # what the old API accepted as user_id


def legacy_id(value: object) -> str | None:
    """``value`` if an old page could have used it; never an identity of the new sessions."""
    if isinstance(value, str) and LEGACY_ID.fullmatch(value) and not value.startswith(IDENTITY_PREFIX):
        return value
    return None


async def claim(backends: Backends, legacy: str, user: UserRef) -> bool:
    """Bind the old identity ``legacy`` to ``user`` (a session); False when nothing was left."""
    old = UserRef(CHANNEL, legacy)
    async with backends.locks.lock(old.key), backends.locks.lock(user.key):
        moved = await _move_citizen(legacy, user.user_id)
        state = await backends.state.get(old.key)
        if state is not None:
            await backends.state.set(user.key, state)
            await backends.state.delete(old.key)
    if moved or state is not None:
        log.info("web: an old page's identity was bound to a session (items moved: %s)", moved)
    return moved or state is not None


async def _move_citizen(legacy: str, new_id: str) -> bool:
    """Rename the old citizen row, or merge it into the session's row when that exists."""
    async with in_transaction() as conn:
        old = await Citizen.filter(channel=CHANNEL, external_id=legacy).using_db(conn).first()
        if old is None:
            return False
        new = await Citizen.filter(channel=CHANNEL, external_id=new_id).using_db(conn).first()
        if new is None:
            renamed = (
                await Citizen.filter(id=old.id, external_id=legacy).using_db(conn).update(external_id=new_id)
            )
            return bool(renamed)
        await Item.filter(citizen_id=old.id).using_db(conn).update(citizen_id=new.id)
        await Outbox.filter(citizen_id=old.id).using_db(conn).update(citizen_id=new.id)
        return bool(await Citizen.filter(id=old.id).using_db(conn).delete())
