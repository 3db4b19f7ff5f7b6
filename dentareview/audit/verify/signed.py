"""The checks of the proof itself and its signatures: chain, domain, digest, signers, dentist."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from web3 import Web3

from dentareview.audit.proof import (
    AnyProof,
    ReviewProof,
)
from dentareview.audit.verify.checks import (
    Check,
    proof_domain,
    removed_by_moderation,
    review_digest_of,
    same,
    signed_by,
    signer_of,
)
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.registry import OnChainDentistStatus, RegistryContract
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import (
    PROOF_TYPES,
    domain_dict,
    visit_digest,
)


def check_chain(w3: Web3, proof: AnyProof) -> Check:
    chain_id = int(w3.eth.chain_id)
    if chain_id != proof.chain_id:
        return Check(
            "chain", False, f"the node is chain {chain_id}; the proof is for {proof.chain_id}"
        )
    code = w3.eth.get_code(Web3.to_checksum_address(proof.registry))
    if not code:
        return Check("chain", False, f"no contract at the registry address {proof.registry}")
    return Check("chain", True, f"the node is chain {chain_id}; the registry has code")


def check_domain(proof: AnyProof, expected_registry: str | None) -> Check:
    expected = domain_dict(Eip712Domain(proof.chain_id, proof.registry))
    if proof.domain != expected:
        return Check("domain", False, f"the domain is {proof.domain}, expected {expected}")
    if proof.types != PROOF_TYPES:
        return Check("domain", False, "the types are not the DentaReview Visit and Review types")
    if expected_registry is None:
        return Check(
            "domain",
            True,
            f"DentaReview v1 on chain {proof.chain_id}, registry {proof.registry} as the proof "
            "states it: compare it with the address the operator publishes (--registry)",
        )
    if not same(expected_registry, proof.registry):
        return Check(
            "domain", False, f"the proof's registry {proof.registry} is not {expected_registry}"
        )
    return Check("domain", True, f"DentaReview v1 on chain {proof.chain_id}, the expected registry")


def check_digest(proof: AnyProof) -> Check:
    digest = review_digest_of(proof)
    why = "removed by moderation" if removed_by_moderation(proof) else "erased by its author"
    erased = f" (its text withheld: {why}; from keccak256(text))" if proof.text_hash else ""
    if digest != proof.digest:
        return Check(
            "digest",
            False,
            f"the Review{erased} hashes to {encode_hex(digest)}, "
            f"not the proof's digest {encode_hex(proof.digest)}",
        )
    return Check(
        "digest",
        True,
        f"the Review's EIP-712 hash{erased} is the proof's digest {encode_hex(digest)}",
    )


def check_review_signature(proof: ReviewProof, contracts: Erc1271Accounts | None = None) -> Check:
    if proof.review.visit_id != proof.visit.visit_id:
        return Check("review-signature", False, "the Review's visitId is not the Visit's")
    patient = proof.visit.patient
    ok, how = signed_by(proof, patient, review_digest_of(proof), proof.review_signature, contracts)
    if not ok:
        return Check(
            "review-signature", False, f"the Review signature {how}; the patient is {patient}"
        )
    return Check("review-signature", True, f"signed by the visit's patient: {how}")


def check_visit_signature(
    proof: ReviewProof,
    contracts: Erc1271Accounts | None = None,
    registry: RegistryContract | None = None,
) -> Check:
    """By the dentist's wallet, or by a visit-signing key the dentist authorised: that one
    only if the proof's registry (`visitSignerOf`, through the node) covers the visit's time."""
    dentist = proof.visit.dentist
    digest = visit_digest(proof_domain(proof), proof.visit)
    ok, how = signed_by(proof, dentist, digest, proof.visit_signature, contracts)
    if ok:
        return Check("visit-signature", True, f"signed by the dentist: {how}")
    key = signer_of(digest, proof.visit_signature)
    if key is None:
        return Check(
            "visit-signature", False, f"the Visit signature {how}; the dentist is {dentist}"
        )
    if registry is None:
        return Check(
            "visit-signature",
            False,
            f"signed by {key}, not the dentist {dentist}: whether it is a visit-signing key the "
            "dentist authorised is on chain only (visitSignerOf): needs the node",
        )
    authorised_by, valid_until = registry.contract.functions.visitSignerOf(key).call()
    if not same(str(authorised_by), dentist):
        whose = "no dentist" if int(authorised_by, 16) == 0 else f"the dentist {authorised_by}"
        return Check(
            "visit-signature",
            False,
            f"signed by {key}, which the registry knows as a visit-signing key of {whose}, "
            f"not of {dentist}",
        )
    if proof.visit.visited_at > int(valid_until):
        return Check(
            "visit-signature",
            False,
            f"signed by the visit-signing key {key} of {dentist}, but the registry says it "
            f"attests visits until {int(valid_until)} only, and this visit is at "
            f"{proof.visit.visited_at} (revoked)",
        )
    return Check(
        "visit-signature",
        True,
        f"attested by the practice's visit key {key}, authorised by the dentist's wallet on "
        f"chain {proof.chain_id} (visitSignerOf: visits until {int(valid_until)})",
    )


def check_dentist(registry: RegistryContract, proof: AnyProof) -> Check:
    status = registry.dentist_status(proof.dentist)
    if status == OnChainDentistStatus.UNREGISTERED:
        return Check("dentist", False, f"{proof.dentist} was never registered as a dentist")
    now = "active" if status == OnChainDentistStatus.ACTIVE else "deactivated since"
    return Check("dentist", True, f"{proof.dentist} is a registered dentist ({now})")
