"""Deployment manifests: `<data dir>/deployments/<chainId>.json`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from web3 import Web3


@dataclass(frozen=True)
class DeployedContract:
    address: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Manifest:
    """What was deployed where, by whom, and built how."""

    chain_id: int
    deployer: str
    relayer: str
    token: DeployedContract
    registry: DeployedContract
    transactions: list[dict[str, Any]]
    reward_amount: int
    daily_reward_cap: int
    compiler: dict[str, Any]
    deployed_at: int
    # The admin of the token and the registry; manifests written before it existed
    # had the deployer as admin.
    admin: str | None = None
    # Semaphore's verifier and AnonymousReviews; None in manifests written before them.
    semaphore_verifier: DeployedContract | None = None
    anonymous_reviews: DeployedContract | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        # Amounts exceed JSON-safe integers in many tools: keep them as strings.
        data["reward_amount"] = str(self.reward_amount)
        data["daily_reward_cap"] = str(self.daily_reward_cap)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            chain_id=int(data["chain_id"]),
            deployer=data["deployer"],
            relayer=data["relayer"],
            token=DeployedContract(**data["token"]),
            registry=DeployedContract(**data["registry"]),
            transactions=list(data["transactions"]),
            reward_amount=int(data["reward_amount"]),
            daily_reward_cap=int(data["daily_reward_cap"]),
            compiler=dict(data["compiler"]),
            deployed_at=int(data["deployed_at"]),
            admin=data.get("admin", data["deployer"]),
            semaphore_verifier=_contract_or_none(data.get("semaphore_verifier")),
            anonymous_reviews=_contract_or_none(data.get("anonymous_reviews")),
        )


def _contract_or_none(data: dict[str, Any] | None) -> DeployedContract | None:
    return DeployedContract(**data) if data else None


def manifest_path(deployments_dir: Path, chain_id: int) -> Path:
    return deployments_dir / f"{chain_id}.json"


def load_manifest(deployments_dir: Path, chain_id: int) -> Manifest | None:
    path = manifest_path(deployments_dir, chain_id)
    if not path.exists():
        return None
    return Manifest.from_json(json.loads(path.read_text()))


def only_manifest(deployments_dir: Path) -> Manifest | None:
    """The single manifest on disk, used when the chain cannot be asked its id."""
    paths = sorted(deployments_dir.glob("*.json")) if deployments_dir.exists() else []
    if len(paths) != 1:
        return None
    return Manifest.from_json(json.loads(paths[0].read_text()))


def write_manifest(deployments_dir: Path, manifest: Manifest) -> Path:
    deployments_dir.mkdir(parents=True, exist_ok=True)
    path = manifest_path(deployments_dir, manifest.chain_id)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
    temporary.replace(path)  # atomic: a crash never leaves half a manifest
    return path


def is_live(w3: Web3, manifest: Manifest) -> bool:
    """True when the chain still has code at the manifest's addresses."""
    registry = Web3.to_checksum_address(manifest.registry.address)
    token = Web3.to_checksum_address(manifest.token.address)
    return len(w3.eth.get_code(registry)) > 0 and len(w3.eth.get_code(token)) > 0
