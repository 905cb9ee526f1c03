"""New rows written at once with a prebuilt Core INSERT, their objects kept as if loaded.

Intake opens a case for almost every message: a requester, the case, its questions, an
assignment and the inbound message. Through the ORM each of them waits for the unit of
work's flush, which works out its dependency graph again for every message. Here each row
is written when it is made (its id comes back from `INSERT ... RETURNING`), and its object
joins the session as a persistent object with every column filled in and its new,
empty collections loaded, so templates still read `case.questions` and nothing is
fetched back. Changes made to the object later are flushed by the ORM as usual. As the
ORM does with the objects it inserted, a rollback (of a message's savepoint, or of the whole
transaction) takes the objects written inside it out of the session: their rows are gone,
and SQLite may give their ids to the next rows.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

T = TypeVar("T")
_KEY = "foidesk.written_at_once"  # session.info: object written -> its transaction (weakly)


@dataclass(frozen=True)
class _Plan:
    """How one model's rows are written: its INSERTs, its columns (attribute, column, what
    an unset one holds) and the attribute its new id goes into; worked out once a model."""

    statement: Any
    statement_for_many: Any  # the same, its ids returned in the order of the rows
    columns: tuple[tuple[str, str, Callable[[], Any]], ...]
    id_key: str


_PLANS: dict[Any, _Plan] = {}


def write_now(session: Session, obj: T, *, empty: Iterable[str] = ()) -> T:
    """Write a new object's row now and make it persistent. Its foreign keys must be set
    as columns (`case_id=case.id`); `empty` names its collections known to be empty (a
    new case has no events yet), so that reading them does not ask the database."""
    plan = _plan(inspect(obj).mapper)
    new_id = session.connection().execute(plan.statement, _values(plan, obj)).scalar_one()
    return _persist(session, plan, obj, new_id, empty)


def write_all(session: Session, objs: list[T]) -> list[T]:
    """New objects of one model written as `write_now` writes one, with one INSERT for
    all of them (`_insert_all`)."""
    if not objs:
        return objs
    plan = _plan(inspect(objs[0]).mapper)
    new_ids = _insert_all(session.connection(), inspect(objs[0]).mapper.local_table,
                         [_values(plan, obj) for obj in objs], plan.statement_for_many)
    for obj, new_id in zip(objs, new_ids, strict=True):
        _persist(session, plan, obj, new_id, ())
    return objs


def _insert_all(connection, table, rows: list[dict[str, Any]], returning) -> Sequence[int]:
    """Rows of `table` written with one INSERT, and their new ids in the rows' order.
    SQLite cannot say which new id is whose (SQLAlchemy would write the rows one at a
    time), so there two or more rows are one multi-row INSERT whose ids `_ids_of` works
    out; elsewhere, and for one row, `returning` (INSERT ... RETURNING the id, the rows'
    order kept) says them."""
    if connection.dialect.name == "sqlite" and len(rows) > 1:
        new_ids: list[int] = []
        for start in range(0, len(rows), _SQLITE_ROWS):
            chunk = rows[start:start + _SQLITE_ROWS]
            new_ids += _ids_of(connection.execute(insert(table).values(chunk)), len(chunk))
        return new_ids
    return connection.execute(returning, rows).scalars().all()


_SQLITE_ROWS = 500  # rows an INSERT: well inside SQLite's 32,766 parameters a statement


def _ids_of(result, count: int) -> range:
    """On SQLite, the ids a multi-row INSERT gave its `count` rows, in their order: each
    row one above the largest before it, as SQLite gives them (no table of ours is
    AUTOINCREMENT), so they run up to the statement's last rowid. Nothing else can take
    one in between: a statement's rows are written together, and every transaction of
    the register holds SQLite's write lock from its BEGIN IMMEDIATE
    (foidesk.register.database)."""
    last = result.lastrowid
    return range(last - count + 1, last + 1)


def row_of(obj: Any) -> tuple[Any, dict[str, Any]]:
    """A new object's table and the row `write_now` would insert, without its id."""
    plan = _plan(inspect(obj).mapper)
    return inspect(obj).mapper.local_table, _values(plan, obj)


def joined_as_written(session: Session, obj: T, new_id: Any, empty: Iterable[str] = ()) -> T:
    """A new object whose row is written under `new_id` (or will be, in this transaction:
    foidesk.register.row_buffer) made persistent, as `write_now` leaves it."""
    return _persist(session, _plan(inspect(obj).mapper), obj, new_id, empty)


def _values(plan: _Plan, obj: Any) -> dict[str, Any]:
    """The row's values, each unset column given what the ORM would write."""
    values: dict[str, Any] = {}
    for key, column_key, unset in plan.columns:
        if key not in obj.__dict__:
            setattr(obj, key, unset())
        values[column_key] = getattr(obj, key)
    return values


def _persist(session: Session, plan: _Plan, obj: T, new_id: Any, empty: Iterable[str]) -> T:
    """The written object joins the session as persistent, remembered until the
    transaction it was written in ends."""
    setattr(obj, plan.id_key, new_id)
    make_transient_to_detached(obj)
    session.add(obj)
    inside = session.get_nested_transaction() or session.get_transaction()
    _written(session)[obj] = inside
    for name in empty:
        set_committed_value(obj, name, [])
    return obj


def _plan(mapper) -> _Plan:
    plan = _PLANS.get(mapper)
    if plan is None:
        table = mapper.local_table
        (id_column,) = table.primary_key.columns
        columns = tuple((prop.key, prop.columns[0].key, _default(prop.columns[0]))
                        for prop in mapper.column_attrs if not prop.columns[0].primary_key)
        plan = _PLANS[mapper] = _Plan(
            insert(table).returning(id_column),
            insert(table).returning(id_column, sort_by_parameter_order=True),
            columns, mapper.get_property_by_column(id_column).key)
    return plan


def _default(column) -> Callable[[], Any]:
    """What the ORM's INSERT would write for a column left unset (a default the database
    works out, which would have to be read back, is refused)."""
    default = column.default
    if default is None and column.server_default is None:
        return lambda: None
    if default is not None and default.is_callable:
        return lambda: default.arg(None)
    if default is not None and default.is_scalar:
        return lambda: default.arg
    raise TypeError(f"{column.table.name}.{column.name}: set it, its default is the "
                    "database's")


def written_in_this_transaction(session: Session, obj: Any) -> bool:
    """Was `obj`'s row written by `write_now` in the session's open transaction? (A case
    opened by the message being processed: nothing committed before can name it.)"""
    written = session.info.get(_KEY)
    return written is not None and obj in written


def link(parent: Any, collection: str, children: list[Any], back: str) -> None:
    """Tell persistent objects whose rows are already linked (a case and its questions)
    about each other, without the ORM seeing a change to flush."""
    set_committed_value(parent, collection, children)
    for child in children:
        set_committed_value(child, back, parent)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Objects written inside a transaction that was rolled back leave the session."""
    written = session.info.get(_KEY)
    if not written:
        return
    for obj, inside in list(written.items()):
        if _within(inside, rolled_back):
            del written[obj]
            if obj in session:
                session.expunge(obj)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    """Once the outermost transaction commits, its rows are there for good."""
    session.info.pop(_KEY, None)


def _written(session: Session) -> weakref.WeakKeyDictionary:
    """What this session wrote at once and has not yet committed, by object."""
    written = session.info.get(_KEY)
    if written is None:
        written = session.info[_KEY] = weakref.WeakKeyDictionary()
    return written


def _within(inside: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while inside is not None:
        if inside is outer:
            return True
        inside = inside.parent
    return False
