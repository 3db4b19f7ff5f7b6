"""`dentareview dentist add|deactivate`: on-chain registration plus the service database."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from dentareview.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    PrivateKeyOption,
    RpcUrlOption,
    fail,
    load_settings,
)
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.errors import DentaReviewError
from dentareview.services.chain_access import ChainGateway, Deployment
from dentareview.services.dentists import deactivate_dentist, register_dentist

dentist_app = typer.Typer(help="Register or deactivate dentists (admin key).", no_args_is_help=True)


def _connect(settings: Settings) -> tuple[Deployment, sessionmaker[Session]]:
    """The deployed contracts and a migrated database, or a clear error."""
    deployment = ChainGateway(settings).deployment()
    upgrade_database(settings.resolved_database_url)
    return deployment, make_session_factory(make_engine(settings.resolved_database_url))


@dentist_app.command("add")
def add_command(
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
    name: Annotated[str, typer.Option("--name", help="Practice or dentist name")],
    rpc_url: RpcUrlOption = None,
    private_key: PrivateKeyOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Register a dentist on-chain (or reactivate one) and in the service database."""
    settings = load_settings(
        rpc_url=rpc_url, private_key=private_key, data_dir=data_dir, database_url=database_url
    )
    try:
        deployment, sessions = _connect(settings)
        tx_hash = register_dentist(
            sessions, deployment, address=address, name=name, now=int(time.time())
        )
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    state = f"registered in tx {tx_hash}" if tx_hash else "already active on-chain"
    typer.echo(f"dentist {address} ({name}): {state}")


@dentist_app.command("deactivate")
def deactivate_command(
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
    rpc_url: RpcUrlOption = None,
    private_key: PrivateKeyOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Deactivate a dentist: new visits are refused; existing reviews stay valid."""
    settings = load_settings(
        rpc_url=rpc_url, private_key=private_key, data_dir=data_dir, database_url=database_url
    )
    try:
        deployment, sessions = _connect(settings)
        tx_hash = deactivate_dentist(sessions, deployment, address=address, now=int(time.time()))
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    state = f"deactivated in tx {tx_hash}" if tx_hash else "was not active on-chain"
    typer.echo(f"dentist {address}: {state}")
