"""Issue 12 through the shipped processes: a citizen who says it all at once — typed on the web and
Telegram, spoken on WeChat (its speech recognition), a photo's caption on Telegram — files in
three messages; staff see the proposals as the citizen confirmed them."""

from __future__ import annotations

import pytest

from tests.acceptance.case import TICKET, Case
from tests.acceptance.citizens import TelegramCitizen, WeChatCitizen
from tests.acceptance.runs import Runs

pytestmark = pytest.mark.asyncio(loop_scope="session")

SAID = "我是江苏路的，社区服务中心周末不开门，上班的人没法去办事，建议周六上午也开"
SPOKEN = "我是江苏路的那个社区服务中心周末不开门上班的人没法去办事建议周六上午也开一下。"
OILY = "我住阳光小区，楼下饭店每天晚上油烟直排，熏得没法开窗，投诉一下，希望城管来查处"


async def tell(case: Case, text: str, how: str) -> str:
    """The first message, as the channel lets a citizen send it: spoken on WeChat, with a photo
    on Telegram, typed otherwise; the dialog's replies joined."""
    citizen = case.citizen
    if how == "voice" and isinstance(citizen, WeChatCitizen):
        got = await citizen.say_aloud(text)
    elif how == "photo" and isinstance(citizen, TelegramCitizen):
        got = await citizen.say_with_photo(text)
    else:
        got = await citizen.say(text)
    return "\n".join(got)


async def filed(case: Case, *answers: str) -> str:
    replies: list[str] = []
    for text in answers:
        replies = await case.say(text)
    found = TICKET.findall("\n".join(replies))
    assert found, f"no ticket after {answers}: {replies}\n{case.citizen.describe()}"
    return str(found[0])


async def suggestion_said_at_once(case: Case) -> None:
    """Said (or spoken) in one message at first contact: no menu, no re-asked category or title."""
    text = SPOKEN if case.citizen.channel == "wechat" else SAID
    understood = await tell(case, text, "voice")
    assert "我们按“建议”为您登记" in understood and "1. 类别：社区治理" in understood, understood
    assert "6. 地点：江苏路" in understood and "请留下您的称呼和手机号" in understood, understood
    summary = "\n".join(await case.say("李四 13912345678 可以"))
    assert "请核对您的建议" in summary and "9. 可否联系：可以" in summary, summary
    ticket = await filed(case, "确认")
    item = await case.show(ticket)
    assert ticket.startswith("JY-") and item["category"] == "社区治理"
    fields = item["fields"]
    assert fields["place"] == "江苏路" and fields["problem"] == text and "周六上午" in fields["measure"]
    assert item["citizen"]["name"] == "李四" and len(item["title"]) <= 20
    assert not any(key.startswith("_") for key in fields)
    case.check_screen()


async def complaint_said_at_once(case: Case) -> None:
    """A complaint told at the menu (with a photo on Telegram): only the name and phone asked."""
    await case.say("菜单")
    understood = await tell(case, OILY, "photo")
    assert "我们按“投诉”为您登记" in understood and "1. 类别：市容环卫" in understood, understood
    assert "4. 诉求：希望城管来查处" in understood and "真实姓名" in understood, understood
    ticket = await filed(case, "王五 13700001111", "确认")
    item = await case.show(ticket)
    assert ticket.startswith("TS-") and item["category"] == "市容环卫"
    assert item["fields"]["when_where"] == "阳光小区" and item["fields"]["what"] == OILY
    case.check_screen()


async def test_a_suggestion_said_at_once(runs: Runs, channel: str) -> None:
    await runs.check(suggestion_said_at_once, channel)


async def test_a_complaint_said_at_once(runs: Runs, channel: str) -> None:
    await runs.check(complaint_said_at_once, channel)
