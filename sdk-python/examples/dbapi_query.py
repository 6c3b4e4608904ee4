"""Run SQL through the DB-API 2.0 module, reporting the server's answer."""

from __future__ import annotations

import os

from kimberlite import dbapi


def main() -> None:
    address = os.environ.get("KIMBERLITE_ADDRESS", "127.0.0.1:5432")
    with dbapi.connect(address, tenant=1) as connection:
        cursor = connection.cursor()
        try:
            cursor.execute("CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, body TEXT)")
            cursor.execute("INSERT INTO notes (id, body) VALUES (?, ?)", [1, "hello"])
            cursor.execute("SELECT id, body FROM notes WHERE id = ?", [1])
            print(cursor.description, cursor.fetchall())
        except dbapi.DatabaseError as error:
            print("the server refused:", error)


if __name__ == "__main__":
    main()
