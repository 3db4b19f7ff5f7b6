"""Serve the API from several processes that share one listening socket.

Why not `uvicorn --workers N`: its worker processes rebuild the listening socket in
a way that loses its TCP family, so asyncio never sets TCP_NODELAY on accepted
connections and every keep-alive response waits ~40 ms for a delayed ACK (measured:
44 ms median for GET /openapi.json with --workers 2, 1.6 ms with one process).
Here the parent binds the socket and each child rebuilds it with `socket.socket(fileno=)`,
which keeps the real family.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn

from dentareview.config import Settings
from dentareview.observability.logging import configure_logging, uvicorn_options

APP_FACTORY = "dentareview.api.app:app_from_environment"


def bind_listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def serve_inherited(fd: int, factory: str = APP_FACTORY) -> None:
    """One worker process: serve `factory` on the listening socket `fd`."""
    configure_logging(Settings().log_format)
    config = uvicorn.Config(factory, factory=True, **uvicorn_options())
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


def run_workers(
    host: str,
    port: int,
    workers: int,
    factory: str = APP_FACTORY,
    *,
    on_exit: Callable[[int], None] | None = None,
) -> int:
    """Start `workers` processes on one port; stop them all on Ctrl-C or SIGTERM.
    `on_exit(pid)` is called as each one exits (the metrics drop its live gauges)."""
    listener = bind_listener(host, port)
    fd = listener.fileno()
    command = [sys.executable, "-m", "dentareview.api.server", str(fd), factory]
    children = [subprocess.Popen(command, pass_fds=(fd,)) for _ in range(workers)]
    if on_exit is not None:
        for child in children:
            threading.Thread(target=_watch, args=(child, on_exit), daemon=True).start()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        codes = [child.wait() for child in children]
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        codes = [child.wait() for child in children]
    finally:
        listener.close()
    return max(codes, default=0)


def _watch(child: subprocess.Popen[bytes], on_exit: Callable[[int], None]) -> None:
    child.wait()
    on_exit(child.pid)


if __name__ == "__main__":
    serve_inherited(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else APP_FACTORY)
