"""Python client benchmark: the workloads of every client benchmark (see
core/examples/bench_client/sdk.rs), with the blocking client (threads) and the
asyncio client (tasks), plus the cost of one no-op call across the Rust boundary.

- append: KMB_BENCH_CONCURRENCY (64) threads or tasks sharing ONE client, each
  appending single 1 KiB events to its own stream; events/s.
- read, read_verified: one caller reading a stream of KMB_BENCH_READ_EVENTS (20,000)
  1 KiB events from start to end, 64 KiB per call, again and again; events/s.
- server_info: one caller, one round trip after the other; calls/s.
- noop: a call that does nothing in Rust (asyncio: an empty task on the runtime).

Starts its own server from KIMBERLITE_BIN (default: target/release/kimberlite of the
repository) on a fresh data directory. KMB_BENCH_SECONDS: seconds per workload
(default 3). Prints a line per figure and `RESULT <language> <workload> <ops/s>`
lines (languages `python` and `python-asyncio`).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Awaitable, Callable, List

import kimberlite

REPO = pathlib.Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("KMB_BENCH_SECONDS", "3"))
READ_EVENTS = int(os.environ.get("KMB_BENCH_READ_EVENTS", "20000"))
CONCURRENCY = int(os.environ.get("KMB_BENCH_CONCURRENCY", "64"))
READ_BYTES = 64 * 1024
EVENT = b"a" * 1024


def result(language: str, workload: str, rate: float, unit: str) -> None:
    print(f"{language + ' ' + workload:<44} {rate:>14,.0f} {unit}", flush=True)
    print(f"RESULT {language} {workload} {rate:.0f}", flush=True)


def timed(call: Callable[[], int]) -> float:
    """Runs `call` (which returns a count) again and again for SECONDS; count/s."""
    started, total = time.perf_counter(), 0
    while time.perf_counter() - started < SECONDS:
        total += call()
    return total / (time.perf_counter() - started)


def blocking(client: kimberlite.Client, stream: int) -> None:
    streams = [client.create_stream(f"bench-append-sync-{i}") for i in range(CONCURRENCY)]
    counts = [0] * CONCURRENCY
    deadline = time.perf_counter() + SECONDS

    def work(index: int) -> None:
        offset = 0
        while time.perf_counter() < deadline:
            client.append(streams[index], [EVENT], offset)
            offset += 1
        counts[index] = offset

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(CONCURRENCY)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result("python", "append", sum(counts) / (time.perf_counter() - started), "events/s")

    def pass_(verified: bool) -> int:
        total, offset = 0, 0
        while True:
            read = (client.read_verified if verified else client.read)(stream, offset,
                                                                        READ_BYTES)
            total += len(read.events)
            if read.next_offset is None or not read.events:
                return total
            offset = read.next_offset

    result("python", "read", timed(lambda: pass_(False)), "events/s")
    result("python", "read_verified", timed(lambda: pass_(True)), "events/s")

    def info() -> int:
        client.server_info()
        return 1

    result("python", "server_info", timed(info), "calls/s")
    calls = 200_000
    started = time.perf_counter()
    for _ in range(calls):
        client.noop()
    elapsed = time.perf_counter() - started
    print(f"{'python noop':<44} {elapsed / calls * 1e9:>14,.0f} ns/call")
    print(f"RESULT python noop {calls / elapsed:.0f}")


async def atimed(call: Callable[[], Awaitable[int]]) -> float:
    started, total = time.perf_counter(), 0
    while time.perf_counter() - started < SECONDS:
        total += await call()
    return total / (time.perf_counter() - started)


async def asynchronous(address: str, stream: int) -> None:
    client = await kimberlite.AsyncClient.connect(address)
    streams = [await client.create_stream(f"bench-append-async-{i}")
               for i in range(CONCURRENCY)]
    deadline = time.perf_counter() + SECONDS

    async def work(own: int) -> int:
        offset = 0
        while time.perf_counter() < deadline:
            await client.append(own, [EVENT], offset)
            offset += 1
        return offset

    started = time.perf_counter()
    counts: List[int] = await asyncio.gather(*(work(own) for own in streams))
    result("python-asyncio", "append", sum(counts) / (time.perf_counter() - started),
           "events/s")

    async def pass_(verified: bool) -> int:
        total, offset = 0, 0
        while True:
            call = client.read_verified if verified else client.read
            read = await call(stream, offset, READ_BYTES)
            total += len(read.events)
            if read.next_offset is None or not read.events:
                return total
            offset = read.next_offset

    result("python-asyncio", "read", await atimed(lambda: pass_(False)), "events/s")
    result("python-asyncio", "read_verified", await atimed(lambda: pass_(True)),
           "events/s")

    async def info() -> int:
        await client.server_info()
        return 1

    async def noop() -> int:
        await client.noop()
        return 1

    result("python-asyncio", "server_info", await atimed(info), "calls/s")
    rate = await atimed(noop)
    print(f"{'python-asyncio noop':<44} {1e9 / rate:>14,.0f} ns/call")
    print(f"RESULT python-asyncio noop {rate:.0f}")
    await client.close()


def fill(client: kimberlite.Client) -> int:
    stream = client.create_stream("bench-read")
    offset = 0
    while offset < READ_EVENTS:
        batch = min(500, READ_EVENTS - offset)
        client.append(stream, [b"b" * 1024] * batch, offset)
        offset += batch
    return stream


def main() -> None:
    binary = os.environ.get("KIMBERLITE_BIN", str(REPO / "target" / "release" / "kimberlite"))
    with tempfile.TemporaryDirectory(prefix="kimberlite-bench-") as root:
        data = os.path.join(root, "data")
        subprocess.run([binary, "init", data, "--development"], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)
        server = subprocess.Popen([binary, "start", "--address", "127.0.0.1:0", data],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  stdin=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            address = ""
            for line in server.stdout:
                found = re.match(r"kimberlite listening on (\S+)", line.strip())
                if found:
                    address = found.group(1)
                    break
            if not address:
                sys.exit("the server did not start")
            print(f"python client, server {binary}: {CONCURRENCY} concurrent appenders "
                  f"on one client, {SECONDS:g} s per workload", flush=True)
            with kimberlite.Client(address) as client:
                stream = fill(client)
                blocking(client, stream)
            asyncio.run(asynchronous(address, stream))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
