"""Follow a stream with `async for` while appending to it concurrently."""

from __future__ import annotations

import asyncio
import os
from typing import List

import kimberlite


async def main() -> None:
    address = os.environ.get("KIMBERLITE_ADDRESS", "127.0.0.1:5432")
    async with await kimberlite.AsyncClient.connect(address, tenant=1) as client:
        stream = await client.create_stream("example-async")
        start = await client.stream_length(stream)
        subscription = await client.subscribe(stream, start)
        await client.append(stream, [b"first", b"second"], start)
        seen: List[kimberlite.SubscriptionEvent] = []
        async for event in subscription:
            seen.append(event)
            if len(seen) == 2:
                break
        await subscription.cancel()
        for event in seen:
            print(event.offset, event.payload)
        checkpoint = await client.checkpoint(stream)
        print("checkpoint", checkpoint.size, checkpoint.root.hex())


if __name__ == "__main__":
    asyncio.run(main())
