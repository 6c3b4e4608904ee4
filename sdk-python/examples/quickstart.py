"""Append events and read them back verified (the README's quickstart, typed)."""

from __future__ import annotations

import os

import kimberlite


def main() -> None:
    address = os.environ.get("KIMBERLITE_ADDRESS", "127.0.0.1:5432")
    with kimberlite.Client(address, tenant=1) as client:
        stream: int = client.create_stream("example-events")
        length = client.stream_length(stream)
        client.append(stream, [b"hello", b"world"], expected_offset=length)
        read: kimberlite.VerifiedRead = client.read_verified(stream, from_offset=length)
        for event in read.events:
            print(event.offset, event.payload)
        try:
            client.append(stream, [b"again"], expected_offset=length)
        except kimberlite.errors.OffsetMismatchError as error:
            print("refused as expected:", error.code_name, error.retryable)


if __name__ == "__main__":
    main()
