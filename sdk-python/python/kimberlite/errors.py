"""The exception hierarchy: one class per error code, under ``KimberliteError``.

Server codes (numbered as on the wire) derive from ``ServerError``; verification
failures from ``VerificationError``; argument errors are also ``ValueError`` (and
``ArgumentTypeError`` also ``TypeError``). Every instance carries ``code`` (the stable
number), ``code_name``, ``message`` and ``retryable``.
"""

from __future__ import annotations

import builtins
from typing import Dict, Optional, Type


class KimberliteError(Exception):
    """Any failure of a Kimberlite call."""

    code: int = -1
    code_name: str = "Unknown"
    retryable: bool = False

    def __init__(self, message: str, *, code: Optional[int] = None,
                 retryable: Optional[bool] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.code_name}: {self.message}"


class ServerError(KimberliteError):
    """The server refused the request with one of its error codes."""


class ClientError(KimberliteError):
    """A failure found on the client side (connection, timeout, protocol, ...)."""


class VerificationError(KimberliteError):
    """A verified read or checkpoint was refused: the answer could not be proven."""


class ConnectionFailedError(ClientError, builtins.ConnectionError):
    """1000: the connection could not be made or was lost."""

    code = 1000
    code_name = "Connection"


class RequestTimeoutError(ClientError, builtins.TimeoutError):
    """1001: the server did not answer in time."""

    code = 1001
    code_name = "Timeout"


class ProtocolError(ClientError):
    """1002: the server sent bytes that break the protocol."""

    code = 1002
    code_name = "Protocol"


class UnsupportedError(ClientError):
    """1003: the server does not support the operation."""

    code = 1003
    code_name = "Unsupported"


class InvalidArgumentError(ClientError, ValueError):
    """1004: an argument was refused before anything was sent."""

    code = 1004
    code_name = "InvalidArgument"


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """1004: an argument of a type that has no counterpart (also a ``TypeError``)."""

    code = 1004
    code_name = "InvalidArgument"


class TrustedStateError(ClientError):
    """1005: the trusted-state directory could not be read or written."""

    code = 1005
    code_name = "TrustedState"


class ForkedProcessError(ConnectionFailedError):
    """A client used in a child process after ``os.fork()``: make a new client there."""

    code = 1000
    code_name = "Connection"

# Server codes, numbered as on the wire (protocol v5: 0-31; extensions: 64 and up).


class UnknownError(ServerError):
    """Server code 0: Unknown."""

    code = 0
    code_name = "Unknown"


class InternalError(ServerError):
    """Server code 1: InternalError."""

    code = 1
    code_name = "InternalError"


class InvalidRequestError(ServerError):
    """Server code 2: InvalidRequest."""

    code = 2
    code_name = "InvalidRequest"


class AuthenticationFailedError(ServerError):
    """Server code 3: AuthenticationFailed."""

    code = 3
    code_name = "AuthenticationFailed"


class TenantNotFoundError(ServerError):
    """Server code 4: TenantNotFound."""

    code = 4
    code_name = "TenantNotFound"


class StreamNotFoundError(ServerError):
    """Server code 5: StreamNotFound."""

    code = 5
    code_name = "StreamNotFound"


class TableNotFoundError(ServerError):
    """Server code 6: TableNotFound."""

    code = 6
    code_name = "TableNotFound"


class QueryParseError(ServerError):
    """Server code 7: QueryParseError."""

    code = 7
    code_name = "QueryParseError"


class QueryExecutionError(ServerError):
    """Server code 8: QueryExecutionError."""

    code = 8
    code_name = "QueryExecutionError"


class PositionAheadError(ServerError):
    """Server code 9: PositionAhead."""

    code = 9
    code_name = "PositionAhead"


class StreamAlreadyExistsError(ServerError):
    """Server code 10: StreamAlreadyExists."""

    code = 10
    code_name = "StreamAlreadyExists"


class InvalidOffsetError(ServerError):
    """Server code 11: InvalidOffset."""

    code = 11
    code_name = "InvalidOffset"


class StorageError(ServerError):
    """Server code 12: StorageError."""

    code = 12
    code_name = "StorageError"


class ProjectionLagError(ServerError):
    """Server code 13: ProjectionLag."""

    code = 13
    code_name = "ProjectionLag"


class RateLimitedError(ServerError):
    """Server code 14: RateLimited."""

    code = 14
    code_name = "RateLimited"


class NotLeaderError(ServerError):
    """Server code 15: NotLeader."""

    code = 15
    code_name = "NotLeader"


class OffsetMismatchError(ServerError):
    """Server code 16: OffsetMismatch."""

    code = 16
    code_name = "OffsetMismatch"


class SubscriptionNotFoundError(ServerError):
    """Server code 17: SubscriptionNotFound."""

    code = 17
    code_name = "SubscriptionNotFound"


class SubscriptionClosedError(ServerError):
    """Server code 18: SubscriptionClosed."""

    code = 18
    code_name = "SubscriptionClosed"


class SubscriptionBackpressureError(ServerError):
    """Server code 19: SubscriptionBackpressure."""

    code = 19
    code_name = "SubscriptionBackpressure"


class ApiKeyNotFoundError(ServerError):
    """Server code 20: ApiKeyNotFound."""

    code = 20
    code_name = "ApiKeyNotFound"


class TenantAlreadyExistsError(ServerError):
    """Server code 21: TenantAlreadyExists."""

    code = 21
    code_name = "TenantAlreadyExists"


class ConsentNotFoundError(ServerError):
    """Server code 22: ConsentNotFound."""

    code = 22
    code_name = "ConsentNotFound"


class ConsentExpiredError(ServerError):
    """Server code 23: ConsentExpired."""

    code = 23
    code_name = "ConsentExpired"


class ErasureNotFoundError(ServerError):
    """Server code 24: ErasureNotFound."""

    code = 24
    code_name = "ErasureNotFound"


class ErasureAlreadyCompleteError(ServerError):
    """Server code 25: ErasureAlreadyComplete."""

    code = 25
    code_name = "ErasureAlreadyComplete"


class ErasureExemptError(ServerError):
    """Server code 26: ErasureExempt."""

    code = 26
    code_name = "ErasureExempt"


class BreachNotFoundError(ServerError):
    """Server code 27: BreachNotFound."""

    code = 27
    code_name = "BreachNotFound"


class ExportNotFoundError(ServerError):
    """Server code 28: ExportNotFound."""

    code = 28
    code_name = "ExportNotFound"


class UniqueConstraintViolationError(ServerError):
    """Server code 29: UniqueConstraintViolation."""

    code = 29
    code_name = "UniqueConstraintViolation"


class TenantIdTooLargeError(ServerError):
    """Server code 30: TenantIdTooLarge."""

    code = 30
    code_name = "TenantIdTooLarge"


class RowVersionChainTooLargeError(ServerError):
    """Server code 31: RowVersionChainTooLarge."""

    code = 31
    code_name = "RowVersionChainTooLarge"


class ExtensionNotEnabledError(ServerError):
    """Server code 64: ExtensionNotEnabled."""

    code = 64
    code_name = "ExtensionNotEnabled"


class PermissionDeniedError(ServerError):
    """Server code 65: PermissionDenied."""

    code = 65
    code_name = "PermissionDenied"


class InvalidProofRangeError(ServerError):
    """Server code 66: InvalidProofRange."""

    code = 66
    code_name = "InvalidProofRange"


class VerificationUnavailableError(ServerError):
    """Server code 67: VerificationUnavailable."""

    code = 67
    code_name = "VerificationUnavailable"


# Verification failures (1100 and up).


class BadSignatureError(VerificationError):
    """1100: A checkpoint signature by the trusted key does not verify."""

    code = 1100
    code_name = "BadSignature"


class UnknownKeyError(VerificationError):
    """1101: The checkpoint is not signed by the pinned (or first trusted) server key."""

    code = 1101
    code_name = "UnknownKey"


class ForkError(VerificationError):
    """1102: The new checkpoint does not extend the trusted one: history was rewritten."""

    code = 1102
    code_name = "Fork"


class RollbackError(VerificationError):
    """1103: The new checkpoint is smaller than the trusted one."""

    code = 1103
    code_name = "Rollback"


class NotIncludedError(VerificationError):
    """1104: A record is not in the tree the checkpoint commits to."""

    code = 1104
    code_name = "NotIncluded"


class MalformedProofError(VerificationError):
    """1105: A proof, checkpoint or response does not have the expected shape."""

    code = 1105
    code_name = "MalformedProof"


class UnsupportedVersionError(VerificationError):
    """1106: The proof format or key type is not understood by this client."""

    code = 1106
    code_name = "UnsupportedVersion"


class WrongOriginError(VerificationError):
    """1107: The checkpoint names another log than the one read."""

    code = 1107
    code_name = "WrongOrigin"


class BrokenChainError(VerificationError):
    """1108: A record does not link to the hash of the record before it."""

    code = 1108
    code_name = "BrokenChain"


class CorruptTrustedStateError(VerificationError):
    """1109: The trusted state on disk does not parse or does not verify."""

    code = 1109
    code_name = "CorruptTrustedState"


_BY_NUMBER: Dict[int, Type[KimberliteError]] = {
    0: UnknownError,
    1: InternalError,
    2: InvalidRequestError,
    3: AuthenticationFailedError,
    4: TenantNotFoundError,
    5: StreamNotFoundError,
    6: TableNotFoundError,
    7: QueryParseError,
    8: QueryExecutionError,
    9: PositionAheadError,
    10: StreamAlreadyExistsError,
    11: InvalidOffsetError,
    12: StorageError,
    13: ProjectionLagError,
    14: RateLimitedError,
    15: NotLeaderError,
    16: OffsetMismatchError,
    17: SubscriptionNotFoundError,
    18: SubscriptionClosedError,
    19: SubscriptionBackpressureError,
    20: ApiKeyNotFoundError,
    21: TenantAlreadyExistsError,
    22: ConsentNotFoundError,
    23: ConsentExpiredError,
    24: ErasureNotFoundError,
    25: ErasureAlreadyCompleteError,
    26: ErasureExemptError,
    27: BreachNotFoundError,
    28: ExportNotFoundError,
    29: UniqueConstraintViolationError,
    30: TenantIdTooLargeError,
    31: RowVersionChainTooLargeError,
    64: ExtensionNotEnabledError,
    65: PermissionDeniedError,
    66: InvalidProofRangeError,
    67: VerificationUnavailableError,
    1000: ConnectionFailedError,
    1001: RequestTimeoutError,
    1002: ProtocolError,
    1003: UnsupportedError,
    1004: InvalidArgumentError,
    1005: TrustedStateError,
    1100: BadSignatureError,
    1101: UnknownKeyError,
    1102: ForkError,
    1103: RollbackError,
    1104: NotIncludedError,
    1105: MalformedProofError,
    1106: UnsupportedVersionError,
    1107: WrongOriginError,
    1108: BrokenChainError,
    1109: CorruptTrustedStateError,
}


def error_class(code: int) -> Type[KimberliteError]:
    """The exception class of an error code number (``KimberliteError`` if unknown)."""
    return _BY_NUMBER.get(code, KimberliteError)


def _from_native(code: int, name: str, message: str, retryable: bool) -> KimberliteError:
    """Called by the native module to build the exception of a core error."""
    error = error_class(code)(message, code=code, retryable=retryable)
    error.code_name = name
    return error
