"""The three questions intake asks the register of nearly every message, asked for many
messages at once.

For each message intake asks whether its Message-ID is known, whether its sender has an
open case received in the last 20 working days (a repeat request), and how many
automatic replies went to the sender in the last day (the mail-loop limit). Asked one
message at a time that is three round trips to the database a message. While a batch is
acted on whole (foidesk.services.intake.process), the questions are asked for the next
`CHUNK` messages together (their Message-IDs, and the addresses their headers give as
the sender's), and each message's answer is looked up here.

An answer is the database's, as of when it was asked. The rows the batch itself waits to
write are counted by the callers, as they are for a question asked alone
(foidesk.register.row_buffer). Any statement that writes a table an answer depends on
drops the answers that depend on it (a batch's new rows written early, a changed case
flushed by the ORM), and the next message asks again; a statement written out by hand
drops them all. A value that was not asked ahead (a sender named only in the body, a
forward's original sender) is asked alone, as before.

Another intake's rows (a second mailbox) are seen when its batch commits, as before; an
answer can be older by up to `CHUNK` messages. A Message-ID that both register at once is
caught by the register's unique key, and the batch is then done message by message,
each question asked alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, TextClause, bindparam, event, func, or_, select
from sqlalchemy.sql.dml import UpdateBase

from foidesk.cases import CaseStatus
from foidesk.notifications import NOTICES
from foidesk.register.models import Case, Message, OutboxItem, Requester
from foidesk.register.new_rows import READS_NEW_ROWS

CHUNK = 25  # messages whose questions are asked together
CLOSED = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value, CaseStatus.RESPONDED.value)
_KEY = "foidesk.asked_ahead"  # connection.info: the answers of the batch in hand

_MESSAGES, _CASES = Message.__table__, Case.__table__
_REQUESTERS, _OUTBOX = Requester.__table__, OutboxItem.__table__


@dataclass
class Answers:
    """What the register answered, by question and value (a missing value: not asked)."""

    known: dict[str, bool] = field(default_factory=dict)  # Message-ID -> in the register
    open_case: dict[tuple[str, date], bool] = field(default_factory=dict)  # (email, since)
    replies: dict[tuple[str, datetime], int] = field(default_factory=dict)  # (to, since)
    dropped: bool = False  # since the last `ask_ahead`

    def drop(self, tables: Iterable[str]) -> None:
        """Forget the answers that a write to these tables may have changed."""
        for table in tables:
            for answers in _DEPENDS.get(table, ()):
                getattr(self, answers).clear()
                self.dropped = True


# Which answers depend on which table's rows.
_DEPENDS = {"messages": ("known",), "cases": ("open_case",), "requesters": ("open_case",),
            "outbox": ("replies",)}


@contextmanager
def asking_ahead(connection) -> Iterator[Answers]:
    """Answers asked ahead are kept on this connection (and dropped as it writes) until
    the block ends."""
    answers = connection.info[_KEY] = Answers()
    try:
        yield answers
    finally:
        connection.info.pop(_KEY, None)


def ask_ahead(connection, message_ids: Iterable[str], senders: Iterable[str], *,
              open_since: date, replies_since: datetime) -> None:
    """Ask the three questions for these Message-IDs and senders at once."""
    answers = connection.info[_KEY]
    answers.known, answers.open_case, answers.replies = {}, {}, {}
    answers.dropped = False
    ids, senders = sorted(set(message_ids)), sorted(set(senders))
    if ids:
        found = set(connection.execute(_KNOWN, {"ids": ids}).scalars())
        answers.known = {i: i in found for i in ids}
    if senders:
        with_open = set(connection.execute(_OPEN_FOR, {"emails": senders,
                                                      "since": open_since}).scalars())
        answers.open_case = {(s, open_since): s in with_open for s in senders}
        counted = dict(connection.execute(_REPLIES_TO, {"addresses": senders,
                                                        "since": replies_since}).all())
        answers.replies = {(s, replies_since): counted.get(s, 0) for s in senders}


def message_known(connection, message_id: str) -> bool:
    """Does the register hold a message (in or out) with this Message-ID?"""
    return _answer(connection, "known", message_id, lambda: connection.execute(
        _KNOWN, {"ids": [message_id]}).first() is not None)


def has_open_case(connection, email: str, since: date) -> bool:
    """Has this requester a case received on or after `since` that is still open?"""
    return _answer(connection, "open_case", (email, since), lambda: connection.execute(
        _OPEN_FOR, {"emails": [email], "since": since}).first() is not None)


def replies_since(connection, address: str, since: datetime) -> int:
    """How many automatic replies to requesters went to this address since `since`?"""
    return _answer(connection, "replies", (address, since), lambda: dict(connection.execute(
        _REPLIES_TO, {"addresses": [address], "since": since}).all()).get(address, 0))


def _answer(connection, question: str, value: Any, ask_alone):
    answers = connection.info.get(_KEY)
    kept = getattr(answers, question) if answers is not None else {}
    if value in kept:
        return kept[value]
    return ask_alone()


# The events whose notices are automatic replies to the requester (RFC 3834).
TO_REQUESTERS = tuple(dict.fromkeys(n.event for n in NOTICES if n.audience == "requester"))
_KNOWN = select(_MESSAGES.c.message_id).where(
    _MESSAGES.c.message_id.in_(bindparam("ids", expanding=True))) \
    .execution_options(**{READS_NEW_ROWS: True})  # the callers count the rows waiting
_OPEN_FOR = select(_REQUESTERS.c.email).distinct().join(
    _CASES, _CASES.c.requester_id == _REQUESTERS.c.id).where(
    _REQUESTERS.c.email.in_(bindparam("emails", expanding=True)),
    _CASES.c.received_on >= bindparam("since"), _CASES.c.status.not_in(CLOSED)) \
    .execution_options(**{READS_NEW_ROWS: True})

_REPLIES_TO = select(_OUTBOX.c.recipients, func.count()).where(
    _OUTBOX.c.recipients.in_(bindparam("addresses", expanding=True)),
    _OUTBOX.c.created_at >= bindparam("since"),
    or_(*(_OUTBOX.c.idempotency_key.like(f"{event}:%") for event in TO_REQUESTERS))) \
    .group_by(_OUTBOX.c.recipients).execution_options(**{READS_NEW_ROWS: True})


@event.listens_for(Engine, "before_execute")
def _drop_what_a_write_changes(connection, statement, multiparams, params,
                               execution_options) -> None:
    """A write to a table that answers depend on drops those answers."""
    answers = connection.info.get(_KEY)
    if answers is None or execution_options.get(READS_NEW_ROWS):
        return
    if isinstance(statement, str | TextClause):
        answers.drop(_DEPENDS)  # what SQL written out by hand writes is not known: all
    elif isinstance(statement, UpdateBase):
        answers.drop((getattr(statement.table, "name", ""),))
