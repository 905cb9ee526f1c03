"""Hand out case references, never the same one twice, across processes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from foidesk.references import ReferenceFormat
from foidesk.register import row_buffer
from foidesk.register.models import Case, ReferenceSequence
from foidesk.register.new_rows import READS_NEW_ROWS

_SEQUENCES = ReferenceSequence.__table__


def _next_number(dialect):
    """INSERT the sequence's row at 1, or on conflict add one to it: the next number,
    in one statement (an upsert) for either database."""
    statement = dialect.insert(_SEQUENCES).values(scope=bindparam("key"), last_value=1)
    return statement.on_conflict_do_update(
        index_elements=["scope"], set_={"last_value": _SEQUENCES.c.last_value + 1},
    ).returning(_SEQUENCES.c.last_value)


_NEXT = {"postgresql": _next_number(postgresql), "sqlite": _next_number(sqlite)}
_CASES = Case.__table__
# The new cases waiting in the row buffer are asked apart (`_taken`).
_TAKEN = select(exists().where(_CASES.c.reference == bindparam("reference"))).execution_options(
    **{READS_NEW_ROWS: True})


def allocate_reference(session: Session, fmt: ReferenceFormat, received: date) -> str:
    """The next free reference for a request received on `received`.

    One row per sequence holds the last number used. The upsert (made at 1 for the
    sequence's first request, else one added, RETURNING the number) takes that row's
    write lock (PostgreSQL) or the database's (SQLite, where every transaction begins
    IMMEDIATE), so a concurrent allocator waits for this transaction and then continues
    from its number. A number whose reference is already taken (a case imported by
    hand) is skipped. The statements are built once and run on the session's
    connection: a case not yet flushed is flushed first, so the check sees it.
    """
    if any(isinstance(pending, Case) for pending in session.new):
        session.flush()
    connection = session.connection()
    key = {"key": fmt.sequence_key(received)}
    next_number = _NEXT[connection.dialect.name]
    while True:
        seq = connection.execute(next_number, key).scalar_one()
        reference = fmt.render(seq, received)
        if not _taken(session, connection, reference):
            return reference


def _taken(session: Session, connection, reference: str) -> bool:
    return bool(connection.execute(_TAKEN, {"reference": reference}).scalar()) or \
        row_buffer.new_row_waits(session, _CASES.c.reference, reference)
