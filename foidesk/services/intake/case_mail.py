"""Mail about a case we hold: the requester's replies, clarifications, reviews and
withdrawals, owners' contributions, reviewers' decisions and officers' drafts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from foidesk.cases import CaseStatus, IllegalTransition, check_transition
from foidesk.drafting import DraftError, parse_plain
from foidesk.mail import InboundMessage
from foidesk.register.models import (
    Case,
)
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.assignments import supply
from foidesk.services.audit import record_event
from foidesk.services.cases import (
    ClockEventKind,
    apply_clock_event,
    london_date,
    move_case,
)
from foidesk.services.documents import add_attachments, document_summaries_of
from foidesk.services.intake.notices import notify
from foidesk.services.intake.settings import ACTOR, Action, IntakeSettings
from foidesk.services.responses import (
    ReviewRefused,
    add_draft,
    apply_decision,
    authenticated,
    queue_review,
    read_decision,
)
from foidesk.services.reviews import (
    LinkRefused,
    Suffixes,
    is_review,
    linked_to,
    open_review,
    open_review_of,
)
from foidesk.triage import Triage
from foidesk.triage.newtext import new_text


def case_of(uow: SqlUnitOfWork, triage: Triage) -> Case:
    assert triage.case is not None
    return uow.cases.get(triage.case.reference)


def requesters_case(uow: SqlUnitOfWork, triage: Triage, settings: IntakeSettings,
                    now: datetime) -> Case:
    """The case a requester wrote about. A requester who writes in Welsh is answered in
    Welsh from then on (Welsh Language Standards, standard 1), when the desk offers it."""
    case = case_of(uow, triage)
    if triage.language == "cy" != case.language and "cy" in settings.authority.languages:
        record_event(uow, case, "language_changed", actor=ACTOR, now=now,
                     before={"language": case.language}, after={"language": "cy"},
                     detail="the requester wrote in Welsh: they are answered in Welsh")
        case.language = "cy"
    return case


def requester_reply(uow, message, triage, settings, arrived_at, now) -> Case:
    case = requesters_case(uow, triage, settings, now)
    record_event(uow, case, "requester_replied", actor=ACTOR, now=now,
                 detail=f"{message.from_address}: {message.subject}")
    notify(uow, settings, "requester_reply", case, message, triage, now)
    return case


def _clock_restart(kind: ClockEventKind, event: str, label: str) -> Action:
    """A reply that starts the statutory clock again from the day it arrived."""

    def act(uow, message, triage, settings, arrived_at, now) -> Case:
        case = requesters_case(uow, triage, settings, now)
        # The note keeps the requester's own words: owners are chased with the agreed scope.
        words = (new_text(message.text, message.from_name).body or message.text)[:2000]
        apply_clock_event(uow, case, kind, london_date(arrived_at), policy=settings.deadlines,
                          actor=ACTOR, now=now,
                          note=f"{label} in {message.message_id}\n{words}".strip())
        notify(uow, settings, event, case, message, triage, now,
                received_on=london_date(arrived_at))
        return case

    return act


# FOIA s1(3) / s10(6): the period runs again in full from the clarification's receipt.
clarification = _clock_restart(ClockEventKind.CLARIFICATION_RECEIVED,
                                "clarification_received", "clarification")


def review_request(uow, message, triage, settings, arrived_at, now) -> Case:
    """A requester asks for an internal review (of a subject access request: complains,
    DPA s164A). The review is a case of its own, linked to the original and acknowledged
    under its own reference; the original is not changed."""
    original = requesters_case(uow, triage, settings, now)
    already = original if is_review(original) else open_review_of(uow, original)
    grounds = new_text(message.text, message.from_name).body or message.text
    if already is not None:
        record_event(uow, already, "review_request_repeated", actor=ACTOR, now=now,
                     detail=f"{message.from_address}: {message.subject}; {already.reference} "
                            "is already the review of this request")
        notify(uow, settings, "requester_reply", already, message, triage, now)
        return already
    try:
        review = open_review(
            uow, original, received_at=arrived_at, grounds=grounds, policy=settings.deadlines,
            suffixes=Suffixes(settings.authority.review_suffix,
                              settings.authority.complaint_suffix),
            actor=ACTOR, now=now)
    except LinkRefused as error:
        record_event(uow, original, "review_refused", actor=ACTOR, now=now, detail=str(error))
        notify(uow, settings, "requester_reply", original, message, triage, now)
        return original
    notify(uow, settings, "review_acknowledgement", review, message, triage, now,
           received_on=review.received_on)
    move_case(uow, review, CaseStatus.ACKNOWLEDGED, actor=ACTOR, now=now,
              detail="acknowledgement queued")
    return review


def regulator_mail(uow, message, triage, settings, arrived_at, now) -> Case:
    """The Commissioner's letter about a case: filed on its Commissioner's case when there
    is one open, else on the case, and the officer is told. Nothing else changes: an
    officer records the complaint or the decision notice (`foidesk regulator`)."""
    case = case_of(uow, triage)
    target = next((c for c in linked_to(uow, case) if c.external_reference
                   and c.status != CaseStatus.CLOSED.value), case)
    record_event(uow, target, "regulator_mail", actor=message.from_address, now=now,
                 detail=message.subject)
    notify(uow, settings, "regulator_mail", target, message, triage, now)
    return target


def withdrawal(uow, message, triage, settings, arrived_at, now) -> Case:
    case = case_of(uow, triage)
    requester = case.requester.email.lower() if case.requester else ""
    if message.from_address.lower() != requester or failed_authentication(message):
        return refuse(uow, case, "withdrawal_refused", message, triage, settings, now,
                       f"a withdrawal from {message.from_address or 'an unknown sender'}, who "
                       "is not the requester or whose mail failed authentication; the case "
                       "stays open")
    case = requesters_case(uow, triage, settings, now)
    try:
        check_transition(case.reference, case.status, CaseStatus.WITHDRAWN)
    except IllegalTransition:
        record_event(uow, case, "withdrawal_requested", actor=ACTOR, now=now,
                     detail=f"cannot withdraw from {case.status}; left for the FOI team")
    else:
        move_case(uow, case, CaseStatus.WITHDRAWN, actor=ACTOR, now=now,
                  detail=f"withdrawn by the requester in {message.message_id}")
        notify(uow, settings, "withdrawal_confirmed", case, message, triage, now)
    notify(uow, settings, "withdrawal", case, message, triage, now)
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


def owner_contribution(uow, message, triage, settings, arrived_at, now) -> Case:
    """An owner's reply supplies their part; when every owner has, drafting can start."""
    case = case_of(uow, triage)
    theirs = [a for a in case.assignments if a.state in ("pending", "holding")
              and message.from_address in (a.owner, a.deputy)]
    owned = any(message.from_address in (a.owner, a.deputy) for a in case.assignments)
    if not theirs and owned and message.attachments and not failed_authentication(message):
        # More files from an owner who has already supplied their part.
        added = add_attachments(uow, case, message.attachments,
                                source=f"owner {message.from_address}", actor=ACTOR, now=now)
        record_event(uow, case, "owner_more_files", actor=message.from_address, now=now,
                     detail=message.subject)
        notify(uow, settings, "owner_contribution", case, message, triage, now,
               documents=document_summaries_of(case, added))
        return case
    if not theirs or failed_authentication(message):
        return refuse(uow, case, "contribution_refused", message, triage, settings, now,
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
    added = add_attachments(uow, case, message.attachments,
                            source=f"owner {message.from_address}", actor=ACTOR, now=now)
    notify(uow, settings, "owner_contribution", case, message, triage, now,
           documents=document_summaries_of(case, added), **progress(case, holding))
    return case


def progress(case: Case, holding: bool = False) -> dict[str, object]:
    """What the officer reads next: who has supplied, who is still owed, what to do."""
    supplied = sorted({a.owner for a in case.assignments if a.state == "supplied"})
    outstanding = sorted({a.owner for a in case.assignments
                          if a.state in ("pending", "holding")})
    return {"supplied": supplied, "outstanding": outstanding, "holding": holding,
            "next_step": ("wait" if outstanding else "draft")}


AUTH_FAILED = re.compile(r"\b(dmarc|dkim|spf)=(fail|softfail)\b", re.IGNORECASE)
AUTH_PASSED = re.compile(r"\b(dmarc|dkim)=pass\b", re.IGNORECASE)


def failed_authentication(message: InboundMessage) -> bool:
    """The receiving server said this sender's mail failed DMARC, DKIM or SPF (RFC 8601)
    and nothing passed: a forged From, not to be acted on."""
    results = message.headers.get("authentication-results", "")
    return bool(AUTH_FAILED.search(results)) and not AUTH_PASSED.search(results)


def refuse(uow, case: Case, action: str, message: InboundMessage, triage: Triage,
            settings: IntakeSettings, now: datetime, why: str) -> Case:
    """A spoofed or unauthorised message: nothing changes, the audit and the team know."""
    record_event(uow, case, action, actor=message.from_address or "unknown", now=now,
                 detail=why)
    notify(uow, settings, "refused_sender", case, message, replace(triage, reason=why), now)
    return case


def reviewer_decision(uow, message, triage, settings, arrived_at, now) -> Case:
    """APPROVE or REJECT from a reviewer, accepted only when the message is authenticated."""
    case = case_of(uow, triage)
    decision = read_decision(message) if settings.responses else None
    if decision is None:
        record_event(uow, case, "reviewer_message", actor=message.from_address, now=now,
                     detail=message.subject)
        notify(uow, settings, "reviewer_message", case, message, triage, now)
        return case
    trust = authenticated(message, settings.responses)
    if trust is None:
        record_event(uow, case, "review_decision_refused", actor=message.from_address, now=now,
                     detail=f"{decision[0]} refused: the message is not authenticated "
                            "(no dkim/spf pass for our domain, no trusted relay)")
        notify(uow, settings, "forged_decision", case, message, triage, now)
        return case
    try:
        apply_decision(uow, case, decision[0], message.from_address, settings.responses,
                       comment=decision[1], via=f"email ({trust})", now=now)
    except ReviewRefused as error:
        record_event(uow, case, "review_decision_refused", actor=message.from_address,
                     now=now, detail=str(error))
        notify(uow, settings, "forged_decision", case, message, triage, now)
    return case


def officer_draft(uow, message, triage, settings, arrived_at, now) -> Case:
    """An officer's answers by email become a draft and go to the reviewer."""
    case = case_of(uow, triage)
    if settings.responses is None:
        return case
    try:
        add_attachments(uow, case, message.attachments,
                        source=f"officer {message.from_address}", actor=ACTOR, now=now)
        add_draft(uow, case, parse_plain(message.text), settings.responses,
                  actor=message.from_address, now=now)
        uow.session.flush()
        queue_review(uow, case, settings.responses, actor=message.from_address, now=now)
    except (DraftError, ReviewRefused, IllegalTransition) as error:
        record_event(uow, case, "draft_refused", actor=message.from_address, now=now,
                     detail=str(error))
        notify(uow, settings, "draft_refused", case, message,
                replace(triage, reason=str(error)), now)
    return case
