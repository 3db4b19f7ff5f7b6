"""On-chain guardrails seen through the service: the daily reward cap and its queue,
the pause switch, and an admin role apart from the relayer role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from pydantic import SecretStr
from sqlalchemy import update
from web3 import Web3
from web3.exceptions import ContractLogicError

from dentareview.anchoring.reviews import Anchorer
from dentareview.config import TOKEN_UNIT
from dentareview.db.models import RewardPaymentRow
from dentareview.services.chain_access import ChainGateway
from tests.api.system import System, new_wallet
from tests.reliability.figures import record
from tests.security.conftest import custom_system
from tests.support.anvil import AnvilNode
from tests.support.databases import fresh_postgres_schema
from tests.support.siwe import wallet_client

REWARD = 10 * TOKEN_UNIT


@pytest.fixture
def capped(anvil: AnvilNode, w3: Web3, tmp_path: Path) -> Iterator[System]:
    """Room for two rewards a day; PostgreSQL, as in production."""
    with (
        fresh_postgres_schema() as url,
        custom_system(anvil, w3, tmp_path / "data", url, daily_reward_cap=2 * REWARD) as system,
    ):
        yield system


def _rewards(system: System, patient: LocalAccount) -> dict[str, str]:
    body = (
        wallet_client(system.client, patient).get(f"/v1/patients/{patient.address}/rewards").json()
    )
    return {key: body[key] for key in ("paid", "queued", "pending", "onChainBalance")}


def _minted(system: System) -> int:
    token = system.gateway.deployment().token
    start = system.manifest.registry.block_number
    logs = token.events.Transfer().get_logs(
        from_block=start, argument_filters={"from": "0x" + "00" * 20}
    )
    return sum(int(log["args"]["value"]) for log in logs)


def test_rewards_over_the_daily_cap_are_queued_then_paid_once(capped: System) -> None:
    system = capped
    dentist = system.new_dentist()
    patients = [new_wallet() for _ in range(4)]
    for patient in patients:
        visit = system.attested_visit(dentist, patient)
        assert system.post_review(patient, system.review_message(visit)).status_code == 202
    first = system.anchor()
    assert first.anchored == 4 and first.queued_paid == 0
    registry = system.gateway.deployment().registry.contract.functions
    assert [_rewards(system, p)["queued"] for p in patients] == ["0", "0", str(REWARD), str(REWARD)]
    assert [registry.queuedReward(p.address).call() for p in patients] == [0, 0, REWARD, REWARD]
    assert _minted(system) == 2 * REWARD
    assert system.anchor().queued_paid == 0  # still no room today: nothing sent

    # Capacity returns (here the admin raises the cap; on a later day it is automatic).
    system.gateway.deployment().sender.transact(registry.setDailyRewardCap(10 * REWARD))
    paid = system.anchor()
    again = system.anchor()
    record(
        "daily_cap_queue",
        reviews=4,
        anchored=first.anchored,
        paid_at_once=2,
        queued=2,
        queued_paid_later=paid.queued_paid,
        rewards_minted=_minted(system) // REWARD,
        duplicates=_minted(system) // REWARD - 4,
    )
    assert paid.queued_paid == 2 and again.queued_paid == 0
    for patient in patients:
        assert _rewards(system, patient) == {
            "paid": str(REWARD),
            "queued": "0",
            "pending": "0",
            "onChainBalance": str(REWARD),
        }
    assert _minted(system) == 4 * REWARD


def test_a_queued_payment_noted_late_is_reconciled_not_paid_again(capped: System) -> None:
    """The process died after payQueuedReward was mined but before the database
    noted it: the next pass finds the payment on-chain instead of paying again."""
    system = capped
    dentist = system.new_dentist()
    patients = [new_wallet() for _ in range(3)]
    for patient in patients:
        system.post_review(patient, system.review_message(system.attested_visit(dentist, patient)))
    system.anchor()
    deployment = system.gateway.deployment()
    deployment.sender.transact(
        deployment.registry.contract.functions.setDailyRewardCap(10 * REWARD)
    )
    assert system.anchor().queued_paid == 1
    with system.sessions() as session:  # forget that it was paid
        session.execute(
            update(RewardPaymentRow)
            .where(RewardPaymentRow.patient == patients[2].address)
            .values(status="queued", tx_hash=None, paid_at=None)
        )
        session.commit()
    nonce = deployment.sender.pending_nonce()
    system.anchor()
    assert deployment.sender.pending_nonce() == nonce  # no transaction at all
    assert _rewards(system, patients[2])["paid"] == str(REWARD)
    assert _minted(system) == 3 * REWARD


def test_the_pause_switch_holds_reviews_pending_without_spending_gas(system: System) -> None:
    dentist, patient = system.new_dentist(), new_wallet()
    deployment = system.gateway.deployment()
    registry = deployment.registry.contract.functions
    deployment.sender.transact(registry.pause())
    visit = system.attested_visit(dentist, patient)
    answer = system.post_review(patient, system.review_message(visit))
    assert answer.status_code == 202 and answer.json()["status"] == "pending"
    nonce = deployment.sender.pending_nonce()
    paused = system.anchor()
    assert paused.anchored == 0 and any("paused" in error for error in paused.errors)
    assert deployment.sender.pending_nonce() == nonce
    deployment.sender.transact(registry.unpause())
    assert system.anchor().anchored == 1
    assert system.token_balance(patient.address) == REWARD


def test_a_relayer_apart_from_the_admin_anchors_but_cannot_administer(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, relayer: LocalAccount
) -> None:
    with custom_system(
        anvil, w3, tmp_path / "data", f"sqlite:///{tmp_path / 'd.db'}", relayer=relayer.address
    ) as system:
        relayer_settings = system.settings.model_copy(
            update={"operator_key": SecretStr("0x" + bytes(relayer.key).hex())}
        )
        relaying = ChainGateway(relayer_settings).deployment()
        dentist, patient = system.new_dentist(), new_wallet()  # the admin registers
        visit = system.attested_visit(dentist, patient)
        system.post_review(patient, system.review_message(visit))
        # The service anchors with the relayer's key alone ...
        report = Anchorer(system.sessions, ChainGateway(relayer_settings)).run_until_idle()
        assert report.anchored == 1
        assert system.token_balance(patient.address) == REWARD
        # ... which can neither register a dentist, nor change the reward or the cap,
        # nor pause, nor mint; and the admin's key cannot relay.
        functions = relaying.registry.contract.functions
        admin_only = [
            functions.registerDentist(new_wallet().address),
            functions.setRewardAmount(10**30),
            functions.setDailyRewardCap(10**30),
            functions.pause(),
            relaying.token.functions.mint(relayer.address, 10**30),
        ]
        refusals = []
        for call in admin_only:
            with pytest.raises(ContractLogicError) as refused:
                call.call({"from": relayer.address})
            refusals.append(str(refused.value.data)[:10])
        admin = system.gateway.deployment()
        relayer_role = admin.registry.contract.functions.RELAYER_ROLE().call()
        has_role = admin.registry.contract.functions.hasRole
        assert has_role(relayer_role, admin.sender.address).call() is False
    unauthorized = Web3.keccak(text="AccessControlUnauthorizedAccount(address,bytes32)")[:4]
    assert set(refusals) == {"0x" + unauthorized.hex()}
