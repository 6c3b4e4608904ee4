"""A DB-API 2.0 (PEP 249) module over Kimberlite SQL, so existing tools work.

>>> from kimberlite import dbapi
>>> connection = dbapi.connect("127.0.0.1:5432", tenant=1)  # doctest: +SKIP
>>> cursor = connection.cursor()  # doctest: +SKIP
>>> cursor.execute("SELECT name FROM patients WHERE id = ?", [7])  # doctest: +SKIP
>>> cursor.fetchone()  # doctest: +SKIP

Parameters use the ``qmark`` style (``?``), rewritten to the server's ``$1, $2, ...``
outside quoted text; ``$n`` written directly also works. Every statement is durable
once ``execute`` returns (the log is the transaction): ``commit()`` has nothing left
to do and ``rollback()`` raises ``NotSupportedError``.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Type

from kimberlite import errors as _errors
from kimberlite._native import Client

apilevel = "2.0"
threadsafety = 2
paramstyle = "qmark"


class Warning(Exception):  # noqa: A001 (the name PEP 249 requires)
    """PEP 249 warning."""


class Error(Exception):
    """Base of the PEP 249 errors; ``__cause__`` is the ``KimberliteError``."""


class InterfaceError(Error):
    """Misuse of this module (e.g. a closed cursor)."""


class DatabaseError(Error):
    """An error of the database."""


class DataError(DatabaseError):
    """A value could not be processed."""


class OperationalError(DatabaseError):
    """The connection was lost, timed out or could not be made."""


class IntegrityError(DatabaseError):
    """A constraint was violated."""


class InternalError(DatabaseError):
    """The server failed internally."""


class ProgrammingError(DatabaseError):
    """The statement is wrong: syntax, unknown table, bad parameters."""


class NotSupportedError(DatabaseError):
    """The operation is not supported."""


_BY_CLASS: List[Tuple[Type[_errors.KimberliteError], Type[Error]]] = [
    (_errors.UniqueConstraintViolationError, IntegrityError),
    (_errors.QueryParseError, ProgrammingError),
    (_errors.TableNotFoundError, ProgrammingError),
    (_errors.InvalidRequestError, ProgrammingError),
    (_errors.InvalidArgumentError, ProgrammingError),
    (_errors.InternalError, InternalError),
    (_errors.UnsupportedError, NotSupportedError),
    (_errors.ConnectionFailedError, OperationalError),
    (_errors.RequestTimeoutError, OperationalError),
]


def _translate(error: _errors.KimberliteError) -> Error:
    for source, target in _BY_CLASS:
        if isinstance(error, source):
            return target(str(error))
    return DatabaseError(str(error))


def _rewrite(operation: str) -> str:
    """``?`` placeholders outside quotes and comments as ``$1``, ``$2``, ..."""
    out: List[str] = []
    number = 0
    index = 0
    length = len(operation)
    while index < length:
        char = operation[index]
        if char in ("'", '"'):
            end = index + 1
            while end < length:
                if operation[end] == char:
                    if end + 1 < length and operation[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            out.append(operation[index:end + 1])
            index = end + 1
            continue
        if operation.startswith("--", index):
            end = operation.find("\n", index)
            end = length if end < 0 else end
            out.append(operation[index:end])
            index = end
            continue
        if char == "?":
            number += 1
            out.append(f"${number}")
        else:
            out.append(char)
        index += 1
    return "".join(out)


Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime


def DateFromTicks(ticks: float) -> datetime.date:  # noqa: N802 (PEP 249 name)
    """The local date of a Unix time."""
    return datetime.date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:  # noqa: N802 (PEP 249 name)
    """The local time of day of a Unix time."""
    return datetime.time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:  # noqa: N802 (PEP 249 name)
    """The local date and time of a Unix time."""
    return datetime.datetime(*time.localtime(ticks)[:6])


def Binary(data: bytes) -> bytes:  # noqa: N802 (PEP 249 name)
    """A binary value."""
    return bytes(data)


class _TypeSet:
    def __init__(self, *names: str) -> None:
        self.names = frozenset(names)

    def __eq__(self, other: object) -> bool:
        return other in self.names

    def __hash__(self) -> int:
        return hash(self.names)


STRING = _TypeSet("str")
BINARY = _TypeSet("bytes")
NUMBER = _TypeSet("int", "float", "Decimal", "bool")
DATETIME = _TypeSet("datetime", "date", "time")
ROWID = _TypeSet("int")

Description = Tuple[str, Optional[str], None, None, None, None, None]


class Cursor:
    """A PEP 249 cursor: rows of the last statement, fetched from memory."""

    arraysize: int = 1

    def __init__(self, connection: "Connection") -> None:
        self.connection = connection
        self.description: Optional[List[Description]] = None
        self.rowcount = -1
        self.lastrowid: Optional[int] = None
        self.log_offset: Optional[int] = None
        self._rows: List[List[Any]] = []
        self._position = 0
        self._closed = False

    def _client(self) -> Client:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        return self.connection._open_client()

    def execute(self, operation: str, parameters: Optional[Sequence[Any]] = None) -> "Cursor":
        """Runs one statement; rows are then fetched with ``fetch*``."""
        client = self._client()
        try:
            result = client.query(_rewrite(operation), list(parameters or []))
        except _errors.KimberliteError as error:
            raise _translate(error) from error
        self._position = 0
        if result.columns == ["rows_affected", "log_offset"] and len(result.rows) == 1:
            self.description = None
            self._rows = []
            self.rowcount = int(result.rows[0][0])
            self.log_offset = int(result.rows[0][1])
            return self
        self._rows = result.rows
        self.rowcount = len(self._rows)
        self.log_offset = None
        first = self._rows[0] if self._rows else [None] * len(result.columns)
        self.description = [
            (name, None if value is None else type(value).__name__, None, None, None, None, None)
            for name, value in zip(result.columns, first)
        ]
        return self

    def executemany(self, operation: str, seq_of_parameters: Sequence[Sequence[Any]]) -> None:
        """Runs the statement once per parameter sequence; rowcount is the total."""
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            total += max(self.rowcount, 0)
        self.rowcount = total

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        """The next row, or None."""
        self._client()
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return tuple(row)

    def fetchmany(self, size: Optional[int] = None) -> List[Tuple[Any, ...]]:
        """Up to ``size`` (default ``arraysize``) next rows."""
        self._client()
        count = self.arraysize if size is None else size
        rows = self._rows[self._position:self._position + count]
        self._position += len(rows)
        return [tuple(row) for row in rows]

    def fetchall(self) -> List[Tuple[Any, ...]]:
        """All remaining rows."""
        self._client()
        rows = self._rows[self._position:]
        self._position = len(self._rows)
        return [tuple(row) for row in rows]

    def close(self) -> None:
        """Closes the cursor; later calls raise ``InterfaceError``."""
        self._closed = True
        self._rows = []

    def setinputsizes(self, sizes: Any) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    def setoutputsize(self, size: Any, column: Optional[int] = None) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *_args: object) -> None:
        self.close()


class Connection:
    """A PEP 249 connection over one ``kimberlite.Client``."""

    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError

    def __init__(self, client: Client) -> None:
        self.client: Optional[Client] = client

    def _open_client(self) -> Client:
        if self.client is None:
            raise InterfaceError("the connection is closed")
        return self.client

    def cursor(self) -> Cursor:
        """A new cursor."""
        self._open_client()
        return Cursor(self)

    def commit(self) -> None:
        """Nothing to do: each statement is durable when ``execute`` returns."""
        self._open_client()

    def rollback(self) -> None:
        """Not supported: the log is append-only and statements are already durable."""
        raise NotSupportedError("statements are durable when execute returns; no rollback")

    def close(self) -> None:
        """Closes the connection; later calls raise ``InterfaceError``."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *_args: object) -> None:
        self.close()


def connect(address: str, **options: Any) -> Connection:
    """Connects like ``kimberlite.Client(address, **options)``."""
    try:
        return Connection(Client(address, **options))
    except _errors.KimberliteError as error:
        raise _translate(error) from error
