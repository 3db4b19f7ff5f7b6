"""The dentist's own API: only a registered, active dentist's wallet gets it, and the
dashboard's figures are those of the data behind them."""

from __future__ import annotations

import time

from tests.api.system import System, new_wallet
from tests.support.siwe import wallet_client

DAY = 86_400


def test_practice_refuses_without_session_and_for_other_wallets(system: System) -> None:
    assert system.client.get("/v1/practice").json()["error"]["code"] == "NOT_SIGNED_IN"
    stranger = wallet_client(system.client, new_wallet())
    for path in ("/v1/practice", "/v1/practice/dashboard", "/v1/practice/dashboard.csv"):
        response = stranger.get(path)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "NOT_A_DENTIST"


def test_practice_names_the_signed_in_dentist(system: System) -> None:
    dentist = system.new_dentist("Harbour Dental")
    body = wallet_client(system.client, dentist).get("/v1/practice").json()
    assert body == {"address": dentist.address, "name": "Harbour Dental", "active": True}


def test_dashboard_counts_funnel_retention_and_scores(system: System) -> None:
    dentist = system.new_dentist("Harbour Dental")
    other = system.new_dentist("Elsewhere")
    now = int(time.time())
    patients = [new_wallet() for _ in range(4)]
    # Patient 0: two visits 100 days apart (a repeat); patient 1: two visits 400 days
    # apart (not within 12 months); patients 2 and 3: one visit each.
    system.attested_visit(dentist, patients[0], visited_at=now - 101 * DAY)
    v0 = system.attested_visit(dentist, patients[0], visited_at=now - DAY)
    system.attested_visit(dentist, patients[1], visited_at=now - 401 * DAY)
    v1 = system.attested_visit(dentist, patients[1], visited_at=now - 2 * DAY)
    v2 = system.attested_visit(dentist, patients[2], visited_at=now - 3 * DAY)
    system.attested_visit(dentist, patients[3], visited_at=now - 4 * DAY)
    system.attested_visit(other, patients[3], visited_at=now - 5 * DAY)  # not ours
    for patient, visit, rating in (
        (patients[0], v0, 5),
        (patients[1], v1, 2),
        (patients[2], v2, 4),
    ):
        response = system.post_review(patient, system.review_message(visit, rating=rating))
        assert response.status_code == 202, response.text
    system.anchor()

    client = wallet_client(system.client, dentist)
    body = client.get("/v1/practice/dashboard").json()
    assert body["practice"]["name"] == "Harbour Dental"
    assert body["funnel"]["visits"] == 6
    assert body["funnel"]["reviews"] == 3
    assert body["funnel"]["anchored"] == 3
    assert body["funnel"]["rewarded"] == 3
    assert body["funnel"]["reviewRate"] == 0.5
    delays = [DAY, 2 * DAY, 3 * DAY]
    assert abs(body["funnel"]["medianSecondsToReview"] - delays[1]) < 120
    assert body["retention"] == {
        "patients": 4,
        "repeatPatients": 1,
        "share": 0.25,
        "windowDays": 365,
    }
    score = body["score"]
    assert score["count"] == 3
    assert score["mean"] == round(11 / 3, 4)
    assert score["histogram"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert score["bayesianScore"] == round((5 * 3.5 + 11) / 8, 4)
    last = body["months"][-1]
    assert len(body["months"]) == 12
    assert last["count"] == 3 and last["cumulativeCount"] == 3
    assert last["bayesianScore"] == score["bayesianScore"]
    assert all(m["count"] == 0 and m["mean"] is None for m in body["months"][:-1])
    assert all(m["bayesianScore"] is None for m in body["months"][:-1])

    csv = client.get("/v1/practice/dashboard.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("month,reviews,mean_rating")
    assert lines[12].startswith(f"{last['month']},3,")
    assert "verified_retention,0.25" in lines
    assert "visits_attested,6" in lines
