"""Hand out case references, never the same one twice, across processes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from foidesk.references import ReferenceFormat
from foidesk.register.models import Case, ReferenceSequence


def allocate_reference(session: Session, fmt: ReferenceFormat, received: date) -> str:
    """The next free reference for a request received on `received`.

    One row per sequence holds the last number used. The UPDATE ... RETURNING
    takes that row's write lock (PostgreSQL) or the database's (SQLite, where
    every transaction begins IMMEDIATE), so a concurrent allocator waits for this
    transaction and then continues from its number. A number whose reference is
    already taken (a case imported by hand) is skipped.
    """
    key = fmt.sequence_key(received)
    connection = session.connection()  # Core: no autoflush, statements built once
    while True:
        seq = connection.execute(_NEXT, {"key": key}).scalar()
        if seq is None:  # the sequence's first request: its row, then the number
            _ensure_sequence(session, key)
            seq = connection.execute(_NEXT, {"key": key}).scalar_one()
        reference = fmt.render(seq, received)
        if not connection.execute(_TAKEN, {"reference": reference}).scalar():
            return reference


_NEXT = (update(ReferenceSequence.__table__)
         .where(ReferenceSequence.__table__.c.scope == bindparam("key"))
         .values(last_value=ReferenceSequence.__table__.c.last_value + 1)
         .returning(ReferenceSequence.__table__.c.last_value))
_TAKEN = select(exists().where(Case.__table__.c.reference == bindparam("reference")))


def _ensure_sequence(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ReferenceSequence)
        .values(scope=key, last_value=0)
        .on_conflict_do_nothing(index_elements=["scope"])
    )
