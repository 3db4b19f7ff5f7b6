"""ERC-1271: asking a smart-contract account whether it accepts a signature, and ERC-6492:
asking the registry about a passkey account that is not deployed yet."""

from __future__ import annotations

from typing import Final

from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from dentareview.chain.passkeys import is_erc6492
from dentareview.errors import ChainUnavailable

MAGIC_VALUE: Final = bytes.fromhex("1626ba7e")  # isValidSignature(bytes32,bytes).selector
_ABI: Final = [
    {
        "type": "function",
        "name": "isValidSignature",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "magicValue", "type": "bytes4"}],
    }
]


_REGISTRY_ABI: Final = [
    {
        "type": "function",
        "name": "isValidSignatureNow",
        "stateMutability": "view",
        "inputs": [
            {"name": "signer", "type": "address"},
            {"name": "hash", "type": "bytes32"},
            {"name": "signature", "type": "bytes"},
        ],
        "outputs": [{"name": "", "type": "bool"}],
    }
]


class Erc1271Accounts:
    """The node's answer for contract accounts; EOAs (no code) never accept by ERC-1271.

    An ERC-6492 signature goes to the registry's `isValidSignatureNow`, which checks a
    passkey account of its own factory from the wrapped key, deployed or not: the same
    check the registry makes when it anchors. Without a registry it is refused."""

    def __init__(self, w3: Web3, registry: str | None = None) -> None:
        self._w3 = w3
        self._registry = registry

    def accepts(self, account: str, digest: bytes, signature: bytes) -> bool:
        address = Web3.to_checksum_address(account)
        try:
            if is_erc6492(signature):
                if self._registry is None:
                    return False
                registry = self._w3.eth.contract(
                    address=Web3.to_checksum_address(self._registry), abi=_REGISTRY_ABI
                )
                return bool(
                    registry.functions.isValidSignatureNow(address, digest, signature).call()
                )
            if not self._w3.eth.get_code(address):
                return False
            contract = self._w3.eth.contract(address=address, abi=_ABI)
            answer = contract.functions.isValidSignature(digest, signature).call()
        except (ContractLogicError, Web3RPCError):
            return False  # reverted: the account does not accept it
        except (OSError, ValueError) as error:
            raise ChainUnavailable(
                "the chain is needed to check a smart-account signature and does not answer"
            ) from error
        return bytes(answer) == MAGIC_VALUE
