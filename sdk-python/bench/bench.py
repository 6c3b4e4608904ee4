"""Python client benchmark: durable 1 KiB appends and verified reads, blocking and
asyncio, and the cost of one no-op call across the Rust boundary. Prints a table.

Starts its own server from KIMBERLITE_BIN (default: target/release/kimberlite of the
repository). Environment: KMB_BENCH_SECONDS (seconds per scenario, default 3),
KMB_BENCH_READ_EVENTS (events in the stream read, default 20000).
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
from typing import Callable, List, Tuple

import kimberlite

REPO = pathlib.Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("KMB_BENCH_SECONDS", "3"))
READ_EVENTS = int(os.environ.get("KMB_BENCH_READ_EVENTS", "20000"))
EVENT = b"x" * 1024
ROWS: List[Tuple[str, float, str]] = []


def report(name: str, count: float, seconds: float, unit: str) -> None:
    ROWS.append((name, count / seconds, unit))
    print(f"{name:<48} {count / seconds:>14,.0f} {unit}", flush=True)


def noop_cost(client: kimberlite.Client, aclient: kimberlite.AsyncClient) -> None:
    calls = 200_000
    started = time.perf_counter()
    for _ in range(calls):
        client.noop()
    elapsed = time.perf_counter() - started
    print(f"{'no-op call, blocking client':<48} {elapsed / calls * 1e9:>14,.0f} ns/call")

    async def awaited() -> float:
        count = 20_000
        begun = time.perf_counter()
        for _ in range(count):
            await aclient.noop()
        return (time.perf_counter() - begun) / count

    per_call = asyncio.run_coroutine_threadsafe(awaited(), LOOP).result()
    print(f"{'no-op call, asyncio client (awaited)':<48} {per_call * 1e9:>14,.0f} ns/call")


def sync_appends(client: kimberlite.Client, threads: int) -> None:
    streams = [client.create_stream(f"bench-sync-{threads}-{i}-{time.time_ns()}")
               for i in range(threads)]
    counts = [0] * threads
    deadline = time.perf_counter() + SECONDS

    def work(index: int) -> None:
        offset = 0
        while time.perf_counter() < deadline:
            client.append(streams[index], [EVENT], offset)
            offset += 1
        counts[index] = offset

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    report(f"appends, blocking, {threads} thread(s)", sum(counts),
           time.perf_counter() - started, "events/s")


async def async_appends(client: kimberlite.AsyncClient, tasks: int) -> None:
    streams = [await client.create_stream(f"bench-async-{tasks}-{i}-{time.time_ns()}")
               for i in range(tasks)]
    deadline = time.perf_counter() + SECONDS

    async def work(stream: int) -> int:
        offset = 0
        while time.perf_counter() < deadline:
            await client.append(stream, [EVENT], offset)
            offset += 1
        return offset

    started = time.perf_counter()
    counts = await asyncio.gather(*(work(stream) for stream in streams))
    report(f"appends, asyncio, {tasks} tasks", sum(counts), time.perf_counter() - started,
           "events/s")


def fill(client: kimberlite.Client) -> int:
    stream = client.create_stream(f"bench-read-{time.time_ns()}")
    offset = 0
    while offset < READ_EVENTS:
        batch = min(500, READ_EVENTS - offset)
        client.append(stream, [EVENT] * batch, offset)
        offset += batch
    return stream


def read_all(read: Callable[[int], Tuple[int, "int | None"]]) -> int:
    total, offset = 0, 0
    while True:
        count, next_offset = read(offset)
        total += count
        if next_offset is None or next_offset >= READ_EVENTS:
            return total
        offset = next_offset


def reads(client: kimberlite.Client, aclient: kimberlite.AsyncClient, stream: int) -> None:
    def plain(offset: int) -> Tuple[int, "int | None"]:
        result = client.read(stream, offset)
        return len(result.events), result.next_offset

    def verified(offset: int) -> Tuple[int, "int | None"]:
        result = client.read_verified(stream, offset)
        return len(result.events), result.next_offset

    for name, read in (("reads, blocking, plain", plain),
                       ("reads, blocking, verified", verified)):
        started, total = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            total += read_all(read)
        report(name, total, time.perf_counter() - started, "events/s")

    async def async_verified() -> Tuple[int, float]:
        started, total = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            offset = 0
            while True:
                result = await aclient.read_verified(stream, offset)
                total += len(result.events)
                if result.next_offset is None or result.next_offset >= READ_EVENTS:
                    break
                offset = result.next_offset
        return total, time.perf_counter() - started

    total, elapsed = asyncio.run_coroutine_threadsafe(async_verified(), LOOP).result()
    report("reads, asyncio, verified", total, elapsed, "events/s")


LOOP = asyncio.new_event_loop()


def main() -> None:
    binary = os.environ.get("KIMBERLITE_BIN", str(REPO / "target" / "release" / "kimberlite"))
    with tempfile.TemporaryDirectory(prefix="kimberlite-bench-") as root:
        data = os.path.join(root, "data")
        subprocess.run([binary, "init", data, "--development"], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)
        server = subprocess.Popen([binary, "start", "--address", "127.0.0.1:0", data],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  stdin=subprocess.DEVNULL, text=True)
        thread = threading.Thread(target=LOOP.run_forever, daemon=True)
        thread.start()
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
            client = kimberlite.Client(address)
            aclient = asyncio.run_coroutine_threadsafe(connect(address), LOOP).result()
            noop_cost(client, aclient)
            for threads in (1, 16):
                sync_appends(client, threads)
            for tasks in (1, 64):
                asyncio.run_coroutine_threadsafe(async_appends(aclient, tasks), LOOP).result()
            reads(client, aclient, fill(client))
            client.close()
        finally:
            LOOP.call_soon_threadsafe(LOOP.stop)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


async def connect(address: str) -> kimberlite.AsyncClient:
    """Connects on the benchmark's event loop (futures need a running loop)."""
    return await kimberlite.AsyncClient.connect(address)


if __name__ == "__main__":
    main()
