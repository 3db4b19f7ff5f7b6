"""Builders for valid rows, so each test states only what it is about."""

from __future__ import annotations

import itertools

import pytest
from eth_utils.address import to_checksum_address
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow
from dentareview.db.queries.anchoring import mark_anchored
from dentareview.db.queries.dentists import upsert_dentist
from dentareview.db.queries.reviews import NewReview, insert_review
from dentareview.db.queries.visits import insert_visit

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

SIGNATURE = "0x" + "ab" * 65
_serial = itertools.count(1)


def address(n: int) -> str:
    return str(to_checksum_address(f"0x{n:040x}"))


def bytes32(n: int) -> str:
    return f"0x{n:064x}"


def add_dentist(session: Session, n: int = 1, *, active: bool = True) -> str:
    dentist = address(0xDE0000 + n)
    upsert_dentist(session, address=dentist, name=f"Dr. {n}", active=active, now=1_000)
    return dentist


def add_visit(session: Session, *, dentist: str, patient: str, visit_id: str | None = None) -> str:
    visit_id = visit_id or bytes32(next(_serial))
    insert_visit(
        session,
        visit_id=visit_id,
        patient=patient,
        dentist=dentist,
        visited_at=1_000,
        signature=SIGNATURE,
        now=1_000,
    )
    return visit_id


def add_review(
    session: Session,
    *,
    dentist: str,
    patient: str,
    ratings: tuple[int, int, int, int] = (5, 4, 4, 3),
    submitted_at: int = 2_000,
    rewardable: bool = True,
    anchored_at: int | None = None,
    visit_id: str | None = None,
    digest: str | None = None,
) -> ReviewRow:
    """A review (with its visit unless `visit_id` is given), anchored if `anchored_at`."""
    visit_id = visit_id or add_visit(session, dentist=dentist, patient=patient)
    rating, treatment, bedside, wait_time = ratings
    review = NewReview(
        visit_id=visit_id,
        digest=digest or bytes32(0xD16E57 << 32 | next(_serial)),
        patient=patient,
        dentist=dentist,
        rating=rating,
        treatment=treatment,
        bedside=bedside,
        wait_time=wait_time,
        text="Careful, painless work and a clear explanation of every step taken.",
        deadline=submitted_at + 3_600,
        signature=SIGNATURE,
        rewardable=rewardable,
        reward_withheld_code=None if rewardable else "PATIENT_WINDOW",
        reward_withheld_reason=None if rewardable else "3 rewarded reviews in 30 days",
        submitted_at=submitted_at,
    )
    row = insert_review(session, review=review)
    if anchored_at is not None:
        mark_anchored(
            session,
            review_id=row.id,
            tx_hash=bytes32(0x7A << 200 | row.id),
            block_number=row.id,
            log_index=0,
            anchored_at=anchored_at,
            reward_status=None,
        )
    return row
