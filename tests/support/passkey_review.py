"""A passkey patient of a deployment, before the account exists: the key, the registry's
factory, the account's address, and its ERC-6492 signature of a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.hexadecimal import encode_hex

from dentareview.audit.webauthn_check import registry_factory
from dentareview.chain.passkeys import passkey_account_address, wrap_erc6492
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import typed_digest
from tests.support.passkey import SoftPasskey


@dataclass
class PasskeyPatient:
    registry: str
    passkey: SoftPasskey = field(default_factory=SoftPasskey)

    @property
    def factory(self) -> str:
        return registry_factory(self.registry)

    @property
    def address(self) -> str:
        return passkey_account_address(self.factory, self.passkey.key)

    def wrap(self, signature: bytes, *, factory: str | None = None) -> bytes:
        return wrap_erc6492(factory or self.factory, self.passkey.key, signature)

    def sign_typed(self, chain_id: int, primary: str, message: dict[str, Any]) -> str:
        """The 0x-hex ERC-6492 signature of `message` in the deployment's domain."""
        digest = typed_digest(Eip712Domain(chain_id, self.registry), primary, message)
        return encode_hex(self.wrap(self.passkey.sign(digest)))
