"""``minyi telegram …``: register the webhook, or long-poll during development."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from telegram import Bot
from telegram.error import Conflict, NetworkError

from bot.channels.telegram.adapter import TelegramChannel, make_bot
from bot.channels.telegram.convert import CHANNEL
from bot.channels.telegram.settings import TelegramSettings
from bot.root import database, load_config
from bot.services import services
from storage import deadletters
from storage.models import DeadLetter

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
app = typer.Typer(help="Telegram: set the webhook, or long-poll for development.", no_args_is_help=True)


def _settings(need_secret: bool) -> TelegramSettings:
    settings = load_config().telegram
    if not settings.token:
        typer.echo("请先设置 MINYI_TELEGRAM_TOKEN（机器人令牌）。", err=True)
        raise typer.Exit(2)
    if need_secret and not settings.secret:
        typer.echo("请先设置 MINYI_TELEGRAM_SECRET（1–256 个字母、数字、_ 或 -）。", err=True)
        raise typer.Exit(2)
    return settings


async def _with_bot(bot: Bot, call: str, **kwargs: object) -> object:
    async with bot:
        return await getattr(bot, call)(**kwargs)


@app.command("set-webhook")
def set_webhook(
    url: Annotated[str, typer.Argument(help="public HTTPS address of POST /telegram")],
    max_connections: Annotated[int, typer.Option(min=1, max=100)] = 40,
) -> None:
    """Register URL as the webhook, with the secret header and an explicit allowed_updates list."""
    settings = _settings(need_secret=True)
    assert settings.secret is not None
    ok = asyncio.run(
        _with_bot(
            make_bot(settings),
            "set_webhook",
            url=url,
            secret_token=settings.secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            max_connections=max_connections,
        )
    )
    typer.echo(f"webhook 已设置：{url}（{', '.join(ALLOWED_UPDATES)}）" if ok else "Telegram 未接受该设置")


@app.command("delete-webhook")
def delete_webhook() -> None:
    """Remove the webhook (needed before ``poll``)."""
    settings = _settings(need_secret=False)
    asyncio.run(_with_bot(make_bot(settings), "delete_webhook"))
    typer.echo("webhook 已删除。")


@app.command("dead-letters")
def dead_letters(limit: Annotated[int, typer.Option(min=1, max=500)] = 20) -> None:
    """Show the newest webhook payloads that could not be read (kept aside, answered 200)."""
    config = load_config()

    async def work() -> list[DeadLetter]:
        async with database(config, migrate=False):
            return await deadletters.recent(CHANNEL, limit)

    rows = asyncio.run(work())
    if not rows:
        typer.echo("没有无法解析的消息。")
    for row in rows:
        typer.echo(f"#{row.id} {row.created_at:%Y-%m-%d %H:%M:%S} {row.reason}\n  {row.payload[:500]}")


@app.command()
def poll(timeout: Annotated[int, typer.Option(help="long-poll seconds")] = 30) -> None:
    """Long-poll getUpdates and feed the same pipeline as the webhook (development; Ctrl+C stops)."""
    _settings(need_secret=False)
    config = load_config()
    logging.basicConfig(level=config.core.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def work() -> None:
        async with database(config, migrate=False), services(config) as built:
            assert built.telegram is not None
            channel = TelegramChannel(built.telegram.sender, built.pipeline)
            typer.echo("正在接收 Telegram 消息（长轮询，Ctrl+C 停止）…")
            await _poll_forever(channel, timeout)

    try:
        asyncio.run(work())
    except Conflict as exc:
        typer.echo(f"Telegram 拒绝长轮询：{exc.message}。请先运行 minyi telegram delete-webhook。", err=True)
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        typer.echo("已停止。")


async def _poll_forever(channel: TelegramChannel, timeout: int) -> None:
    offset: int | None = None
    while True:
        try:
            updates = await channel.bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
        except Conflict:
            raise
        except NetworkError as exc:  # includes timeouts; a BadRequest here is a bug worth seeing
            logging.getLogger(__name__).warning("getUpdates failed, retrying: %s", exc)
            await asyncio.sleep(2)
            continue
        for update in updates:
            while not await channel.handle(update):
                await asyncio.sleep(2)
            offset = update.update_id + 1
