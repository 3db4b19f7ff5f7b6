"""Reputation over HTTP against hand-computed figures."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.api.system import System, new_wallet


def test_reputation_matches_hand_computed_figures(system: System) -> None:
    dentist = system.new_dentist("Hand Computed Dental")
    # (rating, treatment, bedside, waitTime) of four anchored reviews and one pending.
    anchored = [(5, 5, 4, 3), (4, 4, 4, 2), (2, 3, 1, 1), (5, 4, 5, 5)]
    for rating, treatment, bedside, wait_time in anchored:
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = system.post_review(
            patient,
            system.review_message(
                visit, rating=rating, treatment=treatment, bedside=bedside, wait_time=wait_time
            ),
        )
        assert response.status_code == 202, response.text
    assert system.anchor().anchored == 4
    late_patient = new_wallet()
    late_visit = system.attested_visit(dentist, late_patient)
    pending = system.post_review(late_patient, system.review_message(late_visit, rating=1))
    assert pending.status_code == 202, pending.text

    body = system.client.get(f"/v1/dentists/{dentist.address}/reputation").json()
    # By hand: ratings 5,4,2,5 -> sum 16, mean 4.0
    #   Bayesian (5 * 3.5 + 16) / (5 + 4) = 33.5 / 9 = 3.7222...
    #   treatment (5+4+3+4)/4 = 4.0, bedside (4+4+1+5)/4 = 3.5, wait (3+2+1+5)/4 = 2.75
    assert body["count"] == 4
    assert body["mean"] == 4.0
    assert body["bayesianScore"] == 3.7222
    assert body["treatment"] == 4.0
    assert body["bedside"] == 3.5
    assert body["waitTime"] == 2.75
    assert body["histogram"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert body["pendingCount"] == 1
    assert len(body["trend"]) == 12
    this_month = datetime.fromtimestamp(time.time(), UTC).strftime("%Y-%m")
    assert body["trend"][-1] == {"month": this_month, "count": 4, "mean": 4.0}
    assert all(point["count"] == 0 for point in body["trend"][:-1])

    listing = system.client.get(f"/v1/dentists/{dentist.address}/reviews").json()
    assert listing["total"] == 4
    assert [r["rating"] for r in listing["items"]] == [5, 2, 4, 5]  # newest first
    with_pending = system.client.get(
        f"/v1/dentists/{dentist.address}/reviews", params={"includePending": "true", "limit": 2}
    ).json()
    assert with_pending["total"] == 5
    assert [r["status"] for r in with_pending["items"]] == ["pending", "anchored"]
