"""Citizen drivers, one per channel: ``say(text)`` returns the replies the citizen sees at once,
``screen()`` everything that reached them, in order (replies and pushed or polled notices)."""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import aiohttp
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.channels.web.session import COOKIE, identity
from tests.acceptance.platforms import Recorder
from tests.bot.channels.telegram import updates
from tests.bot.channels.wechat.wechat_server import ACCOUNT, AES_KEY, APPID, TOKEN, push_xml, sign

TELEGRAM_SECRET = "acceptance-Secret_42"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LATE_REPLY_WAIT_S = 8.0  # a WeChat step past its deadline answers ``success`` and replies by customer service
OPENID_ALPHABET = string.ascii_letters + string.digits + "_-"


@dataclass(frozen=True)
class Seen:
    """One message on the citizen's screen."""

    at: float  # time.monotonic() when it reached the citizen
    text: str
    step: int | None  # the say() it arrived during; None: pushed or polled outside any


@dataclass
class Step:
    """One message the citizen sent, and the replies they saw for it."""

    text: str
    start: float
    end: float = 0.0
    replies: list[str] = field(default_factory=list)


class Citizen(ABC):
    """What every channel's citizen can do; ``urls`` are the servers, used in turn."""

    channel: str = ""

    def __init__(self, session: aiohttp.ClientSession, urls: list[str]) -> None:
        self.session = session
        self.urls = urls
        self.steps: list[Step] = []
        self._turn = 0

    def url(self) -> str:
        """The next server (citizens' messages alternate between the servers of a shape)."""
        url = self.urls[self._turn % len(self.urls)]
        self._turn += 1
        return url

    @property
    @abstractmethod
    def ident(self) -> str:
        """The platform's id of this citizen."""

    @abstractmethod
    async def say(self, text: str) -> list[str]:
        """Send ``text``; the replies seen for it."""

    @abstractmethod
    async def open_on_campaign(self, campaign_id: int) -> list[str]:
        """Open the chat the way the campaign's poster or link does; the replies seen for it."""

    @abstractmethod
    def screen(self) -> list[Seen]:
        """Everything that reached the citizen so far, oldest first."""

    async def refresh(self) -> None:  # noqa: B027 (push channels have nothing to do)
        """Look for new notices the way the channel's client does (the web page polls)."""

    def step_at(self, at: float) -> int | None:
        for i, step in enumerate(self.steps):
            if step.start <= at <= (step.end or float("inf")):
                return i
        return None

    def describe(self) -> str:
        """The screen as text, for failure messages."""
        lines = [f"{self.channel} citizen {self.ident}:"]
        for seen in self.screen():
            where = (
                f"reply to #{seen.step} {self.steps[seen.step].text!r}" if seen.step is not None else "pushed"
            )
            lines.append(f"  [{where}] {seen.text!r}")
        return "\n".join(lines)


class WebCitizen(Citizen):
    """The page's protocol: the session cookie the server issued (sent explicitly: the citizens
    share one HTTP session), ``POST /api/web/messages`` with a ``mid`` (retried with the same one
    while the server says it is still working), notices polled and then acknowledged."""

    channel = "web"
    PENDING_TRIES = 20

    def __init__(self, session: aiohttp.ClientSession, urls: list[str]) -> None:
        super().__init__(session, urls)
        self.secret: str | None = None
        self._seen: list[Seen] = []
        self._shown: set[int] = set()

    @property
    def ident(self) -> str:
        return identity(self.secret) if self.secret else "(no session yet)"

    def _cookies(self) -> dict[str, str]:
        return {COOKIE: self.secret} if self.secret else {}

    def _keep(self, resp: aiohttp.ClientResponse) -> None:
        if (issued := resp.cookies.get(COOKIE)) is not None:
            self.secret = issued.value

    async def say(self, text: str) -> list[str]:
        return await self._post(text, {"text": text, "mid": secrets.token_hex(16)})

    async def open_on_campaign(self, campaign_id: int) -> list[str]:
        """The page opened from the campaign's link ``/?campaign=ID``: its hello names it."""
        payload = {"event": "hello", "campaign": campaign_id, "mid": secrets.token_hex(16)}
        return await self._post(f"/?campaign={campaign_id}", payload)

    async def _post(self, text: str, payload: dict[str, object]) -> list[str]:
        step = Step(text, time.monotonic())
        self.steps.append(step)
        for _ in range(self.PENDING_TRIES):
            async with self.session.post(
                f"{self.url()}/api/web/messages", json=payload, cookies=self._cookies()
            ) as resp:
                self._keep(resp)
                body = await resp.text()
                doc = await resp.json(content_type=None)
            if not (resp.status == 503 and doc.get("pending")):
                break
            await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
        assert resp.status == 200, f"web: {text!r} → {resp.status} {body}"
        step.end, step.replies = time.monotonic(), list(doc["replies"])
        self._seen += [Seen(step.end, r, len(self.steps) - 1) for r in step.replies]
        return step.replies

    async def refresh(self) -> None:
        """One poll of the page: show what is new, then acknowledge everything it got."""
        base = self.url()
        async with self.session.get(f"{base}/api/web/notices", cookies=self._cookies()) as resp:
            self._keep(resp)
            assert resp.status == 200, f"web notices → {resp.status} {await resp.text()}"
            doc = await resp.json()
        now, got = time.monotonic(), list(doc["notices"])
        self._seen += [Seen(now, str(n["text"]), None) for n in got if n["id"] not in self._shown]
        self._shown |= {int(n["id"]) for n in got}
        if got:
            ids = {"ids": [n["id"] for n in got]}
            async with self.session.post(
                f"{base}/api/web/notices/ack", json=ids, cookies=self._cookies()
            ) as ack:
                assert ack.status == 200, f"web ack → {ack.status} {await ack.text()}"

    def screen(self) -> list[Seen]:
        return list(self._seen)


class WeChatCitizen(Citizen):
    """Safe-mode pushes to ``/wechat``; passive replies opened with wechatpy; notices are the fake
    API's customer-service and template sends to this openid."""

    channel = "wechat"

    def __init__(self, session: aiohttp.ClientSession, urls: list[str], sent: Recorder) -> None:
        super().__init__(session, urls)
        self.openid = "o" + "".join(secrets.choice(OPENID_ALPHABET) for _ in range(27))
        self.sent = sent
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
        self._passive: list[Seen] = []

    @property
    def ident(self) -> str:
        return self.openid

    def _request(self, xml: str) -> tuple[dict[str, str], str]:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        query = {
            "signature": sign(TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": self.openid,
            "encrypt_type": "aes",
            "msg_signature": envelope["MsgSignature"],
        }
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        return query, body

    def _open(self, body: str) -> str:
        if body in ("success", ""):
            return ""
        doc = xmltodict.parse(body)["xml"]
        plain = self.crypto.decrypt_message(body, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
        reply = parse_message(plain)
        assert reply.type == "text" and reply.source == ACCOUNT and reply.target == self.openid, plain
        return str(reply.content)

    async def say(self, text: str) -> list[str]:
        return await self._push(text, push_xml(self.openid, "text", Content=text))

    async def open_on_campaign(self, campaign_id: int) -> list[str]:
        """A follower scans the campaign poster's QR code (``SCAN``, scene ``campaign_ID``)."""
        scene = f"campaign_{campaign_id}"
        xml = push_xml(self.openid, "event", Event="SCAN", EventKey=scene, Ticket="T" + secrets.token_hex(8))
        return await self._push(scene, xml)

    async def say_aloud(self, text: str) -> list[str]:
        """A voice message; WeChat's speech recognition hands over ``text`` as ``Recognition``."""
        media = "voice-" + secrets.token_hex(6)
        xml = push_xml(self.openid, "voice", MediaId=media, Format="amr", Recognition=text)
        return await self._push(text, xml)

    async def _push(self, text: str, xml: str) -> list[str]:
        step = Step(text, time.monotonic())
        self.steps.append(step)
        query, body = self._request(xml)
        headers = {"Content-Type": "text/xml"}
        async with self.session.post(
            f"{self.url()}/wechat", params=query, data=body.encode(), headers=headers
        ) as resp:
            raw = await resp.text()
            assert resp.status == 200, f"wechat: {text!r} → {resp.status} {raw}"
        passive = self._open(raw)
        if passive:
            step.end, step.replies = time.monotonic(), [passive]
            self._passive.append(Seen(step.end, passive, len(self.steps) - 1))
            return step.replies
        deadline = time.monotonic() + LATE_REPLY_WAIT_S  # answered late, by customer service
        while not (late := [p for p in self.sent.to(self.openid) if p.at >= step.start]):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        step.end, step.replies = time.monotonic(), [p.text for p in late]
        return step.replies

    def screen(self) -> list[Seen]:
        pushed = [Seen(p.at, p.text, self.step_at(p.at)) for p in self.sent.to(self.openid)]
        return sorted(self._passive + pushed, key=lambda s: s.at)


class TelegramCitizen(Citizen):
    """Updates to ``/telegram`` with the secret header; replies and notices are ``sendMessage``."""

    channel = "telegram"

    def __init__(self, session: aiohttp.ClientSession, urls: list[str], sent: Recorder) -> None:
        super().__init__(session, urls)
        self.chat_id = 700_000_000 + secrets.randbelow(100_000_000)
        self.sent = sent

    @property
    def ident(self) -> str:
        return str(self.chat_id)

    async def say(self, text: str) -> list[str]:
        return await self._update(text, updates.text(self.chat_id, text))

    async def open_on_campaign(self, campaign_id: int) -> list[str]:
        """The campaign's ``t.me/<bot>?start=campaign_ID`` link: Telegram sends ``/start campaign_ID``."""
        return await self.say(f"/start campaign_{campaign_id}")

    async def say_with_photo(self, caption: str) -> list[str]:
        """A photo sent with ``caption`` (Telegram's one message for both)."""
        return await self._update(caption, updates.photo(self.chat_id, caption))

    async def _update(self, text: str, update: dict[str, object]) -> list[str]:
        step = Step(text, time.monotonic())
        self.steps.append(step)
        headers = {SECRET_HEADER: TELEGRAM_SECRET}
        async with self.session.post(f"{self.url()}/telegram", json=update, headers=headers) as resp:
            body = await resp.text()
            assert resp.status == 200, f"telegram: {text!r} → {resp.status} {body}"
        step.end = time.monotonic()
        step.replies = [p.text for p in self.sent.to(self.ident) if step.start <= p.at <= step.end]
        return step.replies

    def screen(self) -> list[Seen]:
        return [Seen(p.at, p.text, self.step_at(p.at)) for p in self.sent.to(self.ident)]
