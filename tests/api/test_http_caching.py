"""Public reads carry an ETag and Cache-Control, and answer 304 while nothing changed;
private and error answers are not marked cacheable."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from tests.api.system import System, new_wallet


def _anchored_review(system: System, dentist: LocalAccount) -> None:
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)
    assert system.post_review(patient, system.review_message(visit)).status_code == 202
    assert system.anchor().anchored == 1


def test_public_reads_revalidate_with_their_etag(system: System) -> None:
    client = system.client
    dentist = system.new_dentist()
    _anchored_review(system, dentist)
    paths = [
        f"/v1/dentists/{dentist.address}/reputation",
        f"/v1/dentists/{dentist.address}/reviews",
        "/v1/dentists?limit=5",
        "/v1/eip712",
    ]
    for path in paths:
        first = client.get(path)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        # Browsers revalidate each time (a page shows new anchors at once); a CDN may
        # keep the answer for DENTAREVIEW_PUBLIC_CACHE_SECONDS.
        assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
        assert client.get(path).headers["ETag"] == etag  # the same body, the same tag
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["ETag"] == etag
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200

    reputation = paths[0]
    old = client.get(reputation).headers["ETag"]
    _anchored_review(system, dentist)  # the reputation changes: so does its tag
    changed = client.get(reputation, headers={"If-None-Match": old})
    assert changed.status_code == 200 and changed.json()["count"] == 2
    assert changed.headers["ETag"] != old


def test_errors_and_private_reads_are_not_cached(system: System) -> None:
    missing = system.client.get(f"/v1/dentists/{new_wallet().address}/reputation")
    assert missing.status_code == 404
    assert "ETag" not in missing.headers and "Cache-Control" not in missing.headers
    private = system.client.get("/v1/me/reviews")
    assert private.status_code == 401 and "ETag" not in private.headers
