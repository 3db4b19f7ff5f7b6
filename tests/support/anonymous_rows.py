"""An anonymous review stored as its publisher leaves it once anchored and final (and counted
in the practice's totals), for tests of what happens after publication: reading, reporting and
moderating it. The proof and the chain are tested in tests/api/test_anonymous_reviews.py."""

from __future__ import annotations

import json
import secrets
import time

from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.models import AnonymousReviewRow
from dentareview.db.queries.aggregates import shift_anonymous

TEXT = "The hygienist was gentle and explained every step; the wait was short and calm."


def anchored_anonymous(
    sessions: sessionmaker[Session], dentist: str, *, rating: int = 2, text: str = TEXT
) -> str:
    """Store an anchored anonymous review of `dentist`; returns its id."""
    review_id = "0x" + secrets.token_hex(16)
    now = int(time.time())
    with sessions() as session:
        session.add(
            AnonymousReviewRow(
                id=review_id,
                dentist=dentist,
                period=1,
                rating=rating,
                treatment=rating,
                bedside=rating,
                wait_time=rating,
                text=text,
                language="en",
                digest="0x" + secrets.token_hex(32),
                reward_to="0x" + secrets.token_hex(20),
                root="1",
                depth=10,
                nullifier=str(secrets.randbits(200)),
                points=json.dumps(["0"] * 8),
                status="anchored",
                publish_after=now,
                publish_by=now,
                anchored_at=now,
                tx_hash="0x" + "ab" * 32,
                block_number=1,
                block_hash="0x" + "cd" * 32,
                final=True,  # else a running publisher looks for its block, and unanchors it
            )
        )
        session.flush()
        shift_anonymous(session, review_id=review_id, sign=1)
        session.commit()
    return review_id
