"""ERC-1271: asking a smart-contract account whether it accepts a signature."""

from __future__ import annotations

from typing import Final

from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

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


class Erc1271Accounts:
    """The node's answer for contract accounts; EOAs (no code) never accept by ERC-1271."""

    def __init__(self, w3: Web3) -> None:
        self._w3 = w3

    def accepts(self, account: str, digest: bytes, signature: bytes) -> bool:
        address = Web3.to_checksum_address(account)
        try:
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
