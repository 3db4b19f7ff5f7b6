from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_keys.constants import SECPK1_N, SECPK1_P
from eth_keys.datatypes import Signature
from eth_utils.crypto import keccak

from dentareview.domain.typed_data import (
    EIP712_TYPES,
    PROOF_TYPES,
    Eip712Domain,
    domain_separator,
    parse_signature,
    recover_review_signer,
    recover_signer,
    recover_visit_signer,
    review_digest,
    review_message,
    review_struct_hash,
    review_typed_data,
    text_hash,
    visit_digest,
    visit_struct_hash,
    visit_typed_data,
)
from dentareview.errors import InvalidSignature
from tests.domain.helpers import DENTIST, DOMAIN, PATIENT, TEXT, make_review, make_visit

# Computed independently with ethers 5 (_TypedDataEncoder, SigningKey.signDigest)
# for DOMAIN, make_visit() signed by DENTIST and make_review() signed by PATIENT.
ETHERS_DOMAIN_SEPARATOR = "09a3a4b1c135d145c786cacfad485e8fa72c13159264e3383362b69871f19ecb"
ETHERS_VISIT_STRUCT = "4de30ede0336ef8456d0862dd07d2281b7bb5870445ed5eda5aaf1995fd74c7a"
ETHERS_VISIT_DIGEST = "52451d002c65718d311dd4c35046a9d406d6ab34239322b284842f11afa6c326"
ETHERS_VISIT_SIG = (
    "0x9be5bfbc0ab4241f0e6ff1da307e45b2b9233f3e1bcd7947eff18c5b07a8bebb"
    "2ce78eaf08d229f8db057ec9606f49b75d1cb7ce81e5650cab5f40e2b8a06dd01b"
)
ETHERS_REVIEW_STRUCT = "1323066b530ee06523217b656a7a771e8ecdf6a62f9a8fbde8724ba537dbce8e"
ETHERS_REVIEW_DIGEST = "a67327dda5fa2ebb4c075bebb32b749c3322c6e1f526bd23d825f63fb5eec19b"
ETHERS_REVIEW_SIG = (
    "0x4932d46654ff9a12b99371ca0c85ccf7968e42448efd16f80f0e862b6d334763"
    "4d4dcaa85d28e3fb67e409b44d1dc8d44aaa4650b60f6a8bc72872669cd3bc021b"
)


def test_digests_match_an_independent_implementation() -> None:
    assert domain_separator(DOMAIN).hex() == ETHERS_DOMAIN_SEPARATOR
    assert visit_struct_hash(make_visit()).hex() == ETHERS_VISIT_STRUCT
    assert visit_digest(DOMAIN, make_visit()).hex() == ETHERS_VISIT_DIGEST
    assert review_struct_hash(make_review()).hex() == ETHERS_REVIEW_STRUCT
    assert review_digest(DOMAIN, make_review()).hex() == ETHERS_REVIEW_DIGEST


def test_signatures_from_ethers_recover() -> None:
    visit_sig = parse_signature(ETHERS_VISIT_SIG)
    review_sig = parse_signature(ETHERS_REVIEW_SIG)
    assert recover_visit_signer(DOMAIN, make_visit(), visit_sig) == DENTIST.address
    assert recover_review_signer(DOMAIN, make_review(), review_sig) == PATIENT.address


def test_struct_hashes_follow_the_type_strings_of_the_brief() -> None:
    visit, review = make_visit(), make_review()
    visit_type = keccak(
        text="Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)"
    )
    review_type = keccak(
        text="Review(bytes32 visitId,uint8 rating,uint8 treatment,uint8 bedside,"
        "uint8 waitTime,string text,uint64 deadline)"
    )
    assert visit_struct_hash(visit) == keccak(
        encode(
            ["bytes32", "bytes32", "address", "address", "uint64"],
            [visit_type, visit.visit_id, visit.patient, visit.dentist, visit.visited_at],
        )
    )
    assert review_struct_hash(review) == keccak(
        encode(
            ["bytes32", "bytes32", "uint8", "uint8", "uint8", "uint8", "bytes32", "uint64"],
            [review_type, review.visit_id, 4, 5, 3, 2, text_hash(TEXT), review.deadline],
        )
    )
    separator = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(
                    text="EIP712Domain(string name,string version,uint256 chainId,"
                    "address verifyingContract)"
                ),
                keccak(text="DentaReview"),
                keccak(text="1"),
                31337,
                DOMAIN.verifying_contract,
            ],
        )
    )
    assert domain_separator(DOMAIN) == separator
    expected = keccak(b"\x19\x01" + separator + review_struct_hash(review))
    assert review_digest(DOMAIN, review) == expected


def test_wallet_signs_full_message_and_we_recover() -> None:
    review = make_review()
    signed = Account.sign_typed_data(PATIENT.key, full_message=review_typed_data(DOMAIN, review))
    assert bytes(signed.message_hash) == review_digest(DOMAIN, review)
    assert recover_review_signer(DOMAIN, review, bytes(signed.signature)) == PATIENT.address


def test_wallet_signs_three_part_form_and_we_recover() -> None:
    visit = make_visit()
    domain_data = visit_typed_data(DOMAIN, visit)["domain"]
    types = {"Visit": EIP712_TYPES["Visit"]}
    message = visit_typed_data(DOMAIN, visit)["message"]
    signed = Account.sign_typed_data(DENTIST.key, domain_data, types, message)
    assert bytes(signed.message_hash) == visit_digest(DOMAIN, visit)
    assert recover_visit_signer(DOMAIN, visit, bytes(signed.signature)) == DENTIST.address


def test_wallet_json_round_trip() -> None:
    review = make_review()
    wire = json.dumps(review_typed_data(DOMAIN, review), ensure_ascii=True)
    loaded: dict[str, Any] = json.loads(wire)
    assert loaded["primaryType"] == "Review"
    assert loaded["message"]["visitId"] == "0x" + "ab" * 32
    assert loaded["message"]["waitTime"] == 2
    assert loaded["message"]["text"] == TEXT
    signed = Account.sign_typed_data(PATIENT.key, full_message=loaded)
    signature = parse_signature("0x" + bytes(signed.signature).hex())
    assert recover_review_signer(DOMAIN, review, signature) == PATIENT.address


def test_served_types_are_what_wallets_take() -> None:
    assert list(EIP712_TYPES) == [
        "EIP712Domain", "Visit", "Review", "ReviewEdit", "ReviewErasure", "ReviewReply",
        "Recommendation", "VisitSigner", "GroupMembership", "AnonymousReviewText",
    ]  # fmt: skip
    assert list(PROOF_TYPES) == ["EIP712Domain", "Visit", "Review"]
    assert [f["name"] for f in EIP712_TYPES["Review"]] == list(review_message(make_review()))
    assert json.loads(json.dumps(EIP712_TYPES)) == EIP712_TYPES


def test_visit_signer_type_is_the_registrys() -> None:
    # ReviewRegistry.VISIT_SIGNER_TYPEHASH hashes exactly this string.
    fields = ",".join(f"{f['type']} {f['name']}" for f in EIP712_TYPES["VisitSigner"])
    assert f"VisitSigner({fields})" == "VisitSigner(address signer,uint64 validUntil,uint256 nonce)"


def test_builders_do_not_share_the_types_constant() -> None:
    typed = review_typed_data(DOMAIN, make_review())
    typed["types"]["Review"].append({"name": "extra", "type": "uint8"})
    assert len(EIP712_TYPES["Review"]) == 7


@pytest.mark.parametrize(
    "changes",
    [
        {"visit_id": b"\xac" * 32},
        {"rating": 5},
        {"treatment": 4},
        {"bedside": 4},
        {"wait_time": 3},
        {"text": TEXT + " "},
        {"deadline": make_review().deadline + 1},
    ],
)
def test_tampered_review_changes_digest_and_signer(changes: dict[str, Any]) -> None:
    original = make_review()
    signature = bytes(
        Account.sign_typed_data(
            PATIENT.key, full_message=review_typed_data(DOMAIN, original)
        ).signature
    )
    tampered = replace(original, **changes)
    assert review_digest(DOMAIN, tampered) != review_digest(DOMAIN, original)
    assert recover_review_signer(DOMAIN, tampered, signature) != PATIENT.address


@pytest.mark.parametrize(
    "domain",
    [
        Eip712Domain(chain_id=1, verifying_contract=DOMAIN.verifying_contract),
        Eip712Domain(chain_id=31337, verifying_contract="0x" + "11" * 20),
    ],
)
def test_other_domain_changes_digest(domain: Eip712Domain) -> None:
    assert review_digest(domain, make_review()) != review_digest(DOMAIN, make_review())


def _sign_review() -> tuple[bytes, bytes]:
    review = make_review()
    signed = Account.sign_typed_data(PATIENT.key, full_message=review_typed_data(DOMAIN, review))
    return review_digest(DOMAIN, review), bytes(signed.signature)


def test_high_s_twin_is_refused() -> None:
    digest, signature = _sign_review()
    r = signature[:32]
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    twin = r + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28
    # The twin is a real signature by the same key: only the low-s rule stops it.
    raw = Signature(vrs=(55 - v - 27, int.from_bytes(r, "big"), SECPK1_N - s))
    assert raw.recover_public_key_from_msg_hash(digest).to_checksum_address() == PATIENT.address
    with pytest.raises(InvalidSignature, match="high s"):
        recover_signer(digest, twin)
    with pytest.raises(InvalidSignature, match="high s"):
        parse_signature("0x" + twin.hex())


def test_v_as_0_or_1_is_accepted() -> None:
    digest, signature = _sign_review()
    assert recover_signer(digest, signature[:64] + bytes([signature[64] - 27])) == PATIENT.address


@pytest.mark.parametrize("v", [2, 26, 29, 255])
def test_invalid_v_is_refused(v: int) -> None:
    digest, signature = _sign_review()
    with pytest.raises(InvalidSignature, match="v="):
        recover_signer(digest, signature[:64] + bytes([v]))


@pytest.mark.parametrize("length", [0, 64, 66])
def test_wrong_length_is_refused(length: int) -> None:
    digest, signature = _sign_review()
    wrong = (signature * 2)[:length]
    with pytest.raises(InvalidSignature, match="65 bytes") as info:
        recover_signer(digest, wrong)
    assert info.value.field == "signature"
    with pytest.raises(InvalidSignature, match="65 bytes"):
        parse_signature("0x" + wrong.hex(), field="visitSignature")


def test_zero_or_overflowing_r_s_are_refused() -> None:
    digest, signature = _sign_review()
    zero = bytes(32)
    n = SECPK1_N.to_bytes(32, "big")
    for bad in [zero + signature[32:], signature[:32] + zero + signature[64:], n + signature[32:]]:
        with pytest.raises(InvalidSignature, match="out of range"):
            recover_signer(digest, bad)


def test_r_off_the_curve_does_not_recover() -> None:
    digest, signature = _sign_review()
    # Euler's criterion: x^3 + 7 has no square root, so no point has this x.
    x = next(x for x in range(1, 100) if pow(x**3 + 7, (SECPK1_P - 1) // 2, SECPK1_P) != 1)
    with pytest.raises(InvalidSignature, match="does not recover"):
        recover_signer(digest, x.to_bytes(32, "big") + signature[32:])


@pytest.mark.parametrize("value", ["", "0x", "0xzz", "abcd", "0x" + "1" * 129, 12])
def test_parse_signature_refuses_malformed(value: object) -> None:
    with pytest.raises(InvalidSignature) as info:
        parse_signature(value, field="visitSignature")
    assert info.value.field == "visitSignature"


def test_parse_signature_accepts_upper_case_hex() -> None:
    _, signature = _sign_review()
    assert parse_signature("0x" + signature.hex().upper()) == signature


def test_text_hash_is_keccak_of_utf8() -> None:
    assert text_hash("é") == keccak(b"\xc3\xa9")
