"""`dentareview dentist add|deactivate`: on-chain registration plus the service database."""

from __future__ import annotations

import dataclasses
import time
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from dentareview.chain.admin_account import AdminKeyError, load_admin_account
from dentareview.chain.transactions import TransactionSender
from dentareview.cli.common import (
    AdminKeyEnvOption,
    AdminKeystoreOption,
    AdminPasswordEnvOption,
    DatabaseUrlOption,
    DataDirOption,
    PrivateKeyOption,
    RpcUrlOption,
    admin_overrides,
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
    """The deployed contracts, signing as the admin, and a migrated database."""
    deployment = ChainGateway(settings).deployment()
    try:
        admin = load_admin_account(settings)
    except AdminKeyError as error:
        raise fail(str(error)) from None
    if admin is not None:  # the admin's own key; else the operator is also the admin
        deployment = dataclasses.replace(deployment, sender=TransactionSender(deployment.w3, admin))
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
    admin_key_env: AdminKeyEnvOption = None,
    admin_keystore: AdminKeystoreOption = None,
    admin_password_env: AdminPasswordEnvOption = None,
) -> None:
    """Register a dentist on-chain (or reactivate one) and in the service database."""
    settings = load_settings(
        rpc_url=rpc_url,
        private_key=private_key,
        data_dir=data_dir,
        database_url=database_url,
        extra=admin_overrides(
            key_env=admin_key_env, keystore=admin_keystore, password_env=admin_password_env
        ),
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
    admin_key_env: AdminKeyEnvOption = None,
    admin_keystore: AdminKeystoreOption = None,
    admin_password_env: AdminPasswordEnvOption = None,
) -> None:
    """Deactivate a dentist: new visits are refused; existing reviews stay valid."""
    settings = load_settings(
        rpc_url=rpc_url,
        private_key=private_key,
        data_dir=data_dir,
        database_url=database_url,
        extra=admin_overrides(
            key_env=admin_key_env, keystore=admin_keystore, password_env=admin_password_env
        ),
    )
    try:
        deployment, sessions = _connect(settings)
        tx_hash = deactivate_dentist(sessions, deployment, address=address, now=int(time.time()))
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    state = f"deactivated in tx {tx_hash}" if tx_hash else "was not active on-chain"
    typer.echo(f"dentist {address}: {state}")
