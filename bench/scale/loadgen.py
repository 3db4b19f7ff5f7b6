"""A small HTTP/1.1 keep-alive load generator: pre-encoded requests, C connections.

Plain asyncio streams rather than an HTTP client library, so the client costs little
of the two cores the server shares with it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.scale.common import percentile


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    requests: int
    seconds: float
    statuses: dict[int, int]
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def request(
    method: str, path: str, body: bytes = b"", *, headers: dict[str, str] | None = None
) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> int:
    writer.write(raw)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def _run(port: int, requests: Sequence[bytes], concurrency: int) -> LoadResult:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(requests)

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for raw in queue:
            started = time.perf_counter()
            code = await _exchange(reader, writer, raw)
            latencies.append(time.perf_counter() - started)
            statuses[code] = statuses.get(code, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return LoadResult(
        concurrency=concurrency,
        requests=len(latencies),
        seconds=seconds,
        statuses=statuses,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


def run_load(port: int, requests: Sequence[bytes], concurrency: int) -> LoadResult:
    return asyncio.run(_run(port, requests, concurrency))


@dataclass(frozen=True)
class Served:
    port: int
    pids: tuple[int, ...]  # the worker processes, for their CPU time


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(stat: str) -> float:
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime, every thread


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU the processes used so far (Linux /proc)."""
    total = 0.0
    for pid in pids:
        try:
            total += _cpu_of(Path(f"/proc/{pid}/stat").read_text())
        except OSError:
            continue
    return total


def _process_stats() -> Iterator[tuple[int, str]]:
    """(pid, /proc/PID/stat) of every live process on this machine."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            yield int(entry.name), (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile


def postgres_cpu_seconds() -> dict[int, float]:
    """CPU used so far by each PostgreSQL process on this machine (backends, WAL writer,
    checkpointer), by pid: what the database server spends, read from /proc."""
    return {
        pid: _cpu_of(stat)
        for pid, stat in _process_stats()
        if stat[stat.index("(") + 1:stat.rindex(")")] == "postgres"
    }


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the process group `pgid`."""
    return sum(
        _cpu_of(stat)
        for _, stat in _process_stats()
        if int(stat[stat.rindex(")") + 2:].split()[2]) == pgid  # field 5: pgrp
    )


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the processes of `after` used since `before` (a process new since counts
    whole; one gone since is left out, so the figure never goes below zero)."""
    return sum(max(cpu - before.get(pid, 0.0), 0.0) for pid, cpu in after.items())


@contextmanager
def uvicorn_server(factory: str, *, workers: int, env: dict[str, str]) -> Iterator[Served]:
    """`workers` uvicorn processes serving `factory` on one port; yields it once up.

    The listening socket is bound here and inherited (see dentareview/api/server.py for
    why not --workers).
    """
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    port, fd = int(listener.getsockname()[1]), listener.fileno()
    os.set_inheritable(fd, True)
    command = [sys.executable, "-m", "dentareview.api.server", str(fd), factory]
    processes = [subprocess.Popen(command, env=env, pass_fds=(fd,)) for _ in range(workers)]
    try:
        probe = request("GET", "/nothing-here")
        deadline = time.monotonic() + 60
        for _ in range(20 * workers):  # answered repeatedly: every process is serving
            while True:
                try:
                    run_load(port, [probe], 1)
                    break
                except OSError:
                    if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                        raise RuntimeError(f"{factory} did not start") from None
                    time.sleep(0.1)
        time.sleep(1.0)
        yield Served(port, tuple(p.pid for p in processes))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        listener.close()
