from __future__ import annotations

import pytest

from dentareview.domain.models import Eip712Domain, parse_address, parse_bytes32
from dentareview.errors import InvalidRating, ValidationError
from tests.domain.helpers import PATIENT, make_review, make_visit

CHECKSUMMED = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


@pytest.mark.parametrize(
    "value", [CHECKSUMMED, CHECKSUMMED.lower(), "0x" + CHECKSUMMED[2:].upper()]
)
def test_parse_address_accepts_any_case_and_checksums(value: str) -> None:
    assert parse_address(value, "patient") == CHECKSUMMED


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0x90f79bf6EB2c4f870365E785982E1f101E93b906", "checksum"),  # one letter changed case
        ("0x" + "0" * 40, "zero"),
        (CHECKSUMMED[:-1], "20-byte"),
        (CHECKSUMMED + "0", "20-byte"),
        (CHECKSUMMED[2:], "20-byte"),
        ("0X" + CHECKSUMMED[2:], "20-byte"),
        ("0x" + "g" * 40, "20-byte"),
        (None, "20-byte"),
    ],
)
def test_parse_address_refuses(value: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as info:
        parse_address(value, "patient")
    assert info.value.field == "patient"


def test_parse_bytes32() -> None:
    assert parse_bytes32("0x" + "Ab" * 32, "visitId") == bytes.fromhex("ab" * 32)
    for bad in ["0x" + "ab" * 31, "0x" + "ab" * 33, "ab" * 32, "0x" + "zz" * 32, 7]:
        with pytest.raises(ValidationError) as info:
            parse_bytes32(bad, "visitId")
        assert info.value.field == "visitId"


def test_visit_stores_addresses_checksummed() -> None:
    visit = make_visit(patient=PATIENT.address.lower())
    assert visit.patient == PATIENT.address


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visit_id": b"\x01" * 31}, "visitId"),
        ({"visit_id": "0x" + "ab" * 32}, "visitId"),
        ({"patient": "0x" + "0" * 40}, "patient"),
        ({"dentist": "nope"}, "dentist"),
        ({"visited_at": -1}, "visitedAt"),
        ({"visited_at": 2**64}, "visitedAt"),
        ({"visited_at": True}, "visitedAt"),
    ],
)
def test_visit_refuses_values_that_cannot_be_signed(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_visit(**changes)
    assert info.value.field == field


@pytest.mark.parametrize("value", [-1, 256, True])
def test_review_refuses_ratings_outside_uint8(value: object) -> None:
    with pytest.raises(InvalidRating) as info:
        make_review(wait_time=value)
    assert info.value.field == "waitTime"


def test_review_refuses_unencodable_text_and_bad_deadline() -> None:
    with pytest.raises(ValidationError) as info:
        make_review(text="lone surrogate \ud800")
    assert info.value.field == "text"
    with pytest.raises(ValidationError) as info:
        make_review(deadline=2**64)
    assert info.value.field == "deadline"


def test_domain_validation() -> None:
    contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
    domain = Eip712Domain(chain_id=1, verifying_contract=contract)
    assert domain.verifying_contract == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert (domain.name, domain.version) == ("DentaReview", "1")
    with pytest.raises(ValidationError):
        Eip712Domain(chain_id=0, verifying_contract=contract)
