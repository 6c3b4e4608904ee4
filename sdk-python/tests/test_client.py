"""The blocking client against a real server: every call, errors, threads and fork."""

from __future__ import annotations

import json
import os
import threading
import uuid

import pytest

import kimberlite
from kimberlite import errors

from conftest import VECTORS, Server


def test_append_read_and_length(client: kimberlite.Client, stream: int) -> None:
    assert client.stream_length(stream) == 0
    assert client.append(stream, [b"a", bytearray(b"b"), memoryview(b"c")], 0) == 0
    assert client.append(stream, [b"d"], expected_offset=3) == 3
    assert client.stream_length(stream) == 4
    read = client.read(stream, 1)
    assert read.events == [b"b", b"c", b"d"]
    assert read.next_offset == 4
    empty = client.read(stream, 4)
    assert empty.events == [] and empty.next_offset is None


def test_create_stream_returns_the_existing_stream(client: kimberlite.Client) -> None:
    name = f"same-{uuid.uuid4().hex}"
    first = client.create_stream(name, "PHI", "USEast1")
    assert client.create_stream(name, "PHI", "USEast1") == first


def test_read_verified_and_checkpoint(client: kimberlite.Client, stream: int) -> None:
    client.append(stream, [b"one", b"two", b"three"], 0)
    read = client.read_verified(stream)
    assert [event.payload for event in read.events] == [b"one", b"two", b"three"]
    assert [event.offset for event in read.events] == [0, 1, 2]
    assert all(event.kind == 0 and event.timestamp_ns > 0 for event in read.events)
    assert read.checkpoint.size >= 3 and len(read.checkpoint.root) == 32
    assert read.checkpoint.origin.endswith(f"/tenant/1/stream/{stream}")
    client.append(stream, [b"four"], 3)
    checkpoint = client.checkpoint(stream)
    assert checkpoint.size == 4
    proof = client.consistency_proof(stream, 3, 4)
    kimberlite.verify.verify_consistency(
        read.checkpoint.size, checkpoint.size, read.checkpoint.root, checkpoint.root, proof
    )


def test_trusted_state_directory_is_used(server: Server, tmp_path: object) -> None:
    state = os.path.join(str(tmp_path), "state")
    with kimberlite.Client(server.address, tenant=1, state_directory=state) as client:
        stream = client.create_stream(f"state-{uuid.uuid4().hex}")
        client.append(stream, [b"x"], 0)
        client.read_verified(stream)
    assert os.listdir(state)


def test_pinned_wrong_key_is_refused(server: Server, client: kimberlite.Client,
                                     stream: int) -> None:
    other = json.loads((VECTORS / "notes.json").read_text())["verifier_key"]
    assert other != client.server_info().signing_key
    with kimberlite.Client(server.address, tenant=1, server_key=other) as pinned:
        with pytest.raises(errors.VerificationError):
            pinned.read_verified(stream)


def test_server_info_and_sync(client: kimberlite.Client) -> None:
    info = client.server_info()
    assert info.protocol_version == 5
    assert kimberlite.verify.parse_verifier_key(info.signing_key)
    assert any(capability.startswith("kmb.") for capability in info.capabilities)
    client.sync()


def test_subscription_iterates_pushed_events(client: kimberlite.Client, stream: int) -> None:
    client.append(stream, [b"e0", b"e1", b"e2"], 0)
    with client.subscribe(stream, 1, credits=2) as subscription:
        taken = [next(subscription) for _ in range(2)]
        assert [(event.offset, event.payload) for event in taken] == [(1, b"e1"), (2, b"e2")]
        client.append(stream, [b"e3"], 3)
        later = next(subscription)
        assert (later.offset, later.payload) == (3, b"e3")


def test_offset_mismatch_is_its_own_class(client: kimberlite.Client, stream: int) -> None:
    client.append(stream, [b"a"], 0)
    with pytest.raises(errors.OffsetMismatchError) as raised:
        client.append(stream, [b"a"], 0)
    assert isinstance(raised.value, errors.ServerError)
    assert raised.value.code == 16 and raised.value.code_name == "OffsetMismatch"
    assert not raised.value.retryable


def test_unknown_stream(client: kimberlite.Client) -> None:
    with pytest.raises(errors.StreamNotFoundError):
        client.stream_length(987_654_321)


def test_argument_errors_are_value_and_type_errors(client: kimberlite.Client,
                                                   stream: int) -> None:
    with pytest.raises(ValueError) as empty:
        client.append(stream, [], 0)
    assert isinstance(empty.value, errors.InvalidArgumentError)
    with pytest.raises(TypeError) as single:
        client.append(stream, b"not a list", 0)  # type: ignore[arg-type]
    assert isinstance(single.value, kimberlite.KimberliteError)
    with pytest.raises(TypeError):
        client.append(stream, ["text"], 0)  # type: ignore[list-item]
    with pytest.raises(errors.InvalidArgumentError):
        client.create_stream("bad-class", "Secretish")
    with pytest.raises(errors.InvalidArgumentError):
        client.subscribe(stream, 0, credits=0)
    with pytest.raises(ValueError):
        kimberlite.Client("127.0.0.1:1", connect_timeout=-1.0)


def test_connection_refused_is_retryable() -> None:
    with pytest.raises(errors.ConnectionFailedError) as raised:
        kimberlite.Client("127.0.0.1:1", connect_timeout=2.0, reconnect_attempts=1)
    assert isinstance(raised.value, ConnectionError)
    assert raised.value.retryable and raised.value.code == 1000


def test_closed_client_refuses_calls(server: Server) -> None:
    client = kimberlite.Client(server.address)
    client.close()
    assert client.closed
    with pytest.raises(errors.ConnectionFailedError):
        client.server_info()


def test_every_error_code_has_its_own_class() -> None:
    seen = set()
    for number, name, kind in kimberlite._native.error_codes():
        cls = kimberlite.error_class(number)
        assert cls.code == number and cls.code_name == name, (number, name)
        base = {"server": errors.ServerError, "client": errors.ClientError,
                "verification": errors.VerificationError}[kind]
        assert issubclass(cls, base)
        seen.add(cls)
    assert len(seen) == len(kimberlite._native.error_codes())


def test_threads_share_one_client(client: kimberlite.Client) -> None:
    streams = [client.create_stream(f"thread-{uuid.uuid4().hex}") for _ in range(4)]
    failures: list[BaseException] = []

    def work(stream: int) -> None:
        try:
            for offset in range(25):
                client.append(stream, [f"{stream}:{offset}".encode()], offset)
            assert len(client.read_verified(stream).events) == 25
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            failures.append(error)

    threads = [threading.Thread(target=work, args=(stream,)) for stream in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [client.stream_length(stream) for stream in streams] == [25] * 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_child_gets_a_clear_error(client: kimberlite.Client, server: Server) -> None:
    client.server_info()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, never return into pytest
        code = 1
        try:
            client.server_info()
        except kimberlite.ForkedProcessError:
            try:
                with kimberlite.Client(server.address) as fresh:
                    fresh.server_info()
                code = 0
            except BaseException:  # noqa: BLE001
                code = 3
        except BaseException:  # noqa: BLE001
            code = 2
        os.write(write_end, bytes([code]))
        os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.waitpid(pid, 0)
    assert answer == bytes([0]), f"child reported {answer!r}"
    client.server_info()


def test_admin_calls_with_the_admin_token(admin_server: Server) -> None:
    assert admin_server.admin_token, "init printed no admin token"
    with pytest.raises(errors.AuthenticationFailedError):
        kimberlite.Client(admin_server.address, api_key="kmb-wrong", reconnect_attempts=1)
    with kimberlite.Client(admin_server.address, api_key=admin_server.admin_token) as admin:
        tenant = 40_000 + os.getpid() % 10_000
        assert admin.create_tenant(tenant, "python-tests") == tenant
        assert any(entry.id == tenant for entry in admin.list_tenants())
        created = admin.create_api_key(tenant, "app")
        keys = admin.list_api_keys(tenant)
        assert [key.key_id for key in keys if key.label == "app"] == [created.key_id]
        with kimberlite.Client(admin_server.address, tenant=tenant,
                               api_key=created.secret) as app:
            stream = app.create_stream("keyed")
            assert app.append(stream, [b"with a key"], 0) == 0
        assert admin.revoke_api_key(created.key_id) is True
        assert any(key.revoked for key in admin.list_api_keys(tenant))




def test_gil_is_released_while_a_call_waits(client: kimberlite.Client, stream: int) -> None:
    # A thread waits in Rust for an event nobody has appended yet. Only if that wait
    # releases the GIL can this thread run the Python code that appends it.
    subscription = client.subscribe(stream, 0)
    received: list[bytes] = []
    waiter = threading.Thread(target=lambda: received.append(next(subscription).payload))
    waiter.start()
    client.append(stream, [b"wake up"], 0)
    waiter.join(timeout=60)
    assert received == [b"wake up"]
    subscription.cancel()


def test_native_module_is_one_abi3_build() -> None:
    # One wheel serves every Python 3.9+: the extension is built for the stable ABI.
    if os.name != "posix":
        pytest.skip("the abi3 file name checked is the POSIX one")
    assert kimberlite._native.__file__.endswith(".abi3.so")
