"""Every page the service serves loads nothing from another origin, carries the pages'
Content-Security-Policy (with frame-ancestors), and another site on the same host cannot
sign a visitor out.

The pages are found from the app itself: each route outside the OpenAPI document that
answers HTML (the web app's routes, /docs, and any page added later). Each is opened in
real Chromium; every request it makes (scripts, styles, fonts, images, fetches) and every
`<script src>` / `<link href>` in its HTML must be on the service's origin. The one other
origin allowed is the chain node the service publishes for in-browser verification, and
for fetches only (`connect-src`): reading the chain is the point of checking a review
without trusting us."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dentareview.api.webapp import CONTENT_SECURITY_POLICY
from tests.api.system import new_wallet
from tests.security.routes import PATH_SAMPLES, fill, offline_app, operations
from tests.web.browser import DESKTOP, TestWallet, require_chromium, serving
from tests.web.conftest import WebSystem, web_system

OPERATOR = new_wallet()
FETCHES = {"fetch", "xhr", "eventsource", "websocket"}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebSystem, dict[str, Any]]]:
    """The service with an operator, a dentist, an attested visit and an anchored review."""
    require_chromium()
    with web_system(
        tmp_path_factory.mktemp("origins"), DENTAREVIEW_OPERATOR_ADDRESSES=OPERATOR.address
    ) as system:
        dentist, patient = system.new_dentist("Harbour Dental"), new_wallet()
        visit = system.visit(dentist, patient)
        review_id = system.review(patient, visit)
        system.wait_anchored(review_id)
        values = {"address": dentist.address, "visit_id": visit["visitId"], "review_id": review_id}
        yield system, values


def page_paths(tmp_path: Path, values: dict[str, Any]) -> list[str]:
    """Every GET route of the app outside its OpenAPI document, filled with real values."""
    app = offline_app(tmp_path)
    documented = {op.path for op in operations(app.openapi())}
    paths = []
    for route in app.routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None) or set()
        if path and "GET" in methods and path not in documented and path != app.openapi_url:
            paths.append(fill(path, {**PATH_SAMPLES, **values}))
    return paths


def html_pages(system: WebSystem, paths: list[str]) -> list[str]:
    return [
        path
        for path in paths
        if httpx.get(system.url + path, timeout=10).headers["content-type"].startswith("text/html")
    ]


def test_every_html_answer_carries_the_policy(
    site: tuple[WebSystem, dict[str, Any]], tmp_path: Path
) -> None:
    system, values = site
    pages = html_pages(system, page_paths(tmp_path, values))
    assert {"/", "/docs", "/operator", f"/verify/{values['review_id']}"} <= set(pages), pages
    for path in pages:
        answer = httpx.get(system.url + path, timeout=10)
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff", path


@contextmanager
def watched(page: Page) -> Iterator[list[tuple[str, str]]]:
    """(resource type, URL) of every request the page makes, and CSP refusals (as
    console errors) so a blocked foreign load fails too."""
    seen: list[tuple[str, str]] = []
    page.on("request", lambda request: seen.append((request.resource_type, request.url)))
    page.on(
        "console",
        lambda message: (
            seen.append(("csp", message.text))
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield seen


def declared_sources(page: Page) -> list[str]:
    urls: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('script[src], link[href]')]"
        ".map((e) => e.src || e.href)"
    )
    return [urljoin(page.url, url) for url in urls]


def foreign(seen: list[tuple[str, str]], page: Page, own: str, node: str) -> list[Any]:
    found = [entry for entry in seen if entry[0] == "csp"]
    for kind, url in seen:
        if kind == "csp" or url.startswith(("data:", "blob:")):
            continue
        allowed = {own} | ({node} if kind in FETCHES else set())
        if origin_of(url) not in allowed:
            found.append((kind, url))
    found += [url for url in declared_sources(page) if origin_of(url) != own]
    return found


def load(page: Page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    if page.locator("main#main").count():  # the web app's pages say when they are drawn
        expect(page.locator("main#main[data-ready=true]")).to_be_attached(timeout=20_000)
        page.wait_for_load_state("networkidle")


def test_no_page_loads_anything_from_another_origin(
    browser: Browser, site: tuple[WebSystem, dict[str, Any]], tmp_path: Path
) -> None:
    system, values = site
    node = origin_of(system.rpc_url)
    pages = html_pages(system, page_paths(tmp_path, values))
    problems: dict[str, Any] = {}
    for path in pages:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        TestWallet.random(system.rpc_url).attach(page)
        with watched(page) as seen:
            load(page, system.url + path)
            if path == "/docs":  # Swagger UI draws the API from our own document
                try:
                    page.locator(".opblock").first.wait_for(timeout=20_000)
                except PlaywrightTimeoutError:
                    problems[path] = ["Swagger UI drew no operation"]
        assert any(url.startswith(system.url) for _, url in seen), path
        if found := foreign(seen, page, system.url, node):
            problems[path] = problems.get(path, []) + found
        context.close()
    assert problems == {}


def test_the_operator_page_signed_in_loads_nothing_from_another_origin(
    browser: Browser, site: tuple[WebSystem, dict[str, Any]]
) -> None:
    system, _ = site
    page = signed_in_operator(browser, system)
    with watched(page) as seen:
        page.reload(wait_until="networkidle")
        expect(page.locator("#queue .figures")).to_be_visible(timeout=20_000)
    assert foreign(seen, page, system.url, origin_of(system.rpc_url)) == []
    page.context.close()


def signed_in_operator(browser: Browser, system: WebSystem) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    TestWallet(OPERATOR, system.rpc_url).attach(page)
    page.goto(f"{system.url}/operator")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#queue .figures")).to_be_visible(timeout=20_000)
    return page


@contextmanager
def other_site(pages: dict[str, str]) -> Iterator[str]:
    """Another web server on the same host (another port: the same site, another origin)
    serving the given pages."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    with serving(Handler) as origin:
        yield origin


def session_alive(page: Page, system: WebSystem) -> bool:
    return page.request.get(f"{system.url}/v1/auth/session").status == 200


def test_a_page_on_another_port_cannot_sign_the_operator_out(
    browser: Browser, site: tuple[WebSystem, dict[str, Any]]
) -> None:
    system, _ = site
    attack = (
        f'<form method="post" action="{system.url}/v1/auth/logout"></form>'
        "<script>document.forms[0].submit()</script>"
    )
    page = signed_in_operator(browser, system)
    assert session_alive(page, system)
    with other_site({"/": attack}) as elsewhere:
        with page.expect_response(f"{system.url}/v1/auth/logout") as submitted:
            page.goto(elsewhere + "/", wait_until="commit")
        refused = submitted.value
        assert refused.status == 403 and "CROSS_SITE_REQUEST" in refused.text()
    assert session_alive(page, system)
    # Our own page still signs out.
    page.goto(f"{system.url}/operator")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with wallet")).to_be_visible(timeout=20_000)
    assert not session_alive(page, system)
    page.context.close()


def test_the_widget_on_a_practice_site_talks_only_to_us(
    browser: Browser, site: tuple[WebSystem, dict[str, Any]]
) -> None:
    system, values = site
    host = (
        "<!doctype html><html><body><h1>A practice's own site</h1>"
        f'<script src="{system.url}/widget.js" data-dentist="{values["address"]}"></script>'
        "</body></html>"
    )
    with other_site({"/": host}) as practice:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        with watched(page) as seen:
            page.goto(practice + "/", wait_until="networkidle")
            expect(page.get_by_text("Harbour Dental")).to_be_visible(timeout=20_000)
        outside = [(k, u) for k, u in seen if origin_of(u) not in (practice, system.url)]
        assert outside == []
        assert any(u.startswith(f"{system.url}/v1/") for _, u in seen)
        context.close()
