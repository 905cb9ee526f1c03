"""The mailbox cursor and the moves that follow a commit: a message is moved to its
folder only after the transaction that acted on it committed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from foidesk.outbox import mail_waiting
from foidesk.register import leases
from foidesk.register.models import (
    MailboxCursor,
    Message,
)
from foidesk.register.unit_of_work import SqlUnitOfWork

# -- cursor and moves -------------------------------------------------------------------

# How long a run waits for another run's moves in the same mailbox before it leaves its
# own to the next poll (a move of a few hundred messages takes well under a second).
MOVE_WAIT_SECONDS = 30.0


def load_cursor(uow: SqlUnitOfWork, mailbox_key: str) -> str | None:
    with uow:
        return _cursor(uow, mailbox_key)


def _cursor(uow: SqlUnitOfWork, mailbox_key: str) -> str | None:
    row = uow.session.get(MailboxCursor, mailbox_key)
    return row.cursor if row else None


def save_cursor(uow: SqlUnitOfWork, mailbox_key: str, cursor: str | None, now: datetime) -> None:
    with uow:
        put_cursor(uow, mailbox_key, cursor, now)
        uow.commit()


def put_cursor(uow: SqlUnitOfWork, mailbox_key: str, cursor: str | None, now: datetime) -> None:
    """Set the cursor inside the caller's transaction (the batch it belongs to)."""
    row = uow.session.get(MailboxCursor, mailbox_key)
    if row is None:
        uow.session.add(MailboxCursor(mailbox=mailbox_key, cursor=cursor, updated_at=now))
    else:
        row.cursor, row.updated_at = cursor, now


@dataclass(frozen=True)
class PollState:
    """What a poll needs to know before it starts, read in one transaction."""

    moves: dict[str, list[str]]
    cursor: str | None
    outbox_waiting: bool


def poll_state(uow: SqlUnitOfWork, mailbox_key: str) -> PollState:
    """Pending moves, the cursor, and whether mail waits to be sent: one read, so an
    idle poll costs the register a single transaction."""
    with uow:
        return PollState(_pending_moves(uow, mailbox_key), _cursor(uow, mailbox_key),
                         mail_waiting(uow))


def pending_moves(uow: SqlUnitOfWork, mailbox_key: str) -> dict[str, list[str]]:
    """Provider ids of this mailbox whose transaction committed but which it has not
    moved yet."""
    with uow:
        return _pending_moves(uow, mailbox_key)


def _of_mailbox(mailbox_key: str):
    """This mailbox's rows (rows from before migration 0011 name no mailbox: a register
    had one then)."""
    return or_(Message.mailbox == mailbox_key, Message.mailbox.is_(None))


def _pending_moves(uow: SqlUnitOfWork, mailbox_key: str) -> dict[str, list[str]]:
    rows = uow.session.execute(
        select(Message.provider_id, Message.mailbox_target).where(
            Message.direction == "in", ~Message.moved,  # ix_messages_unmoved
            Message.mailbox_target.is_not(None), Message.provider_id.is_not(None),
            _of_mailbox(mailbox_key),
        )
    ).all()
    moves: dict[str, list[str]] = {"processed": [], "quarantine": []}
    for provider_id, target in rows:
        moves[target].append(provider_id)
    return moves


def mark_moved(uow: SqlUnitOfWork, provider_ids: Iterable[str], mailbox_key: str) -> None:
    ids = list(provider_ids)
    if not ids:
        return
    with uow:
        uow.session.execute(
            update(Message).where(Message.direction == "in", ~Message.moved,
                                  Message.provider_id.in_(ids), _of_mailbox(mailbox_key))
            .values(moved=True).execution_options(synchronize_session=False))
        uow.commit()


def move_pending(
    uow_factory: Callable[[], SqlUnitOfWork],
    mailbox,
    mailbox_key: str,
    checkpoint: Callable[[str], None] = lambda name: None,
    moves: dict[str, list[str]] | None = None,
) -> int:
    """Move every committed message this mailbox still holds.

    One run at a time moves a mailbox's messages: two MOVEs of one message at once each
    copy it, and the target folder holds it twice (seen with Dovecot, two intakes on one
    folder). So the run takes the mailbox's move lease and only then reads what is still
    to move, which leaves out what another run has just moved. `moves`, when given, is
    the poll's first read: when it is empty, there is nothing to move and no lease taken.
    """
    if moves is not None and not moves["processed"] and not moves["quarantine"]:
        return 0
    holder = leases.new_holder()
    lease = move_lease(mailbox_key)
    if not leases.acquire_within(uow_factory, lease, holder, MOVE_WAIT_SECONDS):
        return 0  # another run is still moving: what is left, the next poll moves
    try:
        return _move(uow_factory, mailbox, mailbox_key, checkpoint)
    finally:
        leases.release(uow_factory, lease, holder)


def move_lease(mailbox_key: str) -> str:
    """The lease's name: a mailbox key may be longer than a lease name can be."""
    return "mailbox-moves:" + hashlib.sha256(mailbox_key.encode()).hexdigest()[:40]


def _move(uow_factory: Callable[[], SqlUnitOfWork], mailbox, mailbox_key: str,
          checkpoint: Callable[[str], None]) -> int:
    moves = pending_moves(uow_factory(), mailbox_key)
    if not moves["processed"] and not moves["quarantine"]:
        return 0
    checkpoint("before_move")
    if moves["processed"]:
        mailbox.mark_processed(moves["processed"])
    if moves["quarantine"]:
        mailbox.quarantine(moves["quarantine"])
    done = moves["processed"] + moves["quarantine"]
    mark_moved(uow_factory(), done, mailbox_key)
    return len(done)
