"""Verify a review proof against a node: no database, no trust in the service.

Each check yields a verdict with the evidence in words, in order: the proof itself and
its signatures (`signed.py`), the author's later word (`author.py`), then the anchor,
which depends on `anchor.kind`: each kind registers its verifier in ANCHOR_VERIFIERS
(`single.py`, `batch.py`). What they share is in `checks.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from web3 import Web3

from dentareview.audit.proof import AnyProof, BatchAnchor, ReviewProof, SingleAnchor
from dentareview.audit.verify.author import check_author, check_author_anchors
from dentareview.audit.verify.batch import verify_batch_anchor
from dentareview.audit.verify.checks import Check
from dentareview.audit.verify.signed import (
    check_chain,
    check_dentist,
    check_digest,
    check_domain,
    check_review_signature,
    check_visit_signature,
)
from dentareview.audit.verify.single import verify_single_anchor
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.registry import RegistryContract

__all__ = ["Check", "needs_full_proof", "needs_node", "verify_offline", "verify_proof"]

AnchorVerifier = Callable[[Web3, RegistryContract, AnyProof], list[Check]]


ANCHOR_VERIFIERS: dict[str, AnchorVerifier] = {
    SingleAnchor.kind: verify_single_anchor,
    BatchAnchor.kind: verify_batch_anchor,
}


def needs_full_proof(proof: AnyProof) -> list[Check]:
    """The checks a public proof cannot make, each with why and what stands in for it.

    Their `ok` is False: they did not run. They do not fail a public proof; they say
    plainly what only the full proof (which the patient holds) can show.
    """
    if isinstance(proof, ReviewProof):
        return []
    if isinstance(proof.anchor, SingleAnchor):
        instead = "the registry verified it when anchoring (see signatures-on-chain)"
    else:
        instead = (
            "batch mode: the chain did not check it; ask the review's patient for the full "
            "proof, or rely on the operator's audit"
        )
    return [
        Check(
            "review-signature",
            False,
            "needs the full proof (the Review signature and the Visit's patient); " + instead,
        ),
        Check(
            "visit-signature",
            False,
            "needs the full proof (the Visit with its patient, time and signature); " + instead,
        ),
    ]


def _signature_checks(
    proof: AnyProof,
    contracts: Erc1271Accounts | None,
    registry: RegistryContract | None,
) -> list[Check]:
    checks: list[Check] = []
    if isinstance(proof, ReviewProof):
        checks += [
            check_review_signature(proof, contracts),
            check_visit_signature(proof, contracts, registry),
        ]
    author = check_author(proof, contracts)
    return checks if author is None else [*checks, author]


def verify_proof(w3: Web3, proof: AnyProof, *, expected_registry: str | None = None) -> list[Check]:
    """Every check the proof allows, in order; the proof holds only if all are ok.

    A public proof has no signatures: see `needs_full_proof` for what it cannot show.
    """
    chain = check_chain(w3, proof)
    checks = [chain, check_domain(proof, expected_registry), check_digest(proof)]
    if not chain.ok:  # no registry to ask: the on-chain checks cannot run
        return checks + _signature_checks(proof, None, None)
    # Smart-contract accounts and passkeys are asked of the proof's own registry and chain.
    registry = RegistryContract(w3, proof.registry)
    checks += _signature_checks(proof, Erc1271Accounts(w3, proof.registry), registry)
    checks.append(check_dentist(registry, proof))
    checks += ANCHOR_VERIFIERS[proof.anchor.kind](w3, registry, proof)
    anchors = check_author_anchors(w3, registry, proof)
    return checks if anchors is None else [*checks, anchors]


def verify_offline(proof: AnyProof, *, expected_registry: str | None = None) -> list[Check]:
    """The checks that need no node: the domain, the digest and the signatures (a passkey's
    from the WebAuthn data the full proof carries). `needs_node` lists the rest."""
    return [
        check_domain(proof, expected_registry),
        check_digest(proof),
        *_signature_checks(proof, None, None),
    ]


def needs_node(proof: AnyProof) -> list[Check]:
    """What an offline run leaves unchecked, each in words; they did not run (`ok` False)."""
    return [
        Check("chain", False, f"needs the node: that chain {proof.chain_id} has the registry"),
        Check("dentist", False, "needs the node: that the registry knows the dentist"),
        Check("anchor", False, "needs the node: that the registry anchored the digest"),
    ]
