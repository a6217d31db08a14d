"""``minyi``: the operators' command (serve, migrate, chat)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from aiohttp import web

from bot.app import build_pipeline, create_app
from bot.channels import console
from bot.channels.telegram import cli as telegram_cli
from bot.channels.wechat import cli as wechat_cli
from notifier import service as notifier_service
from storage.backends import build_backends
from storage.config import Settings
from storage.db import migrate as migrate_db
from storage.runtime import run_with_db

app = typer.Typer(help="民意 minyi — the service (serve, migrate, chat).", no_args_is_help=True)
app.add_typer(wechat_cli.app, name="wechat")
app.add_typer(notifier_service.app, name="notifier")
app.add_typer(telegram_cli.app, name="telegram")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (MINYI_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (MINYI_PORT, default 8080)")] = None,
) -> None:
    """Run the service: web chat, /healthz and the configured channels."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"minyi 已启动：在浏览器打开 http://{host}:{port}/ 使用网页版（Ctrl+C 停止）")
    typer.echo(
        f"数据库：{settings.database_url}；状态：{'Redis' if settings.redis_url else '本进程 + 数据库'}"
    )
    web.run_app(create_app(settings), host=host, port=port, print=None)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = Settings()
    asyncio.run(migrate_db(settings.database_url))
    typer.echo(f"数据库已是最新结构：{settings.database_url}")


@app.command()
def chat(user: Annotated[str, typer.Option("--user", help="your name in this terminal chat")]) -> None:
    """Talk to the bot in this terminal, as a citizen (the console channel)."""
    settings = Settings()

    async def work() -> None:
        backends = build_backends(settings)
        try:
            await console.chat(build_pipeline(settings, backends), user)
        finally:
            await backends.close()

    run_with_db(settings, work)


def main() -> None:
    app()
