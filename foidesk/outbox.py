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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from sqlalchemy import select

from foidesk.mime import SMTP_POLICY, attach_original, new_message
from foidesk.register import leases
from foidesk.register.models import Case, Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail
from foidesk.services.audit import record_event

MAX_ATTEMPTS = 8
DRAIN_LEASE = "outbox-drain"


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
            now: datetime) -> EmailMessage:
    """An RFC 5322 message: text part always, HTML as an alternative when there is one."""
    message = new_message()
    message["From"] = (f"{envelope.sender_name} <{envelope.sender}>" if envelope.sender_name
                       else envelope.sender)
    message["To"] = ", ".join(envelope.to)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    if envelope.in_reply_to:
        message["In-Reply-To"] = envelope.in_reply_to
    references = [*envelope.references]
    if envelope.in_reply_to and envelope.in_reply_to not in references:
        references.append(envelope.in_reply_to)
    if references:
        message["References"] = " ".join(references)
    message["Auto-Submitted"] = envelope.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office back to us
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
    message: EmailMessage,
    envelope: Envelope,
    *,
    case: Case | None,
    now: datetime,
) -> OutboxItem | None:
    """Queue a message under `key` (inside the caller's transaction); None if already queued.

    The outbound Message-ID is recorded at once, so a reply that threads on it
    finds its case even before the message has left.
    """
    session = uow.session
    with session.no_autoflush:  # the unique key is the real guard; no flush for a lookup
        if session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)):
            return None
    raw = message.as_bytes(policy=SMTP_POLICY)
    message_id = str(message["Message-ID"])
    item = OutboxItem(
        idempotency_key=key, case=case, message_id=message_id, sender=envelope.sender,
        recipients=", ".join(envelope.to), subject=str(message["Subject"]), raw=raw,
        status="pending", attempts=0, created_at=now,
    )
    session.add(item)
    session.add(
        Message(
            case=case, direction="out", message_id=message_id,
            in_reply_to=envelope.in_reply_to, references=" ".join(envelope.references) or None,
            subject=str(message["Subject"]), from_addr=envelope.sender,
            to_addrs=", ".join(envelope.to), at=now, content_sha256=_sha(raw), size=len(raw),
            raw=None, delivery_status="queued",
        )
    )
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
    limit: int = 500,
    checkpoint: Callable[[str], None] = lambda name: None,
) -> DrainReport:
    """Send pending messages once each; `outgoing` turns a row into the sender's message.

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
        return _drain(uow_factory, sender, outgoing, report, holder, now=now, limit=limit,
                      checkpoint=checkpoint)
    finally:
        leases.release(uow_factory, DRAIN_LEASE, holder)


def mail_waiting(uow: SqlUnitOfWork) -> bool:
    """Is anything queued, or left `sending` by a crash? (inside the caller's transaction)"""
    return uow.session.scalar(select(OutboxItem.id).where(
        OutboxItem.status.in_(("pending", "sending"))).limit(1)) is not None


def _drain(uow_factory, sender, outgoing, report: DrainReport, holder: str, *, now: datetime,
           limit: int, checkpoint: Callable[[str], None]) -> DrainReport:
    with uow_factory() as uow:
        _recover_interrupted(uow, sender, report, now)
        ids = uow.session.scalars(
            select(OutboxItem.id).where(OutboxItem.status == "pending")
            .order_by(OutboxItem.id).limit(limit)
        ).all()
        uow.commit()
    finished: tuple[int, object] | None = None  # a result not yet recorded
    for item_id in ids:
        with uow_factory() as uow, uow.session.no_autoflush:  # one flush: the commit's
            leases.renew(uow, DRAIN_LEASE, holder)
            if finished is not None:
                _record(uow, *finished, report, now)
                finished = None
            item = uow.session.get(OutboxItem, item_id)
            if item is None or item.status != "pending":
                uow.commit()
                continue  # another drain took it
            item.status, item.attempts = "sending", item.attempts + 1
            uow.commit()
            payload = outgoing(item)
        checkpoint("before_send")
        result = sender.send(payload)
        checkpoint("after_send")
        finished = (item_id, result)
    if finished is not None:
        with uow_factory() as uow:
            _record(uow, *finished, report, now)
            uow.commit()
    return report


def _record(uow: SqlUnitOfWork, item_id: int, result, report: DrainReport,
            now: datetime) -> None:
    item = uow.session.get(OutboxItem, item_id)
    assert item is not None
    _record_result(uow, item, result, report, now)


def _record_result(uow: SqlUnitOfWork, item: OutboxItem, result, report: DrainReport,
                   now: datetime) -> None:
    if result.ok:
        item.status, item.sent_at, item.provider_id = "sent", now, result.provider_id
        item.last_error = None
        if result.refused:
            refused = "; ".join(f"{k}: {v}" for k, v in result.refused.items())
            item.last_error = f"refused: {refused}"
        _set_delivery(uow, item, "sent")
        report.sent.append(item.idempotency_key)
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
        _set_delivery(uow, item, "failed")
        record_event(uow, item.case, "delivery_failed", actor="outbox", now=now,
                     detail=f"{item.subject}: {result.error}")
    report.failed.append(item.idempotency_key)


def _set_delivery(uow: SqlUnitOfWork, item: OutboxItem, status: str) -> None:
    row = uow.session.scalar(
        select(Message).where(Message.direction == "out", Message.message_id == item.message_id)
    )
    if row is not None:
        row.delivery_status = status


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
            _set_delivery(uow, item, "sent")
            report.sent.append(item.idempotency_key)
        elif answer is False:
            item.status = "pending"  # it never left: the loop below sends it
        else:
            _mark_unknown(uow, item, now, cause="interrupted while sending")
            report.unknown.append(item.idempotency_key)


def _mark_unknown(uow: SqlUnitOfWork, item: OutboxItem, now: datetime, *, cause: str) -> None:
    """Sent or not, nobody can say: never sent again, and the audit says so."""
    item.status = "unknown"
    _set_delivery(uow, item, "unknown")
    record_event(uow, item.case, "delivery_unknown", actor="outbox", now=now,
                 detail=f"{item.subject}: {cause}; not sent again to avoid a duplicate. "
                        "Check the sent mail and resend by hand.")


def recipients_of(item: OutboxItem) -> Sequence[str]:
    return tuple(r.strip() for r in item.recipients.split(",") if r.strip())
