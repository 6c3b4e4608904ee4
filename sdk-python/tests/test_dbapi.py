"""kimberlite.dbapi (PEP 249) and SQL values, against a real server.

Round trips run when the server answers SQL; a server without SQL must answer with
its clear error, which the SQL tests then check instead (and report as skipped)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Iterator

import pytest

import kimberlite
from kimberlite import _values, dbapi, errors

from conftest import Server

NO_SQL = "SQL is not available"


@pytest.fixture()
def connection(server: Server) -> Iterator[dbapi.Connection]:
    with dbapi.connect(server.address, tenant=2) as made:
        yield made


def table(connection: dbapi.Connection) -> str:
    """A new table, or a skip once the server's refusal of SQL was checked."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    cursor = connection.cursor()
    try:
        cursor.execute(
            f"CREATE TABLE {name} (id BIGINT PRIMARY KEY, name TEXT, price DECIMAL(8, 2), "
            "born DATE, seen TIMESTAMP, ok BOOLEAN, score REAL)"
        )
    except dbapi.DatabaseError as error:
        cause = error.__cause__
        assert isinstance(cause, errors.QueryExecutionError) and NO_SQL in cause.message
        pytest.skip("the server refuses SQL with its clear error (round trip untested)")
    return name


def test_module_globals() -> None:
    assert (dbapi.apilevel, dbapi.threadsafety, dbapi.paramstyle) == ("2.0", 2, "qmark")
    assert issubclass(dbapi.IntegrityError, dbapi.DatabaseError)
    assert issubclass(dbapi.DatabaseError, dbapi.Error)
    assert dbapi.STRING == "str" and dbapi.NUMBER == "int" and dbapi.BINARY != "str"
    assert dbapi.Binary(bytearray(b"ab")) == b"ab"
    assert dbapi.DateFromTicks(0) in (datetime.date(1970, 1, 1), datetime.date(1969, 12, 31))


def test_qmark_placeholders_are_rewritten_outside_quotes() -> None:
    rewritten = dbapi._rewrite("SELECT '?', \"a?\" FROM t WHERE a = ? AND b = ? -- c?\n")
    assert rewritten == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b = $2 -- c?\n"
    assert dbapi._rewrite("SELECT 'it''s ?' , ?") == "SELECT 'it''s ?' , $1"
    assert dbapi._rewrite("SELECT $1") == "SELECT $1"


def test_round_trip(connection: dbapi.Connection) -> None:
    name = table(connection)
    cursor = connection.cursor()
    cursor.execute(
        f"INSERT INTO {name} (id, name, price, born, seen, ok, score) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [1, "ada", decimal.Decimal("12.50"), datetime.date(1815, 12, 10),
         datetime.datetime(2024, 1, 2, 3, 4, 5, 6000), True, 2.5],
    )
    assert cursor.rowcount == 1 and cursor.description is None
    cursor.executemany(f"INSERT INTO {name} (id, name) VALUES (?, ?)", [[2, "bo"], [3, "cy"]])
    assert cursor.rowcount == 2
    connection.commit()
    cursor.execute(f"SELECT id, name, price, born, seen, ok, score FROM {name} WHERE id = ?",
                   [1])
    assert cursor.description is not None
    assert [column[0] for column in cursor.description] == [
        "id", "name", "price", "born", "seen", "ok", "score"]
    assert cursor.fetchone() == (1, "ada", decimal.Decimal("12.50"), datetime.date(1815, 12, 10),
                                 datetime.datetime(2024, 1, 2, 3, 4, 5, 6000), True, 2.5)
    assert cursor.fetchone() is None
    cursor.execute(f"SELECT id FROM {name} ORDER BY id")
    assert cursor.fetchmany(2) == [(1,), (2,)]
    assert cursor.fetchall() == [(3,)]
    cursor.execute(f"SELECT id FROM {name} ORDER BY id")
    assert [row for row in cursor] == [(1,), (2,), (3,)]


def test_client_sql_calls(server: Server) -> None:
    with kimberlite.Client(server.address, tenant=3) as client:
        name = f"c_{uuid.uuid4().hex[:12]}"
        try:
            client.execute(f"CREATE TABLE {name} (id BIGINT PRIMARY KEY, v TEXT)")
        except errors.QueryExecutionError as error:
            assert NO_SQL in error.message
            pytest.skip("the server refuses SQL with its clear error (round trip untested)")
        first = client.execute(f"INSERT INTO {name} (id, v) VALUES ($1, $2)", [1, "one"])
        assert first.rows_affected == 1
        client.execute(f"UPDATE {name} SET v = $1 WHERE id = $2", ["uno", 1])
        now = client.query(f"SELECT v FROM {name} WHERE id = $1", [1])
        assert now.columns == ["v"] and now.rows == [["uno"]]
        then = client.query_at(f"SELECT v FROM {name} WHERE id = $1", [1], first.log_offset)
        assert then.rows == [["one"]]
        with pytest.raises(errors.InvalidArgumentError):
            client.execute(f"SELECT v FROM {name}")


def test_async_sql_calls(server: Server) -> None:
    import asyncio

    async def scenario() -> None:
        client = await kimberlite.AsyncClient.connect(server.address, tenant=3)
        name = f"a_{uuid.uuid4().hex[:12]}"
        try:
            await client.execute(f"CREATE TABLE {name} (id BIGINT PRIMARY KEY)")
        except errors.QueryExecutionError as error:
            assert NO_SQL in error.message
            await client.close()
            pytest.skip("the server refuses SQL with its clear error (round trip untested)")
        done = await client.execute(f"INSERT INTO {name} (id) VALUES ($1)", [5])
        assert (await client.query(f"SELECT id FROM {name}")).rows == [[5]]
        at = await client.query_at(f"SELECT id FROM {name}", None, done.log_offset)
        assert at.rows == [[5]]
        await client.close()

    asyncio.run(scenario())


def test_errors_are_translated(connection: dbapi.Connection) -> None:
    cursor = connection.cursor()
    with pytest.raises(dbapi.DatabaseError) as raised:
        cursor.execute("SELEC nothing")
    assert isinstance(raised.value.__cause__, kimberlite.KimberliteError)
    with pytest.raises(dbapi.NotSupportedError):
        connection.rollback()
    with pytest.raises(dbapi.ProgrammingError):
        cursor.execute("SELECT ?", [object()])


def test_closed_objects_raise_interface_error(server: Server) -> None:
    connection = dbapi.connect(server.address)
    cursor = connection.cursor()
    cursor.close()
    with pytest.raises(dbapi.InterfaceError):
        cursor.fetchall()
    connection.close()
    with pytest.raises(dbapi.InterfaceError):
        connection.cursor()
    with pytest.raises(dbapi.OperationalError):
        dbapi.connect("127.0.0.1:1", connect_timeout=2.0, reconnect_attempts=1)


def test_rich_values_round_trip_through_the_helpers() -> None:
    samples = [
        datetime.datetime(2024, 5, 6, 7, 8, 9, 123456),
        datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
        datetime.date(1969, 7, 20),
        datetime.time(23, 59, 58, 999999),
        decimal.Decimal("-12.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ]
    for sample in samples:
        kind, raw = _values.to_wire(sample)
        assert _values.from_wire(kind, raw) == sample, kind
    assert _values.from_wire(*_values.to_wire(kimberlite.Json({"a": [1]}))) == {"a": [1]}
    assert _values.to_wire(object())[0] == "unsupported"
