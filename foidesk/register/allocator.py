"""Hand out case references, never the same one twice, across processes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from foidesk.references import ReferenceFormat
from foidesk.register.models import Case, ReferenceSequence

_SEQUENCES = ReferenceSequence.__table__
_ENSURE = {dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_SEQUENCES)
           .values(scope=bindparam("key"), last_value=0)
           .on_conflict_do_nothing(index_elements=["scope"])
           for dialect in (postgresql, sqlite)}
_NEXT = (update(_SEQUENCES).where(_SEQUENCES.c.scope == bindparam("key"))
         .values(last_value=_SEQUENCES.c.last_value + 1)
         .returning(_SEQUENCES.c.last_value))
_TAKEN = select(exists().where(Case.__table__.c.reference == bindparam("reference")))


def allocate_reference(session: Session, fmt: ReferenceFormat, received: date) -> str:
    """The next free reference for a request received on `received`.

    One row per sequence holds the last number used. The UPDATE ... RETURNING
    takes that row's write lock (PostgreSQL) or the database's (SQLite, where
    every transaction begins IMMEDIATE), so a concurrent allocator waits for this
    transaction and then continues from its number. A number whose reference is
    already taken (a case imported by hand) is skipped. The statements are built once
    and run on the session's connection: a case not yet flushed is flushed first, so
    the check sees it.
    """
    if any(isinstance(pending, Case) for pending in session.new):
        session.flush()
    connection = session.connection()
    key = {"key": fmt.sequence_key(received)}
    connection.execute(_ENSURE[connection.dialect.name], key)
    while True:
        seq = connection.execute(_NEXT, key).scalar_one()
        reference = fmt.render(seq, received)
        if not connection.execute(_TAKEN, {"reference": reference}).scalar():
            return reference
