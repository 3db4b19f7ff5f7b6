"""ReviewRegistry.anchorStatements: the digests of signed edits, erasures and replies."""

from __future__ import annotations

import os

from eth_account.signers.local import LocalAccount

from tests.contracts.evm import advance_time
from tests.contracts.helpers import System, events, revert_of, transact


def anchor(system: System, relayer: LocalAccount, digests: list[bytes]) -> tuple[int, list[bytes]]:
    """Anchor `digests`; the block timestamp and the digests the events name, in order."""
    receipt = transact(system.w3, relayer, system.registry.functions.anchorStatements(digests))
    block = system.w3.eth.get_block(receipt["blockNumber"])
    logged = events(system.registry, "StatementAnchored", receipt)
    named = [bytes(event["args"]["digest"]) for event in logged]
    return int(block["timestamp"]), named


def anchored_at(system: System, digest: bytes) -> int:
    return int(system.registry.functions.statementAnchoredAt(digest).call())


def test_each_digest_is_recorded_with_its_block_time(system: System, relayer: LocalAccount) -> None:
    digests = [os.urandom(32) for _ in range(3)]
    assert [anchored_at(system, d) for d in digests] == [0, 0, 0]

    timestamp, named = anchor(system, relayer, digests)

    assert named == digests
    assert [anchored_at(system, d) for d in digests] == [timestamp] * 3


def test_a_resend_and_a_repeated_digest_change_nothing(
    system: System, relayer: LocalAccount
) -> None:
    first, again = os.urandom(32), os.urandom(32)
    timestamp, _ = anchor(system, relayer, [first])
    advance_time(system.w3, 60)

    later, named = anchor(system, relayer, [first, again, again])

    assert named == [again]  # `first` keeps its first time; `again` is recorded once
    assert anchored_at(system, first) == timestamp
    assert anchored_at(system, again) == later > timestamp


def test_statements_are_not_review_anchors_and_mint_nothing(
    system: System, relayer: LocalAccount
) -> None:
    digest = os.urandom(32)
    supply = system.token.functions.totalSupply().call()
    anchor(system, relayer, [digest])
    assert system.registry.functions.anchoredAt(digest).call() == 0
    assert system.token.functions.totalSupply().call() == supply


def test_only_the_relayer_anchors_statements(
    system: System, admin: LocalAccount, dentist: LocalAccount
) -> None:
    role = system.registry.functions.RELAYER_ROLE().call()
    call = system.registry.functions.anchorStatements([os.urandom(32)])
    for caller in (admin.address, dentist.address):
        assert revert_of(call, caller, system.registry.abi) == (
            "AccessControlUnauthorizedAccount",
            caller,
            role,
        )


def test_empty_or_zero_digests_are_refused(system: System, relayer: LocalAccount) -> None:
    for digests in ([], [os.urandom(32), bytes(32)]):
        call = system.registry.functions.anchorStatements(digests)
        assert revert_of(call, relayer.address, system.registry.abi) == ("InvalidStatement",)


def test_a_paused_registry_anchors_no_statement(
    system: System, admin: LocalAccount, relayer: LocalAccount
) -> None:
    transact(system.w3, admin, system.registry.functions.pause())
    call = system.registry.functions.anchorStatements([os.urandom(32)])
    assert revert_of(call, relayer.address, system.registry.abi) == ("EnforcedPause",)
