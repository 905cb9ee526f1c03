"""The outbox: every outgoing message is queued in the same transaction as the change
that caused it, under an idempotency key, then sent exactly once by `drain`.

A row is `pending` until a drain takes it: it is marked `sending` and committed
before the sender is called, and `sent` after. A crash in between leaves it
`sending`; the next drain asks the sender whether that Message-ID went out
(`was_sent`) and marks it sent or sends it, and when the sender cannot tell
(plain SMTP) marks it `unknown` and tells the FOI team instead of risking a
second copy.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import partial
from typing import Protocol

from sqlalchemy import and_, bindparam, literal, null, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from foidesk.mime import (
    SMTP_POLICY,
    PlainMessage,
    attach_original,
    new_message,
    plain_header_value,
)
from foidesk.outbox_claim import ClaimedMessage, ClaimStatements
from foidesk.register import leases, row_buffer
from foidesk.register.held_connection import HeldConnection
from foidesk.register.models import Case, Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail
from foidesk.services.audit import record_event

MAX_ATTEMPTS = 8
DRAIN_LEASE = "outbox-drain"
DRAIN_BUDGET_SECONDS = 300.0  # a drain sends for at most this long (intake.send_budget_minutes)
DRAIN_CHUNK = 200  # rows read at a time, each chunk one batch over one connection
LEASE_RENEW_SECONDS = 60.0  # well inside the lease's ten minutes

# The drain's statements per message, built once (plain Core: no ORM flush, no cache key
# to work out again for each of thousands of messages).
_ROWS, _MESSAGES = OutboxItem.__table__, Message.__table__
_TAKE = (_ROWS.update()  # marked `sending` and its bytes read in one statement
         .where(_ROWS.c.id == bindparam("row_id"), _ROWS.c.status == "pending")
         .values(status="sending", attempts=_ROWS.c.attempts + 1).returning(_ROWS.c.raw))
_QUEUED = select(_ROWS.c.id).where(_ROWS.c.idempotency_key == bindparam("key"))
_SENT = _ROWS.update().where(_ROWS.c.id == bindparam("row_id"))
_DELIVERY = _MESSAGES.update().where(_MESSAGES.c.direction == "out",
                                     _MESSAGES.c.message_id == bindparam("sent_id"))


def _typed(name: str, column) -> object:
    return bindparam(name, type_=column.type)


# PostgreSQL: a sent result recorded (the row and its sent-message row) and the next row
# taken in one statement, with data-modifying CTEs; three round trips a message become one.
_SENT_THEN_TAKE = _TAKE.add_cte(
    _ROWS.update().where(_ROWS.c.id == bindparam("done_id")).values(
        status=literal("sent"), sent_at=_typed("done_sent_at", _ROWS.c.sent_at),
        provider_id=_typed("done_provider_id", _ROWS.c.provider_id),
        last_error=_typed("done_last_error", _ROWS.c.last_error)).cte("sent"),
    _MESSAGES.update().where(
        _MESSAGES.c.direction == literal("out"),
        _MESSAGES.c.message_id == _typed("sent_id", _MESSAGES.c.message_id),
    ).values(delivery_status=literal("sent")).cte("delivered"),
)

# SQLite, which has no data-modifying CTEs: the sent result and the take are one UPDATE
# of the two rows (the sent-message row's delivery status stays a statement of its own).
_DONE = _ROWS.c.id == bindparam("done_id")


def _for_done(value, column):
    return when((_DONE, value), else_=column)


_SENT_AND_TAKE = _ROWS.update().where(
    or_(_DONE, and_(_ROWS.c.id == bindparam("row_id"), _ROWS.c.status == "pending")),
).values(
    status=when((_DONE, literal("sent")), else_=literal("sending")),
    attempts=_for_done(_ROWS.c.attempts, _ROWS.c.attempts + 1),
    sent_at=_for_done(_typed("done_sent_at", _ROWS.c.sent_at), _ROWS.c.sent_at),
    provider_id=_for_done(_typed("done_provider_id", _ROWS.c.provider_id),
                          _ROWS.c.provider_id),
    last_error=_for_done(_typed("done_last_error", _ROWS.c.last_error), _ROWS.c.last_error),
).returning(_ROWS.c.id, when((_DONE, null()), else_=_ROWS.c.raw).label("raw"))


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and to, and how it threads."""

    sender: str  # the From address (and the SMTP envelope sender)
    to: tuple[str, ...]
    sender_name: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str = "auto-generated"  # RFC 3834: never answered by auto-responders
    attach_message: bytes | None = None  # the original, attached as message/rfc822
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (filename, mime type, bytes)


def from_authority(authority, to: tuple[str, ...], **fields) -> Envelope:
    """An envelope from the FOI mailbox, signed "<authority> FOI", as every message is."""
    return Envelope(sender=authority.foi_address, sender_name=f"{authority.name} FOI", to=to,
                    **fields)


def compose(rendered: RenderedEmail, envelope: Envelope, *, domain: str,
            now: datetime) -> EmailMessage | PlainMessage:
    """An RFC 5322 message: text part always, HTML as an alternative when there is one."""
    headers = [
        ("From", f"{envelope.sender_name} <{envelope.sender}>" if envelope.sender_name
         else envelope.sender),
        ("To", ", ".join(envelope.to)),
        ("Subject", rendered.subject),
        ("Date", format_datetime(now)),
        ("Message-ID", make_msgid(domain=domain)),
    ]
    if envelope.in_reply_to:
        headers.append(("In-Reply-To", envelope.in_reply_to))
    references = [*envelope.references]
    if envelope.in_reply_to and envelope.in_reply_to not in references:
        references.append(envelope.in_reply_to)
    if references:
        headers.append(("References", " ".join(references)))
    headers.append(("Auto-Submitted", envelope.auto_submitted))
    headers.append(("X-Auto-Response-Suppress", "All"))  # Exchange: no out-of-office to us
    if (not envelope.attachments and envelope.attach_message is None
            and all(plain_header_value(name, value) for name, value in headers)):
        return PlainMessage(headers, rendered.text, rendered.html)  # most of what we send
    message = new_message()
    for name, value in headers:
        message[name] = value
    # quoted-printable keeps every line under SMTP's 998-octet limit (RFC 5321 s4.5.3.1.6)
    message.set_content(rendered.text, cte="quoted-printable")
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    for filename, mime_type, data in envelope.attachments:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if envelope.attach_message is not None:
        attach_original(message, envelope.attach_message)
    return message


def enqueue(
    uow: SqlUnitOfWork,
    key: str,
    message: EmailMessage | PlainMessage,
    envelope: Envelope,
    *,
    case: Case | None,
    now: datetime,
    key_is_new: bool = False,
) -> OutboxItem | None:
    """Queue a message under `key` (inside the caller's transaction); None if already queued
    or when its row waits in the row buffer (foidesk.register.row_buffer). `key_is_new`:
    the key names a case opened in this transaction, so no committed row can hold it and
    the lookup is skipped (the unique key still guards).

    The outbound Message-ID is recorded at once, so a reply that threads on it
    finds its case even before the message has left.
    """
    session = uow.session
    waiting = row_buffer.active(session)
    # The unique key is the real guard; a lookup needs no flush (Core, built once).
    if not key_is_new and session.connection().execute(
            _QUEUED, {"key": key}).first() is not None:
        return None
    if waiting is not None and waiting.holds_key(key):
        return None
    raw = message.as_bytes(policy=SMTP_POLICY)
    message_id = str(message["Message-ID"])
    subject = str(message["Subject"])
    row = {"idempotency_key": key, "message_id": message_id, "sender": envelope.sender,
           "recipients": ", ".join(envelope.to), "subject": subject, "raw": raw,
           "status": "pending", "attempts": 0, "created_at": now}
    sent = {"direction": "out", "message_id": message_id, "in_reply_to": envelope.in_reply_to,
            "references": " ".join(envelope.references) or None, "subject": subject,
            "from_addr": envelope.sender, "to_addrs": ", ".join(envelope.to), "at": now,
            "content_sha256": _sha(raw), "size": len(raw), "raw": None,
            "delivery_status": "queued"}
    if waiting is not None:  # intake acting on a message: written with its other rows
        row_buffer.add_outbox(session, case, row, sent)
        return None
    item = OutboxItem(case=case, **row)
    session.add(item)
    session.add(Message(case=case, **sent))
    return item


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class OutgoingSender(Protocol):
    """What drain needs of a connector (connectors.base.Sender satisfies it)."""

    def send(self, message): ...


@dataclass
class DrainReport:
    sent: list[str] = field(default_factory=list)  # idempotency keys
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def drain(
    uow_factory: Callable[[], SqlUnitOfWork],
    sender: OutgoingSender,
    outgoing: Callable[[OutboxItem], object],
    *,
    now: datetime,
    limit: int | None = None,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
    checkpoint: Callable[[str], None] = lambda name: None,
    clock: Callable[[], float] = time.monotonic,
) -> DrainReport:
    """Send every pending message once each, until none is left, for at most
    `budget_seconds` (and at most `limit` messages when one is given); what is left
    waits for the next drain. `outgoing` turns a row into the sender's message.

    At most one message is ever `sending`: the transaction that records one result
    also marks the next row `sending`, so each message costs one commit, not two.
    """
    report = DrainReport()
    with uow_factory() as uow:  # an idle poll: one read, no lease, no write
        if not mail_waiting(uow):
            return report
    holder = leases.new_holder()
    if not leases.acquire(uow_factory, DRAIN_LEASE, holder):
        return report  # another drain is at work; what it leaves, the next one sends
    try:
        with uow_factory() as uow:
            _recover_interrupted(uow, sender, report, now)
            uow.commit()
        _Drain(uow_factory, sender, outgoing, report, holder, now, checkpoint,
               stop_at=clock() + budget_seconds, clock=clock, limit=limit).run()
        return report
    finally:
        leases.release(uow_factory, DRAIN_LEASE, holder)


def mail_waiting(uow: SqlUnitOfWork) -> bool:
    """Is anything queued, or left `sending` by a crash? (inside the caller's transaction)"""
    return uow.session.scalar(select(OutboxItem.id).where(
        OutboxItem.status.in_(("pending", "sending"))).limit(1)) is not None


class _Drain:
    """One drain: chunk after chunk of pending rows, each chunk sent as one batch over
    the sender's connection. Rows are read without their bytes; each message's bytes
    are read as it is sent and let go after."""

    def __init__(self, uow_factory, sender, outgoing, report: DrainReport, holder: str,
                 now: datetime, checkpoint: Callable[[str], None], *, stop_at: float,
                 clock: Callable[[], float], limit: int | None) -> None:
        self.uow_factory, self.sender, self.outgoing = uow_factory, sender, outgoing
        self.report, self.holder, self.now, self.checkpoint = report, holder, now, checkpoint
        self.stop_at, self.clock, self.limit = stop_at, clock, limit
        self.taken = 0
        self.renewed = clock()
        self.in_flight: OutboxItem | None = None
        self.finished: tuple[OutboxItem, object] | None = None  # a result not yet recorded
        self.held: HeldConnection | None = None  # the one statement a message goes over it
        self.claims = getattr(sender, "takes_claims", False)  # envelope first (SMTP)
        self.statements: ClaimStatements | None = None
        self.unconfirmed: OutboxItem | None = None  # claimed, and its sender not yet told

    def run(self) -> None:
        after = 0
        try:
            while not self._out_of_time_or_count():
                with self.uow_factory() as uow:
                    chunk = uow.session.scalars(
                        select(OutboxItem).options(defer(OutboxItem.raw))
                        .where(OutboxItem.status == "pending", OutboxItem.id > after)
                        .order_by(OutboxItem.id).limit(DRAIN_CHUNK)).all()
                    uow.commit()  # on SQLite its BEGIN IMMEDIATE holds the write lock
                    if not chunk:
                        return
                    if self.held is None:
                        self.held = HeldConnection(uow.session.get_bind())
                        # a claim's statement waits on the server beside the envelope
                        self.statements = ClaimStatements(self.claims and self.held.autocommit)
                    after = chunk[-1].id
                    _send_batch(self.sender, self._payloads(uow, chunk), self._heard)
                    if self.finished is not None:
                        self._record_finished(uow)
                        uow.commit()
        finally:
            if self.statements is not None:
                self.statements.close()  # the held connection is not in use when it closes
            if self.held is not None:
                self.held.close()

    def _payloads(self, uow: SqlUnitOfWork, chunk: Sequence[OutboxItem]):
        """Each row marked `sending` (with the last result recorded) and committed
        before its message is handed to the sender."""
        for item in chunk:
            if self._out_of_time_or_count():
                return
            if self.clock() - self.renewed > LEASE_RENEW_SECONDS:
                leases.renew(uow, DRAIN_LEASE, self.holder)
                uow.commit()
                self.renewed = self.clock()
            taken = self._take(uow, item)
            if self.claims:
                self.unconfirmed = item
                yield ClaimedMessage(item.sender, tuple(recipients_of(item)),
                                     partial(self._confirm, uow, item, taken))
                if self.unconfirmed is not None:
                    self.statements.settle()
                    raise RuntimeError("the sender did not confirm a claimed message")
                continue
            payload = self._confirm(uow, item, taken)
            if payload is not None:
                yield payload

    def _confirm(self, uow: SqlUnitOfWork, item: OutboxItem, taken: Callable[[], object]):
        """The sender's message once `item` is committed `sending`; None if another drain
        took it."""
        self.unconfirmed = None
        row = taken()
        if row is None:
            return None
        set_committed_value(item, "status", "sending")
        set_committed_value(item, "attempts", item.attempts + 1)
        set_committed_value(item, "raw", row.raw)
        self.taken += 1
        payload = self.outgoing(item)
        uow.session.expire(item, ["raw"])  # its bytes are the sender's now
        self.in_flight = item
        self.checkpoint("before_send")
        return payload

    def _take(self, uow: SqlUnitOfWork, item: OutboxItem) -> Callable[[], object]:
        """Begin marking `item` sending and reading its bytes, with the last result
        recorded: a sent result and the take are one statement (on PostgreSQL, the
        sent-message row's delivery status as well), over the drain's held connection;
        any other result is recorded through the session first. What it gives back
        waits for that commit and returns the row taken, or None."""
        if self.finished is not None and self.finished[1].ok:
            (done, result), self.finished = self.finished, None
            values = _sent_values(result, self.now)
            parameters = {"done_id": done.id, "sent_id": done.message_id, "row_id": item.id,
                          **{f"done_{k}": v for k, v in values.items() if k != "status"}}
            committed = self.statements.start(partial(self._sent_and_take, done, parameters))

            def taken():
                row = committed()
                _sent_recorded(done, values, self.report)
                return row
            return taken
        if self.finished is not None:
            self._record_finished(uow)
            uow.commit()
        return self.statements.start(partial(self._take_alone, item))

    def _sent_and_take(self, done: OutboxItem, parameters: dict[str, object]):
        with self.held.transaction() as connection:
            if connection.dialect.name == "postgresql":
                return connection.execute(_SENT_THEN_TAKE, parameters).first()
            rows = connection.execute(_SENT_AND_TAKE, parameters).all()
            _set_delivery(connection, done, "sent")
            return next((row for row in rows if row.id == parameters["row_id"]), None)

    def _take_alone(self, item: OutboxItem):
        with self.held.transaction() as connection:
            return connection.execute(_TAKE, {"row_id": item.id}).first()

    def _heard(self, result) -> None:
        self.finished, self.in_flight = (self.in_flight, result), None
        self.checkpoint("after_send")

    def _record_finished(self, uow: SqlUnitOfWork) -> None:
        item, result = self.finished
        self.finished = None
        _record_result(uow, item, result, self.report, self.now)

    def _out_of_time_or_count(self) -> bool:
        return (self.limit is not None and self.taken >= self.limit) or (
            self.clock() >= self.stop_at)


def _send_batch(sender, messages, on_result) -> None:
    """The connector's batch send, or one message at a time for a sender with only
    `send` (a test double, a wrapper)."""
    if hasattr(sender, "send_batch"):
        sender.send_batch(messages, on_result=on_result)
        return
    for message in messages:
        on_result(sender.send(message))


def _record_result(uow: SqlUnitOfWork, item: OutboxItem, result, report: DrainReport,
                   now: datetime) -> None:
    if result.ok:
        values = _sent_values(result, now)
        # one plain UPDATE each (the drain's hot path keeps off the ORM's flush)
        uow.session.connection().execute(_SENT, {"row_id": item.id, **values})
        _set_delivery(uow.session.connection(), item, "sent")
        _sent_recorded(item, values, report)
        return
    item.last_error = result.error
    if result.delivery_unknown:
        _mark_unknown(uow, item, now, cause=result.error)
        report.unknown.append(item.idempotency_key)
        return
    if result.transient and item.attempts < MAX_ATTEMPTS:
        item.status = "pending"
    else:
        item.status = "failed"
        _set_delivery(uow.session.connection(), item, "failed")
        record_event(uow, item.case, "delivery_failed", actor="outbox", now=now,
                     detail=f"{item.subject}: {result.error}")
    report.failed.append(item.idempotency_key)


def _sent_values(result, now: datetime) -> dict[str, object]:
    """What the row of a message the server accepted holds."""
    refused = "; ".join(f"{k}: {v}" for k, v in (result.refused or {}).items())
    return {"status": "sent", "sent_at": now, "provider_id": result.provider_id,
            "last_error": f"refused: {refused}" if refused else None}


def _sent_recorded(item: OutboxItem, values: dict[str, object], report: DrainReport) -> None:
    """The loaded object told what its row now holds, and the report."""
    for name, value in values.items():
        set_committed_value(item, name, value)
    report.sent.append(item.idempotency_key)


def _set_delivery(connection, item: OutboxItem, status: str) -> None:
    """The sent-message row's delivery status: Core, not the ORM, one plain UPDATE."""
    connection.execute(_DELIVERY, {"sent_id": item.message_id, "delivery_status": status})


def _recover_interrupted(
    uow: SqlUnitOfWork, sender: OutgoingSender, report: DrainReport, now: datetime,
) -> None:
    """Rows left `sending` by a crash: ask the sender, never guess by sending again."""
    stuck = uow.session.scalars(select(OutboxItem).where(OutboxItem.status == "sending")).all()
    check = getattr(sender, "was_sent", None)
    for item in stuck:
        answer = check(item.message_id) if check else None
        if answer is True:
            item.status, item.sent_at = "sent", now
            _set_delivery(uow.session.connection(), item, "sent")
            report.sent.append(item.idempotency_key)
        elif answer is False:
            item.status = "pending"  # it never left: the loop below sends it
        else:
            _mark_unknown(uow, item, now, cause="interrupted while sending")
            report.unknown.append(item.idempotency_key)


def _mark_unknown(uow: SqlUnitOfWork, item: OutboxItem, now: datetime, *, cause: str) -> None:
    """Sent or not, nobody can say: never sent again, and the audit says so."""
    item.status = "unknown"
    _set_delivery(uow.session.connection(), item, "unknown")
    record_event(uow, item.case, "delivery_unknown", actor="outbox", now=now,
                 detail=f"{item.subject}: {cause}; not sent again to avoid a duplicate. "
                        "Check the sent mail and resend by hand.")


def recipients_of(item: OutboxItem) -> Sequence[str]:
    return tuple(r.strip() for r in item.recipients.split(",") if r.strip())
