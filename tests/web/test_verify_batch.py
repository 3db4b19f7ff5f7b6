"""In-browser verification of a batch-mode review: Merkle path, BatchAnchored log,
batchOf and isReviewInBatch; and a tampered path turns red."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.web.browser import require_chromium, shoot
from tests.web.conftest import WebSystem, web_system


@pytest.fixture(scope="module")
def batch_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    require_chromium()
    env = {
        "DENTAREVIEW_ANCHOR_MODE": "batch",
        "DENTAREVIEW_BATCH_SIZE": "3",
        "DENTAREVIEW_BATCH_SECONDS": "60",  # the batch closes when its 3 reviews wait
        "DENTAREVIEW_BATCH_PAYOUT_SECONDS": "0.5",
    }
    with web_system(tmp_path_factory.mktemp("batch"), **env) as system:
        yield system


@pytest.fixture(scope="module")
def batch_review(batch_web: WebSystem) -> int:
    dentist = batch_web.new_dentist("Batch Street Dental")
    ids = []
    for _ in range(3):
        patient = new_wallet()
        ids.append(batch_web.review(patient, batch_web.visit(dentist, patient)))
    for review_id in ids:
        batch_web.wait_anchored(review_id)
    batch_web.mine(70)
    return ids[1]


def test_batch_proof_verifies_in_the_browser(
    page: Page, batch_web: WebSystem, batch_review: int
) -> None:
    page.goto(f"{batch_web.url}/verify/{batch_review}")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=20_000)
    proof = json.loads(page.get_by_label("Proof (JSON)").input_value())
    assert proof["anchor"]["kind"] == "batch"
    assert proof["anchor"]["size"] == 3
    for name in ("merkle-proof", "anchor-event", "anchored-at", "in-batch", "finality"):
        expect(page.locator(f"[data-check={name}]")).to_have_attribute("data-verdict", "pass")
    shoot(page, "verify-batch-pass", phone=False)


def test_tampered_batch_path_fails(page: Page, batch_web: WebSystem, batch_review: int) -> None:
    page.goto(f"{batch_web.url}/verify/{batch_review}")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "pass", timeout=20_000)
    proof = json.loads(page.get_by_label("Proof (JSON)").input_value())
    first = proof["anchor"]["proof"][0]
    proof["anchor"]["proof"][0] = first[:-1] + ("0" if first[-1] != "0" else "1")
    page.get_by_label("Proof (JSON)").fill(json.dumps(proof))
    page.get_by_role("button", name="Check this proof").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=digest]")).to_have_attribute("data-verdict", "pass")
    expect(page.locator("[data-check=merkle-proof]")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=in-batch]")).to_have_attribute("data-verdict", "fail")
    shoot(page, "verify-batch-tampered", phone=False)
