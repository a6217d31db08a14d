"""Seeded generators of bad requests to every endpoint of ``minyi serve``.

Each category is one small function ``(f, n) -> Iterator[Bad]`` that makes about ``n`` requests;
``CATEGORIES`` lists them with their share of a run, and ``generate(seed)`` builds a whole run
(the same seed gives the same requests; timestamps are taken when it is built). To add a
category, write one more function and add it to ``CATEGORIES``.

Each request says what it may write: ``nothing`` (refused, or answered without a trace),
``dead_letter`` (poison behind the right Telegram secret: kept aside, nothing else) or ``maybe``
(authenticated and readable however odd, so it may become a citizen's message). The runner sends
the ``maybe`` ones first and compares the database around the others.
"""

from __future__ import annotations

import base64
import itertools
import random
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import orjson
from wechatpy.crypto import WeChatCipher
from wechatpy.crypto.pkcs7 import PKCS7Encoder

from tests.bot.channels.telegram import updates as tg_updates
from tests.bot.channels.telegram.conftest import SECRET as TG_SECRET
from tests.bot.channels.wechat.wechat_server import (
    ACCOUNT,
    AES_KEY,
    APPID,
    OLD_AES_KEY,
    TOKEN,
    push_xml,
    sign,
)

App = Literal["safe", "plain"]  # the process with WeChat in safe mode (and Telegram, web) or plaintext
Writes = Literal["nothing", "dead_letter", "maybe"]

TG_HEADER = "X-Telegram-Bot-Api-Secret-Token"
XML = {"Content-Type": "text/xml"}
JSON = {"Content-Type": "application/json"}
SKEW_S = 300  # MINYI_WECHAT_MAX_CLOCK_SKEW_S's default
WEB_LIMIT = 16 * 1024  # bot.channels.web.MAX_BODY
BODY_LIMIT = 64 * 1024  # the app's client_max_size and the WeChat parser's limit
PATHS = ("/", "/healthz", "/metrics", "/wechat", "/telegram", "/api/web/messages", "/api/web/notices")
ODD = (
    "\u202e",  # right-to-left override
    "\u2066\u2069",  # isolates
    "\u200b\u200c\u200d",  # zero-width space, non-joiner, joiner
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
    "\u2028\u2029",  # line and paragraph separators
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family emoji (ZWJ sequence)
    "e" + "\u0301" * 300,  # combining accents piled up
    "\U0010ffff\uffff\ufffe",  # non-characters
    "\U0001d54f\uff21\uff22",  # mathematical and full-width letters
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",  # Arabic and Hebrew
    "\x1b[31m\x1b[0m",  # a terminal escape (valid in JSON, refused by XML)
    "<script>alert(1)</script>",
    "'; DROP TABLE citizen; --",
    "${jndi:ldap://127.0.0.1/a}",
    "%s%n%x{0}{}",
    "../../../../etc/passwd",
    "\r\n\tX-Injected: 1",
    "　",  # an ideographic space only
    "我要投诉" * 200,
)
PASSWD = "file:///etc/passwd"


@dataclass(frozen=True, slots=True)
class Bad:
    """One request: sent by aiohttp's client, or as ``raw`` bytes over a socket."""

    category: str
    method: str = "GET"
    path: str = "/"
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    chunked: bool = False  # the body goes in chunks, with no Content-Length
    raw: bytes | None = None  # the whole request, byte for byte (malformed HTTP)
    gives_up_s: float | None = None  # a raw request cut short: the client closes after this long
    app: App = "safe"
    writes: Writes = "nothing"


@dataclass
class Fuzz:
    """The seeded source of everything random in a run, and the clock requests are signed at."""

    rng: random.Random
    now: int = field(default_factory=lambda: int(time.time()))
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1_700_000_000))

    def nonce(self) -> str:
        """A nonce never used before in this run (a replayed nonce is its own category)."""
        return f"{next(self.serial)}{self.rng.randrange(1000):03d}"

    def openid(self) -> str:
        return "o" + "".join(self.rng.choices(string.ascii_letters + string.digits + "_-", k=27))

    def odd(self) -> str:
        return self.rng.choice(ODD)

    def junk(self, size: int) -> bytes:
        return self.rng.randbytes(size)

    def choice(self, seq: Any) -> Any:
        return self.rng.choice(seq)

    def over(self, limit: int) -> int:
        """A size over ``limit``: mostly just over it, sometimes four times it, rarely 1 MiB."""
        roll = self.rng.random()
        if roll < 0.05:
            return 1 << 20
        return limit + (1 if roll < 0.45 else 1000 if roll < 0.75 else 3 * limit)

    def msg_id(self) -> int:
        return self.rng.randrange(6 * 10**18, 7 * 10**18)


# ---- WeChat: signing and encrypting like the platform (or not) ----


def signed(
    f: Fuzz, ts: int | str | None = None, nonce: str | None = None, token: str = TOKEN
) -> dict[str, str]:
    """The query of a push: signature over token, timestamp and nonce."""
    stamp, once = str(f.now if ts is None else ts), nonce or f.nonce()
    return {"signature": sign(token, stamp, once), "timestamp": stamp, "nonce": once, "openid": f.openid()}


def frame(
    f: Fuzz, payload: bytes, *, key: str = AES_KEY, appid: str = APPID, length: int | None = None
) -> str:
    """WeChat's ciphertext of ``payload`` (any bytes), optionally with a lying length field."""
    size = len(payload) if length is None else length
    plain = f.junk(16) + size.to_bytes(4, "big") + payload + appid.encode()
    aes = base64.b64decode(key + "=")
    return base64.b64encode(WeChatCipher(aes).encrypt(PKCS7Encoder.encode(plain))).decode()


def envelope(
    encrypted: str, query: dict[str, str], *, good_signature: bool = True
) -> tuple[dict[str, str], bytes]:
    """The safe-mode body around ``encrypted`` and its query (``msg_signature`` covers it)."""
    stamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    extra = sign(TOKEN, stamp, nonce, encrypted) if good_signature else "0" * 40
    body = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    return {**query, "encrypt_type": "aes", "msg_signature": extra}, body.encode()


def wechat(
    category: str, app: App, query: dict[str, str], body: bytes | None, writes: Writes = "nothing"
) -> Bad:
    return Bad(category, "POST", "/wechat", query, XML, body, app=app, writes=writes)


def pushed(f: Fuzz, category: str, app: App, plain: bytes, writes: Writes = "nothing") -> Bad:
    """``plain`` delivered with good signatures: encrypted for the safe-mode app, as is for the other."""
    query = signed(f)
    if app == "plain":
        return wechat(category, app, query, plain, writes)
    key = AES_KEY if f.rng.random() < 0.8 else OLD_AES_KEY  # the previous key is still accepted
    return wechat(category, app, *envelope(frame(f, plain, key=key), query), writes)


def text_push(f: Fuzz, content: str, openid: str | None = None, **fields: Any) -> bytes:
    return push_xml(openid or f.openid(), "text", msg_id=f.msg_id(), Content=content, **fields).encode()


def both_apps(f: Fuzz) -> App:
    return "safe" if f.rng.random() < 0.6 else "plain"


# ---- WeChat categories ----


def wechat_forged_signature(f: Fuzz, n: int) -> Iterator[Bad]:
    """Signatures that do not verify: random, empty, another token's, cut, long, or missing."""
    for _ in range(n):
        query = signed(f)
        forge = f.rng.randrange(7)
        if forge == 0:
            query["signature"] = f.junk(20).hex()
        elif forge == 1:
            query["signature"] = ""
        elif forge == 2:
            query = signed(f, token=TOKEN + "x")
        elif forge == 3:
            query["signature"] = query["signature"][:-1]
        elif forge == 4:
            query["signature"] = query["signature"].upper() + "0" * f.rng.randrange(1, 4000)
        elif forge == 5:
            query.pop(f.choice(["signature", "timestamp", "nonce"]))
        else:
            query["signature"] = f.odd()
        app = both_apps(f)
        if f.rng.random() < 0.3:
            yield Bad("wechat_forged_signature", "GET", "/wechat", {**query, "echostr": "e" * 8}, app=app)
        elif app == "safe" and f.rng.random() < 0.5:
            envelope_query, body = envelope(frame(f, text_push(f, "伪造")), query)
            if f.rng.random() < 0.5:
                envelope_query["msg_signature"] = f.junk(20).hex()  # the outer one good, the inner not
                envelope_query.update(signed(f))
            yield wechat("wechat_forged_signature", app, envelope_query, body)
        else:
            yield wechat("wechat_forged_signature", app, query, text_push(f, "伪造的消息"))


STALE_STAMPS: tuple[Callable[[int, random.Random], str], ...] = (
    lambda now, r: str(now - SKEW_S - r.randrange(1, 10**8)),
    lambda now, r: str(now + SKEW_S + r.randrange(1, 10**8)),
    lambda now, r: "0",
    lambda now, r: str(-r.randrange(1, 10**12)),
    lambda now, r: str(10**30 + r.randrange(10**6)),
    lambda now, r: f"{now}.5",
    lambda now, r: "".join(chr(0x0660 + int(c)) for c in str(now - 10**6)),  # Arabic-Indic digits
    lambda now, r: "",
    lambda now, r: "1e9",
)


def wechat_stale_timestamp(f: Fuzz, n: int) -> Iterator[Bad]:
    """Well signed, but outside the clock-skew window or not a timestamp at all."""
    for _ in range(n):
        stamp = f.choice(STALE_STAMPS)(f.now, f.rng)
        query, app = signed(f, ts=stamp), both_apps(f)
        if f.rng.random() < 0.3:
            yield Bad("wechat_stale_timestamp", "GET", "/wechat", {**query, "echostr": "stale"}, app=app)
        elif app == "safe":
            yield wechat("wechat_stale_timestamp", app, *envelope(frame(f, text_push(f, "旧的")), query))
        else:
            yield wechat("wechat_stale_timestamp", app, query, text_push(f, "旧的"))


def wechat_replayed(f: Fuzz, n: int) -> Iterator[Bad]:
    """Pushes delivered once (the originals may be answered) and then replayed verbatim."""
    originals = max(1, n // 10)
    for _ in range(originals):
        app = both_apps(f)
        first = pushed(f, "wechat_replayed", app, text_push(f, "你好"), writes="maybe")
        yield first
        for _ in range((n - originals) // originals):
            yield replace(first, writes="nothing")


def wechat_replayed_params(f: Fuzz, n: int) -> Iterator[Bad]:
    """A safe-mode push's logged query (signature, timestamp, nonce) reused with a plaintext body
    written by someone else (issue 10, item 2)."""
    originals = max(1, n // 5)
    for _ in range(originals):
        first = pushed(f, "wechat_replayed_params", "safe", text_push(f, "你好"), writes="maybe")
        yield first
        assert first.params is not None
        logged = {k: first.params[k] for k in ("signature", "timestamp", "nonce", "openid")}
        for _ in range((n - originals) // originals):
            yield wechat(
                "wechat_replayed_params", "safe", logged, text_push(f, "查询进度", first.params["openid"])
            )


def wechat_plaintext_in_safe_mode(f: Fuzz, n: int) -> Iterator[Bad]:
    """Fresh, well-signed plaintext pushes to the process whose AES key is set (issue 10, item 2)."""
    for _ in range(n):
        yield wechat("wechat_plaintext_in_safe_mode", "safe", signed(f), text_push(f, "1"))


def billion_laughs(levels: int = 10, fanout: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * fanout}">' for i in range(1, levels)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE xml [{"".join(entities)}]>'
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oBomb</FromUserName>"
        f"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol{levels - 1};</Content>"
        f"<MsgId>1</MsgId></xml>"
    ).encode()


def quadratic_blowup() -> bytes:
    big = "A" * 30_000
    return (
        f'<!DOCTYPE xml [<!ENTITY a "{big}">]><xml><MsgType>text</MsgType>'
        f"<FromUserName>oBomb</FromUserName><Content>{'&a;' * 10_000}</Content><MsgId>2</MsgId></xml>"
    ).encode()[: BODY_LIMIT - 1]


def deep_xml(levels: int) -> bytes:
    return ("<xml>" + "<a>" * levels + "x" + "</a>" * levels + "</xml>").encode()


BOMBS: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: billion_laughs(f.rng.randrange(5, 12), f.rng.randrange(5, 12)),
    lambda f: quadratic_blowup(),
    lambda f: deep_xml(f.rng.choice([1000, 7000])),
    lambda f: b"<!DOCTYPE xml [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]><xml><MsgType>text</MsgType></xml>",
    lambda f: b"<!doctype xml><xml/>" + b"<xml>" * 5000,
)


def wechat_xml_bomb(f: Fuzz, n: int) -> Iterator[Bad]:
    """Entity expansion and deep nesting: signed plaintext, inside the ciphertext, and as the
    safe-mode envelope itself."""
    for _ in range(n):
        bomb = f.choice(BOMBS)(f)
        where = f.rng.randrange(3)
        if where == 0:
            yield pushed(f, "wechat_xml_bomb", both_apps(f), bomb)
        elif where == 1:
            yield wechat(
                "wechat_xml_bomb", "safe", {**signed(f), "encrypt_type": "aes", "msg_signature": "0"}, bomb
            )
        else:
            yield wechat("wechat_xml_bomb", both_apps(f), {"signature": "forged"}, bomb)


XXE: tuple[str, ...] = (
    f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "{PASSWD}">]>'
    "<xml><ToUserName>{account}</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>3</MsgId></xml>",
    f'<!DOCTYPE xml SYSTEM "{PASSWD}">'
    "<xml><FromUserName>{openid}</FromUserName><MsgType>text</MsgType></xml>",
    f'<!DOCTYPE xml [<!ENTITY % ext SYSTEM "{PASSWD}"> %ext;]>'
    "<xml><FromUserName>{openid}</FromUserName></xml>",
    '<xml xmlns:xi="http://www.w3.org/2001/XInclude"><ToUserName>{account}</ToUserName>'
    "<FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
    f'<Content><xi:include href="{PASSWD}" parse="text"/></Content><MsgId>4</MsgId></xml>',
    f'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "{PASSWD}">]><xml><ToUserName>{{account}}</ToUserName>'
    "<Encrypt>&xxe;</Encrypt></xml>",
    f'<!  doctype xml [<!entity xxe system "{PASSWD}">]><xml><FromUserName>&xxe;</FromUserName></xml>',
)


def wechat_xxe(f: Fuzz, n: int) -> Iterator[Bad]:
    """External entities pointing at /etc/passwd, signed and encrypted like a real push (the
    XInclude one is only a tag: nothing may be included, and nothing from the file echoed)."""
    for _ in range(n):
        doc = f.choice(XXE).format(account=ACCOUNT, openid=f.openid()).encode()
        writes: Writes = "maybe" if b"xi:include" in doc else "nothing"  # an odd but readable text
        if f.rng.random() < 0.3:
            yield wechat(
                "wechat_xxe", "safe", {**signed(f), "encrypt_type": "aes", "msg_signature": "0"}, doc
            )
        else:
            yield pushed(f, "wechat_xxe", both_apps(f), doc, writes)


def wechat_huge_body(f: Fuzz, n: int) -> Iterator[Bad]:
    """Bodies over 64 KiB (signed, with a Content-Length or chunked without one), up to 1 MiB."""
    for _ in range(n):
        content = "长" * (f.over(BODY_LIMIT) // 3 + 1)
        body = text_push(f, content)
        app = both_apps(f)
        chunked = f.rng.random() < 0.5
        if app == "safe" and f.rng.random() < 0.5:
            query, body = envelope(frame(f, body), signed(f))
        else:
            query = signed(f)
        yield Bad("wechat_huge_body", "POST", "/wechat", query, XML, body, chunked=chunked, app=app)


def invalid_utf8(f: Fuzz) -> bytes:
    """A text push whose bytes are not UTF-8 (cut sequences, surrogates, overlongs, Latin-1)."""
    bad = f.choice(
        [b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4\xbd", "ä".encode("latin-1"), b"\x80" * 8]
    )
    head = text_push(f, "MARK").split(b"MARK")
    return head[0] + b"\xe6\x88\x91" + bad + b"\xe8\xa6\x81" + head[1]


def wechat_invalid_utf8(f: Fuzz, n: int) -> Iterator[Bad]:
    """Invalid UTF-8 in a signed push, in the ciphertext, and in the openid."""
    for _ in range(n):
        doc = invalid_utf8(f)
        if f.rng.random() < 0.3:
            doc = doc.replace(b"<FromUserName><![CDATA[o", b"<FromUserName><![CDATA[\xff\xfeo", 1)
        yield pushed(f, "wechat_invalid_utf8", both_apps(f), doc)


XML_ILLEGAL = ("\x00", "\x01", "\x08", "\x0b", "\x1b", "\ud800", "\udfff", "]]>")


def wechat_odd_unicode(f: Fuzz, n: int) -> Iterator[Bad]:
    """Odd but legal Unicode in texts (may be answered), and characters XML forbids (refused)."""
    for _ in range(n):
        if f.rng.random() < 0.2:
            yield pushed(
                f, "wechat_odd_unicode", both_apps(f), text_push(f, f.odd() + "路灯坏了" + f.odd()), "maybe"
            )
            continue
        illegal = f.choice(XML_ILLEGAL)
        content = f"路灯{illegal}坏了"
        openid = f.openid() + illegal if f.rng.random() < 0.3 else None
        doc = push_xml(openid or f.openid(), "text", msg_id=f.msg_id(), Content=content)
        writes: Writes = "maybe" if illegal == "]]>" else "nothing"  # "]]>" only ends the CDATA early
        yield pushed(f, "wechat_odd_unicode", both_apps(f), doc.encode("utf-8", "surrogatepass"), writes)


def wechat_overlong_ids(f: Fuzz, n: int) -> Iterator[Bad]:
    """A FromUserName longer than any openid (129 to 10,000 characters): refused at the edge."""
    for _ in range(n):
        openid = "o" + "x" * (f.choice([128, 500, 4000, 9999]) + f.rng.randrange(1, 10))
        kind = f.choice(["text", "image", "event"])
        fields: dict[str, Any] = {
            "text": {"Content": "1"},
            "image": {"MediaId": "m" * 64, "PicUrl": "http://x"},
        }.get(kind, {"Event": "subscribe"})
        doc = push_xml(openid, kind, msg_id=f.msg_id(), **fields).encode()
        yield pushed(f, "wechat_overlong_ids", both_apps(f), doc)


UNREADABLE: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: b"",
    lambda f: f.junk(f.rng.randrange(1, 3000)),
    lambda f: b'{"MsgType": "text", "Content": "hi"}',
    lambda f: b"MsgType=text&Content=hi",
    lambda f: b"<html><body>hi</body></html>",
    lambda f: b"<xml>",
    lambda f: b"<xml><xml><xml></xml>",
    lambda f: b"<notxml><MsgType>text</MsgType></notxml>",
    lambda f: b"<xml><MsgType>text</MsgType><Content>no sender</Content><MsgId>5</MsgId></xml>",
    lambda f: (
        push_xml(f.openid(), "text", Content="no MsgId")
        .replace("<MsgId>", "<X>")
        .replace("</MsgId>", "</X>")
        .encode()
    ),
    lambda f: push_xml(f.openid(), "image", msg_id=f.msg_id()).encode(),  # no MediaId
    lambda f: push_xml(f.openid(), "location", msg_id=f.msg_id(), Location_X="north", Location_Y="").encode(),
    lambda f: push_xml(f.openid(), "event", Event="CLICK", EventKey=f.odd()).encode(),
    lambda f: push_xml(f.openid(), "event", Event="VIEW", EventKey="http://x").encode(),
    lambda f: push_xml(f.openid(), "event", Event=f.odd()).encode(),
    lambda f: push_xml(f.openid(), "event").encode(),  # no Event
    lambda f: b"<xml><FromUserName><a>nested</a></FromUserName><MsgType>text</MsgType></xml>",
    lambda f: b"<?xml version='1.0' encoding='UTF-16'?><xml/>",
    lambda f: "<xml><FromUserName>o1</FromUserName>".encode("utf-16"),
)


CIPHERTEXTS: tuple[Callable[[Fuzz], str], ...] = (
    lambda f: frame(f, text_push(f, "长度不对"), length=f.choice([0, 2**31, 2**32 - 1, 10**6])),
    lambda f: frame(f, text_push(f, "别的公众号"), appid="wx0000000000000000"),
    lambda f: frame(f, text_push(f, "别的密钥"), key="".join(f.rng.choices(string.ascii_letters, k=43))),
    lambda f: frame(f, b""),
    lambda f: base64.b64encode(f.junk(f.choice([1, 15, 16, 31, 32, 48]))).decode(),
    lambda f: frame(f, text_push(f, "截断"))[: -f.rng.randrange(1, 20)],
    lambda f: "!!! not base64 " + f.odd(),
    lambda f: "",
    lambda f: "A" * 60_000,
)


def wechat_bad_ciphertext(f: Fuzz, n: int) -> Iterator[Bad]:
    """Safe-mode envelopes whose ciphertext does not open: a lying length, another account's AppID,
    another key, cut, not base64, empty. Well signed, so each reaches the decryption."""
    for _ in range(n):
        query, body = envelope(f.choice(CIPHERTEXTS)(f), signed(f))
        yield wechat("wechat_bad_ciphertext", "safe", query, body)


def wechat_unreadable(f: Fuzz, n: int) -> Iterator[Bad]:
    """Signed pushes that are not WeChat messages we can use: answered ``success``, nothing kept."""
    for _ in range(n):
        yield pushed(f, "wechat_unreadable", both_apps(f), f.choice(UNREADABLE)(f))


# ---- Telegram ----


def tg(
    category: str, body: bytes, *, secret: str | None = TG_SECRET, writes: Writes = "nothing", **kw: Any
) -> Bad:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[TG_HEADER] = secret
    return Bad(category, "POST", "/telegram", headers=headers, body=body, writes=writes, **kw)


def tg_update(f: Fuzz) -> dict[str, Any]:
    uid = f.rng.randrange(10**6, 10**9)
    make = f.choice(
        [
            lambda: tg_updates.text(uid, "/start"),
            lambda: tg_updates.text(uid, "路灯坏了"),
            lambda: tg_updates.photo(uid, "照片"),
            lambda: tg_updates.location(uid),
            lambda: tg_updates.contact(uid, "13800000000", uid),
            lambda: tg_updates.callback(uid, "c:1:1"),
            lambda: tg_updates.edited(uid, "改"),
            lambda: tg_updates.my_chat_member(uid, "kicked"),
        ]
    )
    update: dict[str, Any] = make()
    return update


def telegram_wrong_secret(f: Fuzz, n: int) -> Iterator[Bad]:
    """Valid updates with a missing, wrong, cut, padded or differently cased secret header."""
    secrets: tuple[Callable[[], str | None], ...] = (
        lambda: None,
        lambda: "",
        lambda: TG_SECRET[:-1],
        lambda: TG_SECRET + "x",
        lambda: TG_SECRET.upper(),
        lambda: TG_SECRET[1:],
        lambda: TG_SECRET.replace("_", "-"),
        lambda: "".join(f.rng.choices(string.ascii_letters, k=len(TG_SECRET))),
        lambda: TG_SECRET * 100,
        lambda: "x" * 7000,
    )
    for _ in range(n):
        yield tg("telegram_wrong_secret", orjson.dumps(tg_update(f)), secret=f.choice(secrets)())


def nested(levels: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * levels + close * levels).encode()


POISON: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: b"",
    lambda f: b"{",
    lambda f: f.junk(f.rng.randrange(1, 2000)),
    lambda f: b'{"update_id": 1, "message": {"text": "\xff\xfe"}}',
    lambda f: b'{"update_id": 1,}',
    lambda f: b"[]",
    lambda f: b"[1, 2, 3]",
    lambda f: b'"update"',
    lambda f: b"null",
    lambda f: b"42",
    lambda f: b"true",
    lambda f: nested(10_000),
    lambda f: b'{"update_id": 1, "message": ' + nested(5_000, '{"a":', "}").replace(b"}", b"1}", 1) + b"}",
    lambda f: b'{"update_id": 1, "x": ' + nested(1_100) + b"}",
    lambda f: b'{"message": {"text": "no update_id"}}',
    lambda f: b'{"update_id": "7"}',
    lambda f: b'{"update_id": 7.5}',
    lambda f: b'{"update_id": null}',
    lambda f: b'{"update_id": [7]}',
    lambda f: b'{"update_id": NaN}',
    lambda f: b'{"update_id": 1e999}',
    lambda f: b'{"update_id": "\\ud800"}',
)


def telegram_poison(f: Fuzz, n: int) -> Iterator[Bad]:
    """Bodies behind the right secret that are not update objects: kept aside as dead letters."""
    for _ in range(n):
        yield tg("telegram_poison", f.choice(POISON)(f), writes="dead_letter")


NONSENSE: tuple[Callable[[int], dict[str, Any]], ...] = (
    lambda u: {"update_id": u, "message": "hello"},
    lambda u: {"update_id": u, "message": ["hello"]},
    lambda u: {"update_id": u, "message": 5},
    lambda u: {"update_id": u, "message": {}},
    lambda u: {"update_id": u, "message": {"message_id": 1, "date": 1, "chat": "private", "text": "x"}},
    lambda u: {"update_id": u, "message": {"message_id": 1, "date": 1, "chat": {"id": 1}, "text": "x"}},
    lambda u: {"update_id": u, "message": {"message_id": "one", "date": "yesterday", "chat": [1], "from": 7}},
    lambda u: {"update_id": u, "callback_query": "c:1:1"},
    lambda u: {"update_id": u, "callback_query": {"id": 5, "from": "me"}},
    lambda u: {"update_id": u, "my_chat_member": []},
    lambda u: {"update_id": u, "edited_message": {"chat": {"id": 1, "type": "private"}}},
    lambda u: {"update_id": u, "message": {"message_id": 1, "date": 1, "chat": None, "photo": "big"}},
    lambda u: {
        "update_id": u,
        "message": {"message_id": 1, "date": 1, "chat": {"type": "private"}, "from": {}},
    },
)


def telegram_nonsense_shapes(f: Fuzz, n: int) -> Iterator[Bad]:
    """Update objects whose parts have impossible shapes (strings for objects, missing ids)."""
    for _ in range(n):
        shape = f.choice(NONSENSE)(f.rng.randrange(1, 2**31))
        yield tg("telegram_nonsense_shapes", orjson.dumps(shape), writes="dead_letter")


JUNK_VALUES: tuple[Any, ...] = (
    "",
    "x" * 5000,
    -1,
    0,
    2**63 - 1,
    1.5,
    True,
    None,
    [],
    {},
    [[[]]],
    {"a": {"b": 1}},
)


def mutate(f: Fuzz, doc: Any, depth: int = 0) -> Any:
    """``doc`` with one value somewhere replaced by junk of another shape."""
    if isinstance(doc, dict) and doc and depth < 6:
        key = f.choice(sorted(doc))
        if f.rng.random() < 0.3:
            return {**doc, key: f.choice(JUNK_VALUES)}
        return {**doc, key: mutate(f, doc[key], depth + 1)}
    if isinstance(doc, list) and doc and depth < 6:
        i = f.rng.randrange(len(doc))
        return [*doc[:i], mutate(f, doc[i], depth + 1), *doc[i + 1 :]]
    return f.choice(JUNK_VALUES)


def telegram_mutated(f: Fuzz, n: int) -> Iterator[Bad]:
    """Real update shapes with one field mutated: readable ones may be answered, the rest kept aside."""
    for _ in range(n):
        update = tg_update(f)
        changed = {
            "update_id": update["update_id"],
            **{k: mutate(f, v) for k, v in update.items() if k != "update_id"},
        }
        yield tg("telegram_mutated", orjson.dumps(changed), writes="maybe")


def telegram_overlong_ids(f: Fuzz, n: int) -> Iterator[Bad]:
    """An update_id of 2**70 (kept aside), a user id of 1 MB (over the limit), a 2**70 chat id."""
    for _ in range(n):
        update = tg_update(f)
        pick = f.rng.choices(range(4), weights=(4, 1, 3, 2))[0]
        if pick == 0:
            body = orjson.dumps(update).replace(
                str(update["update_id"]).encode(), str(2**70 + f.rng.randrange(9)).encode(), 1
            )
            yield tg("telegram_overlong_ids", body, writes="dead_letter")
        elif pick == 1:
            body = (
                b'{"update_id": 1, "message": {"message_id": 1, "date": 1, "from": {"id": '
                + b"9" * (1 << 20)
                + b"}}}"
            )
            yield tg("telegram_overlong_ids", body, chunked=f.rng.random() < 0.5)
        elif pick == 2:
            body = orjson.dumps(tg_updates.text(1, "x")).replace(b'"id":1', b'"id":' + str(2**70).encode())
            yield tg("telegram_overlong_ids", body, writes="dead_letter")
        else:
            body = orjson.dumps(
                tg_updates.text(f.rng.randrange(1, 10**9), "长" * 20_000)
            )  # 60 KB: under the limit
            yield tg("telegram_overlong_ids", body, writes="maybe")


def telegram_huge_body(f: Fuzz, n: int) -> Iterator[Bad]:
    """Over 64 KiB behind the right secret (and behind a wrong one), chunked or not."""
    for _ in range(n):
        body = orjson.dumps(tg_updates.text(1, "长" * (f.over(BODY_LIMIT) // 3 + 1)))
        secret = TG_SECRET if f.rng.random() < 0.7 else "wrong"
        yield tg("telegram_huge_body", body, secret=secret, chunked=f.rng.random() < 0.5)


def telegram_odd_unicode(f: Fuzz, n: int) -> Iterator[Bad]:
    """Odd Unicode and escaped NULs in texts, names and callback data behind the right secret."""
    for _ in range(n):
        uid = f.rng.randrange(10**6, 10**9)
        update = f.choice([tg_updates.text, tg_updates.callback])(uid, f.odd() + "\x00" + f.odd())
        if "message" in update:
            update["message"]["from"]["first_name"] = f.odd()
        yield tg("telegram_odd_unicode", orjson.dumps(update), writes="maybe")


# ---- the web chat ----


def web(category: str, body: bytes, writes: Writes = "nothing", **kw: Any) -> Bad:
    headers = kw.pop("headers", JSON)
    return Bad(category, "POST", "/api/web/messages", headers=headers, body=body, writes=writes, **kw)


WEB_BAD: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: b"",
    lambda f: b"{",
    lambda f: f.junk(f.rng.randrange(1, 3000)),
    lambda f: b"{'user_id': 'u1', 'text': 'hi'}",
    lambda f: b'{"user_id": "u1", "text": "hi",}',
    lambda f: b'{"user_id": "u1", "text": "\xff\xfe"}',
    lambda f: b'{"user_id": "u1", "text": "\\ud800"}',
    lambda f: b'{"user_id": "u1", "text": "\\udfff\\ud800"}',
    lambda f: b'{"user_id": "u1", "text": NaN}',
    lambda f: b'{"user_id": "u1", "re": 1e999, "text": "hi"}',
    lambda f: b"[]",
    lambda f: b'["user_id", "text"]',
    lambda f: b'"hi"',
    lambda f: b"null",
    lambda f: b"7",
    lambda f: nested(8_000),
    lambda f: nested(10_000),  # 20 KB: over the web chat's limit
    lambda f: b'{"user_id": "u1", "text": ' + nested(5_000) + b"}",
    lambda f: b'{"user_id": "u1", "text": 5}',
    lambda f: b'{"user_id": "u1", "text": ["hi"]}',
    lambda f: b'{"user_id": "u1", "text": {"hi": 1}}',
    lambda f: b'{"user_id": "u1", "text": true}',
    lambda f: b'{"user_id": "u1", "text": null}',
    lambda f: b'{"user_id": "u1", "text": "hi", "re": -1}',
    lambda f: b'{"user_id": "u1", "text": "hi", "re": "3"}',
    lambda f: b'{"user_id": "u1", "text": "hi", "re": 1.5}',
)


def web_bad_body(f: Fuzz, n: int) -> Iterator[Bad]:
    """Bodies that are not a web-chat message: not JSON, not an object, nested, wrong types."""
    for _ in range(n):
        headers = f.choice(
            [JSON, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}]
        )
        yield web("web_bad_body", f.choice(WEB_BAD)(f), headers=headers)


def web_huge_body(f: Fuzz, n: int) -> Iterator[Bad]:
    """Over 16 KiB (and over 64 KiB, and 1 MB of user_id), with a Content-Length or chunked."""
    for _ in range(n):
        size = f.over(f.choice([WEB_LIMIT, BODY_LIMIT]))
        field_ = f.choice(["text", "user_id"])
        doc = {"user_id": "u1", "text": "hi", field_: "a" * size}
        yield web("web_huge_body", orjson.dumps(doc), chunked=f.rng.random() < 0.5)


def web_odd_unicode(f: Fuzz, n: int) -> Iterator[Bad]:
    """Odd Unicode, escaped NULs and surrogate pairs in texts and ids: may be answered."""
    for _ in range(n):
        text = f.choice([f.odd(), f.odd() + "\x00", "\U0001f600" * 10, "路灯" + f.odd()])
        user = f.choice([f"fz{f.rng.randrange(10**6)}", f.odd(), "abc\n", "a" * 65, "a" * 10_000])
        doc = {"user_id": user, "text": text, "re": f.choice([None, 0, 2**62])}
        if f.rng.random() < 0.2:
            doc = {"user_id": user, "event": "hello"}
        headers = f.choice([JSON, {"Content-Type": "text/plain"}, {}])
        yield web("web_odd_unicode", orjson.dumps(doc), "maybe", headers=headers)


def web_notices_bad(f: Fuzz, n: int) -> Iterator[Bad]:
    """Polls for notices with odd, long, repeated or missing ids: nothing is written or taken."""
    for _ in range(n):
        user = f.choice([f.odd(), "a" * 65, "a" * 7000, "", "abc\n", "u1\x00", "../x", "*", "%"])
        params = None if f.rng.random() < 0.1 else {"user_id": user}
        yield Bad("web_notices_bad", "GET", "/api/web/notices", params)


# ---- every endpoint ----


def wrong_method(f: Fuzz, n: int) -> Iterator[Bad]:
    """Methods the endpoint does not serve, with and without bodies."""
    serves = {"/wechat": {"GET", "POST"}, "/telegram": {"POST"}, "/api/web/messages": {"POST"}}
    for _ in range(n):
        path = f.choice(PATHS)
        allowed = serves.get(path, {"GET"})
        method = f.choice(
            [
                m
                for m in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO")
                if m not in allowed
            ]
        )
        body = f.choice([None, b"", b"{}", f.junk(100)])
        yield Bad("wrong_method", method, path, body=body, app=both_apps(f))


UNKNOWN: tuple[Callable[[Fuzz], str], ...] = (
    lambda f: "/x" + "".join(f.rng.choices(string.ascii_lowercase + "/", k=f.rng.randrange(1, 40))),
    lambda f: "/wechat/",
    lambda f: "/WECHAT",
    lambda f: "/telegram/x",
    lambda f: "/api/web",
    lambda f: "/api/web/messages/",
    lambda f: "/index.html",
    lambda f: "/.env",
    lambda f: "/static/index.html",
    lambda f: "/%2e%2e/%2e%2e/etc/passwd",
    lambda f: "/" + "%E4%BD%A0" * 200,
    lambda f: "/" + "a" * 7000,
    lambda f: "/" + f.odd(),
)


def unknown_path(f: Fuzz, n: int) -> Iterator[Bad]:
    """Paths nobody serves: traversal, encodings, long, unicode, near misses."""
    for _ in range(n):
        method = f.choice(["GET", "POST"])
        yield Bad(
            "unknown_path",
            method,
            f.choice(UNKNOWN)(f),
            body=b"{}" if method == "POST" else None,
            app=both_apps(f),
        )


JUNK_HEADERS: tuple[Callable[[Fuzz], dict[str, str]], ...] = (
    lambda f: {"Accept": "*/*;q=bogus"},
    lambda f: {"Accept-Encoding": "gzip;q=2, br;q=-1, x" * 50},
    lambda f: {"Range": "bytes=999999999-"},
    lambda f: {"Cookie": "a=" + "b" * 4000 + '; ;;; =; minyi="\\'},
    lambda f: {"If-None-Match": "*", "If-Modified-Since": "yesterday"},
    lambda f: {"X-Forwarded-For": "1.1.1.1, " * 300},
    lambda f: {"Content-Type": "application/json; charset=utf-7"},
    lambda f: {"Host": "evil.example"},
    lambda f: {"Authorization": "Basic " + "A" * 5000},
)


def plain_get_junk(f: Fuzz, n: int) -> Iterator[Bad]:
    """The page, ``/healthz``, ``/readyz`` and ``/metrics`` asked with junk queries, headers and bodies."""
    for _ in range(n):
        path = f.choice(["/", "/healthz", "/readyz", "/metrics"])
        params = {f.odd(): f.odd(), "user_id": "a" * f.rng.randrange(3000), "x": "%00"}
        body = f.choice([None, f.junk(200)])
        yield Bad("plain_get_junk", "GET", path, params, f.choice(JUNK_HEADERS)(f), body, app=both_apps(f))


def wrong_content_type(f: Fuzz, n: int) -> Iterator[Bad]:
    """Bodies under content types the endpoint never gets (multipart, form, images, gzip)."""
    types = [
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
        "image/png",
        "application/gzip",
        "text/html",
        "application/json",
        "",
    ]
    for _ in range(n):
        ctype = {"Content-Type": f.choice(types)}
        pick = f.rng.randrange(3)
        if pick == 0:
            yield Bad(
                "wrong_content_type",
                "POST",
                "/api/web/messages",
                headers=ctype,
                body=b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--xyz--',
            )
        elif pick == 1:
            yield tg("wrong_content_type", b"update_id=1&message=hi", writes="dead_letter")
        else:
            query = signed(f)
            yield Bad(
                "wrong_content_type",
                "POST",
                "/wechat",
                query,
                ctype,
                b"\x1f\x8b\x08\x00" + f.junk(200),
                app=both_apps(f),
            )


# ---- malformed HTTP, byte for byte ----


def http(first_line: str | bytes, headers: list[bytes] | None = None, body: bytes = b"") -> bytes:
    line = first_line.encode() if isinstance(first_line, str) else first_line
    lines = [line, b"Host: 127.0.0.1", b"Connection: close", *(headers or [])]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


MALFORMED: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: http(f"GET /{'a' * 9000} HTTP/1.1"),
    lambda f: http(f"GET /wechat?signature={'a' * 9000}&timestamp=1&nonce=1 HTTP/1.1"),
    lambda f: http(f"GET /api/web/notices?user_id={'a' * 20000} HTTP/1.1"),
    lambda f: http(f"POST /telegram?{'x=1&' * 3000} HTTP/1.1", [b"Content-Length: 2"], b"{}"),
    lambda f: http("GET / HTTP/1.1", [b"X-Big: " + b"a" * 9000]),
    lambda f: http(
        "POST /telegram HTTP/1.1",
        [b"X-Telegram-Bot-Api-Secret-Token: " + b"s" * 9000, b"Content-Length: 2"],
        b"{}",
    ),
    lambda f: http("GET / HTTP/1.1", [f"X-H{i}: v".encode() for i in range(500)]),
    lambda f: f.junk(f.rng.randrange(1, 500)),
    lambda f: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + f.junk(100),  # a TLS ClientHello
    lambda f: b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    lambda f: b"GET\r\n\r\n",
    lambda f: b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    lambda f: http("get / HTTP/1.1"),
    lambda f: http(b"G\x00ET / HTTP/1.1"),
    lambda f: http(b"GET /\x00 HTTP/1.1"),
    lambda f: http("GET / HTTP/9.9"),
    lambda f: http("GET / HTTP/1.1").replace(b"\r\n", b"\n"),
    lambda f: http("GET http://evil.example/healthz HTTP/1.1"),
    lambda f: http("OPTIONS * HTTP/1.1"),
    lambda f: http("CONNECT 127.0.0.1:22 HTTP/1.1"),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Content-Length: -1"], b"{}"),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Content-Length: abc"], b"{}"),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Content-Length: 2", b"Content-Length: 30"], b"{}"),
    lambda f: http("POST /telegram HTTP/1.1", [b"Content-Length: 2", b"Transfer-Encoding: chunked"], b"{}"),
    lambda f: http("POST /telegram HTTP/1.1", [b"Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n"),
    lambda f: http(
        "POST /api/web/messages HTTP/1.1",
        [b"Transfer-Encoding: chunked"],
        b"2;ext=" + b"e" * 9000 + b"\r\n{}\r\n0\r\n\r\n",
    ),
    lambda f: http(
        "POST /api/web/messages HTTP/1.1", [b"Transfer-Encoding: gzip, chunked"], b"2\r\n{}\r\n0\r\n\r\n"
    ),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Expect: 100-continue", b"Content-Length: 99999999"]),
    lambda f: http("GET / HTTP/1.1", [b"NoColonHere"]),
    lambda f: http("GET / HTTP/1.1", [b"X A: b"]),
    lambda f: http("GET / HTTP/1.1", [b"X-A: b", b" folded continuation"]),
    lambda f: http("GET / HTTP/1.1", [b"X-A: \x00\x01"]),
    lambda f: http("GET /healthz HTTP/1.1", [b"X-A: \xff\xfe\xe4"]),
    lambda f: http(
        "POST /telegram HTTP/1.1",
        [b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\xed\xa0\x80", b"Content-Length: 2"],
        b"{}",
    ),
    lambda f: http(
        "POST /telegram HTTP/1.1",
        ["X-Telegram-Bot-Api-Secret-Token: 秘密".encode(), b"Content-Length: 2"],
        b"{}",
    ),
    lambda f: http("GET /wechat?signature=%FF&timestamp=%FF&nonce=%FF&echostr=%FF HTTP/1.1"),
    lambda f: http(f"GET /wechat?signature=x&timestamp={f.now}&nonce=%ED%A0%80 HTTP/1.1"),
    lambda f: http(
        f"POST /wechat?signature=x&timestamp={f.now}&nonce=%00&encrypt_type=aes HTTP/1.1",
        [b"Content-Length: 6"],
        b"<xml/>",
    ),
    lambda f: http("GET /api/web/notices?user_id=%FF%FE HTTP/1.1"),
    lambda f: http("GET /api/web/notices?user_id=%00 HTTP/1.1"),
    lambda f: http("GET /api/web/notices?user_id=% HTTP/1.1"),
    lambda f: http("GET /api/web/notices?user_id=u1&user_id=u2&&&=&%%% HTTP/1.1"),
    lambda f: http("GET /%FF%FE HTTP/1.1"),
    lambda f: http("GET /..%2f..%2fetc%2fpasswd HTTP/1.1"),
    lambda f: http("GET //etc/passwd HTTP/1.1"),
    lambda f: http("GET /healthz#frag HTTP/1.1"),
    lambda f: http(b"GET /\xe4\xbd\xa0\xff HTTP/1.1"),
)


CUT_SHORT: tuple[Callable[[Fuzz], bytes], ...] = (
    lambda f: http(
        "POST /wechat?signature=x HTTP/1.1", [b"Transfer-Encoding: chunked"], b"ffffffffffffffff\r\nab\r\n"
    ),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Transfer-Encoding: chunked"], b"2\r\n{}\r\n"),
    lambda f: http("POST /api/web/messages HTTP/1.1", [b"Content-Length: 100"], b'{"user_id": "u'),
    lambda f: http(
        "POST /telegram HTTP/1.1", [b"Content-Length: 100", f"{TG_HEADER}: {TG_SECRET}".encode()], b"{"
    ),
)


def malformed_http(f: Fuzz, n: int) -> Iterator[Bad]:
    """Requests the HTTP parser must refuse or survive: long lines, bad framing, odd bytes, and
    bodies cut short by a client that then goes away."""
    for _ in range(n):
        if f.rng.random() < 0.05:
            yield Bad("malformed_http", raw=f.choice(CUT_SHORT)(f), gives_up_s=0.2, app=both_apps(f))
        else:
            yield Bad("malformed_http", raw=f.choice(MALFORMED)(f), app=both_apps(f))


Category = Callable[[Fuzz, int], Iterator[Bad]]
CATEGORIES: dict[str, tuple[Category, int]] = {
    "wechat_forged_signature": (wechat_forged_signature, 1200),
    "wechat_stale_timestamp": (wechat_stale_timestamp, 500),
    "wechat_replayed": (wechat_replayed, 300),
    "wechat_replayed_params": (wechat_replayed_params, 60),
    "wechat_plaintext_in_safe_mode": (wechat_plaintext_in_safe_mode, 60),
    "wechat_xml_bomb": (wechat_xml_bomb, 150),
    "wechat_xxe": (wechat_xxe, 400),
    "wechat_huge_body": (wechat_huge_body, 100),
    "wechat_invalid_utf8": (wechat_invalid_utf8, 400),
    "wechat_odd_unicode": (wechat_odd_unicode, 250),
    "wechat_overlong_ids": (wechat_overlong_ids, 60),
    "wechat_bad_ciphertext": (wechat_bad_ciphertext, 300),
    "wechat_unreadable": (wechat_unreadable, 500),
    "telegram_wrong_secret": (telegram_wrong_secret, 1000),
    "telegram_poison": (telegram_poison, 800),
    "telegram_nonsense_shapes": (telegram_nonsense_shapes, 400),
    "telegram_mutated": (telegram_mutated, 60),
    "telegram_overlong_ids": (telegram_overlong_ids, 100),
    "telegram_huge_body": (telegram_huge_body, 100),
    "telegram_odd_unicode": (telegram_odd_unicode, 40),
    "web_bad_body": (web_bad_body, 1300),
    "web_huge_body": (web_huge_body, 100),
    "web_odd_unicode": (web_odd_unicode, 150),
    "web_notices_bad": (web_notices_bad, 600),
    "wrong_method": (wrong_method, 500),
    "unknown_path": (unknown_path, 600),
    "plain_get_junk": (plain_get_junk, 250),
    "wrong_content_type": (wrong_content_type, 200),
    "malformed_http": (malformed_http, 400),
}


def generate(
    seed: int, scale: float = 1.0, categories: dict[str, tuple[Category, int]] = CATEGORIES
) -> list[Bad]:
    """A whole run: every category's requests (``scale`` × its share)."""
    f = Fuzz(random.Random(seed))
    return [bad for make, share in categories.values() for bad in make(f, max(1, round(share * scale)))]
