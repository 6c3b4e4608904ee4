"""Fixtures: a real Kimberlite server per test session, started from the binary that
`cargo build -p kimberlite-cli` makes, and stopped with SIGTERM in teardown."""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import tempfile
import uuid
from typing import Callable, Iterator, NamedTuple, Optional

import pytest

import kimberlite

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


class Server(NamedTuple):
    """A running server: its address, data directory and admin token (if any)."""

    address: str
    directory: pathlib.Path
    admin_token: Optional[str]


def _binary() -> pathlib.Path:
    explicit = os.environ.get("KIMBERLITE_BIN")
    path = pathlib.Path(explicit) if explicit else REPO / "target" / "debug" / "kimberlite"
    if not path.exists():
        pytest.fail(f"no server binary at {path}: run `cargo build -p kimberlite-cli`")
    return path


def _start(development: bool,
           configure: Optional[Callable[[pathlib.Path], None]] = None) -> Iterator[Server]:
    """Serves a new data directory; `configure` may change it before the start."""
    with tempfile.TemporaryDirectory(prefix="kimberlite-python-") as root:
        directory = pathlib.Path(root) / "data"
        init = [str(_binary()), "init", str(directory)]
        if development:
            init.append("--development")
        made = subprocess.run(init, capture_output=True, text=True, check=True,
                              stdin=subprocess.DEVNULL)
        if configure is not None:
            configure(directory)
        token = re.search(r"admin token: (\S+)", made.stdout + made.stderr)
        process = subprocess.Popen(
            [str(_binary()), "start", "--address", "127.0.0.1:0", str(directory)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            text=True,
        )
        try:
            address = None
            assert process.stdout is not None
            for line in process.stdout:
                found = re.match(r"kimberlite listening on (\S+)", line.strip())
                if found:
                    address = found.group(1)
                    break
            if address is None:
                pytest.fail(f"the server exited with {process.wait()} before listening")
            yield Server(address, directory, token.group(1) if token else None)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """A development server (auth off, tenants created on first request)."""
    yield from _start(development=True)


@pytest.fixture(scope="session")
def admin_server() -> Iterator[Server]:
    """A server that requires an API key or the admin token."""
    yield from _start(development=False)


@pytest.fixture()
def client(server: Server) -> Iterator[kimberlite.Client]:
    """A blocking client of the development server, for tenant 1."""
    with kimberlite.Client(server.address, tenant=1) as made:
        yield made


@pytest.fixture()
def stream(client: kimberlite.Client) -> int:
    """A new, empty stream."""
    return client.create_stream(f"test-{uuid.uuid4().hex}")
