"""A passkey patient's transfer of their reward, as the policy sees it before the chain
does: one at a time, to a real address, within the balance and a day's deadline."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address

from dentareview.errors import TransferRejected

DAY = 86_400
ZERO_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class TransferRequest:
    """The signed `Transfer` (the account's own EIP-712 domain) and its signature."""

    token: str
    recipient: str
    amount: int
    nonce: int
    deadline: int
    signature: bytes


def checked_recipient(value: str) -> str:
    """A 0x address in any case, never the zero address; checksummed."""
    if not is_hex_address(value) or (value != value.lower() and not is_checksum_address(value)):
        raise TransferRejected("the recipient is not an address (0x and 40 hex digits)", field="to")
    if value.lower() == ZERO_ADDRESS:
        raise TransferRejected("the zero address cannot receive a reward", field="to")
    return to_checksum_address(value)


def check_transfer(
    request: TransferRequest, *, account: str, token: str, balance: int, next_nonce: int, now: int
) -> None:
    if request.token.lower() != token.lower():
        raise TransferRejected("only the reward token can be sent", field="token")
    if request.recipient.lower() == account.lower():
        raise TransferRejected("the recipient is the account itself", field="to")
    if not 0 < request.amount <= balance:
        raise TransferRejected(
            f"the amount must be more than 0 and at most the account's {balance} units",
            field="amount",
        )
    if request.nonce != next_nonce:
        raise TransferRejected(f"the account's next transfer nonce is {next_nonce}", field="nonce")
    if not now < request.deadline <= now + DAY:
        raise TransferRejected(
            "the deadline must be in the future and at most a day ahead", field="deadline"
        )
