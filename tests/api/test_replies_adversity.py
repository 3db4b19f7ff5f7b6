"""Replies under adversity: a practice spamming edits, two replies racing, a chain outage."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dentareview.domain.models import Eip712Domain
from dentareview.domain.policy import PolicySettings
from dentareview.domain.replies import NO_PREVIOUS, ReviewReply
from dentareview.errors import ReplyConflict, ReplyVersionLimit
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import deactivate_dentist
from dentareview.services.replies import AcceptedReply, reply_to_review
from tests.api.system import System
from tests.api.test_replies import THANKS, post_reply, reply_message
from tests.api.test_revisions import reviewed
from tests.support.anvil import AnvilNode
from tests.support.wallet import sign_typed


def _domain(system: System) -> Eip712Domain:
    manifest = system.manifest
    return Eip712Domain(chain_id=manifest.chain_id, verifying_contract=manifest.registry.address)


def _reply(
    system: System, review: dict[str, Any], previous: bytes, text: str
) -> tuple[ReviewReply, bytes]:
    reply = ReviewReply(
        visit_id=bytes.fromhex(review["visit"]["visitId"][2:]),
        review_digest=bytes.fromhex(review["digest"][2:]),
        previous_digest=previous,
        text=text,
        deadline=int(time.time()) + 3600,
    )
    signature = sign_typed(review["dentist"], system.eip712(), "ReviewReply", reply.message())
    return reply, bytes.fromhex(signature[2:])


def submit(
    session: Session,
    domain: Eip712Domain,
    review: dict[str, Any],
    reply: ReviewReply,
    signature: bytes,
    policy: PolicySettings,
) -> AcceptedReply:
    """The reply service, as the route calls it, now."""
    return reply_to_review(
        session,
        domain=domain,
        review_id=review["id"],
        reply=reply,
        signature=signature,
        now=int(time.time()),
        policy=policy,
    )


def test_a_practice_cannot_edit_its_reply_without_end(system: System) -> None:
    _patient, review = reviewed(system, anchor=False)
    policy = PolicySettings(reply_max_versions=2)
    domain = _domain(system)
    previous = NO_PREVIOUS
    for n in range(2):
        reply, signature = _reply(system, review, previous, f"Thank you, version {n + 1}.")
        with system.sessions() as session:
            accepted = submit(session, domain, review, reply, signature, policy)
            session.commit()
        previous = bytes.fromhex(accepted.digest[2:])
    reply, signature = _reply(system, review, previous, "A third version, refused.")
    with system.sessions() as session, pytest.raises(ReplyVersionLimit):
        submit(session, domain, review, reply, signature, policy)


def test_two_first_replies_racing_store_one(system: System, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: two replies cannot interleave")
    _patient, review = reviewed(system, anchor=False)
    domain, policy = _domain(system), PolicySettings()
    first, first_signature = _reply(system, review, NO_PREVIOUS, THANKS)
    second, second_signature = _reply(system, review, NO_PREVIOUS, "Another first reply.")
    outcome: list[BaseException | str] = []
    holder = system.sessions()
    # Written, not committed: the other request reads no reply yet.
    submit(holder, domain, review, first, first_signature, policy)

    def race() -> None:
        with system.sessions() as session:
            try:
                submit(session, domain, review, second, second_signature, policy)
                session.commit()
                outcome.append("stored")
            except ReplyConflict as conflict:
                outcome.append(conflict)

    racer = threading.Thread(target=race)
    racer.start()
    time.sleep(0.5)  # the racer waits on the unique index
    holder.commit()
    holder.close()
    racer.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], ReplyConflict), outcome
    versions = system.client.get(f"/v1/reviews/{review['id']}/replies").json()["versions"]
    assert [(v["seq"], v["text"]) for v in versions] == [(1, THANKS)]


def test_a_reply_during_a_chain_outage_is_kept_and_anchored_after(
    own_chain: AnvilNode, outage_system: System
) -> None:
    system = outage_system
    _patient, review = reviewed(system)
    system.eip712()  # the domain, read while the chain is up (a wallet has it already)

    own_chain.stop()
    response = post_reply(system, review["dentist"], review["id"], reply_message(review))
    assert response.status_code == 201, response.text
    assert system.anchor().statements == 0

    own_chain.start()
    system.anchor()
    version = system.client.get(f"/v1/reviews/{review['id']}/replies").json()["versions"][0]
    assert version["anchor"]["status"] == "anchored"
    registry = ChainGateway(system.settings).deployment().registry
    assert registry.statement_anchored_at(bytes.fromhex(version["digest"][2:])) > 0


def test_a_deactivated_practice_cannot_reply(system: System) -> None:
    _patient, review = reviewed(system)
    deactivate_dentist(
        system.sessions,
        system.gateway.deployment(),
        address=review["dentist"].address,
        now=int(time.time()),
    )
    response = post_reply(system, review["dentist"], review["id"], reply_message(review))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "DENTIST_INACTIVE"
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["reply"] is None
