"""`dentareview dentist add|deactivate|rename|names`: on-chain registration plus the
service database; a practice's name changes only by `rename`, which records the decision."""

from __future__ import annotations

import dataclasses
import time
from typing import Annotated

import typer
from eth_account import Account
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
from dentareview.db.session import make_engine, make_session_factory, session_scope
from dentareview.errors import DentaReviewError
from dentareview.services.chain_access import ChainGateway, Deployment
from dentareview.services.dentists import add_dentist, deactivate_dentist
from dentareview.services.practice_names import name_decisions, rename_practice

dentist_app = typer.Typer(
    help="Register, deactivate or rename dentists (admin key).", no_args_is_help=True
)


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
        tx_hash, stored = add_dentist(
            sessions, deployment, address=address, name=name, now=int(time.time())
        )
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    state = f"registered in tx {tx_hash}" if tx_hash else "already active on-chain"
    typer.echo(f"dentist {address} ({stored}): {state}")


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


def _admin_address(settings: Settings) -> str:
    """Who decides from the CLI: the admin key's account, else the operator key's (the
    admin too, on a local chain)."""
    try:
        admin = load_admin_account(settings)
    except AdminKeyError as error:
        raise fail(str(error)) from None
    if admin is not None:
        return str(admin.address)
    return str(Account.from_key(settings.operator_key.get_secret_value()).address)


@dentist_app.command("rename")
def rename_command(
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
    name: Annotated[str, typer.Argument(help="The practice's new name")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the name changes (plain text, recorded)")
    ],
    private_key: PrivateKeyOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    admin_key_env: AdminKeyEnvOption = None,
    admin_keystore: AdminKeystoreOption = None,
    admin_password_env: AdminPasswordEnvOption = None,
) -> None:
    """Change a practice's name, recording who (the admin's account), when, the old and
    the new name and why; the service database only, no transaction."""
    settings = load_settings(
        private_key=private_key,
        data_dir=data_dir,
        database_url=database_url,
        extra=admin_overrides(
            key_env=admin_key_env, keystore=admin_keystore, password_env=admin_password_env
        ),
    )
    who = _admin_address(settings)
    upgrade_database(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            decision = rename_practice(
                session,
                address=address,
                name=name,
                reason=reason,
                decided_by=who,
                channel="cli",
                now=int(time.time()),
            )
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    finally:
        engine.dispose()
    typer.echo(
        f"dentist {decision.dentist}: renamed from {decision.old_name!r} to "
        f"{decision.new_name!r} by {who} (decision {decision.id})"
    )


@dentist_app.command("names")
def names_command(
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100)] = 20,
) -> None:
    """The recorded name changes, newest first."""
    settings = load_settings(data_dir=data_dir, database_url=database_url)
    upgrade_database(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            decisions = name_decisions(session, limit=limit)
    finally:
        engine.dispose()
    if not decisions:
        typer.echo("no name changes recorded")
    for d in decisions:
        when = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(d.decided_at))
        typer.echo(
            f"{when} {d.dentist}: {d.old_name!r} -> {d.new_name!r} by {d.decided_by} "
            f"({d.channel}): {d.reason}"
        )
