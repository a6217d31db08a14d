"""``minyi-admin items accept|reject|ask|…``: every staff action on an item, one command each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from admin_cli.context import clocks, run, staff_name
from admin_cli.render import console, print_json
from storage import intake
from storage.models import Item, Outbox
from storage.workflow import actions
from storage.workflow.clocks import Clocks
from storage.workflow.vocabulary import CHAT_CHANNELS, WAITING_ON_CITIZEN, state_label

As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]


Act = Callable[[str, str, Clocks], Awaitable[Item]]  # (ticket, actor, clocks) → the item after


def _do(ticket: str, as_json: bool, as_: str | None, act: Act) -> None:
    """Run one action on TICKET as the staff member, and say the new state and the citizen's notice."""
    ticket, who, office = ticket.strip().upper(), staff_name(as_), clocks()

    async def work() -> tuple[Item, Outbox | None]:
        item = await act(ticket, who, office)
        notice = await Outbox.filter(item_id=item.id).order_by("-id").first()
        return item, notice if notice and notice.dedupe_key.startswith(f"{item.id}:{item.version}:") else None

    item, notice = run(work)
    if as_json:
        print_json(
            {
                "ticket": item.ticket,
                "status": item.status,
                "version": item.version,
                "notice": notice.text if notice else None,
            }
        )
        return
    console.print(f"[green]✓[/green] {item.ticket}：{state_label(item.status)}")
    if notice and notice.channel in CHAT_CHANNELS:
        console.print(f"[dim]将通知群众：[/dim]{notice.text}")
    elif notice:  # a letter, a call, a visit: nobody is pushed anything
        console.print(f"[yellow]群众没有关联聊天，请电话或书面告知：[/yellow]{notice.text}")
        if item.status in WAITING_ON_CITIZEN:
            console.print("[dim]群众答复后用 items record-reply 记录；联系不上用 items withdraw。[/dim]")


def register(app: typer.Typer) -> None:
    """Add the action commands to ``items``."""

    @app.command()
    def accept(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """受理 (handling deadline: 60 days)."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.accept(t, actor=who, clocks=c))

    @app.command()
    def reject(
        ticket: str,
        reason: Annotated[str, typer.Option(help="why")],
        where: Annotated[str | None, typer.Option(help="where to go instead")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """不予受理 (with the reason and where to go instead)."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: actions.reject(t, actor=who, clocks=c, reason=reason, where=where),
        )

    @app.command()
    def ask(ticket: str, question: str, as_: As = None, as_json: Json = False) -> None:
        """事前沟通: ask the citizen; the item waits for the answer."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.ask(t, actor=who, clocks=c, question=question))

    @app.command()
    def withdraw(
        ticket: str,
        reason: Annotated[str, typer.Option(help="why")] = "",
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """撤回征询: take back a question the citizen cannot or did not answer; the item goes on."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.withdraw(t, actor=who, clocks=c, reason=reason))

    @app.command("record-reply")
    def record_reply(
        ticket: str,
        text: Annotated[str, typer.Option(help="what the citizen said")],
        via: Annotated[str, typer.Option(help="电话, 来访, 来信…")] = "电话",
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """The citizen's answer given by phone, visit or letter joins the thread (and ends 事前沟通)."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: actions.record_reply(t, actor=who, clocks=c, text=text, via=via),
        )

    @app.command()
    def report(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """报送 (for the digest)."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.report(t, actor=who, clocks=c))

    @app.command()
    def instruct(
        ticket: str,
        note: Annotated[str, typer.Option(help="the 批示")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """领导批示; 事中沟通 invites the citizen's view."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.instruct(t, actor=who, clocks=c, note=note))

    @app.command()
    def assign(
        ticket: str,
        dept: Annotated[list[str], typer.Option("--dept", help="承办单位 (repeat)")],
        lead: Annotated[str | None, typer.Option(help="牵头单位 (default: the first --dept)")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """交办 to departments; deadline set."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: actions.assign(t, actor=who, clocks=c, departments=dept, lead=lead),
        )

    @app.command()
    def extend(
        ticket: str,
        days: Annotated[int, typer.Option(help="≤ 30, once")],
        reason: Annotated[str, typer.Option(help="why (the citizen is told)")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """延期 (once, at most 30 days, with a reason)."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: actions.extend(t, actor=who, clocks=c, days=days, reason=reason),
        )

    @app.command()
    def adopt(
        ticket: str,
        note: Annotated[str, typer.Option(help="how it is adopted")],
        conversion: Annotated[str | None, typer.Option(help="转化形式, e.g. 政策文件")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """采纳."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: actions.adopt(t, actor=who, clocks=c, note=note, conversion=conversion),
        )

    @app.command()
    def decline(
        ticket: str, reason: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """不予采纳 (with the reason)."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.decline(t, actor=who, clocks=c, reason=reason))

    @app.command()
    def implement(
        ticket: str, result: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """落地; 事后沟通 with the satisfaction question."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.implement(t, actor=who, clocks=c, result=result))

    @app.command()
    def answer(
        ticket: str, text: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """答复 a complaint, with the satisfaction question."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.answer(t, actor=who, clocks=c, text=text))

    @app.command()
    def close(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """办结."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.close(t, actor=who, clocks=c))

    @app.command()
    def reopen(
        ticket: str, reason: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """重新办理 a closed item."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.reopen(t, actor=who, clocks=c, reason=reason))

    @app.command()
    def showcase(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """展示 an adopted suggestion (once)."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.showcase(t, actor=who, clocks=c))

    @app.command()
    def reward(
        ticket: str, note: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """褒奖 the author of an adopted suggestion (once)."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.reward(t, actor=who, clocks=c, note=note))

    @app.command()
    def reply(ticket: str, text: str, as_: As = None, as_json: Json = False) -> None:
        """A free message to the citizen in the item's thread; their answer in chat joins it."""
        _do(ticket, as_json, as_, lambda t, who, c: actions.reply(t, actor=who, clocks=c, text=text))

    @app.command()
    def link(
        ticket: str,
        to: Annotated[str, typer.Option("--to", help="a ticket the same citizen filed in a chat")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """Link a letter/call/visit item to the chat of the citizen who filed --to (audited):
        its notices, those waiting included, go to that chat from now on."""
        target = to.strip().upper()
        _do(ticket, as_json, as_, lambda t, who, c: intake.link(t, target, actor=who, clocks=c))
