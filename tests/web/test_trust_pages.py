"""What makes the public pages trustworthy to a patient, in a real browser: a genuine
review is never shown as failed while a change waits for anchoring; every profile and the
widget disclose the same reward for every rating and link to "How reviews work here";
too few reviews show no score; plain words first, the auditors' details behind a click;
every page has a description; signed-out pages log no error."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.api.system import new_wallet
from tests.support.wallet import sign_typed
from tests.web.browser import PHONE, shoot
from tests.web.conftest import WebSystem

EDITED = (
    "Coming back after a month: the crown feels a little high when I bite, and the "
    "follow-up appointment took three weeks to get."
)


def reward_words(web: WebSystem) -> str:
    chain = web.api_get("/v1/chain")
    return f"{int(chain['rewardAmount']) // 10 ** chain['tokenDecimals']} {chain['tokenSymbol']}"


def post_edit(web: WebSystem, patient: LocalAccount, review: dict[str, Any]) -> None:
    message = {
        "visitId": review["visitId"],
        "previousDigest": review["digest"],
        "rating": 2,
        "treatment": 2,
        "bedside": 3,
        "waitTime": 1,
        "text": EDITED,
        "deadline": int(time.time()) + 3600,
    }
    signature = sign_typed(patient, web.api_get("/v1/eip712"), "ReviewEdit", message)
    answer = httpx.post(
        f"{web.url}/v1/reviews/{review['id']}/edit",
        json={"message": message, "signature": signature},
        timeout=10,
    )
    assert answer.status_code in (200, 201, 202), answer.text


@contextmanager
def stalled_chain(web: WebSystem) -> Iterator[None]:
    """The chain takes no transaction into a block until the test mines one (a slow or
    congested chain): a change signed meanwhile waits for anchoring."""
    web.rpc("evm_setAutomine", [False])
    try:
        yield
    finally:
        web.rpc("evm_setAutomine", [True])


def mine_until(web: WebSystem, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"{what} did not happen"
        web.mine(1)
        time.sleep(0.3)


def record_verdicts(page: Page) -> None:
    """Every verdict the page ever shows, in window.verdicts."""
    page.add_init_script(
        """
        window.verdicts = [];
        new MutationObserver(() => {
          const shown = document.querySelector('#verdict');
          const value = shown && shown.getAttribute('data-verdict');
          if (value && window.verdicts[window.verdicts.length - 1] !== value) {
            window.verdicts.push(value);
          }
        }).observe(document, { subtree: true, childList: true, attributes: true });
        """
    )


def test_an_edit_waiting_for_anchoring_is_shown_as_waiting_then_verified_on_its_own(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Riverbank Dental")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient), rating=4)
    web.wait_anchored(review_id)
    web.mine(70)  # final
    record_verdicts(page)
    with stalled_chain(web):
        post_edit(web, patient, web.api_get(f"/v1/reviews/{review_id}"))
        page.goto(f"{web.url}/verify/{review_id}")
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-verdict", "wait", timeout=30_000)
        expect(verdict).to_contain_text("Waiting for anchoring")
        expect(verdict).to_contain_text("This page checks again on its own.")
        expect(page.locator("[data-check=author-anchors]")).to_have_attribute(
            "data-verdict", "wait"
        )
        # Plain words first: the review as it reads now, and the practice by name.
        expect(page.locator("#proof-review")).to_contain_text("A review of Riverbank Dental")
        expect(page.locator("#proof-text")).to_have_text(EDITED)
        expect(page.locator("#edited-note")).to_contain_text("this is the latest version")
        expect(page.locator("#auditor-details")).not_to_have_attribute("open", "")
        expect(page.get_by_text("Details for auditors")).to_be_visible()
        shoot(page, "verify-waiting")

        # The chain moves on: the edit is anchored, then final; the page settles by itself.
        def edit_anchored() -> bool:
            proof = web.api_get(f"/v1/reviews/{review_id}/proof")
            return "anchor" in proof["author"]["revisions"][0]

        mine_until(web, edit_anchored, "the edit's anchoring")
        web.mine(70)
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=90_000)
    expect(page.locator("[data-check=author-anchors]")).to_have_attribute("data-verdict", "pass")
    shown = page.evaluate("window.verdicts")
    assert "fail" not in shown and shown[0] == "wait" and shown[-1] == "pass", shown


def test_a_proof_with_an_unanchored_change_waits_and_a_forged_one_fails(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Harbour Lights Dental")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient), rating=5)
    post_edit(web, patient, web.wait_anchored(review_id))
    deadline = time.monotonic() + 30
    while "anchor" not in web.api_get(f"/v1/reviews/{review_id}/proof")["author"]["revisions"][0]:
        assert time.monotonic() < deadline, "the edit was not anchored"
        time.sleep(0.3)
    proof = web.api_get(f"/v1/reviews/{review_id}/proof")

    page.goto(f"{web.url}/verify")
    waiting = json.loads(json.dumps(proof))
    del waiting["author"]["revisions"][0]["anchor"]  # a proof taken before the anchoring
    page.get_by_label("Proof (JSON)").fill(json.dumps(waiting))
    page.get_by_role("button", name="Check this proof").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "wait", timeout=20_000)
    # A pasted proof cannot be fetched again: the visitor is told what to do.
    expect(page.locator("#verdict")).to_contain_text("Check again later with a newer proof.")

    forged = json.loads(json.dumps(proof))
    forged["author"]["revisions"][0]["message"]["rating"] = 5  # the edit said 2
    page.get_by_label("Proof (JSON)").fill(json.dumps(forged))
    page.get_by_role("button", name="Check this proof").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail", timeout=20_000)
    expect(page.locator("[data-check=author]")).to_have_attribute("data-verdict", "fail")
    # A failure opens the details at once.
    expect(page.locator("#auditor-details")).to_have_attribute("open", "")


def test_profile_discloses_the_reward_and_hides_a_score_from_too_few_reviews(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Birchwood Family Dentistry")
    patient = new_wallet()
    web.wait_anchored(web.review(patient, web.visit(dentist, patient), rating=5))
    reward = reward_words(web)
    page.set_viewport_size(PHONE)
    page.goto(f"{web.url}/dentists/{dentist.address}")
    disclosure = page.locator("#disclosure")
    expect(disclosure).to_contain_text(f"the same reward ({reward}), whatever their rating")
    # One 5-star review: no score, a plain sentence instead (never "3.8" from one review).
    expect(page.get_by_test_id("score")).to_have_count(0)
    expect(page.locator("#score-sentence")).to_have_text(
        "Too few reviews for a score: 1 verified review so far. "
        "A score is shown from 3 reviews."
    )
    # No wallet hex in plain view; it waits behind "Details for auditors".
    expect(page.get_by_text(dentist.address)).not_to_be_visible()
    expect(page.locator("article .stars[role=img]")).to_have_attribute(
        "aria-label", "5 out of 5 stars"
    )
    shoot(page, "profile-disclosure")

    page.set_viewport_size(PHONE)
    disclosure.get_by_role("link", name="How reviews work here").click()
    expect(page).to_have_url(f"{web.url}/how-reviews-work")
    expect(page.get_by_role("heading", level=1)).to_have_text("How reviews work here")
    expect(page.locator("#reward-line")).to_contain_text(
        f"receives the same reward, {reward}, whatever their rating: one star or five"
    )
    for heading in (
        "What “verified” means",
        "The reward: the same for every rating",
        "Changes, reports and removals",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    shoot(page, "how-reviews-work")


PAGES = ["/", "/verify", "/me", "/practice", "/how-reviews-work", "/practice/visits"]


def test_every_page_has_a_description_and_signed_out_pages_log_no_error(
    page: Page, web: WebSystem
) -> None:
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", keep)
    dentist = web.new_dentist("Quiet Street Dental")
    for path in [*PAGES, f"/dentists/{dentist.address}"]:
        page.goto(web.url + path)
        expect(page.locator("main[data-ready=true]")).to_be_attached(timeout=20_000)
        description = page.locator("meta[name=description]").get_attribute("content") or ""
        assert len(description) > 40, (path, description)
    assert errors == []


def test_the_focus_ring_has_3_to_1_contrast_with_what_surrounds_it(
    page: Page, web: WebSystem
) -> None:
    page.goto(web.url + "/how-reviews-work")
    expect(page.locator("main[data-ready=true]")).to_be_attached(timeout=20_000)
    # Tab through the header and the page: every focused element's ring against the
    # background it sits on (WCAG 1.4.11).
    ratios = []
    for _ in range(12):
        page.keyboard.press("Tab")
        ratios.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
                  const lum = ([r, g, b]) => {
                    const f = (v) => {
                      v /= 255;
                      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                    };
                    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
                  };
                  let node = el.parentElement, bg = null;
                  while (node) {
                    const c = rgb(getComputedStyle(node).backgroundColor);
                    if (c.length < 4 || c[3] > 0) { bg = c; break; }
                    node = node.parentElement;
                  }
                  bg = bg || [255, 255, 255];
                  const ring = rgb(getComputedStyle(el).outlineColor);
                  const [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
                  return [el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30),
                          getComputedStyle(el).outlineStyle, (a + 0.05) / (b + 0.05)];
                }"""
            )
        )
    ratios = [r for r in ratios if not r[0].startswith("BODY")]  # past the last one
    assert len(ratios) >= 8, ratios
    assert [r for r in ratios if r[1] == "none"] == [], ratios
    assert min(ratio for _, _, ratio in ratios) >= 3, ratios


def test_answers_are_compressed(web: WebSystem) -> None:
    index = httpx.get(web.url + "/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert index.headers["content-encoding"] == "gzip"
    script = next(
        part.split('"')[0] for part in index.text.split('src="')[1:] if part.startswith("/assets/")
    )
    asset = httpx.get(web.url + script, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert asset.headers["content-encoding"] == "gzip"
    assert "immutable" in asset.headers["cache-control"]
    # A client that does not ask gets the plain bytes.
    plain = httpx.get(web.url + script, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "content-encoding" not in plain.headers and plain.content == asset.content
