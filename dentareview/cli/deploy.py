"""`dentareview deploy`: token and registry, roles, reward, manifest."""

from __future__ import annotations

from typing import Annotated

import typer

from dentareview.chain.client import chain_id_or_none, make_web3
from dentareview.cli.common import (
    DataDirOption,
    PrivateKeyOption,
    RpcUrlOption,
    fail,
    load_settings,
)
from dentareview.redaction import display_url
from dentareview.services.deploy import AlreadyDeployed, deploy


def deploy_command(
    rpc_url: RpcUrlOption = None,
    private_key: PrivateKeyOption = None,
    data_dir: DataDirOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Deploy even if this chain has a live deployment")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="Do nothing (and succeed) if a live deployment exists"),
    ] = False,
    relayer: Annotated[
        str | None,
        typer.Option(help="Address given the relayer role (default: the operator itself)"),
    ] = None,
) -> None:
    """Deploy RewardToken and ReviewRegistry, wire roles, set the reward, write the manifest."""
    settings = load_settings(rpc_url=rpc_url, private_key=private_key, data_dir=data_dir)
    w3 = make_web3(settings.rpc_url, timeout_seconds=settings.rpc_timeout_seconds)
    if chain_id_or_none(w3) is None:
        raise fail(f"no node answers at {display_url(settings.rpc_url)}; start one (make run does)")
    if settings.uses_dev_key:
        typer.echo("note: using Anvil's well-known development key (local chains only)")
    try:
        manifest, path = deploy(settings, w3, force=force, relayer=relayer)
    except AlreadyDeployed as refused:
        if if_missing:
            typer.echo(f"contracts already deployed: registry {refused.manifest.registry.address}")
            return
        raise fail(str(refused)) from None
    typer.echo(f"chain id        {manifest.chain_id}")
    typer.echo(f"RewardToken     {manifest.token.address}")
    typer.echo(f"ReviewRegistry  {manifest.registry.address}")
    typer.echo(f"relayer         {manifest.relayer}")
    typer.echo(f"manifest        {path}")
