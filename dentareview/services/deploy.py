"""Deploy the contracts once per chain and record the manifest."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from dentareview.chain.admin_account import load_admin_account
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
from dentareview.chain.key_safety import check_keys, check_separation
from dentareview.config import Settings

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class RolePlan:
    """Who deploys, who administers, who relays; and what was forced through."""

    chain_id: int
    deployer: LocalAccount
    admin: str
    relayer: str
    warnings: list[str] = field(default_factory=list)


def plan_roles(
    settings: Settings, w3: Web3, *, relayer: str | None = None, admin: str | None = None
) -> RolePlan:
    """The role layout of a deployment, checked against the chain it goes to.

    The admin key (if configured) deploys and stays admin; otherwise the operator
    key deploys. `admin` (or settings.admin_address), e.g. a Safe, takes the admin
    roles from the deployer. Outside a local chain, development keys and one
    account as both admin and relayer raise UnsafeKeys unless forced by settings.
    Raises AdminKeyError when the admin key cannot be loaded.
    """
    chain_id = int(w3.eth.chain_id)
    operator: LocalAccount = Account.from_key(settings.operator_key.get_secret_value())
    admin_account = load_admin_account(settings)
    deployer = admin_account or operator
    relayer_address = Web3.to_checksum_address(
        relayer or settings.relayer_address or operator.address
    )
    admin_address = Web3.to_checksum_address(admin or settings.admin_address or deployer.address)
    keys = {} if admin_account is None else {"admin": admin_account.key.hex()}
    if admin_account is None or relayer_address == operator.address:
        keys["operator"] = operator.key.hex()  # it deploys, or it relays
    warnings = check_keys(
        chain_id,
        keys=keys,
        addresses={"admin": admin_address, "relayer": relayer_address},
        allow_dev_keys=settings.allow_dev_keys,
    )
    warnings += check_separation(
        chain_id,
        admin=admin_address,
        relayer=relayer_address,
        allow_shared_admin=settings.allow_shared_admin,
    )
    return RolePlan(chain_id, deployer, admin_address, relayer_address, warnings)


def deploy(
    settings: Settings,
    w3: Web3,
    *,
    force: bool = False,
    relayer: str | None = None,
    admin: str | None = None,
    plan: RolePlan | None = None,
) -> tuple[Manifest, Path]:
    chain_id = int(w3.eth.chain_id)
    existing = live_manifest(settings, w3)
    if existing is not None and not force:
        raise AlreadyDeployed(manifest_path(settings.deployments_dir, chain_id), existing)
    if plan is None:
        plan = plan_roles(settings, w3, relayer=relayer, admin=admin)
        for warning in plan.warnings:
            log.warning("%s", warning)
    deployed = deploy_contracts(
        w3,
        plan.deployer,
        admin=plan.admin,
        relayer=plan.relayer,
        reward_amount=settings.reward_amount,
        daily_reward_cap=settings.daily_reward_cap,
        dentist_daily_reward_limit=settings.dentist_daily_reward_limit,
    )
    by_name = {tx.name: tx for tx in deployed.transactions}
    registry_artifact = load_artifact("ReviewRegistry")
    manifest = Manifest(
        chain_id=chain_id,
        deployer=plan.deployer.address,
        relayer=plan.relayer,
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
        admin=plan.admin,
        semaphore_verifier=DeployedContract(
            deployed.semaphore_verifier_address,
            by_name["SemaphoreVerifier"].tx_hash,
            by_name["SemaphoreVerifier"].block_number,
        ),
        anonymous_reviews=DeployedContract(
            deployed.anonymous_reviews_address,
            by_name["AnonymousReviews"].tx_hash,
            by_name["AnonymousReviews"].block_number,
        ),
    )
    return manifest, write_manifest(settings.deployments_dir, manifest)
