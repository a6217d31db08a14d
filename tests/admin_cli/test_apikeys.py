"""``minyi-admin apikeys add|list|revoke`` (registered here as the lead will in ``admin_cli.main``)."""

from __future__ import annotations

import hashlib
import json

import typer
from typer.testing import CliRunner

from admin_cli import apikeys
from storage.models import ApiKey
from tests.runtime import run_with_db

runner = CliRunner()
tool = typer.Typer()
tool.add_typer(apikeys.app, name="apikeys")


def cli(*args: str) -> str:
    result = runner.invoke(tool, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_add_list_revoke(database: str) -> None:
    out = cli("apikeys", "add", "12345", "--can", "read-own")
    secret = out.strip().splitlines()[-1]
    assert "只显示这一次" in out and len(secret) == 32

    async def stored() -> str:
        return (await ApiKey.get(name="12345")).secret_hash

    assert run_with_db(database, stored, migrate=False) == hashlib.sha256(secret.encode()).hexdigest()
    rows = json.loads(cli("apikeys", "list", "--json"))
    assert rows[0]["name"] == "12345" and rows[0]["can"] == "read-own" and rows[0]["uses"] == 0
    assert secret not in cli("apikeys", "list") and "12345" in cli("apikeys", "list")
    cli("apikeys", "revoke", "12345")
    assert json.loads(cli("apikeys", "list", "--json"))[0]["revoked_at"]
    assert runner.invoke(tool, ["apikeys", "add", "12345", "--can", "submit"]).exit_code == 1
    assert runner.invoke(tool, ["apikeys", "add", "x", "--can", "all"]).exit_code == 1
    assert runner.invoke(tool, ["apikeys", "revoke", "nobody"]).exit_code == 1
