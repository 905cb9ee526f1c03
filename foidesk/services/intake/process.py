"""One fetched batch, one transaction: every message triaged, acted on and stored, the
batch's rows written together; when a message fails, the batch again with each message in
a savepoint of its own, and the one that fails quarantined. A batch never stops for one
bad message."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from foidesk.large_parts import SetApart, set_apart
from foidesk.mail import InboundMessage, MessageTooLarge, check_size, parse, parse_address
from foidesk.register.allocator import reserving_references
from foidesk.register.models import Case, ChaseRecord, Message, OutboxItem
from foidesk.register.row_buffer import active, buffered_rows, new_row_waits
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake.actions import ACTIONS
from foidesk.services.intake.asked_ahead import CHUNK, ask_ahead, asking_ahead, message_known
from foidesk.services.intake.cursor import put_cursor
from foidesk.services.intake.new_requests import repeats_since
from foidesk.services.intake.notices import REPLY_WINDOW, message_id_of, notify, size_in_words
from foidesk.services.intake.settings import BatchReport, IntakeSettings, Outcome
from foidesk.services.intake.storage import (
    content_hash,
    content_id,
    header_message_id,
    raw_header,
    store_attachments,
    store_blob,
    store_message,
)
from foidesk.services.intake.triage_ahead import AheadBatch, TriageAhead, Triaged
from foidesk.triage import CaseView, Decision, Triage, TriageNotice, classify
from foidesk.triage.decisions import ChaseDigest

# -- one message ----------------------------------------------------------------------


class RegisterCases:
    """Triage's view of the register, inside the current transaction."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow

    def by_message_ids(self, message_ids: Iterable[str]) -> CaseView | None:
        ids = [i for i in message_ids if i]
        if not ids:
            return None
        case = self.uow.session.scalar(
            select(Case).join(Message, Message.case_id == Case.id)
            .where(Message.message_id.in_(ids)).order_by(Message.id.desc()).limit(1)
        )
        return _view(case)

    def by_reference(self, reference: str) -> CaseView | None:
        case = self.uow.session.scalar(select(Case).where(Case.reference == reference))
        return _view(case)

    def triage_notice(self, message_ids: Iterable[str]) -> TriageNotice | None:
        """Our `unsure` notice to the team among these ids: its key names the original."""
        key = self._our_key(message_ids, "unsure:")
        return None if key is None else TriageNotice(original_message_id=message_id_of(key))

    def chase_digest(self, message_ids: Iterable[str]) -> ChaseDigest | None:
        """Our reminder or escalation digest among these ids, its recipient and cases."""
        key = self._our_key(message_ids, "chase:")
        if key is None:
            return None
        references = self.uow.session.scalars(
            select(Case.reference).join(ChaseRecord, ChaseRecord.case_id == Case.id)
            .where(ChaseRecord.outbox_key == key).distinct()).all()
        return ChaseDigest(key.split(":")[1], tuple(sorted(references)))

    def _our_key(self, message_ids: Iterable[str], prefix: str) -> str | None:
        """The outbox key of the message of ours, of this kind, that these ids name."""
        ids = [i for i in message_ids if i]
        if not ids:
            return None
        return self.uow.session.scalar(
            select(OutboxItem.idempotency_key).where(
                OutboxItem.message_id.in_(ids), OutboxItem.idempotency_key.like(f"{prefix}%"))
            .limit(1))


def _view(case: Case | None) -> CaseView | None:
    if case is None:
        return None
    owners = frozenset(
        address for a in case.assignments for address in (a.owner, a.deputy) if address
    )
    return CaseView(case.reference, case.status, case.regime,
                    case.requester.email if case.requester else None, owners)


def process_message(
    uow: SqlUnitOfWork,
    provider_id: str,
    raw: bytes,
    arrived_at: datetime | None,
    settings: IntakeSettings,
    *,
    now: datetime,
    checkpoint: Callable[[str], None] = lambda name: None,
) -> Outcome:
    """Triage and act on one message in a transaction of its own (a batch of one)."""
    with uow:
        outcome = _process_in_savepoint(uow, provider_id, raw, arrived_at, settings, now=now,
                                        checkpoint=checkpoint)
        uow.commit()
    return outcome


def _process_in_savepoint(
    uow: SqlUnitOfWork,
    provider_id: str,
    raw: bytes,
    arrived_at: datetime | None,
    settings: IntakeSettings,
    *,
    now: datetime,
    checkpoint: Callable[[str], None],
    ahead: Triaged | None = None,
) -> Outcome:
    """One message inside the batch's transaction: a savepoint of its own, so a message
    that fails is rolled back alone and quarantined in a savepoint of its own."""
    message_id = header_message_id(raw)
    try:
        with uow.session.begin_nested(), buffered_rows(uow.session):
            outcome = _triage_and_act(uow, provider_id, raw, message_id, arrived_at, settings,
                                      now, ahead)
            checkpoint("after_parse")  # parsed and acted on, not yet committed
        return outcome
    except MessageTooLarge as error:
        reason = str(error)
    except Exception as error:
        reason = f"could not be processed: {type(error).__name__}: {error}"
    with uow.session.begin_nested():
        stored_id = message_id or content_id(raw)
        if uow.session.scalar(select(Message.id).where(Message.direction == "in",
                                                       Message.message_id == stored_id)):
            stored_id = f"<quarantine.{uuid.uuid4().hex}@foidesk.invalid>"
        store_message(uow, provider_id, raw, stored_id, None, arrived_at or now, "quarantined",
                      reason, target="quarantine", keep_raw=len(raw) <= settings.size_limit,
                      mailbox=settings.mailbox_key)
        _tell_team_of_quarantine(uow, raw, stored_id, arrived_at or now, reason, settings, now)
    return Outcome(provider_id, "quarantined", reason)


def _triage_and_act(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, message_id: str | None,
    arrived_at: datetime | None, settings: IntakeSettings, now: datetime,
    ahead: Triaged | None = None,
) -> Outcome:
    """A message seen before is recorded as a copy; any other is triaged and acted on
    (with `ahead`'s triage, made of these very bytes, when there is one). Its large parts
    go to the blob store first, so parsing reads a small message."""
    check_size(len(raw), settings.size_limit)
    apart = set_apart(raw, lambda chunks: store_blob(uow, chunks))
    existing = _known(uow, message_id)
    if existing is not None and _same_message(existing, apart.raw):
        return _already_known(uow, existing, provider_id, raw, now, settings.mailbox_key)
    if existing is not None:
        # A different message reusing a Message-ID (a broken client, a forged
        # header): it is processed on its own under an id made from its content.
        raw, new_id = _renamed(raw, message_id)
        apart = SetApart(_renamed(apart.raw, message_id, new_id)[0], apart.stored)
        again = uow.session.scalar(select(Message).where(
            Message.direction == "in", Message.message_id == new_id).limit(1))
        if again is not None:  # and that one delivered twice
            return _already_known(uow, again, provider_id, raw, now, settings.mailbox_key)
        ahead = None  # triaged ahead under its own Message-ID, not this one
    return _process(uow, provider_id, raw, apart, arrived_at or now, settings, now, ahead)


def _known(uow: SqlUnitOfWork, message_id: str | None) -> Message | None:
    """The register's message with this Message-ID, if any: asked in Core first, since
    almost every message is new (the session is flushed here, and a message of ours whose
    row still waits in the row buffer counts: the ORM's query below writes it first)."""
    if not message_id:
        return None
    waiting = active(uow.session)
    if not message_known(uow.session.connection(), message_id) \
            and not (waiting and waiting.holds_message(message_id)) \
            and not new_row_waits(uow.session, _MESSAGES.c.message_id, message_id):
        return None
    return uow.session.scalar(select(Message).where(Message.message_id == message_id).limit(1))


_MESSAGES = Message.__table__


def _renamed(raw: bytes, message_id: str, new_id: str | None = None) -> tuple[bytes, str]:
    """The message under an id made from its content, its own id kept in a header."""
    raw = f"X-Foidesk-Original-Message-ID: {message_id}\r\n".encode() + raw
    new_id = new_id or content_id(raw)
    return _replace_message_id(raw, new_id), new_id


def _tell_team_of_quarantine(uow: SqlUnitOfWork, raw: bytes, stored_id: str, arrived_at: datetime,
                             reason: str, settings: IntakeSettings, now: datetime) -> None:
    """A quarantined message may be a request whose clock is running: the team hears at
    once, from its headers alone (the message itself is never attached)."""
    name, address = parse_address(raw_header(raw, "From"))
    headers_only = InboundMessage(
        raw=b"", message_id=stored_id, subject=raw_header(raw, "Subject"),
        from_name=name, from_address=address, reply_to=None, to=(), in_reply_to=(),
        references=(), date_header=raw_header(raw, "Date") or None, text="")
    notify(uow, settings, "quarantined", None, headers_only,
           Triage(Decision.UNSURE, reason), now, original_size=size_in_words(len(raw)),
           arrived_at=arrived_at, kept_in=settings.quarantine_folder)


def _same_message(existing: Message, raw: bytes) -> bool:
    """A second copy of one message: the same body (its Received lines may differ)."""
    if existing.direction == "out":
        return True
    if existing.raw is not None:
        return _body_hash(existing.raw) == _body_hash(raw)
    same_sender = existing.from_addr.lower() in raw_header(raw, "From").lower()
    subject = raw_header(raw, "Subject")[:998]
    return same_sender and existing.subject == subject


def _body_hash(raw: bytes) -> str:
    normalised = raw.replace(b"\r\n", b"\n")
    body = normalised.split(b"\n\n", 1)[1] if b"\n\n" in normalised else b""
    return hashlib.sha256(body.rstrip()).hexdigest()


def _replace_message_id(raw: bytes, new_id: str) -> bytes:
    return re.sub(rb"(?im)^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", b"Message-ID: " +
                  new_id.encode(), raw, count=1)


def _already_known(
    uow: SqlUnitOfWork, existing: Message, provider_id: str, raw: bytes, now: datetime,
    mailbox: str,
) -> Outcome:
    """The same message again (a second delivery, a rescan, or our own notice coming back)."""
    if existing.direction == "out":
        reason = "our own message came back into the mailbox"
    else:
        reason = f"already registered as {existing.triage or 'a message'}"
    if (existing.direction == "in" and existing.provider_id == provider_id
            and existing.mailbox in (mailbox, None)):
        outcome = Outcome(provider_id, "duplicate", reason)
        if existing.mailbox_target is None:
            existing.mailbox_target = "processed"
        return outcome
    # Another copy (its own provider id, or another mailbox): a row so it is moved too.
    copy_id = content_hash(f"{mailbox}|{provider_id}".encode() + raw)[:16]  # one per copy
    store_message(uow, provider_id, raw, f"<copy.{copy_id}.{existing.message_id[1:]}",
                  existing.case_id, now, "duplicate", reason, target="processed",
                  keep_raw=False, mailbox=mailbox)
    return Outcome(provider_id, "duplicate", reason)


def _process(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, apart: SetApart, arrived_at: datetime,
    settings: IntakeSettings, now: datetime, ahead: Triaged | None = None,
) -> Outcome:
    if ahead is not None and apart.raw is raw:  # nothing set apart: the bytes it read
        message, triage = ahead.message, ahead.triage
    else:
        message = parse(apart.raw, settings.size_limit, stored=apart.stored, size=len(raw))
        triage = classify(message, RegisterCases(uow), settings.triage)
    act = ACTIONS[triage.decision]
    case = act(uow, message, triage, settings, arrived_at, now)
    registered = case is not None and getattr(case, "opened_by_intake", None) == \
        message.message_id
    row = store_message(uow, provider_id, raw, message.message_id, case.id if case else None,
                        arrived_at, triage.decision.value, triage.reason, target="processed",
                        message=message, mailbox=settings.mailbox_key, stored_raw=apart.raw,
                        language=triage.language)
    set_committed_value(row, "case", case)  # the row holds its case_id already
    store_attachments(uow, row, message)
    return Outcome(provider_id, triage.decision.value, triage.reason,
                   case.reference if case else None, registered)


def process_batch(
    uow_factory: Callable[[], SqlUnitOfWork],
    messages: Sequence,  # connectors.base.FetchedMessage
    settings: IntakeSettings,
    *,
    now: datetime,
    checkpoint: Callable[[str], None] = lambda name: None,
    cursor: tuple[str | None, str | None] | None = None,
    ahead: TriageAhead | None = None,
) -> BatchReport:
    """One durable commit per fetched batch, and the mailbox cursor, when the batch moved
    it (`cursor` = (before, after)), saved in the same commit.

    The batch is first acted on whole, its audit, outbox and sent-message rows written
    together at its end. If any message fails, that is rolled back and the batch is done
    again with each message in a savepoint of its own, so that only the one that fails is
    rolled back and quarantined and the rest commit. With `ahead`, the batch's triage is
    worked out in a second process as it goes (foidesk.services.intake.triage_ahead)."""
    report = BatchReport()
    moved = cursor is not None and cursor[0] != cursor[1]
    if not messages and not moved:
        return report
    early = (ahead.batch([fetched.raw for fetched in messages]) if ahead is not None
             else AheadBatch((), []))
    with uow_factory() as uow:
        outcomes = _all_at_once(uow, messages, settings, now, checkpoint, early)
        if outcomes is None:
            uow.rollback()
            outcomes = _message_by_message(uow, messages, settings, now, checkpoint, early)
        early.cancel()
        report.outcomes += outcomes
        if moved:
            put_cursor(uow, settings.mailbox_key, cursor[1], now)
        checkpoint("before_commit")
        uow.commit()
    checkpoint("after_commit")
    return report


def _all_at_once(uow: SqlUnitOfWork, messages: Sequence, settings: IntakeSettings,
                 now: datetime, checkpoint: Callable[[str], None],
                 early: AheadBatch) -> list[Outcome] | None:
    """Every message acted on without a savepoint, the rows they add written together
    when the last is done; None if any message (or that write) fails."""
    outcomes = []
    message_ids = [header_message_id(fetched.raw) for fetched in messages]
    try:
        connection = uow.session.connection()
        with buffered_rows(uow.session), asking_ahead(connection) as answers, \
                reserving_references(connection):
            for index, fetched in enumerate(messages):
                uow.session.flush()  # as a savepoint would: each message starts flushed
                if index % CHUNK == 0 or answers.dropped:
                    _ask_ahead(uow, message_ids[index:index + CHUNK],
                               messages[index:index + CHUNK], settings, now)
                outcomes.append(_triage_and_act(
                    uow, fetched.provider_id, fetched.raw, message_ids[index],
                    fetched.arrived_at, settings, now, early.get(index, fetched.raw)))
                checkpoint("after_parse")
                checkpoint("after_message")
    except Exception:  # the caller rolls back and takes the batch message by message
        return None
    return outcomes


def _ask_ahead(uow: SqlUnitOfWork, message_ids: Sequence[str | None], messages: Sequence,
               settings: IntakeSettings, now: datetime) -> None:
    """The register's answers for these messages, asked at once: their Message-IDs, and
    the senders their headers name (Reply-To, else From)."""
    senders = [parse_address(raw_header(fetched.raw, "Reply-To"))[1]
               or parse_address(raw_header(fetched.raw, "From"))[1] for fetched in messages]
    ask_ahead(uow.session.connection(), filter(None, message_ids), filter(None, senders),
              open_since=repeats_since(settings, now), replies_since=now - REPLY_WINDOW)


def _message_by_message(uow: SqlUnitOfWork, messages: Sequence, settings: IntakeSettings,
                        now: datetime, checkpoint: Callable[[str], None],
                        early: AheadBatch) -> list[Outcome]:
    """Each message in a savepoint of its own: one that fails is quarantined alone."""
    outcomes = []
    for index, fetched in enumerate(messages):
        outcomes.append(_process_in_savepoint(
            uow, fetched.provider_id, fetched.raw, fetched.arrived_at, settings, now=now,
            checkpoint=checkpoint, ahead=early.get(index, fetched.raw)))
        checkpoint("after_message")
    return outcomes
