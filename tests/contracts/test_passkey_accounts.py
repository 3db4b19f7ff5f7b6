"""Passkey accounts: a patient's WebAuthn key checked by the chain, before and after the
account exists (ERC-6492 through the registry's own factory, then ERC-1271), and the signed
transfer that moves the reward out."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.passkeys import PasskeyKey, passkey_account_address, wrap_erc6492
from tests.contracts.helpers import (
    REWARD,
    Review,
    Submission,
    System,
    Visit,
    digest,
    events,
    latest_timestamp,
    new_visit_id,
    revert_of,
    sign,
    transact,
)
from tests.support.anvil import dev_account
from tests.support.passkey import SoftPasskey

REVIEW_TEXT = (
    "Gentle cleaning, clear advice about my gums, and the appointment started right on time."
)


def factory_of(system: System) -> Contract:
    address = Web3.to_checksum_address(system.registry.functions.passkeyAccountFactory().call())
    return system.w3.eth.contract(address=address, abi=load_artifact("PasskeyAccountFactory").abi)


def account_at(system: System, address: str) -> Contract:
    return system.w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=load_artifact("PasskeyAccount").abi
    )


def passkey_submission(
    system: System,
    dentist: LocalAccount,
    passkey: SoftPasskey,
    *,
    account: str | None = None,
    wrap: bool = True,
    user_verified: bool = True,
) -> Submission:
    """A visit of the passkey's account and its review, signed by the passkey as a browser would."""
    factory = factory_of(system)
    patient = account or passkey_account_address(factory.address, passkey.key)
    now = latest_timestamp(system.w3)
    visit = Visit(new_visit_id(), patient, dentist.address, now - 3600)
    review = Review(visit.visit_id, 4, 4, 5, 3, REVIEW_TEXT, now + 3600)
    where: dict[str, Any] = {"chain_id": system.chain_id, "registry": system.registry_address}
    signature = passkey.sign(
        digest("Review", review.message(), **where), user_verified=user_verified
    )
    if wrap:
        signature = wrap_erc6492(factory.address, passkey.key, signature)
    return Submission(visit, sign(dentist, "Visit", visit.message(), **where), review, signature)


def test_the_address_is_known_before_deployment_and_is_where_the_account_lands(
    system: System, admin: LocalAccount
) -> None:
    factory, passkey = factory_of(system), SoftPasskey()
    predicted = passkey_account_address(factory.address, passkey.key)
    assert factory.functions.accountAddress(passkey.key.qx, passkey.key.qy).call() == predicted
    assert system.w3.eth.get_code(predicted) == b""
    receipt = transact(
        system.w3, admin, factory.functions.createAccount(passkey.key.qx, passkey.key.qy)
    )
    [created] = events(factory, "AccountCreated", receipt)
    assert created["args"]["account"] == predicted
    assert system.w3.eth.get_code(predicted) != b""
    # Idempotent: a second call deploys nothing and does not revert.
    again = transact(
        system.w3, admin, factory.functions.createAccount(passkey.key.qx, passkey.key.qy)
    )
    assert events(factory, "AccountCreated", again) == []


def test_a_passkey_review_is_anchored_and_paid_without_deploying_the_account(
    system: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    passkey = SoftPasskey()
    submission = passkey_submission(system, dentist, passkey)
    receipt = transact(
        system.w3, relayer, system.registry.functions.submitReview(*submission.args())
    )
    [anchored] = events(system.registry, "ReviewAnchored", receipt)
    account = submission.visit.patient
    assert anchored["args"]["patient"] == account
    assert system.token.functions.balanceOf(account).call() == REWARD
    assert system.w3.eth.get_code(Web3.to_checksum_address(account)) == b""


@pytest.mark.parametrize(
    "forgery",
    ["another passkey", "no user verification", "a foreign factory", "unwrapped before deployment"],
)
def test_the_chain_refuses_what_the_patients_passkey_did_not_sign(
    system: System, relayer: LocalAccount, dentist: LocalAccount, forgery: str
) -> None:
    victim, thief = SoftPasskey(), SoftPasskey()
    account = passkey_account_address(factory_of(system).address, victim.key)
    if forgery == "another passkey":
        # The thief's assertion, wrapped as if it were the victim's key: the key does not match.
        submission = passkey_submission(system, dentist, thief, account=account, wrap=False)
        signature = wrap_erc6492(
            factory_of(system).address, victim.key, submission.review_signature
        )
    elif forgery == "no user verification":
        submission = passkey_submission(system, dentist, victim, user_verified=False)
        signature = submission.review_signature
    elif forgery == "a foreign factory":
        submission = passkey_submission(system, dentist, victim, wrap=False)
        foreign = dev_account(9).address
        signature = wrap_erc6492(foreign, victim.key, submission.review_signature)
    else:
        submission = passkey_submission(system, dentist, victim, wrap=False)
        signature = submission.review_signature
    forged = Submission(submission.visit, submission.visit_signature, submission.review, signature)
    call = system.registry.functions.submitReview(*forged.args())
    name, *_ = revert_of(call, relayer.address, system.registry.abi)
    assert name == "NotVisitPatient"
    assert system.token.functions.balanceOf(account).call() == 0


def test_is_valid_signature_now_answers_for_every_kind_of_signer(
    system: System, admin: LocalAccount
) -> None:
    hash_ = keccak(text="a digest")
    passkey = SoftPasskey()
    factory = factory_of(system)
    account = passkey_account_address(factory.address, passkey.key)
    wrapped = wrap_erc6492(factory.address, passkey.key, passkey.sign(hash_))
    check = system.registry.functions.isValidSignatureNow
    assert check(account, hash_, wrapped).call() is True
    assert check(account, keccak(text="another"), wrapped).call() is False
    eoa = dev_account(5)
    signed = bytes(eoa.unsafe_sign_hash(Hash32(hash_)).signature)
    assert check(eoa.address, hash_, signed).call() is True
    assert check(dev_account(6).address, hash_, signed).call() is False
    # Once deployed, the account answers itself (ERC-1271), wrapped or not.
    transact(system.w3, admin, factory.functions.createAccount(passkey.key.qx, passkey.key.qy))
    assert check(account, hash_, wrapped).call() is True
    assert check(account, hash_, passkey.sign(hash_)).call() is True
    assert account_at(system, account).functions.isValidSignature(
        hash_, passkey.sign(hash_)
    ).call() == bytes.fromhex("1626ba7e")


def transfer_signature(
    system: System,
    account: str,
    passkey: SoftPasskey,
    *,
    to: str,
    amount: int,
    deadline: int,
    nonce: int,
) -> bytes:
    message = {
        "token": system.token.address,
        "to": to,
        "amount": amount,
        "nonce": nonce,
        "deadline": deadline,
    }
    full = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Transfer": [
                {"name": "token", "type": "address"},
                {"name": "to", "type": "address"},
                {"name": "amount", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint64"},
            ],
        },
        "primaryType": "Transfer",
        "domain": {
            "name": "DentaReview Passkey Account",
            "version": "1",
            "chainId": system.chain_id,
            "verifyingContract": account,
        },
        "message": message,
    }
    from eth_account.messages import encode_typed_data

    signable = encode_typed_data(full_message=full)
    return passkey.sign(keccak(b"\x19" + signable.version + signable.header + signable.body))


def test_the_reward_moves_out_on_the_passkeys_signature_once(
    system: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    passkey = SoftPasskey()
    submission = passkey_submission(system, dentist, passkey)
    transact(system.w3, relayer, system.registry.functions.submitReview(*submission.args()))
    account = submission.visit.patient
    to = dev_account(8).address
    before = system.token.functions.balanceOf(to).call()
    deadline = latest_timestamp(system.w3) + 600
    signature = transfer_signature(
        system, account, passkey, to=to, amount=REWARD, deadline=deadline, nonce=0
    )
    factory = factory_of(system)
    key: PasskeyKey = passkey.key
    call = factory.functions.createAndTransfer(
        key.qx, key.qy, system.token.address, to, REWARD, deadline, signature
    )
    transact(system.w3, relayer, call)
    assert system.token.functions.balanceOf(to).call() == before + REWARD
    assert system.token.functions.balanceOf(account).call() == 0
    # The same signature again: the nonce moved on, so it is not the passkey's signature any more.
    name, *_ = revert_of(call, relayer.address, factory.abi, load_artifact("PasskeyAccount").abi)
    assert name == "InvalidTransferSignature"
    # Another recipient than the one signed for is refused too.
    altered = factory.functions.createAndTransfer(
        key.qx, key.qy, system.token.address, dev_account(9).address, REWARD, deadline, signature
    )
    name, *_ = revert_of(altered, relayer.address, factory.abi, load_artifact("PasskeyAccount").abi)
    assert name == "InvalidTransferSignature"
