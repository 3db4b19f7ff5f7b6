"""Find the deployed contracts on the configured chain, or say why not."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.client import chain_id_or_none, make_web3
from dentareview.chain.deployments import Manifest, load_manifest, only_manifest
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.key_safety import check_keys
from dentareview.chain.registry import RegistryContract
from dentareview.chain.transactions import TransactionSender
from dentareview.config import Settings
from dentareview.errors import ChainUnavailable, NotDeployed, UnsafeKeys
from dentareview.observability.dependencies import instrument_web3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deployment:
    """The contracts the service talks to, and the operator that signs for it."""

    w3: Web3
    manifest: Manifest
    registry: RegistryContract
    token: Contract
    sender: TransactionSender


class ChainGateway:
    """Lazily connects, so the service starts (and accepts reviews) while the chain is down."""

    def __init__(self, settings: Settings, w3: Web3 | None = None) -> None:
        self._settings = settings
        self.w3 = w3 or instrument_web3(
            make_web3(settings.rpc_url, timeout_seconds=settings.rpc_timeout_seconds)
        )
        self._manifest: Manifest | None = None
        self._warned = False
        # The contract wrappers, built once (web3 parses their ABIs) per manifest and chain.
        self._deployment: tuple[tuple[int, int], Deployment] | None = None

    def contract_accounts(self) -> Erc1271Accounts:
        """Checks smart-contract accounts' signatures (ERC-1271, and ERC-6492 through the
        registry for passkey accounts not deployed yet) through the node."""
        try:
            registry: str | None = self.manifest().registry.address
        except NotDeployed:
            registry = None
        return Erc1271Accounts(self.w3, registry)

    def is_up(self) -> bool:
        return chain_id_or_none(self.w3) is not None

    def manifest(self) -> Manifest:
        """The deployment manifest, found by the chain's id (or offline, by settings)."""
        if self._manifest is not None:
            return self._manifest
        deployments = self._settings.deployments_dir
        chain_id = chain_id_or_none(self.w3) or self._settings.chain_id
        manifest = (
            load_manifest(deployments, chain_id)
            if chain_id is not None
            else only_manifest(deployments)
        )
        if manifest is None:
            # Neither the node's URL (it often holds an API key) nor a server path.
            where = f"chain {chain_id}" if chain_id is not None else "the configured chain"
            raise NotDeployed(
                f"no DentaReview deployment is recorded for {where}; "
                "the operator must run `dentareview deploy`"
            )
        self._manifest = manifest
        return manifest

    def deployment(self) -> Deployment:
        """Everything needed to send transactions; raises when the chain is away."""
        manifest = self.manifest()
        chain_id = chain_id_or_none(self.w3)
        if chain_id is None:
            raise ChainUnavailable("the chain node does not answer")
        key = self._settings.operator_key.get_secret_value()
        self._check_operator_key(chain_id, key)
        cache_key = (id(manifest), chain_id)
        if self._deployment is not None and self._deployment[0] == cache_key:
            return self._deployment[1]
        token_abi = load_artifact("RewardToken").abi
        operator = Account.from_key(key)
        deployment = Deployment(
            w3=self.w3,
            manifest=manifest,
            registry=RegistryContract(self.w3, manifest.registry.address),
            token=self.w3.eth.contract(
                address=Web3.to_checksum_address(manifest.token.address), abi=token_abi
            ),
            sender=TransactionSender(self.w3, operator),
        )
        self._deployment = (cache_key, deployment)
        return deployment

    def unsafe_keys(self) -> str | None:
        """Why the operator key may not sign on this chain (for /health), or None."""
        chain_id = chain_id_or_none(self.w3)
        if chain_id is None:
            return None
        try:
            self._check_operator_key(chain_id, self._settings.operator_key.get_secret_value())
        except UnsafeKeys as refused:
            return refused.message
        return None

    def _check_operator_key(self, chain_id: int, key: str) -> None:
        """No signing with a public development key outside a local chain, unless forced
        (then a loud warning, once per gateway)."""
        warnings = check_keys(
            chain_id, keys={"operator": key}, allow_dev_keys=self._settings.allow_dev_keys
        )
        if warnings and not self._warned:
            self._warned = True
            for warning in warnings:
                log.warning("%s", warning)
