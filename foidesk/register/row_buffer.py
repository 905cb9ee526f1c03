"""Rows a batch adds, written in bulk when it is done.

While intake acts on a batch (or, when one of its messages failed, on one message inside
its savepoint) the audit events, the outbox rows and the sent-message rows it adds wait
here, and are written when it is done with one multi-row INSERT per table, instead of
one ORM insert each in the unit of work's flush. Like the ORM's autoflush, any query that
reads one of those tables first writes what is waiting, so a read in the same transaction
sees every row. A query that counts the waiting rows itself (the outbox's key check, the
reply limit, whether a Message-ID is known) runs on the connection, where only the new
rows below are watched for.

The status of a case opened in the same transaction waits here too (`move_new_case`): a
new request's case moves twice before its batch ends (acknowledged, then with its owner),
and its status goes into its new row while that waits, or else the last status of each is
written with one UPDATE for all of them. Such a case is open
whatever status waits, so a read of whether a requester has an open case is answered the
same before and after.

A batch's new requesters, cases, questions, assignments and inbound messages wait here as
well, as persistent objects whose ids are reserved (`write_new`, foidesk.register.new_rows),
and are written first.

Outside `buffered_rows` nothing waits: `record_event` and `enqueue` add ORM objects, and
`write_new` writes at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from foidesk.register.models import Case, Event, EventDetail, Message, OutboxItem
from foidesk.register.new_rows import NewRows, watched
from foidesk.register.written_at_once import (
    joined_as_written,
    row_of,
    write_all,
    write_now,
)

T = TypeVar("T")

_KEY = "foidesk.row_buffer"
_TABLES = frozenset({"events", "event_details", "outbox", "messages"})
_CASES = Case.__table__
# A case's status, and when it changed: one row, or (executemany) the waiting ones.
CASE_MOVE = update(_CASES).where(_CASES.c.id == bindparam("case_id")).values(
    status=bindparam("to", type_=_CASES.c.status.type),
    updated_at=bindparam("at", type_=_CASES.c.updated_at.type))


@dataclass
class _Waiting:
    """One row and the case it belongs to (its id is known only after the flush)."""

    case: Case | None
    values: dict[str, Any]


@dataclass
class RowBuffer:
    events: list[_Waiting] = field(default_factory=list)
    outbox: list[_Waiting] = field(default_factory=list)
    sent: list[_Waiting] = field(default_factory=list)
    moves: dict[Case, tuple[str, Any]] = field(default_factory=dict)  # case -> (status, at)
    new: NewRows = field(default_factory=NewRows)  # new objects' rows (`write_new`)
    # What the lookups ask of the waiting rows, kept as they are added: a batch holds
    # hundreds of rows, and a scan of them for every message made a batch cost its square.
    _keys: set[str] = field(default_factory=set)
    _message_ids: set[str] = field(default_factory=set)
    _to: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.events or self.outbox or self.sent or self.moves or self.new)

    def holds_key(self, key: str) -> bool:
        """Does an outbox row with this idempotency key wait here?"""
        return key in self._keys

    def holds_message(self, message_id: str) -> bool:
        """Does a sent-message row with this Message-ID wait here?"""
        return message_id in self._message_ids

    def outbox_rows_to(self, recipients: str) -> list[dict[str, Any]]:
        """The waiting outbox rows addressed to exactly these recipients."""
        return self._to.get(recipients, [])

    def clear(self) -> None:
        """Forget every row (they are written, or dropped with their savepoint)."""
        for rows in (self.events, self.outbox, self.sent, self.moves, self._keys,
                     self._message_ids, self._to):
            rows.clear()
        self.new.forget()


def active(session: Session) -> RowBuffer | None:
    """The buffer rows wait in, when the session is inside `buffered_rows`."""
    return session.info.get(_KEY)


@contextmanager
def buffered_rows(session: Session) -> Iterator[RowBuffer]:
    """Rows added inside wait, and are written when the block ends without an error
    (inside the caller's savepoint); after an error they are dropped with it."""
    buffer = RowBuffer()
    session.info[_KEY] = buffer
    try:
        with watched(session.connection(), buffer.new):
            yield buffer
            write_waiting(session)
    finally:
        session.info.pop(_KEY, None)


def add_event(session: Session, case: Case | None, values: dict[str, Any]) -> None:
    """An audit event (at, actor, action, before, after, detail) to write later."""
    active(session).events.append(_Waiting(case, values))


def add_outbox(session: Session, case: Case | None, values: dict[str, Any],
               sent: dict[str, Any]) -> None:
    """An outbox row and its sent-message row to write later."""
    buffer = active(session)
    buffer.outbox.append(_Waiting(case, values))
    buffer.sent.append(_Waiting(case, sent))
    buffer._keys.add(values["idempotency_key"])
    buffer._message_ids.add(sent["message_id"])
    buffer._to.setdefault(values["recipients"], []).append(values)


def new_row_waits(session: Session, column, value: Any) -> bool:
    """Does a new row whose `column` (one of `new_rows.ASKED`) holds `value` wait in the
    session's buffer? What a lookup marked `READS_NEW_ROWS` asks besides the database."""
    buffer = active(session)
    return buffer is not None and buffer.new.holds(column, value)


def move_new_case(session: Session, case: Case, status: str, at: Any) -> None:
    """The status a case opened in this transaction has now, to write later (into its
    new row itself, while that still waits)."""
    buffer = active(session)
    row = buffer.new.row_of(case)
    if row is not None:
        row["status"], row["updated_at"] = status, at
        return
    buffer.moves[case] = (status, at)


def write_new(session: Session, obj: T, *, empty: Iterable[str] = ()) -> T:
    """`write_now`, its row written with the batch's other new rows of its table: the
    object gets an id reserved for it and is persistent at once. Outside
    `buffered_rows`, `write_now` itself."""
    buffer = active(session)
    if buffer is None:
        return write_now(session, obj, empty=empty)
    table, row = row_of(obj)
    return joined_as_written(session, obj, buffer.new.add(session.connection(), table, row, obj),
                             empty)


def write_new_all(session: Session, objs: list[T]) -> list[T]:
    """`write_new` for each (outside `buffered_rows`, `write_all`: one INSERT)."""
    if active(session) is None:
        return write_all(session, objs)
    return [write_new(session, obj) for obj in objs]


def write_waiting(session: Session) -> None:
    """Flush the ORM (the cases the rows point at get their ids), then write the rows."""
    buffer = active(session)
    if not buffer:
        return
    connection = session.connection()
    buffer.new.write(connection)
    session.flush()
    if buffer.moves:
        connection.execute(CASE_MOVE, [{"case_id": case.id, "to": status, "at": at}
                                       for case, (status, at) in buffer.moves.items()])
    if buffer.events:
        _write_events(connection, buffer)
    for table, rows in ((OutboxItem.__table__, buffer.outbox), (Message.__table__, buffer.sent)):
        if rows:
            connection.execute(insert(table), [_row(waiting) for waiting in rows])
    buffer.clear()


def _row(waiting: _Waiting, *names: str) -> dict[str, Any]:
    """The row to insert, with its case's id (only the columns `names`, when given)."""
    values = {k: waiting.values[k] for k in names} if names else waiting.values
    return {"case_id": waiting.case.id if waiting.case is not None else None, **values}


def _write_events(connection, buffer: RowBuffer) -> None:
    """The skeletons under ids reserved for them, then a detail row for each that has
    something to keep (as `Event.before`/`after`/`detail` would make one)."""
    waiting = buffer.events
    ids = buffer.new.reserve_ids(connection, _EVENTS, len(waiting))
    connection.execute(insert(_EVENTS), [{"id": event_id, **_row(w, "at", "actor", "action")}
                                         for event_id, w in zip(ids, waiting, strict=True)])
    details = [{"event_id": event_id, "before": w.values.get("before"),
                "after": w.values.get("after"), "detail": w.values.get("detail") or ""}
               for event_id, w in zip(ids, waiting, strict=True)
               if w.values.get("before") is not None or w.values.get("after") is not None
               or w.values.get("detail")]
    if details:
        connection.execute(insert(EventDetail.__table__), details)


_EVENTS = Event.__table__


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    """A query of a table with rows waiting writes them first (an autoflush of our own)."""
    buffer = active(state.session)
    if not buffer:
        return
    if _TABLES.intersection(table.name for table in find_tables(
            state.statement, include_joins=True, include_aliases=True, include_crud=True)):
        write_waiting(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """A commit inside `buffered_rows` takes what waits with it, never leaves it out."""
    if active(session):
        write_waiting(session)
