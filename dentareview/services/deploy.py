"""Deploy the contracts once per chain and record the manifest."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from eth_account import Account
from web3 import Web3

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployer import deploy_contracts
from dentareview.chain.deployments import (
    DeployedContract,
    Manifest,
    is_live,
    load_manifest,
    manifest_path,
    write_manifest,
)
from dentareview.config import Settings


class AlreadyDeployed(Exception):
    """The chain already has a live deployment recorded in the manifest."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        super().__init__(
            f"chain {manifest.chain_id} already has a live deployment "
            f"(registry {manifest.registry.address}, recorded in {path}); "
            "pass --force to deploy a new one"
        )
        self.path = path
        self.manifest = manifest


def live_manifest(settings: Settings, w3: Web3) -> Manifest | None:
    manifest = load_manifest(settings.deployments_dir, int(w3.eth.chain_id))
    if manifest is None or not is_live(w3, manifest):
        return None
    return manifest


def deploy(
    settings: Settings, w3: Web3, *, force: bool = False, relayer: str | None = None
) -> tuple[Manifest, Path]:
    chain_id = int(w3.eth.chain_id)
    existing = live_manifest(settings, w3)
    if existing is not None and not force:
        raise AlreadyDeployed(manifest_path(settings.deployments_dir, chain_id), existing)
    operator = Account.from_key(settings.operator_key.get_secret_value())
    relayer_address = Web3.to_checksum_address(relayer) if relayer else operator.address
    deployed = deploy_contracts(
        w3,
        operator,
        relayer=relayer_address,
        reward_amount=settings.reward_amount,
        daily_reward_cap=settings.daily_reward_cap,
        dentist_daily_reward_limit=settings.dentist_daily_reward_limit,
    )
    by_name = {tx.name: tx for tx in deployed.transactions}
    registry_artifact = load_artifact("ReviewRegistry")
    manifest = Manifest(
        chain_id=chain_id,
        deployer=operator.address,
        relayer=relayer_address,
        token=DeployedContract(
            deployed.token_address,
            by_name["RewardToken"].tx_hash,
            by_name["RewardToken"].block_number,
        ),
        registry=DeployedContract(
            deployed.registry_address,
            by_name["ReviewRegistry"].tx_hash,
            by_name["ReviewRegistry"].block_number,
        ),
        transactions=[asdict(tx) for tx in deployed.transactions],
        reward_amount=settings.reward_amount,
        daily_reward_cap=settings.daily_reward_cap,
        compiler={
            "version": registry_artifact.compiler_version,
            "settings": registry_artifact.compiler_settings,
        },
        deployed_at=int(time.time()),
    )
    return manifest, write_manifest(settings.deployments_dir, manifest)
