"""Whether an account signed a digest: ECDSA for EOAs, ERC-1271 for smart-contract accounts.

EOAs keep the cheap path (no chain call); only a signature that does not recover to the
expected account is put to the account itself, which needs the node.
"""

from __future__ import annotations

from typing import Protocol

from dentareview.domain.typed_data import ecdsa_signer_or_none


class ContractAccounts(Protocol):
    def accepts(self, account: str, digest: bytes, signature: bytes) -> bool: ...


def signed_by(
    account: str, digest: bytes, signature: bytes, contracts: ContractAccounts | None
) -> tuple[bool, str | None]:
    """(whether `account` signed `digest`, the ECDSA signer if the signature has one)."""
    recovered = ecdsa_signer_or_none(digest, signature)
    if recovered is not None and recovered.lower() == account.lower():
        return True, recovered
    if contracts is not None and contracts.accepts(account, digest, signature):
        return True, recovered
    return False, recovered
