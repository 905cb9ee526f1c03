"""A batch's new rows (requester, case, questions, assignment, inbound message): ids
reserved for them, and one INSERT of many rows per table when the batch's rows are
written (foidesk.register.row_buffer), where each had been an INSERT of its own.

The objects are persistent from the start, with their ids, as `write_now` leaves them.
Their rows must be in the database before anything else looks for them, so any statement
on the connection that reads one of their tables, or writes a row that may point at one
(an attachment of a new message, an ORM flush of a changed case), writes them first.
A statement that asks the database and then looks at the waiting rows itself says so with
the execution option `READS_NEW_ROWS` (the intake's lookups: is this Message-ID known,
is this reference taken, has this requester an open case).

The ids: on PostgreSQL from each table's sequence, a block at a time; on SQLite one
above the largest id written, counted on from there. That is safe because every
transaction of the register holds SQLite's write lock from its BEGIN IMMEDIATE
(foidesk.register.database), and any other INSERT into the table in the transaction first
writes the rows waiting, after which the next id is asked again.
"""

from __future__ import annotations

import itertools
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, TextClause, event, func, insert, select, text
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.util import find_tables

from foidesk.register.models import Base, Case, Message, Requester

READS_NEW_ROWS = "foidesk_reads_new_rows"
_KEY = "foidesk.new_rows"  # connection.info: the rows waiting on this connection
# The columns of new rows that the intake's lookups ask about.
ASKED = (Message.__table__.c.message_id, Case.__table__.c.reference,
         Requester.__table__.c.email)
_ID_BLOCK = 100  # ids taken from a PostgreSQL sequence at a time
_PARENTS_FIRST = Base.metadata.sorted_tables


@dataclass
class NewRows:
    """The rows waiting, by table; each object's row; and the values `ASKED` about."""

    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    _row_of: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)
    _values: dict[Any, set[Any]] = field(default_factory=dict)  # column -> values
    _ids: dict[Table, Iterator[int] | deque[int]] = field(default_factory=dict)
    _writing: bool = False

    def __bool__(self) -> bool:
        return bool(self.rows)

    def holds(self, column, value: Any) -> bool:
        """Does a waiting row whose `column` (one of `ASKED`) holds `value` wait here?"""
        return value in self._values.get(column, ())

    def row_of(self, obj: Any) -> dict[str, Any] | None:
        """The waiting row of this object, changed in place until it is written."""
        return self._row_of.get(obj)

    def add(self, connection, table: Table, row: dict[str, Any], obj: Any) -> int:
        """Keep `obj`'s row (its id not yet in it) to write later; the id reserved."""
        (id_column,) = table.primary_key.columns
        row[id_column.key] = new_id = self.reserve_ids(connection, table, 1)[0]
        self.rows.setdefault(table, []).append(row)
        self._row_of[obj] = row
        for column in ASKED:
            if column.table is table:
                self._values.setdefault(column, set()).add(row[column.key])
        return new_id

    def reserve_ids(self, connection, table: Table, count: int) -> list[int]:
        """Ids that no other row of `table` can get (see the module's docstring)."""
        ids = self._ids.get(table)
        if connection.dialect.name == "postgresql":
            if ids is None:
                ids = self._ids[table] = deque()
            if len(ids) < count:
                ids.extend(connection.execute(_NEXT_IDS, {
                    "table": table.name, "count": max(_ID_BLOCK, count - len(ids))}).scalars())
            return [ids.popleft() for _ in range(count)]
        if ids is None:
            (id_column,) = table.primary_key.columns
            largest = connection.execute(
                select(func.coalesce(func.max(id_column), 0)).execution_options(
                    **{READS_NEW_ROWS: True})).scalar_one()
            ids = self._ids[table] = itertools.count(largest + 1)
        return [next(ids) for _ in range(count)]

    def write(self, connection) -> None:
        """One INSERT of many rows (their ids given) per table, parents first."""
        if not self.rows:
            return
        self._writing = True
        try:
            for table in _PARENTS_FIRST:
                rows = self.rows.get(table)
                if rows:
                    connection.execute(insert(table), rows)
        finally:
            self._writing = False
        self.forget()

    def forget(self) -> None:
        """The rows are written, or dropped with their savepoint: on SQLite the next id
        is asked again, since a row added without one may follow them."""
        self.rows.clear()
        self._row_of.clear()
        self._values.clear()
        self._ids = {t: ids for t, ids in self._ids.items() if isinstance(ids, deque)}


_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)").execution_options(**{READS_NEW_ROWS: True})


@contextmanager
def watched(connection, new: NewRows) -> Iterator[NewRows]:
    """The connection writes these rows before any statement that needs them."""
    info = connection.info
    outer = info.get(_KEY)
    info[_KEY] = new
    try:
        yield new
    finally:
        if outer is None:
            info.pop(_KEY, None)
        else:
            info[_KEY] = outer


@event.listens_for(Engine, "before_execute")
def _write_new_rows_first(connection, statement, multiparams, params,
                          execution_options) -> None:
    """Any statement that reads a table with rows waiting, or writes a row that may point
    at one, writes them first (the ORM's queries and flushes included), unless it says it
    looks at them itself (`READS_NEW_ROWS`)."""
    new = connection.info.get(_KEY)
    if not new or new._writing or execution_options.get(READS_NEW_ROWS):
        return
    if isinstance(statement, str | TextClause) or any(
            table in new.rows for table in _tables_of(statement)):
        new.write(connection)  # what SQL written out by hand reads is not known: all of it


def _tables_of(statement) -> frozenset[Table]:
    """The tables a statement reads or writes, and for a write the tables its rows may
    point at (its foreign keys); worked out once for a statement built once."""
    with suppress(KeyError, TypeError):
        return _TABLES_OF[statement]
    found = set(find_tables(statement, include_joins=True, include_aliases=True,
                            include_crud=True)) if hasattr(statement, "_from_objects") else set()
    if isinstance(statement, UpdateBase):
        found |= {key.column.table for table in list(found) for key in table.foreign_keys}
    tables = frozenset(found)
    with suppress(TypeError):  # a plain string, or a construct that cannot be weakly held
        _TABLES_OF[statement] = tables
    return tables


_TABLES_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
