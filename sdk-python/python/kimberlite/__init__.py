"""Kimberlite client for Python: append, read, verified reads and SQL.

>>> import kimberlite
>>> with kimberlite.Client("127.0.0.1:5432", tenant=1) as client:  # doctest: +SKIP
...     stream = client.create_stream("events")
...     client.append(stream, [b"hello"], client.stream_length(stream))

Every call runs in the Rust client (the ``kimberlite`` crate), which verifies what
the server sends; the GIL is released while a call waits. ``AsyncClient`` offers the
same calls as coroutines; ``kimberlite.dbapi`` is a PEP 249 module over SQL.
Failures raise a subclass of ``KimberliteError`` per error code.
"""

from kimberlite._native import (
    ApiKey,
    Audit,
    AsyncClient,
    AsyncSubscription,
    Checkpoint,
    Client,
    CreatedApiKey,
    ExecuteResult,
    QueryResult,
    ReadResult,
    ServerInfoResult,
    Subscription,
    SubscriptionEvent,
    Tenant,
    VerifiedEvent,
    VerifiedRead,
    __version__,
)
from kimberlite._values import Json
from kimberlite.errors import *  # noqa: F401,F403 (one class per error code)
from kimberlite.errors import (
    ArgumentTypeError,
    ClientError,
    ConnectionFailedError,
    ForkedProcessError,
    InvalidArgumentError,
    KimberliteError,
    ServerError,
    VerificationError,
    error_class,
)
from kimberlite import verify

__all__ = [
    "ApiKey",
    "ArgumentTypeError",
    "Audit",
    "AsyncClient",
    "AsyncSubscription",
    "Checkpoint",
    "Client",
    "ClientError",
    "ConnectionFailedError",
    "CreatedApiKey",
    "ExecuteResult",
    "ForkedProcessError",
    "InvalidArgumentError",
    "Json",
    "KimberliteError",
    "QueryResult",
    "ReadResult",
    "ServerError",
    "ServerInfoResult",
    "Subscription",
    "SubscriptionEvent",
    "Tenant",
    "VerificationError",
    "VerifiedEvent",
    "VerifiedRead",
    "__version__",
    "error_class",
    "verify",
]
