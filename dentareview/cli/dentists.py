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
    fail,
    with_settings,
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
@with_settings("rpc", "key", "data_dir", "database", "admin")
def add_command(
    settings: Settings,
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
    name: Annotated[str, typer.Option("--name", help="Practice or dentist name")],
) -> None:
    """Register a dentist on-chain (or reactivate one) and in the service database."""
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
@with_settings("rpc", "key", "data_dir", "database", "admin")
def deactivate_command(
    settings: Settings,
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
) -> None:
    """Deactivate a dentist: new visits are refused; existing reviews stay valid."""
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
@with_settings("key", "data_dir", "database", "admin")
def rename_command(
    settings: Settings,
    address: Annotated[str, typer.Argument(help="The dentist's wallet address")],
    name: Annotated[str, typer.Argument(help="The practice's new name")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the name changes (plain text, recorded)")
    ],
) -> None:
    """Change a practice's name, recording who (the admin's account), when, the old and
    the new name and why; the service database only, no transaction."""
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
@with_settings("data_dir", "database")
def names_command(
    settings: Settings,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100)] = 20,
) -> None:
    """The recorded name changes, newest first."""
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
