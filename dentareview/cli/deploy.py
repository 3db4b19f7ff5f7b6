"""`dentareview deploy`: token and registry, roles, reward, manifest."""

from __future__ import annotations

from typing import Annotated

import typer

from dentareview.chain.admin_account import AdminKeyError
from dentareview.chain.client import chain_id_or_none, make_web3
from dentareview.cli.common import (
    fail,
    with_settings,
)
from dentareview.config import Settings
from dentareview.errors import UnsafeKeys
from dentareview.redaction import display_url
from dentareview.services.deploy import AlreadyDeployed, deploy, plan_roles


@with_settings("rpc", "key", "data_dir", "admin", "dev_keys")
def deploy_command(
    settings: Settings,
    force: Annotated[
        bool, typer.Option("--force", help="Deploy even if this chain has a live deployment")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="Do nothing (and succeed) if a live deployment exists"),
    ] = False,
    relayer: Annotated[
        str | None,
        typer.Option(
            help="Address given the relayer role (env DENTAREVIEW_RELAYER_ADDRESS; "
            "default: the operator itself)",
            show_default=False,
        ),
    ] = None,
    admin: Annotated[
        str | None,
        typer.Option(
            help="Address given the admin roles of token and registry, e.g. a Safe "
            "(env DENTAREVIEW_ADMIN_ADDRESS); the deployer then keeps none. Default: the "
            "admin key's account, else the operator",
            show_default=False,
        ),
    ] = None,
    allow_shared_admin: Annotated[
        bool,
        typer.Option(
            "--allow-shared-admin",
            help="Accept one account as admin and relayer on a non-local chain (a throwaway "
            "test network only; env DENTAREVIEW_ALLOW_SHARED_ADMIN)",
        ),
    ] = False,
) -> None:
    """Deploy RewardToken and ReviewRegistry, wire roles, set the reward, write the manifest.

    The admin key (if set) deploys and administers; the operator key relays. Outside a
    local chain (31337, 1337) Anvil's public keys and a shared admin are refused."""
    if allow_shared_admin:
        settings = settings.model_copy(update={"allow_shared_admin": True})
    w3 = make_web3(settings.rpc_url, timeout_seconds=settings.rpc_timeout_seconds)
    if chain_id_or_none(w3) is None:
        raise fail(f"no node answers at {display_url(settings.rpc_url)}; start one (make run does)")
    try:
        plan = plan_roles(settings, w3, relayer=relayer, admin=admin)
    except (UnsafeKeys, AdminKeyError) as refused:
        raise fail(str(refused)) from None
    for warning in plan.warnings:
        typer.secho(warning, fg=typer.colors.RED, bold=True, err=True)
    if settings.uses_dev_key and not plan.warnings:
        typer.echo("note: using Anvil's well-known development key (local chains only)")
    try:
        manifest, path = deploy(settings, w3, force=force, plan=plan)
    except AlreadyDeployed as refused:
        if if_missing:
            typer.echo(f"contracts already deployed: registry {refused.manifest.registry.address}")
            return
        raise fail(str(refused)) from None
    _print(manifest.chain_id, manifest.token.address, manifest.registry.address, plan.admin)
    typer.echo(f"relayer         {manifest.relayer}")
    typer.echo(f"manifest        {path}")


def _print(chain_id: int, token: str, registry: str, admin: str) -> None:
    typer.echo(f"chain id        {chain_id}")
    typer.echo(f"RewardToken     {token}")
    typer.echo(f"ReviewRegistry  {registry}")
    typer.echo(f"admin           {admin}")
