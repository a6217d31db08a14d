"""Signatures and AES: the official ``WXBizMsgCrypt`` sample vector through our endpoint's code path."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.crypto import Cipher, Forbidden, Undecryptable, Verifier, sign
from tests.apps import Served
from tests.bot.channels.wechat.conftest import wechat_config

# Tencent's WXBizMsgCrypt Sample.py (cryptoDemo.zip), see research/wechat.md §6 A.
V_TOKEN, V_KEY, V_APPID = "spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2"
V_TS, V_NONCE = "1409735669", "1320562132"
V_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
V_SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
V_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
    "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6u"
    "x5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJ"
    "pXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCz"
    "pu9GhglF2PE="
)
V_OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def test_official_vector_signatures() -> None:
    verifier = Verifier(V_TOKEN, clock=lambda: float(V_TS))
    verifier.check(V_SIGNATURE, V_TS, V_NONCE)
    verifier.check(V_MSG_SIGNATURE, V_TS, V_NONCE, V_ENCRYPT)
    with pytest.raises(Forbidden):
        verifier.check(V_MSG_SIGNATURE, V_TS, "1320562133", V_ENCRYPT)
    with pytest.raises(Forbidden):  # a correct signature, replayed an hour later
        Verifier(V_TOKEN, clock=lambda: float(V_TS) + 3600).check(V_SIGNATURE, V_TS, V_NONCE)
    assert sign("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"


def test_official_vector_decrypts() -> None:
    plain, _ = Cipher(V_TOKEN, V_APPID, V_KEY).decrypt(V_ENCRYPT)
    msg = parse_message(plain)
    assert msg.type == "text" and msg.content == "abcdteT" and msg.id == 6054768590064713728


def test_wrong_appid_or_key_or_damage_is_undecryptable() -> None:
    for cipher, data in (
        (Cipher(V_TOKEN, "wx0000000000000000", V_KEY), V_ENCRYPT),
        (Cipher(V_TOKEN, V_APPID, "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"), V_ENCRYPT),
        (Cipher(V_TOKEN, V_APPID, V_KEY), V_ENCRYPT[:-12]),
        (Cipher(V_TOKEN, V_APPID, V_KEY), "%%%"),
    ):
        with pytest.raises(Undecryptable):
            cipher.decrypt(data)
    with pytest.raises(ValueError):
        Cipher(V_TOKEN, V_APPID, V_KEY[:-1])


async def test_official_vector_through_the_endpoint(tmp_path: Any, db: str, served: Served) -> None:
    config = wechat_config(tmp_path, token=V_TOKEN, aes_key=V_KEY, appid=V_APPID, aes_key_previous=None)
    client = await served.start(config)
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{V_ENCRYPT}]]></Encrypt></xml>"
    )
    query = {
        "signature": V_SIGNATURE,
        "timestamp": V_TS,
        "nonce": V_NONCE,
        "openid": V_OPENID,
        "encrypt_type": "aes",
        "msg_signature": V_MSG_SIGNATURE,
    }
    with time_machine.travel(int(V_TS) + 1, tick=True):
        resp = await client.post("/wechat", params=query, data=body)
        assert resp.status == 200
        envelope = await resp.text()
    doc = xmltodict.parse(envelope)["xml"]
    plain = WeChatCrypto(V_TOKEN, V_KEY, V_APPID).decrypt_message(
        envelope, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"]
    )
    reply = parse_message(plain)
    assert reply.type == "text" and reply.target == V_OPENID and reply.source == "gh_10f6c3c3ac5a"
    assert "1 提建议" in reply.content  # first contact: the menu
    resp = await client.post("/wechat", params=query, data=body)  # now, 12 years later: a replay
    assert resp.status == 403
