"""The registry a proof is checked against: stated by the user, or read from a
deployment manifest the user trusts; never the one the proof names.

A proof can only vouch for itself, not for its contract: anyone can deploy a
look-alike registry, sign reviews for its domain and anchor them there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_utils.address import is_hex_address, to_checksum_address

from dentareview.audit.verify import Check
from dentareview.chain.deployments import Manifest


class UntrustedRegistry(Exception):
    """No registry to check against, or one that cannot be read: verify cannot run."""


NOT_STATED = (
    "state the registry to check the proof against: --registry ADDRESS (the address the "
    "operator publishes) or --manifest PATH (a deployment manifest you trust, "
    "deployments/<chainId>.json). The registry a proof names proves nothing by itself: "
    "anyone can deploy a look-alike."
)


@dataclass(frozen=True)
class TrustedRegistry:
    address: str  # checksummed
    source: Literal["--registry", "manifest"]
    manifest: Path | None = None
    chain_id: int | None = None  # the manifest's
    token: str | None = None  # the manifest's reward token, checksummed

    def describe(self) -> str:
        if self.manifest is None:
            return f"{self.address} (stated with --registry)"
        return f"{self.address} (from the manifest {self.manifest}, chain {self.chain_id})"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"address": self.address, "source": self.source}
        if self.manifest is not None:
            body["manifest"] = str(self.manifest)
            body["chainId"] = self.chain_id
        return body

    def chain_check(self, proof_chain_id: int) -> Check | None:
        """A failed check when the trusted manifest is for another chain than the proof."""
        if self.chain_id is None or self.chain_id == proof_chain_id:
            return None
        return Check(
            "registry",
            False,
            f"the manifest {self.manifest} is for chain {self.chain_id}, "
            f"the proof for chain {proof_chain_id}",
        )


def _from_manifest(path: Path) -> TrustedRegistry:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UntrustedRegistry(f"cannot read the manifest {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UntrustedRegistry(f"the manifest {path} is not JSON: {error}") from None
    try:
        manifest = Manifest.from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        raise UntrustedRegistry(
            f"{path} is not a deployment manifest (deployments/<chainId>.json): "
            f"missing or malformed {error}"
        ) from None
    address, token = manifest.registry.address, manifest.token.address
    for what, value in (("registry", address), ("token", token)):
        if not isinstance(value, str) or not is_hex_address(value):
            raise UntrustedRegistry(f"{path} is not a deployment manifest: bad {what} address")
    return TrustedRegistry(
        to_checksum_address(address),
        "manifest",
        manifest=path,
        chain_id=manifest.chain_id,
        token=to_checksum_address(token),
    )


def trusted_registry(*, registry: str | None, manifest: Path | None) -> TrustedRegistry:
    """The registry to check against; both given must agree."""
    if registry is None and manifest is None:
        raise UntrustedRegistry(NOT_STATED)
    stated: TrustedRegistry | None = None
    if registry is not None:
        if not is_hex_address(registry):
            raise UntrustedRegistry(f"--registry {registry!r} is not an address")
        stated = TrustedRegistry(to_checksum_address(registry), "--registry")
    if manifest is None:
        assert stated is not None
        return stated
    trusted = _from_manifest(manifest)
    if stated is not None and stated.address != trusted.address:
        raise UntrustedRegistry(
            f"--registry {stated.address} and the manifest's registry {trusted.address} disagree"
        )
    return trusted
