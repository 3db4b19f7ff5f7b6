"""No public answer names the patient behind a review, whatever the route.

Every GET route of the OpenAPI document is asked anonymously with every id a visitor
can see: the ids are gathered by crawling the public answers themselves (the directory,
the reviews, the proofs, the replies...) until nothing new turns up. An answer of any
status that carries a patient's wallet (in any case, with or without 0x, inside longer
hex) or a visit's time (the integer, its ISO form, the end of its review window) fails.
So does a route with a path parameter this test cannot fill: a new route must teach it
where its ids come from (`ID_KINDS`).

Patients' reviews are anchored, pending, edited, replied to, flagged and erased, in
single and in batch mode, on SQLite and PostgreSQL. This failed while
`GET /v1/visits/{visitId}` served the patient and the visit time to anyone holding a
visitId, which every review publishes.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from web3 import Web3

from dentareview.anchoring.modes import build_anchorer
from dentareview.api.app import create_app
from dentareview.config import Settings
from tests.api.conftest import start_system
from tests.api.system import DAY, System, new_wallet
from tests.api.test_anonymous_reviews import join
from tests.api.test_replies import post_reply, reply_message
from tests.api.test_revisions import edit_message, erasure_message
from tests.api.test_revisions import post as post_revision
from tests.batch.conftest import start_batch_system
from tests.contracts.semaphore import commitments
from tests.support.anvil import AnvilNode

# Where each path parameter's values come from, by the kind of id it takes.
ID_KINDS = {
    "address": "address",
    "review_id": "number",
    "visit_id": "bytes32",
    # Short links and unsubscribe tokens are in no public answer (only in emails and the
    # practice's own list): the crawl asks with one no visit has.
    "short_code": "short_code",
    "unsubscribe_token": "unsubscribe_token",
    # A practice's check-in code and a passkey's credential id are in no public answer
    # (the practice's own list, the patient's device): the crawl asks with unknown ones.
    "checkin_code": "checkin_code",
    "credential_id": "credential_id",
    # Anonymous reviews' random ids (0x + 16 bytes), from the practices' anonymous lists;
    # the proving files by their one public name each (the crawl asks for the smallest).
    "anonymous_id": "anonymous_id",
    "proving_file": "proving_file",
}
ADDRESS = re.compile(r"(?<![0-9a-fA-Fx])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")
BYTES32 = re.compile(r"(?<![0-9a-fA-Fx])0x[0-9a-fA-F]{64}(?![0-9a-fA-F])")
ANONYMOUS_ID = re.compile(r"(?<![0-9a-fA-Fx])0x[0-9a-f]{32}(?![0-9a-fA-F])")
PRIVACY_DOC = Path(__file__).resolve().parents[2] / "docs" / "PRIVACY.md"


class Unfillable(AssertionError):
    """A route takes a parameter whose values this test does not know how to find."""


@dataclass
class Seeded:
    patients: list[LocalAccount] = field(default_factory=list)
    visit_times: list[int] = field(default_factory=list)
    review_ids: set[int] = field(default_factory=set)
    reviewed_visits: set[str] = field(default_factory=set)


def secret_fragments(seeded: Seeded, review_window_days: int) -> dict[str, str]:
    """Each string no anonymous answer may contain (compared lowercase), and what it is."""
    found: dict[str, str] = {}
    for patient in seeded.patients:
        found[patient.address[2:].lower()] = f"patient wallet {patient.address}"
    for at in seeded.visit_times:
        closes = at + review_window_days * DAY
        found[str(at)] = f"visit time {at}"
        found[str(closes)] = f"end of the review window of the visit at {at}"
        stamp = datetime.fromtimestamp(at, UTC)
        for sep in ("T", " "):
            found[stamp.strftime(f"%Y-%m-%d{sep}%H:%M:%S").lower()] = f"visit time {at} (ISO)"
    return found


def leaks(response: Response, fragments: dict[str, str]) -> list[str]:
    said = " ".join([response.text, *response.headers.values()]).lower()
    return [what for fragment, what in fragments.items() if fragment in said]


def numbers_under_ids(body: Any) -> Iterator[int]:
    """Integers under `id`, `reviewId` and the like, anywhere in a JSON body."""
    if isinstance(body, dict):
        for key, value in body.items():
            named_id = key == "id" or key.endswith("Id")
            if named_id and isinstance(value, int) and not isinstance(value, bool):
                yield value
            yield from numbers_under_ids(value)
    elif isinstance(body, list):
        for item in body:
            yield from numbers_under_ids(item)


def query_values(parameter: dict[str, Any]) -> list[str]:
    """A query parameter's default and examples (a flag both ways), as the URL spells them."""
    schema = parameter.get("schema", {})
    values = [schema["default"]] if "default" in schema else []
    values += [example for example in (parameter.get("example"), schema.get("example")) if example]
    values += list(parameter.get("examples", {}).values()) + schema.get("examples", [])
    if schema.get("type") == "boolean":
        values += [True, False]
    if not values and parameter.get("required"):
        raise Unfillable(f"query parameter {parameter['name']} has no default or example")
    return list(dict.fromkeys(str(v).lower() if isinstance(v, bool) else str(v) for v in values))


def urls_of(route: str, operation: dict[str, Any], ids: dict[str, set[str]]) -> Iterator[str]:
    """The route with every known id in each path parameter, and each query combination."""
    path_values: dict[str, list[str]] = {}
    query: dict[str, list[str]] = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            if name not in ID_KINDS:
                raise Unfillable(
                    f"GET {route}: the test does not know which ids fill {{{name}}}; "
                    "add them to ID_KINDS"
                )
            path_values[name] = sorted(ids[ID_KINDS[name]])
        elif parameter["in"] == "query" and (values := query_values(parameter)):
            query[name] = values
    for path_combo in itertools.product(*path_values.values()):
        path = route
        for name, value in zip(path_values, path_combo, strict=True):
            path = path.replace(f"{{{name}}}", value)
        for query_combo in itertools.product(*query.values()):
            pairs = urlencode(list(zip(query, query_combo, strict=True)))
            yield path + ("?" + pairs if pairs else "")


class Crawl:
    """Anonymous GETs of every route, with the ids the answers reveal, to a fixed point."""

    def __init__(self, client: TestClient, openapi: dict[str, Any]) -> None:
        self.client = client
        self.ids: dict[str, set[str]] = {
            "address": set(),
            "bytes32": set(),
            "number": set(),
            "short_code": {"0000000000000"},
            "unsubscribe_token": {"no-such-token"},
            "checkin_code": {"ZZZZ9999"},
            "credential_id": {"no-such-credential"},
            "anonymous_id": {"0x" + "00" * 16},
            "proving_file": {"semaphore-1.json"},
        }
        self.answers: dict[str, Response] = {}
        self.routes: dict[str, dict[str, Any]] = {
            route: ops["get"] for route, ops in openapi["paths"].items() if "get" in ops
        }

    def harvest(self, response: Response) -> None:
        self.ids["address"].update(ADDRESS.findall(response.text))
        self.ids["bytes32"].update(BYTES32.findall(response.text))
        self.ids["anonymous_id"].update(ANONYMOUS_ID.findall(response.text))
        if response.headers.get("content-type", "").startswith("application/json"):
            self.ids["number"].update(str(n) for n in numbers_under_ids(response.json()))

    def run(self) -> None:
        while True:
            todo = [
                url
                for route, operation in self.routes.items()
                for url in urls_of(route, operation, self.ids)
                if url not in self.answers
            ]
            if not todo:
                return
            for url in todo:
                response = self.client.get(url)
                assert response.status_code < 500, (url, response.text)
                self.answers[url] = response
                self.harvest(response)


def anchor(system: System) -> None:
    report = build_anchorer(system.settings, system.sessions, system.gateway).run_until_idle()
    assert not report.errors, report.errors


def seed(system: System) -> Seeded:
    """Reviews in every state a visitor can meet, each by a patient of its own."""
    seeded = Seeded()
    now = int(time.time())
    first, second = system.new_dentist("Privacy One Dental"), system.new_dentist("Second Dental")

    def review(dentist: LocalAccount, *, reviewed: bool = True) -> dict[str, Any]:
        patient = new_wallet()
        # Distinct odd times: no other figure of the service equals one by chance.
        visited_at = now - DAY - 3_607 * (len(seeded.patients) + 1)
        visit = system.attested_visit(dentist, patient, visited_at=visited_at)
        seeded.patients.append(patient)
        seeded.visit_times.append(visited_at)
        found = {"visit": visit, "patient": patient, "dentist": dentist}
        if not reviewed:
            return found
        response = system.post_review(patient, system.review_message(visit))
        assert response.status_code == 202, response.text
        seeded.review_ids.add(response.json()["id"])
        seeded.reviewed_visits.add(visit["visitId"])
        return {**found, **response.json()}

    replied, flagged, erased = review(first), review(first), review(second)
    edited = review(second)
    anchor(system)
    answered = post_reply(system, first, replied["id"], reply_message(replied))
    assert answered.status_code == 201, answered.text
    changed = post_revision(
        system, edited["patient"], "edit", edited["id"], edit_message(edited, edited["digest"])
    )
    assert changed.status_code == 201, changed.text
    reported = system.client.post(
        f"/v1/reviews/{flagged['id']}/flags", json={"reason": "advertising"}
    )
    assert reported.status_code == 201, reported.text
    gone = post_revision(system, erased["patient"], "erase", erased["id"], erasure_message(erased))
    assert gone.status_code == 201, gone.text
    # Two patients join their practices' anonymous groups: the groups list commitments.
    joining = zip((replied, edited), commitments(["crawl one", "crawl two"]), strict=True)
    for joined, commitment in joining:
        response = join(system, joined["visit"], joined["patient"], commitment)
        assert response.status_code == 201, response.text
    anchor(system)  # the edit, the erasure and the reply, as statements; the group roots
    review(first)  # pending
    review(second, reviewed=False)  # a visit not reviewed yet
    return seeded


@pytest.fixture(params=["single", "batch"])
def any_mode_system(
    request: pytest.FixtureRequest, anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str
) -> Iterator[System]:
    if request.param == "single":
        yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)
    else:
        yield from start_batch_system(
            anvil.rpc_url, w3, tmp_path / "data", database_url, batch_seconds=0
        )


def test_no_anonymous_answer_of_any_get_route_names_a_patient_or_a_visit_time(
    any_mode_system: System,
) -> None:
    system = any_mode_system
    seeded = seed(system)
    app = system.client.app
    assert isinstance(app, FastAPI)
    crawl = Crawl(TestClient(app), app.openapi())  # a cookie jar of its own, never signed in

    crawl.run()

    # The crawl reached what a visitor can: every review and every reviewed visit.
    assert {str(i) for i in seeded.review_ids} <= crawl.ids["number"]
    assert seeded.reviewed_visits <= crawl.ids["bytes32"]
    asked = {route for route in crawl.routes if any(urls_of(route, crawl.routes[route], crawl.ids))}
    assert asked == set(crawl.routes)
    fragments = secret_fragments(seeded, system.settings.policy().review_window_days)
    leaked = {
        url: found
        for url, response in crawl.answers.items()
        if (found := leaks(response, fragments))
    }
    assert leaked == {}, f"{len(leaked)} of {len(crawl.answers)} anonymous answers leak"


def test_the_leak_check_sees_every_form_of_a_wallet_and_a_time() -> None:
    patient = new_wallet()
    at = 1_760_000_123
    fragments = secret_fragments(Seeded(patients=[patient], visit_times=[at]), 90)
    hex_ = patient.address[2:]
    for said in (
        patient.address,
        patient.address.lower(),
        hex_.upper(),
        "0x" + "ab" * 6 + hex_.lower(),  # inside a longer hex string (an event topic)
        f'{{"visitedAt":{at}}}',
        "2025-10-09T08:55:23Z",
        "2025-10-09 08:55:23+00:00",
        str(at + 90 * DAY),
    ):
        assert leaks(Response(200, text=said), fragments), said
    assert leaks(Response(200, headers={"location": f"/x/{hex_}"}), fragments)
    assert not leaks(Response(200, text=new_wallet().address + " 1760000124"), fragments)


def test_a_route_whose_ids_the_test_cannot_find_fails_it() -> None:
    operation = {"parameters": [{"name": "statement_id", "in": "path", "required": True}]}
    with pytest.raises(Unfillable, match="statement_id"):
        list(urls_of("/v1/statements/{statement_id}", operation, {}))
    required = {"parameters": [{"name": "q", "in": "query", "required": True, "schema": {}}]}
    with pytest.raises(Unfillable, match="q"):
        list(urls_of("/v1/search", required, {}))


def get_routes(tmp_path: Path) -> set[str]:
    settings = Settings(
        rpc_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'routes.db'}",
        anchor_worker=False,
    )
    paths = create_app(settings, run_anchor_worker=False).openapi()["paths"]
    return {route for route, ops in paths.items() if "get" in ops}


def shape(route: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", route)


def test_every_get_route_is_in_the_privacy_table(tmp_path: Path) -> None:
    """docs/PRIVACY.md says what each route returns and never returns, one row per route."""
    rows = re.findall(
        r"^\| `GET ([^`?]+)[^`]*` \|([^|]+)\|([^|]+)\|$", PRIVACY_DOC.read_text(), re.M
    )
    documented = {shape(route): (returns, never) for route, returns, never in rows}
    routes = {shape(route) for route in get_routes(tmp_path)}
    assert sorted(routes - set(documented)) == [], "GET routes missing from docs/PRIVACY.md"
    assert sorted(set(documented) - routes) == [], "docs/PRIVACY.md names routes that are gone"
    assert all(returns.strip() and never.strip() for returns, never in documented.values())
