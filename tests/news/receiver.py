"""A real webhook receiver: an HTTP server in a thread that checks each request's
Standard Webhooks signature and answers as told (200, 500, or not before a delay)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.anvil import free_port

Mode = Literal["ok", "fail", "hang", "redirect"]


@dataclass(frozen=True)
class Received:
    webhook_id: str
    verified: bool
    body: bytes
    payload: dict[str, Any] | None
    answered: int  # the status code it was answered with
    at: float  # time.monotonic() when it arrived


class WebhookReceiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.secret: str | None = None
        self.mode: Mode = "ok"
        self.hang_seconds = 3.0
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/dentareview"

    def delivered(self) -> list[Received]:
        """What was verified and answered 2xx."""
        with self._lock:
            return [r for r in self.received if r.verified and r.answered == 200]

    def all(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        length = int(handler.headers.get("content-length", "0"))
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        payload: dict[str, Any] | None = None
        verified = False
        if self.secret is not None:
            try:
                payload = Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                pass
        mode = self.mode
        if mode == "hang":
            time.sleep(self.hang_seconds)
        status = {"ok": 200 if verified else 400, "redirect": 307}.get(mode, 500)
        with self._lock:
            self.received.append(
                Received(headers.get("webhook-id", ""), verified, body, payload, status, arrived)
            )
        try:
            handler.send_response(status)
            if status == 307:
                handler.send_header("location", f"http://127.0.0.1:{self.port}/elsewhere")
            handler.send_header("content-length", "0")
            handler.end_headers()
        except OSError:
            pass  # the sender gave up waiting (a timeout)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def body_of(received: Received) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(received.body)
    return parsed
