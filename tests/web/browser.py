"""Real headless Chromium (Debian's package) driven by Python playwright, and a test wallet.

The wallet is an EIP-1193 provider injected into each page by an init script, announced
through EIP-6963 and as `window.ethereum`. It answers account requests with one test key,
signs `eth_signTypedData_v4` and `personal_sign` with eth-account exactly as MetaMask
does (over the JSON it is given), and forwards every other call to the chain's node.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from tests.support.anvil import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(
    os.environ.get("DENTAREVIEW_SCREENSHOT_DIR", PROJECT_ROOT / "build" / "web-screenshots")
)


def require_chromium() -> None:
    """Skip (outside CI) or fail (in CI) when there is no Chromium to drive."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_build() -> None:
    if not (PROJECT_ROOT / "dentareview" / "webapp" / "index.html").exists():
        pytest.fail("the web app is not built: run `make install` or `npm run build:web`")


NARROWEST = {"width": 360, "height": 740}


def assert_fits_narrowest_phone(page: Any) -> None:
    """Nothing wider than a 360 px phone: no sideways scrolling."""
    page.set_viewport_size(NARROWEST)
    page.wait_for_timeout(100)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: content {widths[0]} px wide at 360 px"


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Another origin on this machine (another port) answered by `handler`: its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """Another origin (a practice's own site) serving the files of `directory`."""
    with serving(partial(SimpleHTTPRequestHandler, directory=str(directory))) as origin:
        yield origin


def scroll_through(page: Any) -> None:
    """Scroll the page a screen at a time to the end and back, as a reader would."""
    page.evaluate(
        """async () => {
          for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
            window.scrollTo(0, y);
            await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
          }
          window.scrollTo(0, 0);
        }"""
    )


def shoot(page: Any, name: str, *, phone: bool = True) -> None:
    """Full-page screenshots at desktop width (and phone width) into SCREENSHOTS, after
    checking the page fits a 360 px phone."""
    assert_fits_narrowest_phone(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sizes = [("desktop", DESKTOP)] + ([("phone", PHONE)] if phone else [])
    for label, size in sizes:
        page.set_viewport_size(size)
        scroll_through(page)  # what is drawn only near the screen (charts) is drawn
        page.wait_for_timeout(150)  # let charts resize
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


WALLET_JS = """
((binding, name, uuid, announceIt, injectIt) => {
  const listeners = {};
  const provider = {
    async request({ method, params }) {
      const raw = await window[binding](method, JSON.stringify(params ?? []));
      const answer = JSON.parse(raw);
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        throw error;
      }
      return answer.result;
    },
    on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
    },
  };
  const info = Object.freeze({
    uuid,
    name,
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
    rdns: "org.dentareview.testwallet",
  });
  const announce = () => window.dispatchEvent(
    new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  if (announceIt) {
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  }
  if (injectIt) window.ethereum = provider;
})(__ARGS__);
"""


def _reachable_types(types: dict[str, Any], primary: str) -> dict[str, Any]:
    """The primary type, the domain type and the struct types they use: what a wallet
    encodes (eth-account refuses unrelated types it cannot place; the hash is the same)."""
    keep = {"EIP712Domain", primary}
    todo = [primary]
    while todo:
        for member in types.get(todo.pop(), []):
            base = member["type"].split("[")[0]
            if base in types and base not in keep:
                keep.add(base)
                todo.append(base)
    return {name: fields for name, fields in types.items() if name in keep}


@dataclass
class TestWallet:
    account: LocalAccount
    rpc_url: str
    calls: list[tuple[str, Any]] = field(default_factory=list)
    chain_id: int = 1  # starts on another chain, as a wallet usually does
    name: str = "Test Wallet"
    known_chains: set[int] | None = None  # None: switches to any chain
    refuse_signing: bool = False  # the person presses "Reject"
    eip6963: bool = True  # announced through EIP-6963
    injected: bool = True  # set as window.ethereum

    __test__ = False  # not a pytest class

    @classmethod
    def random(cls, rpc_url: str, **options: Any) -> TestWallet:
        return cls(Account.create(), rpc_url, **options)

    def attach(self, page: Any) -> None:
        binding = "__wallet_" + self.account.address[2:10]
        page.expose_function(binding, self.handle)
        args = [binding, self.name, str(uuid.uuid4()), self.eip6963, self.injected]
        page.add_init_script(WALLET_JS.replace("__ARGS__", ", ".join(json.dumps(a) for a in args)))

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def handle(self, method: str, params_json: str) -> str:
        params = json.loads(params_json)
        self.calls.append((method, params))
        try:
            return json.dumps({"result": self._answer(method, params)})
        except WalletRefusal as refusal:
            return json.dumps({"error": {"code": refusal.code, "message": str(refusal)}})

    def _answer(self, method: str, params: Any) -> Any:
        address = self.account.address
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [address]
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "wallet_switchEthereumChain":
            wanted = int(params[0]["chainId"], 16)
            if self.known_chains is not None and wanted not in self.known_chains:
                raise WalletRefusal(4902, f"Unrecognized chain ID {hex(wanted)}")
            self.chain_id = wanted
            return None
        if method == "wallet_addEthereumChain":
            added = int(params[0]["chainId"], 16)
            if self.known_chains is not None:
                self.known_chains.add(added)
            self.chain_id = added  # MetaMask switches to a chain it just added
            return None
        if method == "wallet_watchAsset":
            return True
        if method == "eth_signTypedData_v4":
            if self.refuse_signing:
                raise WalletRefusal(4001, "User rejected the request.")
            signer, payload = params
            self._require_own(signer)
            data = json.loads(payload) if isinstance(payload, str) else payload
            data = {**data, "types": _reachable_types(data["types"], data["primaryType"])}
            signed = Account.sign_typed_data(self.account.key, full_message=data)
            return "0x" + bytes(signed.signature).hex()
        if method == "personal_sign":
            message, signer = params
            self._require_own(signer)
            raw = bytes.fromhex(message[2:]) if message.startswith("0x") else message.encode()
            signed_message = self.account.sign_message(encode_defunct(primitive=raw))
            return "0x" + bytes(signed_message.signature).hex()
        if method == "eth_sendTransaction":
            if self.refuse_signing:
                raise WalletRefusal(4001, "User rejected the request.")
            return self._send_transaction(dict(params[0]))
        return self._node(method, params)

    def _node(self, method: str, params: Any) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        answer = httpx.post(self.rpc_url, json=body, timeout=10).json()
        if "error" in answer:
            raise WalletRefusal(answer["error"].get("code", -32603), answer["error"]["message"])
        return answer["result"]

    def _send_transaction(self, request: dict[str, Any]) -> str:
        """As MetaMask does: fill nonce, gas and EIP-1559 fees, sign for the wallet's
        current chain with the test key, send the raw transaction."""
        self._require_own(request.get("from", self.account.address))
        call = {k: request[k] for k in ("from", "to", "data", "value") if k in request}
        priority = int(self._node("eth_maxPriorityFeePerGas", []), 16)
        base = int(self._node("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
        tx = {
            "chainId": self.chain_id,
            "nonce": int(
                self._node("eth_getTransactionCount", [self.account.address, "pending"]), 16
            ),
            "to": request["to"],
            "data": request.get("data", "0x"),
            "value": int(request.get("value", "0x0"), 16),
            "gas": int(request.get("gas") or self._node("eth_estimateGas", [call]), 16),
            "maxPriorityFeePerGas": priority,
            "maxFeePerGas": 2 * base + priority,
            "type": 2,
        }
        signed = self.account.sign_transaction(tx)
        result: str = self._node(
            "eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()]
        )
        return result

    def _require_own(self, signer: str) -> None:
        if signer.lower() != self.account.address.lower():
            raise WalletRefusal(4100, "the requested account is not authorized")


class WalletRefusal(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
