"""A shared contact whose number is not a Chinese phone number crashed the step (the contact
branch of the phone field skipped validation errors); it must ask again with the usual hint."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs import Context, Conversation, Inbound, Reply, UserRef, step, texts

USER = UserRef("telegram", "1")
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def say(conv: Conversation, text: str | None, n: int, phone: str | None = None) -> tuple[Conversation, str]:
    inbound = Inbound(user=USER, message_id=str(n), time=NOW, text=text, phone=phone)
    result = step(conv, inbound, Context(now=NOW))
    replies = [o for o in result.outputs if isinstance(o, Reply)]
    return result.conversation, "\n".join(r.text for r in replies)


def test_a_foreign_shared_number_is_refused_politely() -> None:
    conv = Conversation()
    answers = ["2", "垃圾没人清", "今天，幸福路", "尽快清理", "王五"]  # 市容环卫 proposed
    for n, text in enumerate(answers):
        conv, _ = say(conv, text, n)
    conv, reply = say(conv, "+14155550100", 99, phone="+14155550100")
    assert reply.startswith(texts.BAD_PHONE) and "手机号码" in reply
    conv, reply = say(conv, "+8613700001111", 100, phone="+8613700001111")
    assert reply.startswith(texts.SUMMARY_HEAD.format(noun="投诉")) and "13700001111" in reply
