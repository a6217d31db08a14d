"""``GET/POST /wechat``: verify, decrypt, parse, feed the pipeline once, reply passively in time.

Every path answers WeChat with something it accepts: a forged, stale or replayed request (and
plaintext in safe mode) gets 403, an unreadable one ``success`` (and a log line with the request
id), a crash a short apology text; when the replay store is down, 503 (accepted later, on retry).
What does not fit in the passive reply, or comes after the deadline, goes out through the
customer-service API in the background (while the window allows).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import MultiMapping
from wechatpy.crypto import WeChatCrypto

from bot.accesslog import pseudonym, request_id
from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.crypto import Cipher, Forbidden, Undecryptable, Verifier
from bot.channels.wechat.parse import MAX_BODY, Incoming, Malformed, encrypted_of, incoming, message_of
from bot.channels.wechat.passive import SUCCESS, pack, text_xml
from bot.channels.wechat.replay import MemoryReplays, RedisReplays, Replays, Unavailable, fingerprint
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.window import Window
from bot.overload import Overloaded
from bot.pipeline import Pipeline, StepFailed, encode_replies
from dialogs import Reply
from notifier.errors import PlatformError
from storage import citizens
from storage.turns import Guard, Refused

log = logging.getLogger(__name__)
LATE = "\x00late"  # remembered after a late step: retries answer ``success`` (customer service sends)


async def _logged(work: Coroutine[Any, Any, Any]) -> None:
    try:
        await work
    except Exception:
        log.exception("wechat: background work failed")


async def _within(step: asyncio.Future[Any], timeout_s: float) -> bool:
    """Whether ``step`` ended within ``timeout_s``; it goes on either way (``wait_for`` over a
    ``shield``, with one future and one timer instead of two futures and a timer)."""
    if step.done():
        return True
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    step.add_done_callback(wake)
    timer = loop.call_later(timeout_s, wake)
    try:
        await waiter
    finally:
        timer.cancel()
        step.remove_done_callback(wake)
    return step.done()


@dataclass
class WeChatChannel:
    """Everything the handlers share (one per app)."""

    verifier: Verifier
    pipeline: Pipeline
    window: Window
    media_dir: Path
    cipher: Cipher | None = None
    api: WeChatAPI | None = None
    deadline_s: float = 4.0
    silence_s: float = 5.5  # WeChat stops waiting for an answer after 5 s and pushes again
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` after the reply; the reference is kept until it ends, failures are logged."""
        task = asyncio.get_running_loop().create_task(_logged(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait for background work (shutdown, tests); cancel what still runs after ``timeout_s``."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self.tasks and (left := deadline - asyncio.get_running_loop().time()) > 0:
            await asyncio.wait(list(self.tasks), timeout=left)
        for task in list(self.tasks):
            log.warning("wechat: background work cancelled at shutdown")
            task.cancel()

    async def handle(self, inc: Incoming, rid: str, guard: Guard | None = None) -> list[str]:
        """The messages for this push: the first is the passive reply; [] means ``success``.

        At least once: a step that failed is not answered (WeChat delivers the push again after
        its 5 seconds); a step slower than the deadline, or one queued because this process is
        full, answers ``success`` now and its replies go out by customer service."""
        if inc.action == "ignore":
            log.info("wechat %s: %s from %s, ignored", rid, inc.note, inc.who)
            return []
        if inc.action == "unsubscribe":
            await self.unsubscribe(inc.openid, rid)
            return []
        assert inc.inbound is not None
        started = asyncio.get_running_loop().time()
        if inc.inbound.event == "subscribe":
            log.info("wechat %s: %s: %s", rid, inc.who, inc.note)
            await citizens.mark_subscribed("wechat", inc.openid)
        gate = self.pipeline.gate
        if not gate.enter():
            return await self._overloaded(inc, rid, started, guard)
        step = asyncio.ensure_future(self._run(inc, guard))
        if not await _within(step, self.deadline_s):
            log.warning(
                "wechat %s: step for %s slower than %.1fs, answering later", rid, inc.who, self.deadline_s
            )
            self.spawn(self._late(step, inc, rid))
            return []
        try:
            replies = step.result()
        except StepFailed as exc:
            log.warning("wechat %s: not answered, WeChat will push it again: %s", rid, exc)
            await self.silence(started)
            raise
        if inc.media_id:
            self.spawn(self._download(inc, rid))
        if not replies or replies[-1].text == LATE:
            return []
        messages = pack(replies)
        if len(messages) > 1:
            self.spawn(self._overflow(inc, messages[1:], rid))
        return messages[:1]

    async def _run(self, inc: Incoming, guard: Guard | None = None) -> list[Reply] | None:
        """The step, inside this process's in-flight count (the gate was entered for it)."""
        assert inc.inbound is not None
        try:
            # a retry waits for a first delivery still running; one whose holder died is taken over
            wait_s = (self.pipeline.backends.dedupe.lease_s or 0) + 2 * self.deadline_s

            async def open_window() -> None:  # once per message: a retry is the same message
                await self.window.opened(inc.openid)

            first = open_window if inc.opens_window else None
            return await self.pipeline.feed_once(
                inc.inbound, inc.dedupe_key, wait_s, first=first, guard=guard
            )
        finally:
            self.pipeline.gate.leave()

    async def _overloaded(self, inc: Incoming, rid: str, started: float, guard: Guard | None) -> list[str]:
        """Full: queue the step (its replies go by customer service) or, with the queue full
        too, leave WeChat without an answer so that it pushes again a few seconds later."""
        self.pipeline.gate.shed("wechat")
        if not self.pipeline.gate.queue():
            log.warning("wechat %s: overloaded, not answered (WeChat will push it again)", rid)
            await self.silence(started)
            raise Overloaded("in-flight and queue full")
        log.warning("wechat %s: overloaded, answering success and replying by customer service", rid)

        async def queued() -> list[Reply] | None:
            await self.pipeline.gate.wait()
            return await self._run(inc, guard)

        self.spawn(self._late(asyncio.ensure_future(queued()), inc, rid))
        return []

    async def silence(self, started: float) -> None:
        """Hold the answer until WeChat has given up on this push (it then pushes it again)."""
        left = started + self.silence_s - asyncio.get_running_loop().time()
        if left > 0:
            await asyncio.sleep(left)

    async def _late(self, step: asyncio.Future[list[Reply] | None], inc: Incoming, rid: str) -> None:
        try:
            replies = await step
        except StepFailed as exc:  # released: WeChat's next push of it runs the step again
            log.warning("wechat %s: late step failed, left to WeChat's retry: %s", rid, exc)
            return
        if inc.media_id:
            await self._download(inc, rid)
        if not replies:
            return
        dedupe = self.pipeline.backends.dedupe
        await dedupe.remember("wechat", inc.dedupe_key, encode_replies([*replies, Reply(LATE)]))
        await self._overflow(inc, pack(replies), rid)

    async def _overflow(self, inc: Incoming, messages: list[str], rid: str) -> None:
        """Send ``messages`` by customer service, once per push (retries do not resend)."""
        if not await self.pipeline.backends.dedupe.once("wechat", inc.dedupe_key + ":cs"):
            return
        if self.api is None:
            log.warning("wechat %s: %d message(s) not sent: no AppID/AppSecret", rid, len(messages))
            return
        for i, text in enumerate(messages):
            if not await self.window.reserve(inc.openid):
                log.warning(
                    "wechat %s: window shut, %d message(s) to %s dropped", rid, len(messages) - i, inc.who
                )
                return
            try:
                await self.api.send_text(inc.openid, text)
            except PlatformError as exc:
                await self.window.refund(inc.openid)
                log.warning("wechat %s: customer-service send to %s failed: %s", rid, inc.who, exc)
                return

    async def _download(self, inc: Incoming, rid: str) -> None:
        """Store the image under MINYI_MEDIA_DIR (WeChat keeps a MediaId for 3 days only)."""
        assert inc.media_id is not None and inc.inbound is not None and inc.inbound.media is not None
        dest = self.media_dir / inc.inbound.media.ref
        if self.api is None or dest.exists():
            if self.api is None:
                log.warning("wechat %s: image %s not downloaded: no AppID/AppSecret", rid, inc.media_id)
            return
        try:
            await self.api.download_media(inc.media_id, dest)
        except (PlatformError, OSError) as exc:
            log.warning("wechat %s: image %s not downloaded: %s", rid, inc.media_id, exc)

    async def unsubscribe(self, openid: str, rid: str) -> None:
        """Stop notices, drop conversation state and draft; filed items stay as records."""
        changed = await citizens.mark_unsubscribed("wechat", openid)
        await self.pipeline.forget(f"wechat:{openid}")
        await self.window.shut(openid)
        outcome = "marked" if changed else "unknown"
        log.info("wechat %s: %s unsubscribed (citizen %s)", rid, pseudonym(openid), outcome)


CHANNEL = web.AppKey("wechat", WeChatChannel)


def _text(body: str, status: int = 200, rid: str = "") -> web.Response:
    return web.Response(text=body, status=status, content_type="text/plain", headers={"X-Request-Id": rid})


def _refused(rid: str, exc: Forbidden, what: str) -> web.Response:
    log.warning("wechat %s: %s refused: %s", rid, what, exc)
    return _text("forbidden", 403, rid)


def _unavailable(rid: str, exc: Unavailable) -> web.Response:
    """The replay store cannot answer: not accepted, not acknowledged (the platform retries)."""
    log.warning("wechat %s: not accepted now, replay store unavailable: %s", rid, exc)
    return _text("unavailable", 503, rid)


async def verify_url(request: web.Request) -> web.Response:
    """WeChat's server verification: ``echostr`` verbatim when the signature verifies, once."""
    rid, q, verifier = request_id(), request.query, request.app[CHANNEL].verifier
    timestamp, nonce, echostr = q.get("timestamp", ""), q.get("nonce", ""), q.get("echostr", "")
    try:
        verifier.check(q.get("signature", ""), timestamp, nonce)
        await verifier.once(timestamp, nonce, fingerprint("GET\x00" + echostr))
    except Forbidden as exc:
        return _refused(rid, exc, "GET")
    except Unavailable as exc:
        return _unavailable(rid, exc)
    return _text(echostr, rid=rid)


async def _body(request: web.Request) -> bytes | None:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    body = await request.content.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _decrypt(ch: WeChatChannel, q: MultiMapping[str], body: bytes) -> tuple[str, WeChatCrypto]:
    """The plaintext of a safe/compatible-mode push, once ``msg_signature`` covers its ``Encrypt``."""
    encrypted = encrypted_of(body)
    ch.verifier.check(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypted)
    if ch.cipher is None:
        raise Malformed("safe mode used but MINYI_WECHAT_AES_KEY/APPID are not set")
    return ch.cipher.decrypt(encrypted)


async def _checked(
    ch: WeChatChannel, timestamp: str, nonce: str, plain: bytes | str
) -> tuple[Incoming, Guard | None]:
    """The push parsed, and its signed pair checked against replays: for a message step in the
    step's first Redis call (the ``Guard``), for anything else (and anything unreadable) here."""
    content = fingerprint(plain)
    try:
        inc = incoming(message_of(plain))
    except Malformed:
        await ch.verifier.once(timestamp, nonce, content)
        raise
    if inc.action != "feed" or inc.inbound is None or inc.inbound.event == "subscribe":
        await ch.verifier.once(timestamp, nonce, content)
        return inc, None
    return inc, await ch.verifier.guarded(timestamp, nonce, content)


async def receive(request: web.Request) -> web.Response:
    """A message or event pushed by WeChat.

    Refused (403) before the body is read: a bad ``signature``, a stale timestamp, plaintext in
    safe mode; after it is opened: a bad ``msg_signature``, a signed pair reused with other content."""
    rid, q, ch = request_id(), request.query, request.app[CHANNEL]
    started = asyncio.get_running_loop().time()
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    encrypted = q.get("encrypt_type") == "aes"
    try:
        ch.verifier.check(q.get("signature", ""), timestamp, nonce)
        if not encrypted:
            ch.verifier.plaintext()
    except Forbidden as exc:
        return _refused(rid, exc, "POST")
    inc: Incoming | None = None
    crypto: WeChatCrypto | None = None
    try:
        body = await _body(request)
        if body is None:
            log.warning("wechat %s: body over %d bytes refused", rid, MAX_BODY)
            return _text(SUCCESS, rid=rid)
        plain: bytes | str = body
        if encrypted:
            plain, crypto = _decrypt(ch, q, body)
        inc, guard = await _checked(ch, timestamp, nonce, plain)
        messages = await ch.handle(inc, rid, guard)
    except (Forbidden, Refused) as exc:
        return _refused(rid, Forbidden(str(exc)), "POST")
    except Unavailable as exc:
        await ch.silence(started)
        return _unavailable(rid, exc)
    except (Malformed, Undecryptable) as exc:
        log.warning("wechat %s: answered success to an unreadable push: %s", rid, exc)
        return _text(SUCCESS, rid=rid)
    except (StepFailed, Overloaded):  # WeChat has stopped waiting by now and pushes it again
        return _text("try again", 503, rid)
    except Exception:  # the database or Redis away before the step: WeChat pushes it again
        log.exception("wechat %s: not handled, WeChat will push it again", rid)
        await ch.silence(started)
        return _text("try again", 503, rid)
    if not messages:
        return _text(SUCCESS, rid=rid)
    xml = text_xml(inc.openid, inc.account, messages[0])
    if crypto is not None:
        xml = Cipher.encrypt(crypto, xml, nonce, timestamp)
    return web.Response(text=xml, content_type="application/xml", headers={"X-Request-Id": rid})


def build_channel(
    settings: WeChatSettings, pipeline: Pipeline, window: Window, api: WeChatAPI | None, media_dir: Path
) -> WeChatChannel:
    """The channel: signatures and safe mode from ``settings``, the replay guard in the pipeline's
    Redis when it has one (else in this process); the window and API are shared with the notices'
    sender (``bot.root`` builds them once per process)."""
    assert settings.token is not None
    token = settings.token.get_secret_value()
    cipher = None
    if settings.aes_key and settings.appid:
        previous = settings.aes_key_previous
        cipher = Cipher(
            token,
            settings.appid,
            settings.aes_key.get_secret_value(),
            previous.get_secret_value() if previous else None,
        )
    redis = pipeline.backends.redis
    replays: Replays = RedisReplays(redis) if redis is not None else MemoryReplays()
    verifier = Verifier(
        token, settings.max_clock_skew_s, plaintext_ok=not settings.safe_mode, replays=replays
    )
    return WeChatChannel(
        verifier=verifier,
        pipeline=pipeline,
        window=window,
        media_dir=media_dir,
        cipher=cipher,
        api=api,
        deadline_s=settings.reply_deadline_s,
    )


def setup(app: web.Application, channel: WeChatChannel) -> None:
    """Serve ``GET/POST /wechat`` for ``channel``; its background work is drained at shutdown."""
    app[CHANNEL] = channel

    async def drained(app: web.Application) -> AsyncIterator[None]:
        yield
        await channel.drain()

    app.cleanup_ctx.append(drained)
    app.router.add_get("/wechat", verify_url)
    app.router.add_post("/wechat", receive)
