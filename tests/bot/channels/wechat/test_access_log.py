"""``minyi serve``'s logs carry no credential: no signature, nonce, timestamp, token, echostr,
openid, web ``user_id`` or client address; each access line names its request id; a request
aiohttp cannot parse (a URL over 8 KiB) is one warning line, no traceback."""

from __future__ import annotations

import logging
import re
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from bot import cli
from bot.accesslog import SERVER_LOG, pseudonym
from tests.bot.channels.wechat.conftest import wechat_config
from tests.bot.channels.wechat.wechat_server import OPENID, TOKEN, WeChat, push_xml, sign

ECHOSTR = "4375120948345356249"
WEB_USER = "web-user-7f3a9c"
SECRET_PATH = "hidden-part-5e1d"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def visit(base: str) -> tuple[list[tuple[int, str]], dict[str, str], int]:
    """What a WeChat server, a web page and a scanner send; (status, request id) of each answer."""
    ts, nonce = str(int(time.time())), "982734651"
    signed = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    push_nonce = "982734652"
    push = {"signature": sign(TOKEN, ts, push_nonce), "timestamp": ts, "nonce": push_nonce, "openid": OPENID}
    answers: list[tuple[int, str]] = []
    async with aiohttp.ClientSession() as http:
        calls = [
            http.get(f"{base}/wechat", params={**signed, "echostr": ECHOSTR}),
            http.post(f"{base}/wechat", params=push, data=push_xml(Content="菜单")),
            http.get(f"{base}/api/web/notices", params={"user_id": WEB_USER}),
            http.get(f"{base}/nowhere/{SECRET_PATH}", params={"token": TOKEN}),
        ]
        for call in calls:
            async with call as resp:
                await resp.read()
                answers.append((resp.status, resp.headers.get("X-Request-Id", "")))
        async with http.get(f"{base}/wechat?signature={'a' * 9000}") as resp:
            too_long = resp.status
    return answers, {**signed, "push_nonce": push_nonce}, too_long


async def test_serve_logs_request_ids_and_hashes_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = {"database_url": f"sqlite://{tmp_path / 'minyi.db'}"}
    config = wechat_config(tmp_path, core=core, aes_key=None, aes_key_previous=None)
    port = free_port()
    seen: dict[str, tuple[list[tuple[int, str]], dict[str, str], int]] = {}

    async def requests_then_stop() -> None:
        seen["result"] = await visit(f"http://127.0.0.1:{port}")

    monkeypatch.setattr(cli, "_until_signal", requests_then_stop)
    caplog.set_level(logging.INFO)
    await cli._serve(config, "127.0.0.1", port)
    answers, signed, too_long = seen["result"]

    assert [status for status, _ in answers][:2] == [200, 200] and answers[3][0] == 404
    assert too_long in (400, 414)
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(access) == len(answers) + 1  # and one for the refused URL
    for (status, rid), line in zip(answers, access, strict=False):
        assert re.fullmatch(rf"\S+ /\S* {status} \d+B [\d.]+ms rid={rid} client=[0-9a-f]{{10}}", line), line
    assert access[3].startswith("GET /nowhere/… 404")  # an unmatched path: its first segment only
    assert all(rid for _, rid in answers)  # every answer has a request id, not only /wechat's
    secrets = [*signed.values(), TOKEN, ECHOSTR, OPENID, WEB_USER, SECRET_PATH, "127.0.0.1"]
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert not [s for s in secrets if s in text], (record.name, text)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    refusals = [r for r in caplog.records if r.name == "bot.http"]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    assert "LineTooLong" in refusals[0].getMessage()


async def test_the_channel_names_a_citizen_by_a_hash(
    wechat_aes: WeChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, _ = await wechat_aes.push(push_xml(msg_type="miniprogrampage", Title="x"))
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("bot.")
    )  # not the test server's
    assert status == 200 and pseudonym(OPENID) in ours and OPENID not in ours


def test_a_server_error_keeps_its_traceback_but_not_the_address(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        SERVER_LOG.exception("Error handling request from %s", "203.0.113.9")
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "203.0.113.9" not in record.getMessage() and re.search(r"from [0-9a-f]{10}$", record.getMessage())
