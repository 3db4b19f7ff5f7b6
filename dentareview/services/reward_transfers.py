"""A passkey patient moves their reward out: the signed `Transfer` is checked against the
chain (balance, nonce, and a dry run of the very call the relay will send, which checks
the passkey's signature), bounded, then queued for the outbox (`anchoring/transfers.py`).

Moving a reward is the only thing that deploys a passkey account, and the service pays
for it: at most `account_deployments_per_practice_per_day` a day for the patients who
checked in at one practice, so a dishonest practice's invented patients cannot drain the
relayer by the thousand."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session
from web3.exceptions import ContractLogicError, Web3RPCError

from dentareview.chain.passkey_accounts import PasskeyFactoryContract
from dentareview.chain.passkeys import PasskeyKey
from dentareview.config import Settings
from dentareview.db.models import RewardTransferRow
from dentareview.db.queries.reward_transfers import (
    deployments_since,
    first_practice_of,
    insert_transfer,
    open_transfer_of,
    transfers_of,
)
from dentareview.domain.reward_transfers import DAY, TransferRequest, check_transfer
from dentareview.errors import AccountDeploymentLimit, TransferPending, TransferRejected
from dentareview.services.chain_access import Deployment
from dentareview.services.passkeys import passkey_of_account


def request_transfer(
    session: Session,
    deployment: Deployment,
    settings: Settings,
    *,
    account: str,
    request: TransferRequest,
    now: int,
) -> RewardTransferRow:
    passkey = passkey_of_account(session, account)
    if open_transfer_of(session, account=passkey.account) is not None:
        raise TransferPending()
    factory = PasskeyFactoryContract(deployment.w3, deployment.registry.passkey_account_factory())
    token = deployment.registry.token_address()
    balance = int(deployment.token.functions.balanceOf(passkey.account).call())
    check_transfer(
        request,
        account=passkey.account,
        token=token,
        balance=balance,
        next_nonce=factory.transfer_nonce(passkey.account),
        now=now,
    )
    deploys = not factory.is_deployed(passkey.account)
    practice = first_practice_of(session, account=passkey.account) or passkey.account
    if deploys:
        made = deployments_since(session, practice=practice, since=now - DAY)
        if made >= settings.account_deployments_per_practice_per_day:
            raise AccountDeploymentLimit()
    key = PasskeyKey(qx=bytes.fromhex(passkey.qx[2:]), qy=bytes.fromhex(passkey.qy[2:]))
    call = factory.create_and_transfer(
        key,
        token=token,
        recipient=request.recipient,
        amount=request.amount,
        deadline=request.deadline,
        signature=request.signature,
    )
    try:
        call.call()  # the account checks the passkey's signature, as it will on-chain
    except (ContractLogicError, Web3RPCError):
        raise TransferRejected(
            "your passkey did not sign this transfer; start again from your page",
            field="signature",
        ) from None
    return insert_transfer(
        session,
        RewardTransferRow(
            account=passkey.account,
            practice=practice,
            qx=passkey.qx,
            qy=passkey.qy,
            token=token,
            recipient=request.recipient,
            amount=request.amount,
            transfer_nonce=request.nonce,
            deadline=request.deadline,
            signature=encode_hex(request.signature),
            deploys=deploys,
            status="pending",
            created_at=now,
        ),
    )


def recent_transfers(session: Session, *, account: str) -> list[RewardTransferRow]:
    return list(transfers_of(session, account=account))
