"""``minyi-admin items accept|reject|ask|…``: every staff action on an item, one command each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from admin_cli.context import run, staff_name
from admin_cli.render import console, print_json, status_label
from storage.config import Settings
from storage.models import Item, Outbox
from storage.workflow import actions

As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _do(ticket: str, as_json: bool, act: Callable[[str], Awaitable[Item]]) -> None:
    """Run one action as TICKET and report the new state and the notice the citizen gets."""
    ticket = ticket.strip().upper()

    async def work() -> tuple[Item, Outbox | None]:
        item = await act(ticket)
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
    console.print(f"[green]✓[/green] {item.ticket}：{status_label(item.status)}（{item.status}）")
    if notice:
        console.print(f"[dim]将通知群众：[/dim]{notice.text}")


def register(app: typer.Typer) -> None:
    """Add the action commands to ``items``."""

    @app.command()
    def accept(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """受理."""
        who, clocks = staff_name(as_), Settings().clocks
        _do(ticket, as_json, lambda t: actions.accept(t, actor=who, clocks=clocks))

    @app.command()
    def reject(
        ticket: str,
        reason: Annotated[str, typer.Option(help="why")],
        where: Annotated[str | None, typer.Option(help="where to go instead")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """不予受理 (with the reason and where to go instead)."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.reject(t, actor=who, reason=reason, where=where))

    @app.command()
    def ask(ticket: str, question: str, as_: As = None, as_json: Json = False) -> None:
        """事前沟通: ask the citizen; the item waits for the answer."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.ask(t, actor=who, question=question))

    @app.command()
    def report(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """报送 (for the digest)."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.report(t, actor=who))

    @app.command()
    def instruct(
        ticket: str,
        note: Annotated[str, typer.Option(help="the 批示")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """领导批示; 事中沟通 invites the citizen's view."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.instruct(t, actor=who, note=note))

    @app.command()
    def assign(
        ticket: str,
        dept: Annotated[list[str], typer.Option("--dept", help="承办单位 (repeat)")],
        lead: Annotated[str | None, typer.Option(help="牵头单位 (default: the first --dept)")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """交办 to departments; deadline set."""
        who, clocks = staff_name(as_), Settings().clocks
        _do(
            ticket,
            as_json,
            lambda t: actions.assign(t, actor=who, departments=dept, lead=lead, clocks=clocks),
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
        who, clocks = staff_name(as_), Settings().clocks
        _do(ticket, as_json, lambda t: actions.extend(t, actor=who, days=days, reason=reason, clocks=clocks))

    @app.command()
    def adopt(
        ticket: str,
        note: Annotated[str, typer.Option(help="how it is adopted")],
        conversion: Annotated[str | None, typer.Option(help="转化形式, e.g. 政策文件")] = None,
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """采纳."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.adopt(t, actor=who, note=note, conversion=conversion))

    @app.command()
    def decline(
        ticket: str, reason: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """不予采纳 (with the reason)."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.decline(t, actor=who, reason=reason))

    @app.command()
    def implement(
        ticket: str, result: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """落地; 事后沟通 with the satisfaction question."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.implement(t, actor=who, result=result))

    @app.command()
    def answer(
        ticket: str, text: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """答复 a complaint, with the satisfaction question."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.answer(t, actor=who, text=text))

    @app.command()
    def close(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """办结."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.close(t, actor=who))

    @app.command()
    def reopen(
        ticket: str, reason: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """重新办理 a closed item."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.reopen(t, actor=who, reason=reason))

    @app.command()
    def showcase(ticket: str, as_: As = None, as_json: Json = False) -> None:
        """展示 an adopted suggestion."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.showcase(t, actor=who))

    @app.command()
    def reward(
        ticket: str, note: Annotated[str, typer.Option()], as_: As = None, as_json: Json = False
    ) -> None:
        """褒奖 the author of an adopted suggestion."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.reward(t, actor=who, note=note))

    @app.command()
    def reply(ticket: str, text: str, as_: As = None, as_json: Json = False) -> None:
        """A free message to the citizen in the item's thread."""
        who = staff_name(as_)
        _do(ticket, as_json, lambda t: actions.reply(t, actor=who, text=text))
