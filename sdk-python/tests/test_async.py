"""The asyncio client against a real server: the same calls as coroutines."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

import kimberlite
from kimberlite import errors

from conftest import Server

def test_every_stream_call(server: Server) -> None:
    async def scenario() -> None:
        async with await kimberlite.AsyncClient.connect(server.address, tenant=1) as client:
            stream = await client.create_stream(f"async-{uuid.uuid4().hex}", "PII", "Global")
            assert await client.stream_length(stream) == 0
            appended = await asyncio.gather(
                client.append(stream, [b"a", b"b"], 0),
            )
            assert appended == [0]
            assert await client.append(stream, [b"c"], 2) == 2
            read = await client.read(stream, 1)
            assert read.events == [b"b", b"c"] and read.next_offset == 3
            verified = await client.read_verified(stream)
            assert [event.payload for event in verified.events] == [b"a", b"b", b"c"]
            checkpoint = await client.checkpoint(stream)
            assert checkpoint.size == 3
            assert isinstance(await client.consistency_proof(stream, 1, 3), list)
            info = await client.server_info()
            assert info.protocol_version == 5
            await client.sync()
            assert await client.noop() is None
            with pytest.raises(errors.OffsetMismatchError):
                await client.append(stream, [b"late"], 0)
            with pytest.raises(errors.InvalidArgumentError):
                await client.append(stream, [], 3)
        assert client.closed
        with pytest.raises(errors.ConnectionFailedError):
            await client.server_info()

    asyncio.run(scenario())

def test_concurrent_calls_share_the_connection(server: Server) -> None:
    async def scenario() -> None:
        client = await kimberlite.AsyncClient.connect(server.address)
        streams = await asyncio.gather(
            *(client.create_stream(f"many-{uuid.uuid4().hex}") for _ in range(8))
        )
        firsts = await asyncio.gather(*(client.append(s, [b"x", b"y"], 0) for s in streams))
        assert firsts == [0] * 8
        lengths = await asyncio.gather(*(client.stream_length(s) for s in streams))
        assert lengths == [2] * 8
        await client.close()

    asyncio.run(scenario())

def test_async_for_subscription(server: Server) -> None:
    async def scenario() -> None:
        client = await kimberlite.AsyncClient.connect(server.address)
        stream = await client.create_stream(f"sub-{uuid.uuid4().hex}")
        await client.append(stream, [b"s0", b"s1"], 0)
        subscription = await client.subscribe(stream, 0, credits=4)
        seen = []
        async for event in subscription:
            seen.append((event.offset, event.payload))
            if len(seen) == 2:
                await client.append(stream, [b"s2"], 2)
            if len(seen) == 3:
                break
        assert seen == [(0, b"s0"), (1, b"s1"), (2, b"s2")]
        await subscription.cancel()
        with pytest.raises(StopAsyncIteration):
            await subscription.__anext__()
        await client.close()

    asyncio.run(scenario())

def test_connect_failure_is_raised_by_the_coroutine() -> None:
    async def scenario() -> None:
        with pytest.raises(errors.ConnectionFailedError):
            await kimberlite.AsyncClient.connect(
                "127.0.0.1:1", connect_timeout=2.0, reconnect_attempts=1
            )

    asyncio.run(scenario())

def test_admin_coroutines(admin_server: Server) -> None:
    async def scenario() -> None:
        assert admin_server.admin_token
        admin = await kimberlite.AsyncClient.connect(
            admin_server.address, api_key=admin_server.admin_token
        )
        tenant = 60_000 + uuid.uuid4().int % 10_000
        assert await admin.create_tenant(tenant, "async-tests") == tenant
        assert any(entry.id == tenant for entry in await admin.list_tenants())
        created = await admin.create_api_key(tenant, "async-app")
        keys = await admin.list_api_keys(tenant)
        assert [key.key_id for key in keys] == [created.key_id]
        assert await admin.revoke_api_key(created.key_id) is True
        await admin.close()

    asyncio.run(scenario())

def test_cancelled_call_loses_no_event(server: Server) -> None:
    # Cancelling a pending `__anext__` (here by a timeout) aborts its Rust task, so the
    # event that arrives later goes to the next `__anext__` instead of being lost.
    async def scenario() -> None:
        client = await kimberlite.AsyncClient.connect(server.address)
        stream = await client.create_stream(f"cancel-{uuid.uuid4().hex}")
        subscription = await client.subscribe(stream, 0)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(subscription.__anext__(), timeout=0.2)
        await client.append(stream, [b"after the timeout"], 0)
        event = await asyncio.wait_for(subscription.__anext__(), timeout=60)
        assert event.payload == b"after the timeout"
        await subscription.cancel()
        await client.close()

    asyncio.run(scenario())

def test_calls_from_many_event_loops(server: Server) -> None:
    # Each loop gets its own completion inbox; loops in other threads work at once.
    async def scenario(index: int) -> int:
        client = await kimberlite.AsyncClient.connect(server.address)
        stream = await client.create_stream(f"loops-{index}-{uuid.uuid4().hex}")
        await asyncio.gather(*(client.append(stream, [b"e"], offset) for offset in [0]))
        length = await client.stream_length(stream)
        await client.close()
        return length

    results: list[int] = []
    threads = [threading.Thread(target=lambda i=i: results.append(asyncio.run(scenario(i))))
               for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [1, 1, 1]
    assert asyncio.run(scenario(3)) == 1

def test_calls_need_a_running_loop(server: Server) -> None:
    async def connect() -> kimberlite.AsyncClient:
        return await kimberlite.AsyncClient.connect(server.address)

    client = asyncio.run(connect())
    with pytest.raises(RuntimeError):
        client.server_info()
