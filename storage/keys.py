"""Every Redis key minyi uses, built here and nowhere else."""

from __future__ import annotations

PREFIX = "minyi"


def state(user_key: str) -> str:
    # {hash tag}: a citizen's state and lock share a cluster slot (one Lua call touches both)
    return f"{PREFIX}:state:{{{user_key}}}"


def lock(user_key: str) -> str:
    return f"{PREFIX}:lock:{{{user_key}}}"


def waits(user_key: str) -> str:
    """Bumped when something may wait for the citizen (``storage.waits``)."""
    return f"{PREFIX}:waits:{{{user_key}}}"


def dedupe(channel: str, message_key: str) -> str:
    return f"{PREFIX}:dedupe:{channel}:{message_key}"


def dedupe_reply(channel: str, message_key: str) -> str:
    return f"{PREFIX}:dedupe:{channel}:{message_key}:reply"


def dedupe_failures(channel: str, message_key: str) -> str:
    return f"{PREFIX}:dedupe:{channel}:{message_key}:failed"


def ratelimit(scope: str) -> str:
    return f"{PREFIX}:rl:{scope}"


def wechat_token(appid: str) -> str:
    return f"{PREFIX}:wx:token:{appid}"


def wechat_token_lock(appid: str) -> str:
    return f"{PREFIX}:wx:token:{appid}:lock"


def wechat_window(openid: str) -> str:
    return f"{PREFIX}:wx:window:{openid}"


def wechat_replay(pair: str) -> str:
    return f"{PREFIX}:wx:replay:{pair}"
