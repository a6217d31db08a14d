"""``minyi telegram …``: register the webhook, or long-poll during development."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from telegram import Bot
from telegram.error import Conflict, NetworkError

from bot.app import build_pipeline
from bot.channels.telegram.adapter import TelegramChannel, build_channel, make_bot
from bot.channels.telegram.convert import CHANNEL
from storage import deadletters
from storage.backends import build_backends
from storage.config import Settings
from storage.runtime import run_with_db

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
app = typer.Typer(help="Telegram: set the webhook, or long-poll for development.", no_args_is_help=True)


def _settings(need_secret: bool) -> Settings:
    settings = Settings()
    if not settings.telegram_token:  # unset or blank
        typer.echo("请先设置 MINYI_TELEGRAM_TOKEN（机器人令牌）。", err=True)
        raise typer.Exit(2)
    if need_secret and not settings.telegram_secret:
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
    assert settings.telegram_secret is not None
    ok = asyncio.run(
        _with_bot(
            make_bot(settings),
            "set_webhook",
            url=url,
            secret_token=settings.telegram_secret.get_secret_value(),
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
    settings = Settings()
    rows = run_with_db(settings, lambda: deadletters.recent(CHANNEL, limit))
    if not rows:
        typer.echo("没有无法解析的消息。")
    for row in rows:
        typer.echo(f"#{row.id} {row.created_at:%Y-%m-%d %H:%M:%S} {row.reason}\n  {row.payload[:500]}")


@app.command()
def poll(timeout: Annotated[int, typer.Option(help="long-poll seconds")] = 30) -> None:
    """Long-poll getUpdates and feed the same pipeline as the webhook (development; Ctrl+C stops)."""
    settings = _settings(need_secret=False)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def work() -> None:
        backends = build_backends(settings)
        channel = build_channel(settings, build_pipeline(settings, backends))
        try:
            async with channel.bot:
                typer.echo("正在接收 Telegram 消息（长轮询，Ctrl+C 停止）…")
                await _poll_forever(channel, timeout)
        finally:
            await backends.close()

    try:
        run_with_db(settings, work)
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
