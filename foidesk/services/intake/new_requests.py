"""A new request: registered, acknowledged and routed to its owner; or, when it repeats
an open case of the same requester, linked to that case instead.

The request's own words (no quoted text, greeting, sign-off, signature or footer)
become its questions. A request a colleague forwards is the original sender's,
received when the authority first received it: the forward's date starts the
statutory clock (FOIA s10(1): "the date of receipt" by the public authority).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from foidesk.calendar import (
    RULES,
    HolidayOverrides,
    Regime,
    WorkingDayCalendar,
    add_working_days,
)
from foidesk.cases import CaseStatus
from foidesk.language import answer_language
from foidesk.mail import InboundMessage
from foidesk.questions import split_questions
from foidesk.register.models import Assignment, Case, Requester
from foidesk.register.row_buffer import new_row_waits, write_new
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.register.written_at_once import link
from foidesk.services.audit import record_event
from foidesk.services.cases import NewRequest, london_date, move_case, open_case
from foidesk.services.intake.asked_ahead import CLOSED, has_open_case
from foidesk.services.intake.notices import notify
from foidesk.services.intake.settings import (
    ACTOR,
    REPEAT_SIMILARITY,
    REPEAT_WORKING_DAYS,
    IntakeSettings,
)
from foidesk.triage import Triage
from foidesk.triage.requests import RESEND

SAME_QUESTION = 0.85  # two questions this alike ask for the same information


@dataclass(frozen=True)
class Requested:
    """Who asked, when the authority received it, and in which words."""

    name: str
    email: str
    received_at: datetime
    subject: str
    text: str
    forwarded_by: str | None = None


def new_request(uow, message, triage, settings, arrived_at, now) -> Case:
    """Register, acknowledge, route to an owner (or the FOI team)."""
    asked = _requested(message, triage, arrived_at)
    questions = tuple(split_questions(asked.text))
    earlier, why = _repeat_of(uow, asked, triage, settings, now)
    if earlier is not None:
        return _link_repeat(uow, earlier, why, message, triage, settings, asked, now)
    case = open_case(
        uow,
        NewRequest(
            requester_name=asked.name, requester_email=asked.email,
            subject=asked.subject or "Request for information", received_at=asked.received_at,
            regime=triage.regime or Regime.FOIA, questions=questions,
            language=answer_language(triage.language, settings.authority.languages),
        ),
        reference_format=settings.reference_format,
        policy=settings.deadlines,
        actor=ACTOR,
        now=now,
        request_text=(triage.forwarded.text if triage.forwarded else message.text)[:100_000],
    )
    # Read back by _process: the message that opened it (a repeat of it, later in the same
    # batch, is linked to this very object and must not count as registered again).
    case.opened_by_intake = message.message_id  # type: ignore[attr-defined]
    # A forward's acknowledgement answers the original sender, not the colleague's mail.
    extra = {"unthreaded": True, "original_subject": asked.subject} if asked.forwarded_by \
        else {}
    notify(uow, settings, "acknowledgement", case, message, triage, now, **extra)
    if asked.forwarded_by:
        record_event(uow, case, "forwarded_request", actor=ACTOR, now=now,
                     detail=f"forwarded by {asked.forwarded_by}; received by the authority "
                            f"{asked.received_at.isoformat()}")
        notify(uow, settings, "forwarded_request", case, message, triage, now,
               forwarded_by=asked.forwarded_by, received_on=case.received_on)
    move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor=ACTOR, now=now,
              detail="acknowledgement queued")
    route(uow, case, message, triage, settings, asked, now)
    return case


def _requested(message: InboundMessage, triage: Triage, arrived_at: datetime) -> Requested:
    """The requester and date of receipt: the forward's original sender and date when a
    colleague forwarded it, WhatDoTheyKnow's replies address when it names one."""
    text = triage.request_text or message.text
    forwarded = triage.forwarded
    if forwarded is not None:
        sent = forwarded.sent_at
        received = sent if sent is not None and sent <= arrived_at else arrived_at
        return Requested(forwarded.name or forwarded.address,
                         triage.reply_address or forwarded.address, received,
                         forwarded.subject, text, forwarded.forwarded_by)
    email = triage.reply_address or message.reply_address
    return Requested(message.from_name or email, email, arrived_at, message.subject, text)


def route(uow, case: Case, message: InboundMessage, triage: Triage,
           settings: IntakeSettings, asked: Requested, now: datetime) -> None:
    rule = next((r for r in settings.routing if r.matches(f"{asked.subject}\n{asked.text}")),
                None)
    if rule is None:
        notify(uow, settings, "unrouted", case, message, triage, now)
        return
    workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope, settings.deadlines.overrides)
    assignment = write_new(uow.session, Assignment(
        case_id=case.id, owner=rule.owner, deputy=rule.deputy, state="pending",
        created_at=now,
        internal_due_on=add_working_days(london_date(now), settings.internal_due_working_days,
                                         workdays),
    ))
    link(case, "assignments", [*case.assignments, assignment], "case")
    record_event(uow, case, "owner_assigned", actor=ACTOR, now=now,
                 after={"owner": rule.owner, "deputy": rule.deputy,
                        "internal_due_on": assignment.internal_due_on.isoformat()},
                 detail=f"routing rule {rule.name!r}")
    notify(uow, settings, "owner_task", case, message, triage, now, assignment=assignment,
           routing_rule=rule.name)
    move_case(uow, case, CaseStatus.AWAITING_OWNER, actor=ACTOR, now=now,
              detail=f"assigned to {rule.owner}")


def _link_repeat(uow, earlier: Case, why: str, message: InboundMessage, triage: Triage,
                 settings: IntakeSettings, asked: Requested, now: datetime) -> Case:
    """No second case, no second owner task: the requester is told we already have it."""
    earlier.flags = sorted({*(earlier.flags or []), "repeat_request"})
    record_event(uow, earlier, "repeat_request_linked", actor=ACTOR, now=now,
                 detail=f"{why}: {asked.email} ({message.message_id}) linked here instead "
                        "of a new case")
    notify(uow, settings, "repeat_request", earlier, message, triage, now, repeat_reason=why)
    return earlier


def _repeat_of(uow: SqlUnitOfWork, asked: Requested, triage: Triage, settings: IntakeSettings,
               now: datetime) -> tuple[Case | None, str]:
    """An open case of the same requester, received within 20 working days, that this
    message repeats: near-identical text, questions all among the case's, or a message
    that says it is a resend."""
    text = _normalise(asked.text)
    if not text:
        return None, ""
    since = repeats_since(settings, now)
    # Most requesters have no open case: asked in Core first (and of the new cases waiting
    # to be written), the cases loaded only if so.
    if not has_open_case(uow.session.connection(), asked.email, since) and not new_row_waits(
            uow.session, Requester.__table__.c.email, asked.email):
        return None, ""
    candidates = uow.session.scalars(
        select(Case).join(Requester, Case.requester_id == Requester.id).where(
            Requester.email == asked.email, Case.received_on >= since,
            Case.status.not_in(CLOSED)).order_by(Case.id.desc())).all()
    resend = "says it is a resend" in triage.reason
    asked_now = _items(asked.text)
    for case in candidates:
        whole = _normalise(case.request_text)
        if difflib.SequenceMatcher(None, text, whole).ratio() >= REPEAT_SIMILARITY:
            return case, "near-identical to the open request"
        before = [q.text for q in case.questions]
        if _all_asked_before(asked_now, before, whole):
            return case, (f"{'its question is' if len(asked_now) == 1 else 'its questions are'}"
                          " all among the open request's")
        if resend and _shares_a_question(asked_now, before):
            return case, "says it is a resend of the open request"
    return None, ""


def repeats_since(settings: IntakeSettings, now: datetime) -> date:
    """The first day a case can have been received on for a new message to repeat it."""
    return _working_days_before(london_date(now), REPEAT_WORKING_DAYS,
                                settings.deadlines.overrides)


def _items(text: str) -> list[str]:
    """What a message asks, line by line, without numbering and without the line that
    says it is a resend ("I am resending my request:")."""
    items = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:Q(?:uestion)?\s*)?\(?\d{1,2}[a-z]?[.):]?\s+", "", line).strip()
        if len(line) >= 15 and not RESEND.search(line):
            items.append(line)
    return items


def _all_asked_before(new: list[str], old: list[str], old_text: str) -> bool:
    if not new or not old:
        return False
    return all(_normalise(q) in old_text or _best_match(q, old) >= SAME_QUESTION for q in new)


def _shares_a_question(new: list[str], old: list[str]) -> bool:
    return any(_best_match(q, old) >= SAME_QUESTION for q in new)


def _best_match(question: str, others: list[str]) -> float:
    mine = _normalise(question)
    return max((difflib.SequenceMatcher(None, mine, _normalise(o)).ratio() for o in others),
               default=0.0)


def _working_days_before(day: date, count: int, overrides: HolidayOverrides) -> date:
    """`count` working days before `day` (kept: every message of a poll asks the same)."""
    key = (day, count, overrides.key)
    if key not in _DAYS_BEFORE:
        workdays = WorkingDayCalendar(RULES[Regime.FOIA].scope, overrides)
        earlier = day
        while count > 0:
            earlier -= timedelta(days=1)
            count -= workdays.is_working_day(earlier)
        _DAYS_BEFORE[key] = earlier
    return _DAYS_BEFORE[key]


_DAYS_BEFORE: dict[tuple, date] = {}


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
