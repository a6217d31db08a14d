"""Issue 13 through the shipped processes: a published suggestion offered for 附议 to a citizen who
tells the same idea (never before staff publish it), its progress reaching the supporter, 取消附议;
a complaint told again offered to be added to the citizen's open one (补充), filed anyway and
flagged as its repeat (重复件), merged into it and split off again, each with its notice.

Each channel tells its own matter at its own place, so that the three channels running at once on
the scaled shape never see each other's items."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dialogs import notices, texts
from tests.acceptance.case import TICKET, Case
from tests.acceptance.runs import Runs
from tests.acceptance.shapes import DEPARTMENT
from tests.acceptance.staff import Act
from tests.answers import COMPLAINT

pytestmark = pytest.mark.asyncio(loop_scope="session")

# per channel: the idea a letter brought in, and the same idea in a citizen's words
IDEAS = {
    "web": (
        "建议在中山公园地铁站出口增设共享单车停放点",
        "中山公园地铁站出口那边能不能划一块共享单车停车区域，现在单车没地方停",
    ),
    "wechat": (
        "曹杨新村的垃圾投放点只在早晚开放，上班族赶不上，建议延长投放时间",
        "曹杨新村垃圾分类定时投放时间太短，希望延长开放时间方便上班的人",
    ),
    "telegram": (
        "建议在莘庄地铁站北广场增加出租车候车点",
        "莘庄地铁站北广场打车很难，希望设一个出租车扬招点",
    ),
}
AUTHOR, AUTHOR_PHONE = "王芳", "13900002222"
AGAIN = "楼下那家饭店的油烟还是直排，熏得家里全是味"


async def letter(case: Case, idea: str) -> str:
    """A suggestion that came in by letter (its author is not in any chat)."""
    out = await case.staff.ok(
        "items", "new", "--channel", "letter", "--kind", "suggestion", "--name", AUTHOR, "--phone",
        AUTHOR_PHONE, "--content", idea, "--request", "请相关部门研究", "--contact", "yes", "--json",
    )  # fmt: skip
    found = TICKET.findall(out)
    assert found, out
    return str(found[0])


async def tell_idea(case: Case, words: str) -> str:
    """From the menu: 1 提建议, then the idea in the citizen's words; the reply to it."""
    await case.say("1")
    return "\n".join(await case.say(words))


async def digest_entry(case: Case, ticket: str) -> dict[str, Any]:
    """The 摘报 entry (``minyi-admin digest --format json``) that holds ``ticket``."""
    today = datetime.now(UTC).date()
    out = Path(tempfile.mkdtemp()) / "digest.json"
    since, until = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    await case.staff.ok("digest", "--since", since, "--until", until, "--format", "json", "--out", str(out))
    groups = json.loads(out.read_text(encoding="utf-8"))["groups"]
    found = [e for entries in groups.values() for e in entries if ticket in (e["ticket"], *e["similar"])]
    assert len(found) == 1, groups
    return dict(found[0])


def supporter_notice(act: Act, title: str, status: str) -> Act:
    """The progress notice a supporter gets of ``act`` (the author's notice is someone else's)."""
    text = notices.for_supporter("suggestion", act.ticket, title, texts.status_label(status))
    return Act(act.action, act.ticket, act.status, act.version, text, act.done_at)


async def cosign_a_published_suggestion(case: Case) -> None:
    """Offered once staff publish it; 附议; its progress; 取消附议; not offered once unpublished
    (before it was published it is not offered either: tests/storage/similar/test_offers.py)."""
    idea, words = IDEAS[case.citizen.channel]
    main = await letter(case, idea)

    title = "市民建议：" + idea[2:14]
    published = await case.staff.act(
        "publish", main, "--title", title, "--summary", "群众来信反映，现公开征集意见"
    )
    assert published.status == "received"
    reply = await tell_idea(case, words)
    assert texts.SIMILAR_HEAD in reply and f"1 {title}" in reply, reply
    assert AUTHOR not in reply and AUTHOR_PHONE not in reply and main not in reply, reply
    done = "\n".join(await case.say("附议 1"))
    assert f"已为您附议“{title}”（{main}）" in done, done
    assert (await case.show(main))["similar"]["supporters"] == 1
    state = "\n".join(await case.say(main))  # a supporter may ask for its state by its number
    assert main in state and title in state and texts.status_label("received") in state, state

    accepted = await case.staff.act("accept", main)
    told = supporter_notice(accepted, title, "accepted")
    case.written.append(told)
    await case.see(told)
    assert AUTHOR not in "\n".join(s.text for s in case.citizen.screen())

    # the same idea by letter again; both reported: the digest makes them one entry
    second = await letter(case, words)
    await case.staff.act("accept", second)
    await case.staff.act("report", second)
    reported = supporter_notice(await case.staff.act("report", main), title, "reported")
    case.written.append(reported)
    await case.see(reported)
    entry = await digest_entry(case, main)
    assert (entry["count"], entry["similar"], entry["supporters"]) == (2, [second], 1), entry

    gone = "\n".join(await case.say(f"取消附议 {main}"))
    assert texts.UNCOSIGNED.format(ticket=main) in gone, gone
    assert (await case.show(main))["similar"]["supporters"] == 0
    await case.staff.act("assign", main, "--dept", DEPARTMENT)  # the former supporter is not told

    await case.staff.act("unpublish", main)
    reply = await tell_idea(case, words)
    assert texts.SIMILAR_HEAD not in reply and main not in reply, "an unpublished suggestion was offered"
    case.check_screen()


async def test_cosign_a_published_suggestion(runs: Runs, channel: str) -> None:
    await runs.check(cosign_a_published_suggestion, channel)


async def complaint_told_again(case: Case) -> None:
    """补充 to the open complaint; filed anyway: flagged as its repeat; merged, then split off."""
    first = await case.file("2", COMPLAINT)

    await case.say("2")
    offer = "\n".join(await case.say(AGAIN))
    assert f"反映的 {first}" in offer and "正在办理中" in offer and "补充" in offer, offer
    added = "\n".join(await case.say("补充"))
    assert texts.REPEAT_ADDED.format(ticket=first) in added, added
    thread = [m["text"] for m in (await case.show(first))["thread"]]
    assert any(AGAIN in m for m in thread), thread

    await case.say("2")
    assert f"反映的 {first}" in "\n".join(await case.say(AGAIN))
    for text in ("继续", "本周每天晚上，幸福路12号", "责令整改", "王五 13700001111"):
        await case.say(text)
    replies = "\n".join(await case.say("确认"))
    second = TICKET.findall(replies)[0]
    flagged = (await case.show(second))["similar"]
    assert flagged["repeat_of"]["ticket"] == first, flagged

    merged = await case.act("merge", second, "--into", first, "--note", "同一事项")
    assert merged.status == "closed" and merged.notice and first in merged.notice
    await case.see(merged)
    main = await case.show(first)
    assert [m["ticket"] for m in main["similar"]["merged"]] == [second]
    assert any(e["action"] == "absorb" for e in main["events"]), main["events"]
    split = await case.act("unmerge", second)
    assert split.status == "received"
    await case.see(split)
    assert (await case.show(second))["similar"]["merged_into"] is None
    case.check_screen()


async def test_complaint_told_again(runs: Runs, channel: str) -> None:
    await runs.check(complaint_told_again, channel)
