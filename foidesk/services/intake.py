"""Intake: each message from the FOI mailbox becomes a case, a note on a case, or a
quarantined message with a reason, in ONE database transaction with its outbox rows.

The steps are separate so a flow can run each as a task: `retry_moves`,
`process_batch` (one transaction per message), then the caller drains the outbox
and `move_done` moves the messages whose transaction committed. A crash at any
point loses nothing and repeats nothing: a message is found again by its
Message-ID, its outbox rows by their idempotency keys.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from sqlalchemy import func, or_, select

from foidesk.calendar import RULES, Regime, WorkingDayCalendar, add_working_days
from foidesk.cases import CaseStatus, IllegalTransition, check_transition
from foidesk.chasing import REMINDERS
from foidesk.drafting import DraftError, parse_plain
from foidesk.mail import InboundMessage, MessageTooLarge, parse
from foidesk.notifications import NOTICES, Notice, notices_for
from foidesk.outbox import compose, drain, enqueue, from_authority, mail_waiting
from foidesk.questions import split_questions
from foidesk.references import ReferenceFormat
from foidesk.register.models import (
    Assignment,
    Attachment,
    Blob,
    Case,
    MailboxCursor,
    Message,
    OutboxItem,
    Requester,
)
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.assignments import supply
from foidesk.services.audit import record_event
from foidesk.services.cases import (
    ClockEventKind,
    DeadlinePolicy,
    NewRequest,
    apply_clock_event,
    london_date,
    move_case,
    open_case,
)
from foidesk.services.chasing import ChaseSettings, chase_cases, note_owner_away
from foidesk.services.responses import (
    ResponseSettings,
    ReviewRefused,
    add_draft,
    apply_decision,
    authenticated,
    queue_review,
    read_decision,
)
from foidesk.triage import CaseView, Decision, Triage, TriagePolicy, classify

ACTOR = "intake"
REPEAT_WINDOW = timedelta(days=30)
REPEAT_SIMILARITY = 0.9


@dataclass(frozen=True)
class RoutingRule:
    name: str
    owner: str
    deputy: str | None = None
    keywords: tuple[str, ...] = ()
    pattern: str | None = None

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        if any(k.lower() in lowered for k in self.keywords):
            return True
        return bool(self.pattern and re.search(self.pattern, text))


@dataclass(frozen=True)
class AuthorityView:
    """What templates say about the authority."""

    name: str
    foi_address: str
    postal_address: str = ""
    jurisdiction: str = "england-wales"
    team_address: str = ""
    decision_maker_name: str = "Freedom of Information Decision Maker"
    decision_maker_title: str = ""
    disclosure_log_url: str = ""


@dataclass(frozen=True)
class IntakeSettings:
    authority: AuthorityView
    reference_format: ReferenceFormat
    deadlines: DeadlinePolicy
    triage: TriagePolicy
    renderer: Renderer
    routing: tuple[RoutingRule, ...] = ()
    internal_due_working_days: int = 10
    size_limit: int = 50 * 1024 * 1024
    auto_replies_per_day: int = 5  # per address: the backstop against mail loops
    mailbox_key: str = "default"
    chase: ChaseSettings | None = None  # to reroute a chase when an owner is away
    responses: ResponseSettings | None = None  # to act on reviewers' decisions by email

    @property
    def team_address(self) -> str:
        return self.authority.team_address or self.authority.foi_address

    @property
    def domain(self) -> str:
        return self.authority.foi_address.rsplit("@", 1)[-1]


@dataclass
class Outcome:
    """What happened to one message."""

    provider_id: str
    decision: str
    reason: str
    reference: str | None = None
    registered: bool = False


@dataclass
class BatchReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(o.decision for o in self.outcomes)

    @property
    def registered(self) -> list[str]:
        return [o.reference for o in self.outcomes if o.registered and o.reference]


# -- cursor and moves -------------------------------------------------------------------


def load_cursor(uow: SqlUnitOfWork, mailbox_key: str) -> str | None:
    with uow:
        return _cursor(uow, mailbox_key)


def _cursor(uow: SqlUnitOfWork, mailbox_key: str) -> str | None:
    row = uow.session.get(MailboxCursor, mailbox_key)
    return row.cursor if row else None


def save_cursor(uow: SqlUnitOfWork, mailbox_key: str, cursor: str | None, now: datetime) -> None:
    with uow:
        row = uow.session.get(MailboxCursor, mailbox_key)
        if row is None:
            uow.session.add(MailboxCursor(mailbox=mailbox_key, cursor=cursor, updated_at=now))
        else:
            row.cursor, row.updated_at = cursor, now
        uow.commit()


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
        return PollState(_pending_moves(uow), _cursor(uow, mailbox_key), mail_waiting(uow))


def pending_moves(uow: SqlUnitOfWork) -> dict[str, list[str]]:
    """Provider ids whose transaction committed but which the mailbox has not moved yet."""
    with uow:
        return _pending_moves(uow)


def _pending_moves(uow: SqlUnitOfWork) -> dict[str, list[str]]:
    rows = uow.session.execute(
        select(Message.provider_id, Message.mailbox_target).where(
            Message.direction == "in", ~Message.moved,  # ix_messages_unmoved
            Message.mailbox_target.is_not(None), Message.provider_id.is_not(None),
        )
    ).all()
    moves: dict[str, list[str]] = {"processed": [], "quarantine": []}
    for provider_id, target in rows:
        moves[target].append(provider_id)
    return moves


def mark_moved(uow: SqlUnitOfWork, provider_ids: Iterable[str]) -> None:
    ids = list(provider_ids)
    if not ids:
        return
    with uow:
        for row in uow.session.scalars(
            select(Message).where(Message.direction == "in", ~Message.moved,
                                  Message.provider_id.in_(ids))
        ):
            row.moved = True
        uow.commit()


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
    """Triage and act on one message in one transaction; quarantine it if anything fails."""
    message_id = _header_message_id(raw)
    try:
        with uow:
            existing = uow.session.scalar(
                select(Message).where(Message.message_id == message_id).limit(1)
            ) if message_id else None
            if existing is not None and _same_message(existing, raw):
                return _already_known(uow, existing, provider_id, raw, now)
            if existing is not None:
                # A different message reusing a Message-ID (a broken client, a forged
                # header): it is processed on its own under an id made from its content.
                raw = f"X-Foidesk-Original-Message-ID: {message_id}\r\n".encode() + raw
                content_id = _content_id(raw)
                raw = _replace_message_id(raw, content_id)
                again = uow.session.scalar(select(Message).where(
                    Message.direction == "in", Message.message_id == content_id).limit(1))
                if again is not None:  # and that one delivered twice
                    return _already_known(uow, again, provider_id, raw, now)
            outcome = _process(uow, provider_id, raw, arrived_at or now, settings, now)
            checkpoint("after_parse")  # parsed and acted on, not yet committed
            uow.commit()
            return outcome
    except MessageTooLarge as error:
        reason = str(error)
    except Exception as error:
        reason = f"could not be processed: {type(error).__name__}: {error}"
    with uow:
        stored_id = message_id or _content_id(raw)
        if uow.session.scalar(select(Message.id).where(Message.direction == "in",
                                                       Message.message_id == stored_id)):
            stored_id = f"<quarantine.{uuid.uuid4().hex}@foidesk.invalid>"
        _store(uow, provider_id, raw, stored_id, None, arrived_at or now,
               "quarantined", reason, target="quarantine", keep_raw=len(raw) <= settings.size_limit)
        uow.commit()
    return Outcome(provider_id, "quarantined", reason)


def _same_message(existing: Message, raw: bytes) -> bool:
    """A second copy of one message: the same body (its Received lines may differ)."""
    if existing.direction == "out":
        return True
    if existing.raw is not None:
        return _body_hash(existing.raw) == _body_hash(raw)
    same_sender = existing.from_addr.lower() in _header(raw, "From").lower()
    subject = " ".join(_header(raw, "Subject").split())[:998]
    return same_sender and existing.subject == subject


def _body_hash(raw: bytes) -> str:
    normalised = raw.replace(b"\r\n", b"\n")
    body = normalised.split(b"\n\n", 1)[1] if b"\n\n" in normalised else b""
    return hashlib.sha256(body.rstrip()).hexdigest()


def _replace_message_id(raw: bytes, new_id: str) -> bytes:
    return re.sub(rb"(?im)^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", b"Message-ID: " +
                  new_id.encode(), raw, count=1)


def _already_known(
    uow: SqlUnitOfWork, existing: Message, provider_id: str, raw: bytes, now: datetime
) -> Outcome:
    """The same message again (a second delivery, a rescan, or our own notice coming back)."""
    if existing.direction == "out":
        reason = "our own message came back into the mailbox"
    else:
        reason = f"already registered as {existing.triage or 'a message'}"
    if existing.direction == "in" and existing.provider_id == provider_id:
        outcome = Outcome(provider_id, "duplicate", reason)
        if existing.mailbox_target is None:
            existing.mailbox_target = "processed"
        uow.commit()
        return outcome
    # Another copy with its own provider id: keep a row so the copy is moved too.
    copy_id = _content_hash(provider_id.encode() + raw)[:16]  # one row per copy delivered
    _store(uow, provider_id, raw, f"<copy.{copy_id}.{existing.message_id[1:]}",
           existing.case_id, now, "duplicate", reason, target="processed", keep_raw=False)
    uow.commit()
    return Outcome(provider_id, "duplicate", reason)


def _process(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, arrived_at: datetime,
    settings: IntakeSettings, now: datetime,
) -> Outcome:
    message = parse(raw, settings.size_limit)
    triage = classify(message, RegisterCases(uow), settings.triage)
    act = ACTIONS[triage.decision]
    case = act(uow, message, triage, settings, arrived_at, now)
    registered = bool(case is not None and getattr(case, "opened_by_intake", False))
    row = _store(uow, provider_id, raw, message.message_id, case.id if case else None,
                 arrived_at, triage.decision.value, triage.reason, target="processed",
                 message=message)
    row.case = case
    _store_attachments(uow, row, message)
    return Outcome(provider_id, triage.decision.value, triage.reason,
                   case.reference if case else None, registered)


# -- what each decision does ----------------------------------------------------------

Action = Callable[[SqlUnitOfWork, InboundMessage, Triage, IntakeSettings, datetime, datetime],
                  Case | None]


def _new_request(uow, message, triage, settings, arrived_at, now) -> Case:
    """Register, acknowledge, route to an owner (or the FOI team)."""
    earlier = _repeat_of(uow, message, now)
    if earlier is not None:
        earlier.flags = [*(earlier.flags or []), "repeat_request"]
        record_event(uow, earlier, "repeat_request_linked", actor=ACTOR, now=now,
                     detail=f"near-identical request from {message.reply_address} "
                            f"({message.message_id}) linked here instead of a new case")
        _notify(uow, settings, "repeat_request", earlier, message, triage, now)
        return earlier
    questions = tuple(split_questions(message.text))
    case = open_case(
        uow,
        NewRequest(
            requester_name=message.from_name or message.reply_address,
            requester_email=message.reply_address,
            subject=message.subject or "Request for information",
            received_at=arrived_at,
            regime=triage.regime or Regime.FOIA,
            questions=questions,
        ),
        reference_format=settings.reference_format,
        policy=settings.deadlines,
        actor=ACTOR,
        now=now,
        request_text=message.text[:100_000],
    )
    case.opened_by_intake = True  # type: ignore[attr-defined] - read back by _process
    _notify(uow, settings, "acknowledgement", case, message, triage, now)
    move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor=ACTOR, now=now,
              detail="acknowledgement queued")
    rule = next((r for r in settings.routing
                 if r.matches(f"{message.subject}\n{message.text}")), None)
    if rule is None:
        _notify(uow, settings, "unrouted", case, message, triage, now)
        return case
    workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope, settings.deadlines.overrides)
    assignment = Assignment(
        owner=rule.owner, deputy=rule.deputy, state="pending", created_at=now,
        internal_due_on=add_working_days(london_date(now), settings.internal_due_working_days,
                                         workdays),
    )
    case.assignments.append(assignment)
    record_event(uow, case, "owner_assigned", actor=ACTOR, now=now,
                 after={"owner": rule.owner, "deputy": rule.deputy,
                        "internal_due_on": assignment.internal_due_on.isoformat()},
                 detail=f"routing rule {rule.name!r}")
    _notify(uow, settings, "owner_task", case, message, triage, now, assignment=assignment,
            routing_rule=rule.name)
    move_case(uow, case, CaseStatus.AWAITING_OWNER, actor=ACTOR, now=now,
              detail=f"assigned to {rule.owner}")
    return case


def _repeat_of(uow: SqlUnitOfWork, message: InboundMessage, now: datetime) -> Case | None:
    """A case from the same requester in the last 30 days with near-identical text."""
    text = _normalise(message.text)
    if not text:
        return None
    candidates = uow.session.scalars(
        select(Case).join(Requester, Case.requester_id == Requester.id).where(
            Requester.email == message.reply_address, Case.created_at >= now - REPEAT_WINDOW,
        )
    ).all()
    for case in candidates:
        ratio = difflib.SequenceMatcher(None, text, _normalise(case.request_text)).ratio()
        if ratio >= REPEAT_SIMILARITY:
            return case
    return None


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _case_of(uow: SqlUnitOfWork, triage: Triage) -> Case:
    assert triage.case is not None
    return uow.cases.get(triage.case.reference)


def _requester_reply(uow, message, triage, settings, arrived_at, now) -> Case:
    case = _case_of(uow, triage)
    record_event(uow, case, "requester_replied", actor=ACTOR, now=now,
                 detail=f"{message.from_address}: {message.subject}")
    _notify(uow, settings, "requester_reply", case, message, triage, now)
    return case


def _clock_restart(kind: ClockEventKind, event: str, label: str) -> Action:
    """A reply that starts the statutory clock again from the day it arrived."""

    def act(uow, message, triage, settings, arrived_at, now) -> Case:
        case = _case_of(uow, triage)
        apply_clock_event(uow, case, kind, london_date(arrived_at), policy=settings.deadlines,
                          actor=ACTOR, now=now, note=f"{label} in {message.message_id}")
        _notify(uow, settings, event, case, message, triage, now,
                received_on=london_date(arrived_at))
        return case

    return act


# FOIA s1(3) / s10(6): the period runs again in full from the clarification's receipt.
_clarification = _clock_restart(ClockEventKind.CLARIFICATION_RECEIVED,
                                "clarification_received", "clarification")
# The review has its own time limit from the day the requirement for review arrives.
_review_request = _clock_restart(ClockEventKind.REVIEW_REQUESTED, "review_acknowledgement",
                                 "review requested")


def _withdrawal(uow, message, triage, settings, arrived_at, now) -> Case:
    case = _case_of(uow, triage)
    requester = case.requester.email.lower() if case.requester else ""
    if message.from_address.lower() != requester or _failed_authentication(message):
        return _refuse(uow, case, "withdrawal_refused", message, triage, settings, now,
                       f"a withdrawal from {message.from_address or 'an unknown sender'}, who "
                       "is not the requester or whose mail failed authentication; the case "
                       "stays open")
    try:
        check_transition(case.reference, case.status, CaseStatus.WITHDRAWN)
    except IllegalTransition:
        record_event(uow, case, "withdrawal_requested", actor=ACTOR, now=now,
                     detail=f"cannot withdraw from {case.status}; left for the FOI team")
    else:
        move_case(uow, case, CaseStatus.WITHDRAWN, actor=ACTOR, now=now,
                  detail=f"withdrawn by the requester in {message.message_id}")
        _notify(uow, settings, "withdrawal_confirmed", case, message, triage, now)
    _notify(uow, settings, "withdrawal", case, message, triage, now)
    return case


HOLDING = re.compile(
    r"\b(will (send|get|come back|reply|respond|have|forward|provide)|by (monday|tuesday|"
    r"wednesday|thursday|friday|the end of|next week|tomorrow)|working on (it|this)|"
    r"need (more|a bit more|some more) time|holding reply|chasing (it|this|colleagues)|"
    r"get back to you)\b",
    re.IGNORECASE,
)


def is_holding_reply(message: InboundMessage) -> bool:
    """"I will send it by Friday": stored, but the assignment stays open."""
    text = _new_reply_text(message.text)
    return not message.attachments and len(text) < 600 and bool(HOLDING.search(text))


def _new_reply_text(text: str) -> str:
    return re.split(r"^(?:>|On .{5,80} wrote:|-{2,}\s*Original Message|From: .+@)", text,
                    maxsplit=1, flags=re.MULTILINE)[0].strip()


def _owner_contribution(uow, message, triage, settings, arrived_at, now) -> Case:
    """An owner's reply supplies their part; when every owner has, drafting can start."""
    case = _case_of(uow, triage)
    theirs = [a for a in case.assignments if a.state in ("pending", "holding")
              and message.from_address in (a.owner, a.deputy)]
    if not theirs or _failed_authentication(message):
        return _refuse(uow, case, "contribution_refused", message, triage, settings, now,
                       f"a contribution from {message.from_address}, who is not an owner "
                       "with an open task on this case or whose mail failed authentication; "
                       "nothing was marked supplied")
    holding = is_holding_reply(message)
    for assignment in theirs:
        if holding:
            assignment.state = "holding"
        else:
            supply(assignment, case, settings.deadlines, now)
    record_event(uow, case, "owner_holding_reply" if holding else "owner_contribution",
                 actor=message.from_address, now=now, detail=message.subject)
    outstanding = [a for a in case.assignments if a.state in ("pending", "holding")]
    if case.status == CaseStatus.AWAITING_OWNER.value and not outstanding:
        move_case(uow, case, CaseStatus.DRAFTING, actor=ACTOR, now=now,
                  detail="every owner has supplied their part")
    _notify(uow, settings, "owner_contribution", case, message, triage, now)
    return case


AUTH_FAILED = re.compile(r"\b(dmarc|dkim|spf)=(fail|softfail)\b", re.IGNORECASE)
AUTH_PASSED = re.compile(r"\b(dmarc|dkim)=pass\b", re.IGNORECASE)


def _failed_authentication(message: InboundMessage) -> bool:
    """The receiving server said this sender's mail failed DMARC, DKIM or SPF (RFC 8601)
    and nothing passed: a forged From, not to be acted on."""
    results = message.headers.get("authentication-results", "")
    return bool(AUTH_FAILED.search(results)) and not AUTH_PASSED.search(results)


def _refuse(uow, case: Case, action: str, message: InboundMessage, triage: Triage,
            settings: IntakeSettings, now: datetime, why: str) -> Case:
    """A spoofed or unauthorised message: nothing changes, the audit and the team know."""
    record_event(uow, case, action, actor=message.from_address or "unknown", now=now,
                 detail=why)
    _notify(uow, settings, "refused_sender", case, message, replace(triage, reason=why), now)
    return case


def _reviewer_decision(uow, message, triage, settings, arrived_at, now) -> Case:
    """APPROVE or REJECT from a reviewer, accepted only when the message is authenticated."""
    case = _case_of(uow, triage)
    decision = read_decision(message) if settings.responses else None
    if decision is None:
        record_event(uow, case, "reviewer_message", actor=message.from_address, now=now,
                     detail=message.subject)
        _notify(uow, settings, "reviewer_message", case, message, triage, now)
        return case
    trust = authenticated(message, settings.responses)
    if trust is None:
        record_event(uow, case, "review_decision_refused", actor=message.from_address, now=now,
                     detail=f"{decision[0]} refused: the message is not authenticated "
                            "(no dkim/spf pass for our domain, no trusted relay)")
        _notify(uow, settings, "forged_decision", case, message, triage, now)
        return case
    try:
        apply_decision(uow, case, decision[0], message.from_address, settings.responses,
                       comment=decision[1], via=f"email ({trust})", now=now)
    except ReviewRefused as error:
        record_event(uow, case, "review_decision_refused", actor=message.from_address,
                     now=now, detail=str(error))
        _notify(uow, settings, "forged_decision", case, message, triage, now)
    return case


def _officer_draft(uow, message, triage, settings, arrived_at, now) -> Case:
    """An officer's answers by email become a draft and go to the reviewer."""
    case = _case_of(uow, triage)
    if settings.responses is None:
        return case
    try:
        add_draft(uow, case, parse_plain(message.text), settings.responses,
                  actor=message.from_address, now=now)
        uow.session.flush()
        queue_review(uow, case, settings.responses, actor=message.from_address, now=now)
    except (DraftError, ReviewRefused, IllegalTransition) as error:
        record_event(uow, case, "draft_refused", actor=message.from_address, now=now,
                     detail=str(error))
        _notify(uow, settings, "draft_refused", case, message,
                replace(triage, reason=str(error)), now)
    return case


def _machine(uow, message, triage, settings, arrived_at, now) -> Case | None:
    """Auto-replies and feedback reports are filed, never answered. An owner's out-of-office
    reroutes today's chase for their cases to their deputy."""
    case = _case_of(uow, triage) if triage.case else None
    if triage.decision is Decision.AUTO_REPLY and message.from_address:
        _owner_away(uow, message.from_address, case, settings, arrived_at, now)
    return case


def _owner_away(uow, owner: str, case: Case | None, settings, arrived_at, now) -> None:
    if case is not None:
        cases = [case]
    else:
        cases = list(uow.session.scalars(
            select(Case).join(Assignment, Assignment.case_id == Case.id).where(
                Assignment.owner == owner, Assignment.state.in_(["pending", "holding"]))
        ).unique())
    away = [c for c in cases if note_owner_away(uow, c, owner, london_date(arrived_at), now)]
    if away and settings.chase is not None:
        uow.session.flush()
        chase_cases(uow, settings.chase, away, now=now, kinds=REMINDERS, actor=ACTOR)


def _bounce(uow, message, triage, settings, arrived_at, now) -> Case | None:
    """Mark our message undelivered, flag its case, and tell the FOI team."""
    case = _case_of(uow, triage) if triage.case else None
    if triage.bounced_message_ids:
        for row in uow.session.scalars(
            select(Message).where(Message.direction == "out",
                                  Message.message_id.in_(triage.bounced_message_ids))
        ):
            row.delivery_status = "bounced"
            if case is None and row.case is not None:
                case = row.case
    if case is not None:
        case.flags = sorted({*(case.flags or []), "delivery_failed"})
        record_event(uow, case, "delivery_failed", actor=ACTOR, now=now, detail=triage.reason)
    _notify(uow, settings, "bounce", case, message, triage, now)
    return case


def _unsure(uow, message, triage, settings, arrived_at, now) -> None:
    _notify(uow, settings, "unsure", None, message, triage, now)
    return None


ACTIONS: dict[Decision, Action] = {
    Decision.NEW_REQUEST: _new_request,
    Decision.REQUESTER_REPLY: _requester_reply,
    Decision.CLARIFICATION: _clarification,
    Decision.REVIEW_REQUEST: _review_request,
    Decision.WITHDRAWAL: _withdrawal,
    Decision.OWNER_CONTRIBUTION: _owner_contribution,
    Decision.REVIEWER_DECISION: _reviewer_decision,
    Decision.OFFICER_DRAFT: _officer_draft,
    Decision.AUTO_REPLY: _machine,
    Decision.FEEDBACK_REPORT: _machine,
    Decision.BOUNCE: _bounce,
    Decision.UNSURE: _unsure,
}


# -- notices ------------------------------------------------------------------------------


def _notify(
    uow: SqlUnitOfWork, settings: IntakeSettings, event: str, case: Case | None,
    message: InboundMessage, triage: Triage, now: datetime, **extra: object,
) -> None:
    """Queue every email the notification table lists for this event."""
    for notice in notices_for(event):
        _queue_notice(uow, settings, notice, case, message, triage, now, extra)


def _queue_notice(
    uow: SqlUnitOfWork, settings: IntakeSettings, notice: Notice, case: Case | None,
    message: InboundMessage, triage: Triage, now: datetime, extra: dict,
) -> None:
    recipients = _recipients(notice.audience, case, message, settings, extra)
    if not recipients:
        return
    if notice.audience == "requester" and _over_reply_limit(uow, recipients[0], settings, now):
        record_event(uow, case, "auto_reply_suppressed", actor=ACTOR, now=now,
                     detail=f"{notice.event} not sent: {settings.auto_replies_per_day} "
                            "automatic replies to this address in the last 24 hours "
                            "(mail-loop limit)")
        return
    context = {
        "authority": settings.authority,
        "case": case,
        "questions": list(case.questions) if case else [],
        "request_text": case.request_text if case else message.text,
        "request_html": message.html,  # raw: templates pass it through `sanitised_html`
        "requester_name": (case.requester.name if case and case.requester else
                           message.from_name),
        "original_subject": message.subject,
        "regime_title": RULES[Regime(case.regime)].title if case else "",
        "time_limit": _time_limit(case) if case else "",
        "headline": notice.headline.format(
            reference=case.reference if case else "", subject=message.subject or "(no subject)"
        ),
        "sender": message.from_address,
        "decision": triage.decision.value,
        "reason": triage.reason,
        "detail": message.text[:2000],
        "attached": notice.attach_original,
        **extra,
    }
    rendered = settings.renderer.email(notice.template, **context)
    to_requester = notice.audience == "requester"
    envelope = from_authority(
        settings.authority, tuple(recipients),
        in_reply_to=message.message_id if to_requester else None,
        references=message.references if to_requester else (),
        auto_submitted="auto-replied" if to_requester else "auto-generated",
        attach_message=message.raw if notice.attach_original else None,
    )
    composed = compose(rendered, envelope, domain=settings.domain, now=now)
    key = f"{notice.event}:{case.reference if case else ''}:{message.message_id}:{notice.audience}"
    enqueue(uow, key, composed, envelope, case=case, now=now)


def _over_reply_limit(uow: SqlUnitOfWork, address: str, settings: IntakeSettings,
                      now: datetime) -> bool:
    """Has this address had its day's share of automatic replies? (RFC 3834 s2: an
    automatic responder must not answer the same sender over and over.)"""
    with uow.session.no_autoflush:
        sent = uow.session.scalar(
            select(func.count()).select_from(OutboxItem).where(
                OutboxItem.recipients == address,
                OutboxItem.created_at >= now - timedelta(days=1),
                or_(*(OutboxItem.idempotency_key.like(f"{n.event}:%") for n in NOTICES
                      if n.audience == "requester")))
        )
    return sent >= settings.auto_replies_per_day


def _recipients(audience: str, case: Case | None, message: InboundMessage,
                settings: IntakeSettings, extra: dict) -> list[str]:
    if audience == "requester":
        return [message.reply_address] if message.reply_address else []
    if audience == "owner":
        assignment = extra.get("assignment")
        return [assignment.owner] if assignment is not None else []
    return [settings.team_address]


def _time_limit(case: Case) -> str:
    rule = RULES[Regime(case.regime)]
    if rule.months:
        return f"one calendar month under {rule.citation.split(':')[0]}"
    return f"{rule.working_days} working days under {rule.citation.split(':')[0]}"


# -- storage --------------------------------------------------------------------------


def _store(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, message_id: str, case_id: int | None,
    at: datetime, decision: str, reason: str, *, target: str, keep_raw: bool = True,
    message: InboundMessage | None = None,
) -> Message:
    row = Message(
        case_id=case_id, direction="in", message_id=message_id,
        in_reply_to=" ".join(message.in_reply_to) if message else None,
        references=" ".join(message.references) if message else None,
        subject=(message.subject if message else _header(raw, "Subject"))[:998],
        from_addr=(message.from_address if message else _header(raw, "From"))[:998],
        to_addrs=", ".join(message.to) if message else "",
        at=at, provider_id=provider_id, content_sha256=_content_hash(raw), size=len(raw),
        raw=raw if keep_raw else None, triage=decision, triage_reason=reason,
        mailbox_target=target, moved=False,
    )
    uow.session.add(row)
    return row


def _store_attachments(uow: SqlUnitOfWork, row: Message, message: InboundMessage) -> None:
    """Attachment bytes go into the content-addressed blob table once per distinct content."""
    for attachment in message.attachments:
        digest = attachment.sha256
        if uow.session.get(Blob, digest) is None:
            uow.session.add(Blob(sha256=digest, size=len(attachment.data), data=attachment.data))
            uow.session.flush()
        row.attachments.append(
            Attachment(filename=attachment.filename, content_type=attachment.content_type,
                       sha256=digest, size=len(attachment.data))
        )


def _header_message_id(raw: bytes) -> str | None:
    value = _header(raw, "Message-ID")
    found = re.search(r"<[^<>\s]+>", value)
    return found.group(0) if found else _content_id(raw)


def _content_id(raw: bytes) -> str:
    return f"<sha256.{_content_hash(raw)}@foidesk.invalid>"


def _content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _header(raw: bytes, name: str) -> str:
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw[:256_000])
        return str(headers.get(name, "") or "")
    except Exception:
        return ""


def process_batch(
    uow_factory: Callable[[], SqlUnitOfWork],
    messages: Sequence,  # connectors.base.FetchedMessage
    settings: IntakeSettings,
    *,
    now: datetime,
    checkpoint: Callable[[str], None] = lambda name: None,
) -> BatchReport:
    """One transaction per message; the batch never stops for one bad message."""
    report = BatchReport()
    for fetched in messages:
        report.outcomes.append(
            process_message(uow_factory(), fetched.provider_id, fetched.raw, fetched.arrived_at,
                            settings, now=now, checkpoint=checkpoint)
        )
        checkpoint("after_commit")
    return report


@dataclass
class IntakeReport:
    """What one intake run did, for the flow's artifact and the CLI."""

    counts: Counter[str] = field(default_factory=Counter)
    registered: list[str] = field(default_factory=list)
    quarantined: int = 0
    moved: int = 0
    sent: int = 0
    send_failures: int = 0
    unknown: int = 0
    resyncs: int = 0


def move_pending(
    uow_factory: Callable[[], SqlUnitOfWork],
    mailbox,
    checkpoint: Callable[[str], None] = lambda name: None,
    moves: dict[str, list[str]] | None = None,
) -> int:
    """Move every committed message the mailbox still holds; repeats are harmless."""
    moves = pending_moves(uow_factory()) if moves is None else moves
    if not moves["processed"] and not moves["quarantine"]:
        return 0
    checkpoint("before_move")
    if moves["processed"]:
        mailbox.mark_processed(moves["processed"])
    if moves["quarantine"]:
        mailbox.quarantine(moves["quarantine"])
    done = moves["processed"] + moves["quarantine"]
    mark_moved(uow_factory(), done)
    return len(done)


def run_intake(
    uow_factory: Callable[[], SqlUnitOfWork],
    mailbox,
    sender,
    settings: IntakeSettings,
    *,
    now: datetime,
    outgoing: Callable,
    checkpoint: Callable[[str], None] = lambda name: None,
    max_batches: int = 100,
) -> IntakeReport:
    """Fetch, process, drain, move, batch after batch until the mailbox has no more."""
    report = IntakeReport()
    start = poll_state(uow_factory(), settings.mailbox_key)
    report.moved += move_pending(uow_factory, mailbox, checkpoint, start.moves)
    for n in range(max_batches):
        cursor = start.cursor if n == 0 else load_cursor(uow_factory(), settings.mailbox_key)
        batch = mailbox.fetch(cursor)
        checkpoint("after_fetch")
        report.resyncs += int(batch.resync)
        processed = process_batch(uow_factory, batch.messages, settings, now=now,
                                  checkpoint=checkpoint)
        report.counts.update(processed.counts())
        report.registered += processed.registered
        if batch.cursor != cursor:
            save_cursor(uow_factory(), settings.mailbox_key, batch.cursor, now)
        if batch.messages or start.outbox_waiting:  # an idle poll has nothing to send
            sent = drain(uow_factory, sender, outgoing, now=now, checkpoint=checkpoint)
            report.sent += len(sent.sent)
            report.send_failures += len(sent.failed)
            report.unknown += len(sent.unknown)
        if batch.messages:  # an idle poll has nothing new to move
            report.moved += move_pending(uow_factory, mailbox, checkpoint)
        if not batch.more:
            break
    report.quarantined = report.counts.get("quarantined", 0)
    return report
