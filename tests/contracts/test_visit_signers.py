"""Visit-signing keys: what the dentist authorised once, the chain accepts for that dentist's
visits, within `validUntil`, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract.contract import ContractFunction

from tests.contracts.helpers import (
    REWARD,
    Submission,
    System,
    events,
    latest_timestamp,
    revert_of,
    sign,
    signed_submission,
    transact,
)
from tests.support.anvil import dev_account

VISIT_SIGNER_TYPE = [
    {"name": "signer", "type": "address"},
    {"name": "validUntil", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
]


def grant(
    system: System, dentist: LocalAccount, signer: str, valid_until: int, nonce: int | None = None
) -> ContractFunction:
    """setVisitSigner as the dentist's wallet signs it (eth_signTypedData_v4)."""
    registry = system.registry
    if nonce is None:
        nonce = registry.functions.visitSignerNonce(dentist.address).call()
    message: dict[str, Any] = {"signer": signer, "validUntil": valid_until, "nonce": nonce}
    full = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "VisitSigner": VISIT_SIGNER_TYPE,
        },
        "primaryType": "VisitSigner",
        "domain": {
            "name": "DentaReview",
            "version": "1",
            "chainId": system.chain_id,
            "verifyingContract": system.registry_address,
        },
        "message": message,
    }
    signature = bytes(dentist.sign_typed_data(full_message=full).signature)
    return registry.functions.setVisitSigner(dentist.address, signer, valid_until, signature)


def key_signed(
    system: System,
    key: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
    *,
    visited_at: int | None = None,
) -> Submission:
    """A visit the key signed in the dentist's name, and the patient's review of it."""
    base = signed_submission(system.w3, system.registry_address, dentist, patient)
    visit = (
        base.visit
        if visited_at is None
        else type(base.visit)(
            base.visit.visit_id, base.visit.patient, base.visit.dentist, visited_at
        )
    )
    signature = sign(
        key, "Visit", visit.message(), chain_id=system.chain_id, registry=system.registry_address
    )
    return Submission(visit, signature, base.review, base.review_signature)


def test_a_key_the_dentist_authorised_attests_visits_the_chain_pays_for(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    key = dev_account(6)
    now = latest_timestamp(system.w3)
    receipt = transact(system.w3, relayer, grant(system, dentist, key.address, now + 86_400))
    [event] = events(system.registry, "VisitSignerSet", receipt)
    assert event["args"]["dentist"] == dentist.address and event["args"]["nonce"] == 0
    assert system.registry.functions.visitSignerOf(key.address).call() == [
        dentist.address,
        now + 86_400,
    ]
    submission = key_signed(system, key, dentist, patient)
    transact(system.w3, relayer, system.registry.functions.submitReview(*submission.args()))
    assert system.token.functions.balanceOf(patient.address).call() == REWARD


def test_revoking_stops_later_visits_and_keeps_earlier_ones(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    key = dev_account(6)
    now = latest_timestamp(system.w3)
    transact(system.w3, relayer, grant(system, dentist, key.address, now + 86_400))
    before = key_signed(system, key, dentist, patient, visited_at=now - 60)
    after = key_signed(system, key, dentist, dev_account(7), visited_at=now + 10)
    transact(system.w3, relayer, grant(system, dentist, key.address, now))  # revoked at `now`
    transact(system.w3, relayer, system.registry.functions.submitReview(*before.args()))
    name, recovered = revert_of(
        system.registry.functions.submitReview(*after.args()), relayer.address, system.registry.abi
    )
    assert (name, recovered) == ("InvalidVisitSignature", key.address)
    # validUntil 0 voids even the earlier visits.
    transact(system.w3, relayer, grant(system, dentist, key.address, 0))
    again = key_signed(system, key, dentist, dev_account(8), visited_at=now - 60)
    name, _ = revert_of(
        system.registry.functions.submitReview(*again.args()), relayer.address, system.registry.abi
    )
    assert name == "InvalidVisitSignature"


@pytest.mark.parametrize(
    "case",
    [
        "never authorised",
        "replayed authorisation",
        "not the dentist's signature",
        "another dentist's key",
        "the dentist itself",
    ],
)
def test_what_no_dentist_authorised_is_refused(
    system: System,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
    case: str,
) -> None:
    key, other = dev_account(6), dev_account(9)
    now = latest_timestamp(system.w3)
    registry = system.registry
    if case == "never authorised":
        submission = key_signed(system, key, dentist, patient)
        name, _ = revert_of(
            registry.functions.submitReview(*submission.args()), relayer.address, registry.abi
        )
        assert name == "InvalidVisitSignature"
    elif case == "replayed authorisation":
        call = grant(system, dentist, key.address, now + 86_400)
        transact(system.w3, relayer, call)
        transact(system.w3, relayer, grant(system, dentist, key.address, now))  # revoked
        name, _ = revert_of(call, relayer.address, registry.abi)  # the old grant, replayed
        assert name == "InvalidVisitSignerAuthorization"
    elif case == "not the dentist's signature":
        forged = grant(system, other, key.address, now + 86_400, nonce=0)
        call = registry.functions.setVisitSigner(
            dentist.address, key.address, now + 86_400, forged.args[3]
        )
        name, recovered = revert_of(call, relayer.address, registry.abi)
        assert (name, recovered) == ("InvalidVisitSignerAuthorization", other.address)
    elif case == "another dentist's key":
        transact(system.w3, admin, registry.functions.registerDentist(other.address))
        transact(system.w3, relayer, grant(system, other, key.address, now + 86_400))
        name, signer = revert_of(
            grant(system, dentist, key.address, now + 86_400), relayer.address, registry.abi
        )
        assert (name, signer) == ("VisitSignerNotAvailable", key.address)
        # The key speaks for `other` only: a visit it signs in `dentist`'s name is refused.
        submission = key_signed(system, key, dentist, patient)
        name, _ = revert_of(
            registry.functions.submitReview(*submission.args()), relayer.address, registry.abi
        )
        assert name == "InvalidVisitSignature"
    else:
        name, _ = revert_of(
            grant(system, dentist, dentist.address, now + 86_400), relayer.address, registry.abi
        )
        assert name == "VisitSignerNotAvailable"
    assert system.token.functions.balanceOf(patient.address).call() == 0


def test_a_deactivated_dentist_s_key_attests_nothing(
    system: System,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
) -> None:
    key = dev_account(6)
    transact(
        system.w3,
        relayer,
        grant(system, dentist, key.address, latest_timestamp(system.w3) + 86_400),
    )
    transact(system.w3, admin, system.registry.functions.deactivateDentist(dentist.address))
    submission = key_signed(system, key, dentist, patient)
    name, *_ = revert_of(
        system.registry.functions.submitReview(*submission.args()),
        relayer.address,
        system.registry.abi,
    )
    assert name == "DentistNotActive"
