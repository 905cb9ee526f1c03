"""Hand out case references, never the same one twice, across processes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select, update
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
    _ensure_sequence(session, key)
    while True:
        seq = session.execute(
            update(ReferenceSequence)
            .where(ReferenceSequence.scope == key)
            .values(last_value=ReferenceSequence.last_value + 1)
            .returning(ReferenceSequence.last_value)
        ).scalar_one()
        reference = fmt.render(seq, received)
        if not session.scalar(select(exists().where(Case.reference == reference))):
            return reference


def _ensure_sequence(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ReferenceSequence)
        .values(scope=key, last_value=0)
        .on_conflict_do_nothing(index_elements=["scope"])
    )
