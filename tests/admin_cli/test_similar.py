"""``minyi-admin items publish|unpublish|merge|unmerge|similar``, ``items list --similar-to``, the
marks of ``items show`` and the grouped digest, on SQLite and PostgreSQL, as staff use them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from admin_cli.main import app
from dialogs.types import UserRef
from storage.models import Item
from storage.similar.staff import EXHAUSTED
from storage.workflow import supporters
from tests.admin_cli.staff import Citizen, admin, look, runner
from tests.runtime import run_with_db
from tests.storage.workflow.test_supporters import NOW

SHELTER = "幸福路公交站没有遮雨棚，下雨天等车全身湿透"
SHELTER_TOO = "幸福路那个车站没有挡雨的棚子，一下雨就淋湿了"
PLATFORM = "幸福路公交站台太窄，早高峰排队的人挤到马路上"
TOILETS = "人民广场附近公共厕所太少，游客找厕所很难"
BROKEN = "幸福路公交站的遮雨棚被货车撞坏了，一直没人修，下雨没地方躲"
FUMES = "幸福路12号楼下饭店油烟直排，熏得没法开窗"
FUMES_AGAIN = "幸福路12号那家饭店油烟还是直排，家里全是油烟味"
TITLE, SUMMARY = "幸福路公交站加装遮雨棚", "幸福路公交站没有遮雨棚，下雨天候车市民被淋湿。"


def suggest(url: str, user: str, account: str, name: str = "李四") -> str:
    """A suggestion filed in the web chat (the account first, then what it left open)."""
    return Citizen(url, user).files(["1", account, "建议加装遮雨棚", name, "13912345678", "可以"])


def enter(kind: str, content: str, phone: str = "13700001111", name: str = "王五") -> str:
    """An item entered by staff from a letter."""
    more = ["--contact", "yes"] if kind == "suggestion" else []
    args = ["--channel", "letter", "--kind", kind, "--name", name, "--phone", phone, "--content", content]
    out = admin("items", "new", *args, "--request", "请尽快处理", *more, "--json")
    return str(json.loads(out)["ticket"])


def show(ticket: str) -> dict[str, Any]:
    return dict(json.loads(admin("items", "show", ticket, "--json")))


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1, result.output
    return result.output.replace("\n", "")


def test_publish_refuses_private_wording_and_unpublish(database: str) -> None:
    ticket = suggest(database, "p1", SHELTER)
    before = show(ticket)
    assert "姓名" in refused("items", "publish", ticket, "--title", "李四的建议", "--summary", SUMMARY)
    assert "电话号码" in refused("items", "publish", ticket, "--title", TITLE, "--summary", "电话13912345678")
    assert "门牌号" in refused("items", "publish", ticket, "--title", TITLE, "--summary", "幸福路12号门口")
    after = show(ticket)
    assert after["events"] == before["events"] and after["similar"]["published"] is False
    assert look(database, ticket)[1] == [("received", look(database, ticket)[1][0][1])]
    done = json.loads(admin("items", "publish", ticket, "--title", TITLE, "--summary", SUMMARY, "--json"))
    assert done["status"] == "received" and "已由工作人员整理后公开" in done["notice"]
    marks = show(ticket)["similar"]
    assert (marks["published"], marks["public_title"], marks["public_summary"]) == (True, TITLE, SUMMARY)
    assert "公开" in admin("items", "show", ticket) and TITLE in admin("items", "show", ticket)
    printed = admin("items", "unpublish", ticket, "--reason", "措辞再斟酌")
    assert "✓" in printed and ticket in printed
    assert show(ticket)["similar"]["published"] is False
    assert "还没有公开" in refused("items", "unpublish", ticket)
    complaint = enter("complaint", FUMES)
    assert "不能执行" in refused("items", "publish", complaint, "--title", "油烟", "--summary", "油烟直排")


def test_merge_and_unmerge(database: str) -> None:
    main = suggest(database, "m1", SHELTER)
    author = Citizen(database, "m2")
    dup = author.files(["1", SHELTER_TOO, "建议加装遮雨棚", "王五", "13800001111", "可以"])
    out = json.loads(admin("items", "merge", dup, "--into", main, "--note", "同一站点", "--json"))
    assert out["status"] == "closed" and main in out["notice"] and "附议人" in out["notice"]
    assert any("附议人" in text for text in author.poll())  # the notice reached the author's chat
    status, notices = look(database, dup)
    assert status == "closed" and [kind for kind, _ in notices] == ["received", "merge"]
    head, tail = show(main), show(dup)
    assert head["similar"]["supporters"] == 1 and [m["ticket"] for m in head["similar"]["merged"]] == [dup]
    assert [e["action"] for e in head["events"]] == ["submit", "absorb"] and dup in head["events"][1]["note"]
    assert tail["similar"]["merged_into"] == main and tail["events"][-1]["action"] == "merge"
    assert "已合并到" in admin("items", "show", dup) and "并入的重复件" in admin("items", "show", main)
    admin("items", "accept", main)
    kinds = [kind for kind, _ in look(database, main)[1]]
    assert kinds.count("accept_s") == 1  # the merged author hears the main item's progress
    assert "不能把事项合并到它自己" in refused("items", "merge", main, "--into", main)
    assert "没有编号为 JY-20991231-9999" in refused("items", "merge", main, "--into", "jy-20991231-9999")
    printed = admin("items", "unmerge", dup, "--note", "不是同一站")
    assert "待受理" in printed and "恢复单独办理" in printed.replace("\n", "")
    assert show(main)["similar"]["supporters"] == 0 and show(dup)["similar"]["merged_into"] is None
    assert show(main)["events"][-1]["action"] == "release"
    assert "没有被合并过" in refused("items", "unmerge", dup)


def test_a_complaint_of_another_person_is_not_merged(database: str) -> None:
    mine = enter("complaint", FUMES)
    theirs = enter("complaint", FUMES_AGAIN, phone="13600002222", name="赵六")
    assert "同一个人" in refused("items", "merge", theirs, "--into", mine)
    assert show(theirs)["status"] == "received"
    again = enter("complaint", FUMES_AGAIN)
    assert json.loads(admin("items", "merge", again, "--into", mine, "--json"))["status"] == "closed"


def test_similar_is_ranked_with_the_shared_words(database: str) -> None:
    first, second = enter("suggestion", SHELTER), enter("suggestion", SHELTER_TOO, phone="13800001111")
    enter("suggestion", PLATFORM, phone="13600002222")
    toilets = enter("suggestion", TOILETS, phone="13500003333")
    broken = enter("complaint", BROKEN, phone="13400004444")
    rows = json.loads(admin("items", "similar", first, "--json"))
    assert [r["ticket"] for r in rows] == [second, broken]  # both kinds; not itself, not the others
    assert rows[0]["score"] > rows[1]["score"] >= 0.45 and rows[0]["score"] == round(rows[0]["score"], 2)
    assert {"幸福路", "遮雨棚"} <= set(rows[0]["why"]) and rows[0]["kind"] == "suggestion"
    assert rows[1]["kind"] == "complaint" and rows[1]["same_person"] is None  # only said between complaints
    assert (rows[0]["published"], rows[0]["merged_into"], rows[0]["supporters"]) == (False, None, 0)
    table = admin("items", "similar", first)
    assert "相似度" in table and "共同词语" in table and "遮雨棚" in table and "投诉" in table
    assert "没有与" in admin("items", "similar", toilets)
    assert json.loads(admin("items", "similar", first, "--limit", "1", "--json"))[0]["ticket"] == second
    assert "没有编号为" in refused("items", "similar", "JY-20991231-9999")
    listed = json.loads(admin("items", "list", "--similar-to", first, "--json"))
    assert [r["ticket"] for r in listed] == [second, broken]
    assert listed[0]["citizen"]["phone"] == "138****1111" and listed[0]["channel"] == "letter"
    only = json.loads(admin("items", "list", "--similar-to", first, "--kind", "complaint", "--json"))
    assert [r["ticket"] for r in only] == [broken]
    assert "相似度" in admin("items", "list", "--similar-to", first)
    bad = runner.invoke(app, ["items", "list", "--similar-to", first, "--overdue"])
    assert bad.exit_code == 2


def test_show_marks_repeats_and_an_exhausted_matter(database: str) -> None:
    first = enter("complaint", FUMES)
    again = enter("complaint", FUMES_AGAIN)
    marks = show(again)["similar"]
    assert marks["repeat_of"] == {
        "ticket": first,
        "kind": "complaint",
        "status": "received",
        "title": FUMES[:30],
        "exhausted": False,
        "note": "",
    }
    assert [r["ticket"] for r in show(first)["similar"]["repeats"]] == [again]
    assert "可能重复" in admin("items", "show", again) and "被重复反映" in admin("items", "show", first)
    assert [r["same_person"] for r in json.loads(admin("items", "similar", again, "--json"))] == [True]
    old = enter("complaint", FUMES, phone="13600002222", name="赵六")

    async def review_exhausted() -> None:
        await Item.filter(ticket=old).update(status="answered", review_level=2)

    run_with_db(database, review_exhausted, migrate=False)
    assert show(old)["similar"]["exhausted"] is True
    new = enter("complaint", FUMES_AGAIN, phone="13600002222", name="赵六")
    people = {r["ticket"]: r["same_person"] for r in json.loads(admin("items", "similar", new, "--json"))}
    assert people == {old: True, first: False, again: False}
    assert "同一人" in admin("items", "similar", new)
    earlier = show(new)["similar"]["repeat_of"]
    assert (earlier["ticket"], earlier["exhausted"], earlier["note"]) == (old, True, EXHAUSTED)
    assert "同一事项不再受理" in admin("items", "show", new).replace("\n", "")


def test_digest_groups_similar_suggestions(database: str, tmp_path: Path) -> None:
    main = suggest(database, "d1", SHELTER)
    other = suggest(database, "d2", SHELTER_TOO, name="王五")
    toilets = suggest(database, "d3", TOILETS, name="赵六")
    dup = suggest(database, "d4", SHELTER, name="钱七")
    admin("items", "merge", dup, "--into", main)
    for ticket in (main, other):
        admin("items", "publish", ticket, "--title", TITLE, "--summary", SUMMARY)

    async def cosign() -> None:
        for ticket in (main, other):  # one person supporting two items of the group counts once
            await supporters.cosign(UserRef("web", "fan"), ticket, NOW)

    run_with_db(database, cosign, migrate=False)
    for ticket in (main, other, toilets):
        admin("items", "accept", ticket)
        admin("items", "report", ticket)
    period = ["--since", "2000-01-01", "--until", "2099-12-31"]
    out = tmp_path / "digest.json"
    admin("digest", *period, "--format", "json", "--out", str(out))
    entries = [e for group in json.loads(out.read_text(encoding="utf-8"))["groups"].values() for e in group]
    assert sorted(e["ticket"] for e in entries) == sorted([main, toilets])
    grouped = next(e for e in entries if e["ticket"] == main)
    assert (grouped["count"], grouped["similar"], grouped["supporters"], grouped["merged"]) == (
        2,
        [other],
        2,  # the merged duplicate's author and the co-signer; not the authors of the two
        [dup],
    )
    alone = next(e for e in entries if e["ticket"] == toilets)
    assert (alone["count"], alone["similar"], alone["supporters"]) == (1, [], 0)
    page = tmp_path / "digest.md"
    printed = admin("digest", *period, "--out", str(page))
    assert "摘报 2 条" in printed.replace("\n", "")
    text = page.read_text(encoding="utf-8")
    assert "- 同类建议 2 件，附议 2 人（另见 " + other + "；并入的重复件 " + dup + "）" in text
    assert text.count("同类建议") == 1 and f"（{other}）" not in text and f"（{dup}）" not in text
    html_page = tmp_path / "digest.html"
    admin("digest", *period, "--format", "html", "--out", str(html_page))
    assert "同类建议 2 件，附议 2 人" in html_page.read_text(encoding="utf-8")
