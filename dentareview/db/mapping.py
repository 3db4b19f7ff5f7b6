"""Stored rows back to the signed domain objects: the one place that maps them.

A row stores bytes32 values and signatures as lowercase 0x-hex; the domain holds bytes.
"""

from __future__ import annotations

from eth_utils.hexadecimal import decode_hex

from dentareview.db.models import ReviewRow, VisitRow
from dentareview.domain.models import Review, Visit


def visit_of(row: VisitRow) -> Visit:
    """The `Visit` the dentist signed (`row.signature` is that signature)."""
    return Visit(
        visit_id=decode_hex(row.visit_id),
        patient=row.patient,
        dentist=row.dentist,
        visited_at=row.visited_at,
    )


def review_of(row: ReviewRow) -> Review:
    """The `Review` the patient first signed (`row.signature` is that signature)."""
    return Review(
        visit_id=decode_hex(row.visit_id),
        rating=row.rating,
        treatment=row.treatment,
        bedside=row.bedside,
        wait_time=row.wait_time,
        text=row.text,
        deadline=row.deadline,
    )
