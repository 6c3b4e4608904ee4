"""TLS: a server whose data directory's `[tls]` section names a throwaway certificate
(made with the `openssl` command), reached with the client's TLS root option; a
wrong root is refused with a clear error."""

from __future__ import annotations

import asyncio
import pathlib
import shutil
import ssl
import subprocess
from typing import Iterator

import pytest

import kimberlite
from kimberlite import errors

from conftest import _start


def _certificate(directory: pathlib.Path, name: str) -> bytes:
    """A self-signed certificate for localhost and 127.0.0.1; its DER bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "extendedKeyUsage=serverAuth",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )
    return ssl.PEM_cert_to_DER_cert((directory / "cert.pem").read_text())


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, bytes, bytes]]:
    """A TLS development server: its address, its certificate and another one."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    made: dict[str, bytes] = {}

    def configure(data: pathlib.Path) -> None:
        made["served"] = _certificate(data / "tls", "kimberlite test server")
        with open(data / "kimberlite.toml", "a", encoding="utf-8") as config:
            config.write('\n[tls]\ncert = "tls/cert.pem"\nkey = "tls/key.pem"\n')

    other = _certificate(tmp_path_factory.mktemp("other"), "someone else")
    for server in _start(development=True, configure=configure):
        yield server.address, made["served"], other


def test_tls_with_the_right_root(tls_server: tuple[str, bytes, bytes]) -> None:
    address, served, _ = tls_server
    with kimberlite.Client(address, tls_root_certificates=[served],
                           tls_server_name="localhost") as client:
        stream = client.create_stream("tls-events")
        client.append(stream, [b"over tls"], client.stream_length(stream))
        assert client.read_verified(stream).events[-1].payload == b"over tls"

    async def scenario() -> None:
        async with await kimberlite.AsyncClient.connect(
            address, tls_root_certificates=[served], tls_server_name="localhost"
        ) as aclient:
            assert (await aclient.server_info()).protocol_version == 5

    asyncio.run(scenario())


def test_tls_with_a_wrong_root_is_refused(tls_server: tuple[str, bytes, bytes]) -> None:
    address, _, other = tls_server
    with pytest.raises(errors.ConnectionFailedError) as refused:
        kimberlite.Client(address, tls_root_certificates=[other], tls_server_name="localhost",
                          connect_timeout=5.0, reconnect_attempts=1)
    assert "TLS" in str(refused.value)


def test_plain_tcp_to_a_tls_server_fails_cleanly(tls_server: tuple[str, bytes, bytes]) -> None:
    address, _, _ = tls_server
    with pytest.raises(errors.KimberliteError):
        kimberlite.Client(address, connect_timeout=5.0, reconnect_attempts=1)
