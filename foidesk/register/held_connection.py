"""One connection held across many short transactions (the drain's one a message).

Each use through the ORM's session checks a connection out of the pool and back in: on
PostgreSQL that is a ping (the engine's `pool_pre_ping`), a BEGIN and a COMMIT around a
statement that needs neither, four round trips where one will do. A held connection runs
a statement that is a whole transaction by itself in autocommit on PostgreSQL (one round
trip, committed before it returns), and a transaction of a few statements on SQLite
(its BEGIN IMMEDIATE, which takes the write lock, and its COMMIT).

What the ping was for stays: before each use, a held PostgreSQL connection is asked,
without a round trip, whether the server has written to it while it sat idle (a server
that shuts down or restarts says so on every connection before it closes them). If so, the
connection is let go and a new one checked out, pinged as usual; nothing was sent on
the old one, so nothing is done twice.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


class HeldConnection:
    """A connection of `engine`, kept between uses and checked before each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.autocommit = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The connection, inside a transaction committed when the block ends (on
        PostgreSQL, in autocommit: give it one statement, which commits as it returns)."""
        connection = self._live()
        if self.autocommit:
            yield connection
            return
        with connection.begin():
            yield connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _live(self) -> Connection:
        if self._connection is not None and _spoken_to_while_idle(self._connection):
            self._connection.invalidate()  # the pool drops it; the next checkout pings
            self._connection.close()
            self._connection = None
        if self._connection is None:
            connection = self.engine.connect()
            if self.autocommit:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = connection
        return self._connection


def _spoken_to_while_idle(connection: Connection) -> bool:
    """Has the server written to an idle PostgreSQL connection (a notice that it is
    shutting down, or the connection closed)? A poll of its socket, not a round trip."""
    raw = connection.connection.dbapi_connection
    pgconn = getattr(raw, "pgconn", None)
    if pgconn is None:  # SQLite: a file, nothing to hear from
        return False
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except Exception:  # psycopg has no socket for a connection that is closed
        return True
    return bool(readable)
