"""wechatpy playing the WeChat server: builds pushes exactly as WeChat signs and encrypts them,
and opens our replies with ``WeChatCrypto`` and ``parse_message``."""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any, Literal

import xmltodict
from aiohttp.test_utils import TestClient
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.messages import BaseMessage

TOKEN = "minyiTestToken42"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
OLD_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx49f0ab532d5d035a"
ACCOUNT = "gh_10f6c3c3ac5a"
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"

Mode = Literal["plain", "compat", "aes"]
_ids = itertools.count(6054768590064713728)
_nonces = itertools.count(1320562132)  # shared: two fakes never sign the same pair (nor does WeChat)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def push_xml(
    openid: str = OPENID, msg_type: str = "text", *, msg_id: int | None = None, **fields: Any
) -> str:
    """One push as WeChat writes it (MsgId added for messages, not for events)."""
    parts = [
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{fields.pop('CreateTime', int(time.time()))}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    for name, value in fields.items():
        parts.append(
            f"<{name}><![CDATA[{value}]]></{name}>" if isinstance(value, str) else f"<{name}>{value}</{name}>"
        )
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id if msg_id is not None else next(_ids)}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


class WeChat:
    """Sends pushes to ``/wechat`` as the WeChat server would, in one of the three modes."""

    def __init__(self, client: TestClient[Any, Any], mode: Mode = "aes", key: str = AES_KEY) -> None:
        self.client = client
        self.mode = mode
        self.crypto = WeChatCrypto(TOKEN, key, APPID)

    def request(
        self, xml: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], str]:
        """The query string and body of one push."""
        ts, nonce = str(timestamp or int(time.time())), nonce or str(next(_nonces))
        query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": OPENID}
        if self.mode == "plain":
            return query, xml
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        encrypted = envelope["Encrypt"]
        query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        if self.mode == "compat":
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        else:
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        return query, body

    async def post(self, query: dict[str, str], body: Any) -> tuple[int, str]:
        resp = await self.client.post(
            "/wechat", params=query, data=body, headers={"Content-Type": "text/xml"}
        )
        return resp.status, await resp.text()

    async def push(self, xml: str, **kw: Any) -> tuple[int, str]:
        query, body = self.request(xml, **kw)
        return await self.post(query, body)

    def open(self, body: str) -> BaseMessage | None:
        """Our reply as WeChat reads it: None for ``success``; decrypted in safe/compat mode."""
        if body in ("success", ""):
            return None
        if self.mode != "plain":
            doc = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(body, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
        return parse_message(body)

    async def say(self, text: str, openid: str = OPENID) -> str:
        """Send a text; the content of the passive reply ('' for ``success``)."""
        status, body = await self.push(push_xml(openid, "text", Content=text))
        assert status == 200, body
        reply = self.open(body)
        if reply is None:
            return ""
        assert reply.type == "text" and reply.source == ACCOUNT and reply.target == openid
        return str(reply.content)
