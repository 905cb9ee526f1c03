"""Hand out case references, never the same one twice, across processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from foidesk.references import ReferenceFormat
from foidesk.register import row_buffer
from foidesk.register.models import Case, ReferenceSequence
from foidesk.register.new_rows import READS_NEW_ROWS

RESERVED_AT_ONCE = 25  # numbers a batch acted on whole takes from a sequence at a time
_KEY = "foidesk.reserved_references"  # connection.info: the batch's reserved numbers
_SEQUENCES = ReferenceSequence.__table__


def _take_numbers(dialect):
    """INSERT the sequence's row at `count`, or on conflict add `count` to it: the last of
    the numbers taken, in one statement (an upsert) for either database."""
    statement = dialect.insert(_SEQUENCES).values(scope=bindparam("key"),
                                                  last_value=bindparam("count"))
    return statement.on_conflict_do_update(
        index_elements=["scope"],
        set_={"last_value": _SEQUENCES.c.last_value + statement.excluded.last_value},
    ).returning(_SEQUENCES.c.last_value)


_TAKE = {"postgresql": _take_numbers(postgresql), "sqlite": _take_numbers(sqlite)}
_GIVE_BACK = update(_SEQUENCES).where(_SEQUENCES.c.scope == bindparam("key")).values(
    last_value=bindparam("last"))
_CASES = Case.__table__
# The new cases waiting in the row buffer are asked apart (`_taken`).
_TAKEN = select(exists().where(_CASES.c.reference == bindparam("reference"))).execution_options(
    **{READS_NEW_ROWS: True})
_TAKEN_OF = select(_CASES.c.reference).where(
    _CASES.c.reference.in_(bindparam("references", expanding=True))).execution_options(
    **{READS_NEW_ROWS: True})


@dataclass
class _Reserved:
    """Numbers of one sequence taken by this transaction and not yet handed out."""

    next: int
    last: int
    checked: dict[int, str]  # number -> the reference whose holder was asked for
    held: set[str]  # of those, the references a case holds


@dataclass
class Reservations:
    """A batch's reserved numbers, by sequence."""

    transaction: object  # the one they were reserved in
    by_key: dict[str, _Reserved] = field(default_factory=dict)

    def check(self, connection) -> None:
        """Numbers reserved are given back at the end of the transaction they were
        reserved in; a savepoint rolled back, or another transaction, would hand out
        numbers the sequence no longer counts as taken."""
        if connection.get_transaction() is not self.transaction \
                or connection.in_nested_transaction():
            raise ReservedOutsideTheirTransaction(
                "references reserved ahead are handed out only in the transaction, "
                "without savepoints, that reserved them")


class ReservedOutsideTheirTransaction(RuntimeError):
    """A reference asked for from reserved numbers outside the transaction they hold."""


def allocate_reference(session: Session, fmt: ReferenceFormat, received: date) -> str:
    """The next free reference for a request received on `received`.

    One row per sequence holds the last number used. The upsert (made at 1 for the
    sequence's first request, else one added, RETURNING the number) takes that row's
    write lock (PostgreSQL) or the database's (SQLite, where every transaction begins
    IMMEDIATE), so a concurrent allocator waits for this transaction and then continues
    from its number. A number whose reference is already taken (a case imported by
    hand) is skipped. The statements are built once and run on the session's
    connection: a case not yet flushed is flushed first, so the check sees it.

    Inside `reserving_references` the numbers are taken `RESERVED_AT_ONCE` at a time,
    with one question for which of them a case holds.
    """
    if any(isinstance(pending, Case) for pending in session.new):
        session.flush()
    connection = session.connection()
    key = fmt.sequence_key(received)
    reservations = connection.info.get(_KEY)
    while True:
        if reservations is None:
            reference = fmt.render(_take(connection, key, 1), received)
            taken = _taken(session, connection, reference)
        else:
            reference, taken = _from_reserved(session, connection, reservations, fmt, key,
                                              received)
        if not taken:
            return reference


def _from_reserved(session: Session, connection, reservations: Reservations,
                   fmt: ReferenceFormat, key: str, received: date) -> tuple[str, bool]:
    """The next reserved number's reference (numbers reserved when none are left), and
    whether a case holds it."""
    reservations.check(connection)
    reserved = reservations.by_key.get(key)
    if reserved is None or reserved.next > reserved.last:
        reserved = reservations.by_key[key] = _reserve(connection, fmt, key, received)
    seq, reserved.next = reserved.next, reserved.next + 1
    reference = fmt.render(seq, received)
    if reserved.checked.get(seq) != reference:  # continuous, and another year than asked
        return reference, _taken(session, connection, reference)
    return reference, reference in reserved.held or _held_by_a_waiting_case(session, reference)


@contextmanager
def reserving_references(connection) -> Iterator[Reservations]:
    """References handed out on this connection come from numbers reserved ahead until
    the block ends; the numbers left over are then given back to their sequences, in
    the same transaction. Only for a transaction without savepoints (one rolled back
    would give back numbers this block still counts as reserved): a reference asked for
    in a savepoint, or in another transaction, raises ReservedOutsideTheirTransaction.
    A block that raises gives nothing back: its transaction is to be rolled back, and
    the numbers with it."""
    reservations = connection.info[_KEY] = Reservations(connection.get_transaction())
    try:
        yield reservations
        reservations.check(connection)
        left = [{"key": key, "last": reserved.next - 1}
                for key, reserved in reservations.by_key.items()
                if reserved.next <= reserved.last]
        if left:
            connection.execute(_GIVE_BACK, left)
    finally:
        connection.info.pop(_KEY, None)


def _take(connection, key: str, count: int) -> int:
    """Take `count` numbers from the sequence `key`: the last of them."""
    return connection.execute(_TAKE[connection.dialect.name],
                              {"key": key, "count": count}).scalar_one()


def _reserve(connection, fmt: ReferenceFormat, key: str, received: date) -> _Reserved:
    last = _take(connection, key, RESERVED_AT_ONCE)
    first = last - RESERVED_AT_ONCE + 1
    checked = {seq: fmt.render(seq, received) for seq in range(first, last + 1)}
    held = set(connection.execute(_TAKEN_OF, {"references": list(checked.values())}).scalars())
    return _Reserved(first, last, checked, held)


def _taken(session: Session, connection, reference: str) -> bool:
    return bool(connection.execute(_TAKEN, {"reference": reference}).scalar()) or \
        _held_by_a_waiting_case(session, reference)


def _held_by_a_waiting_case(session: Session, reference: str) -> bool:
    """Whether a new case the row buffer still holds back has `reference`."""
    return row_buffer.new_row_waits(session, _CASES.c.reference, reference)
