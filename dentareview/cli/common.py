"""Options shared by the CLI commands: flags override the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from dentareview.config import Settings
from dentareview.redaction import scrub

RpcUrlOption = Annotated[
    str | None,
    typer.Option(
        "--rpc-url",
        help="JSON-RPC URL of the node (env DENTAREVIEW_RPC_URL; default http://127.0.0.1:8545)",
        show_default=False,
    ),
]
PrivateKeyOption = Annotated[
    str | None,
    typer.Option(
        "--private-key",
        help=(
            "Operator (admin and relayer) private key (env DENTAREVIEW_OPERATOR_KEY). "
            "Default: Anvil's well-known development key, account 0 "
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 - public, for a local chain only."
        ),
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where manifests and the SQLite file live (env DENTAREVIEW_DATA_DIR; "
        "default ./.dentareview)",
        show_default=False,
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy database URL (env DENTAREVIEW_DATABASE_URL; default: SQLite file "
        "in the data dir)",
        show_default=False,
    ),
]


def load_settings(
    *,
    rpc_url: str | None = None,
    private_key: str | None = None,
    data_dir: Path | None = None,
    database_url: str | None = None,
) -> Settings:
    overrides: dict[str, Any] = {}
    if rpc_url is not None:
        overrides["rpc_url"] = rpc_url
    if private_key is not None:
        overrides["operator_key"] = SecretStr(private_key)
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return Settings(**overrides)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {scrub(message)}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)
