"""``minyi``: the operators' command (serve, migrate, notifier, chat, and the channel tools).

Each command reads the settings once (``bot.root.load_config``) and builds what it runs from
them; a wrong setting, a part that cannot be built or a busy port is one line and exit code 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import typer
from aiohttp import web

from bot import accesslog
from bot.app import create_app
from bot.channels import console
from bot.channels.telegram import cli as telegram_cli
from bot.channels.wechat import cli as wechat_cli
from bot.root import Config, database, load_config, migrates_itself
from bot.services import services
from notifier import metrics
from notifier.service import build_relay, run_relay
from storage import redis_check
from storage.db import migrate as migrate_db
from storage.errors import StartupError

app = typer.Typer(help="民意 minyi — the service (serve, migrate, notifier, chat).", no_args_is_help=True)
app.add_typer(wechat_cli.app, name="wechat")
app.add_typer(telegram_cli.app, name="telegram")


def _logging(config: Config) -> None:
    logging.basicConfig(level=config.core.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (MINYI_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (MINYI_PORT, default 8080)")] = None,
) -> None:
    """Run the service: web chat, /healthz, /metrics and the configured channels."""
    config = load_config()
    if config.telegram.enabled and not config.telegram.webhook:
        raise StartupError(
            "设置了 MINYI_TELEGRAM_TOKEN 但没有 MINYI_TELEGRAM_SECRET：/telegram 无法接收消息。"
            "请设置 webhook 密钥（开发时可改用 minyi telegram poll）。"
        )
    _logging(config)
    # drafts live in Redis: they must survive its restart (checked before anything listens)
    durability = asyncio.run(redis_check.check(config.core)) if config.core.redis_url else None
    asyncio.run(_serve(config, host or config.core.host, port or config.core.port, durability))


async def _serve(config: Config, host: str, port: int, durability: str | None = None) -> None:
    async with database(config, migrate=migrates_itself(config)), services(config) as built:
        runner = accesslog.runner(create_app(built))
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, host, port).start()
            except OSError as exc:
                where = f"{host}:{port}"
                raise StartupError(
                    f"无法在 {where} 上监听：{_why(exc)}。可用 MINYI_PORT 换一个端口。"
                ) from exc
            async with _metrics_site(config, config.core.metrics_port) as metrics_line:
                typer.echo(f"minyi 已启动：在浏览器打开 http://{host}:{port}/ 使用网页版（Ctrl+C 停止）")
                state = f"Redis，{durability}" if durability else "本进程 + 数据库"
                channels = "、".join(["网页", *built.senders]) + (
                    "（通知中继内置）" if config.core.notifier_embedded else ""
                )
                typer.echo(
                    f"数据库：{config.core.database_url}；状态：{state}；渠道：{channels}{metrics_line}"
                )
                await _until_signal()
        finally:
            await runner.cleanup()


@asynccontextmanager
async def _metrics_site(config: Config, port: int | None) -> AsyncIterator[str]:
    """``/metrics`` on its own port while the block runs (nothing when ``port`` is None); yields
    the start-up line's note about it."""
    if port is None:
        yield ""
        return
    host = config.core.metrics_host
    try:
        runner = await metrics.start_site(config.core, port)
    except OSError as exc:
        raise StartupError(
            f"无法在 {host}:{port} 上提供 /metrics：{_why(exc)}。可用 MINYI_METRICS_PORT 换一个端口。"
        ) from exc
    try:
        yield f"；指标：http://{host}:{port}/metrics"
    finally:
        await runner.cleanup()


def _why(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "端口已被占用（另一个 minyi serve 还在运行？）"
    if exc.errno == errno.EACCES:
        return "没有权限使用这个端口"
    return str(exc)


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    config = load_config()
    asyncio.run(migrate_db(config.core.database_url))
    typer.echo(f"数据库已是最新结构：{config.core.database_url}")


@app.command()
def notifier(
    metrics_port: Annotated[
        int | None,
        typer.Option(help="also serve this relay's /metrics on MINYI_METRICS_HOST:PORT (MINYI_METRICS_PORT)"),
    ] = None,
) -> None:
    """Run the outbox relay: deliver status notices through each channel's rules."""
    config = load_config()
    _logging(config)
    asyncio.run(_notifier(config, metrics_port))
    typer.echo("通知中继已停止。")


async def _notifier(config: Config, metrics_port: int | None) -> None:
    async with database(config, migrate=False), services(config) as built:
        relay = build_relay(config.core, built.senders)
        async with _metrics_site(config, metrics_port or config.core.metrics_port) as metrics_line:
            channels = "、".join(built.senders) or "无推送渠道（网页/终端的通知随群众下一条消息送达）"
            typer.echo(f"通知中继已启动：{channels}{metrics_line}")
            await run_relay(relay)


@app.command()
def chat(user: Annotated[str, typer.Option("--user", help="your name in this terminal chat")]) -> None:
    """Talk to the bot in this terminal, as a citizen (the console channel), on the same database."""
    config = load_config()

    async def work() -> None:
        async with database(config, migrate=False), services(config) as built:
            await console.chat(built.pipeline, user)

    asyncio.run(work())


def main() -> None:
    try:
        app()
    except StartupError as exc:
        typer.secho(f"minyi：{exc}", fg="red", err=True)
        sys.exit(1)
