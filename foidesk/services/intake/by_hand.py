"""A request that came by post, by phone or over the counter, registered by an officer:
acknowledged (by email, or by a letter to print when there is no email address) and routed
exactly as a mailed request is, so it goes the same way to a response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from foidesk.cases import CaseStatus
from foidesk.letters import Letter, render_letter
from foidesk.mail import InboundMessage
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.cases import NewRequest, london_date, move_case, open_case
from foidesk.services.intake.new_requests import Requested, route
from foidesk.services.intake.notices import notify, time_limit_words
from foidesk.services.intake.settings import IntakeSettings
from foidesk.triage import Decision, Triage


@dataclass(frozen=True)
class Registered:
    """What an officer is told: the case, how it was acknowledged, where it went."""

    reference: str
    due_on: object
    acknowledged_by: str  # "email" | "letter"
    letter: Letter | None  # the acknowledgement to print, when there is no email address
    owner: str | None  # None: no routing rule matched, the FOI team is told


def register_by_hand(uow: SqlUnitOfWork, request: NewRequest, settings: IntakeSettings, *,
                     text: str, how: str, actor: str, now: datetime) -> Registered:
    """Register, acknowledge and route a request that did not come by email."""
    with uow:
        case = open_case(uow, request, reference_format=settings.reference_format,
                         policy=settings.deadlines, actor=actor, now=now,
                         request_text=text[:100_000])
        uow.session.flush()
        record_event(uow, case, "registered_by_hand", actor=actor, now=now,
                     detail=f"received {how}")
        note = _as_message(case, request, text, settings)
        triage = Triage(Decision.NEW_REQUEST, f"registered by hand: received {how}")
        letter = None
        if request.requester_email:
            notify(uow, settings, "acknowledgement", case, note, triage, now, unthreaded=True)
        else:
            letter = acknowledgement_letter(case, settings, now)
            record_event(uow, case, "letter_by_post", actor=actor, now=now,
                         detail="acknowledgement: no email address; print it and post it")
        move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor=actor, now=now,
                  detail="acknowledged by " + ("email" if letter is None else "letter"))
        asked = Requested(request.requester_name, request.requester_email or "",
                          request.received_at, request.subject, text)
        route(uow, case, note, triage, settings, asked, now)
        owner = next((a.owner for a in case.assignments), None)
        uow.commit()
        return Registered(case.reference, case.due_on, "letter" if letter else "email",
                          letter, owner)


def acknowledgement_letter(case: Case, settings: IntakeSettings, now: datetime) -> Letter:
    """The acknowledgement as a letter to print, with the requester's postal address."""
    requester = case.requester
    return render_letter(settings.renderer, "acknowledgement", {
        "authority": settings.authority, "case": case, "letter_date": london_date(now),
        "questions": list(case.questions), "request_text": case.request_text,
        "requester_name": requester.name if requester else "",
        "requester_address": (requester.postal_address or "").strip() if requester else "",
        "time_limit": time_limit_words(case.regime), "draft": False,
        "language": case.language or "en",
    })


def _as_message(case: Case, request: NewRequest, text: str,
                settings: IntakeSettings) -> InboundMessage:
    """The request as the notices read a message: the officer's words, the requester's
    name and address; no mail headers, so nothing is threaded onto it."""
    return InboundMessage(
        raw=text.encode("utf-8"), message_id=f"<{_slug(case.reference)}.by-hand@{settings.domain}>",
        subject=request.subject, from_name=request.requester_name,
        from_address=request.requester_email or "", reply_to=None, to=(), in_reply_to=(),
        references=(), date_header=None, text=text,
    )


def _slug(reference: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in reference).strip("-").lower()
