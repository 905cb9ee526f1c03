"""Clock events as an officer performs them: each a letter to the requester plus a state
change, in one transaction (clarification, fees notice and payment, extensions, lapse)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from foidesk.calendar import Extension, add_months
from foidesk.cases import CaseStatus
from foidesk.language import LANGUAGE_NAMES, detect_language
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.register.models import Case, ClockEvent
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.cases import ClockEventKind, apply_clock_event, london_date, move_case
from foidesk.services.responses import ResponseSettings

DEFAULT_LAPSE_MONTHS = 3


class ClockLetterError(ValueError):
    """A clock event the law does not allow now (an extension after day 20, say)."""


def request_clarification(uow: SqlUnitOfWork, reference: str, question: str,
                          settings: ResponseSettings, *, actor: str, now: datetime,
                          lapse_months: int = DEFAULT_LAPSE_MONTHS) -> None:
    """s1(3): ask the requester; the clock stops until they reply (triage restarts it)."""
    with uow:
        case = uow.cases.get(reference)
        apply_clock_event(uow, case, ClockEventKind.CLARIFICATION_REQUESTED, london_date(now),
                          policy=settings.deadlines, actor=actor, now=now, note=question)
        _letter(uow, case, "clock_clarification", settings, now, question=question,
                lapse_months=lapse_months)
        uow.commit()


def request_identity(uow: SqlUnitOfWork, reference: str, what: str,
                     settings: ResponseSettings, *, actor: str, now: datetime,
                     lapse_months: int = DEFAULT_LAPSE_MONTHS) -> None:
    """Subject access: ask for what confirms the requester's identity; the clock stops
    until it arrives (UK GDPR art. 12A), the days before kept."""
    with uow:
        case = uow.cases.get(reference)
        if case.regime != "sar":
            raise ClockLetterError(f"case {case.reference} is {case.regime}: an identity check "
                                   "stops the clock only for subject access")
        apply_clock_event(uow, case, ClockEventKind.IDENTITY_REQUESTED, london_date(now),
                          policy=settings.deadlines, actor=actor, now=now, note=what)
        _letter(uow, case, "clock_identity", settings, now, question=what,
                lapse_months=lapse_months)
        uow.commit()


def fees_notice(uow: SqlUnitOfWork, reference: str, amount: str, settings: ResponseSettings,
                *, detail: str = "", actor: str, now: datetime) -> None:
    """s9: the fees notice pauses the clock until the fee is paid (s10(2))."""
    with uow:
        case = uow.cases.get(reference)
        on = london_date(now)
        apply_clock_event(uow, case, ClockEventKind.FEE_NOTICE, on, policy=settings.deadlines,
                          actor=actor, now=now, note=f"£{amount}")
        _letter(uow, case, "clock_fee_notice", settings, now, amount=amount, detail=detail,
                on=on)
        uow.commit()


def fee_paid(uow: SqlUnitOfWork, reference: str, on: date, settings: ResponseSettings, *,
             actor: str, now: datetime) -> date | None:
    with uow:
        case = uow.cases.get(reference)
        apply_clock_event(uow, case, ClockEventKind.FEE_PAID, on, policy=settings.deadlines,
                          actor=actor, now=now)
        _letter(uow, case, "clock_fee_paid", settings, now, on=on)
        uow.commit()
        return case.due_on


def extend(uow: SqlUnitOfWork, reference: str, kind: Extension, reason: str,
           settings: ResponseSettings, *, exemptions: str = "", days: int | None = None,
           actor: str, now: datetime) -> date | None:
    """A public-interest (s10(3)) or EIR complex (reg 7(1)) extension, noticed in time.

    The notice must be given within the original time limit (day 20): a late notice
    cannot extend a deadline already missed.
    """
    with uow:
        case = uow.cases.get(reference)
        today = london_date(now)
        if case.due_on is None:
            raise ClockLetterError(f"case {case.reference}: the clock is stopped")
        if case.extension:
            raise ClockLetterError(f"case {case.reference} is already extended")
        if today > case.due_on:
            limit = ("the end of the first month, UK GDPR art. 12(3)" if case.regime == "sar"
                     else "day 20")
            raise ClockLetterError(
                f"case {case.reference}: an extension must be notified by {limit} "
                f"({case.due_on}); today is {today}")
        kind = Extension(kind)
        event = (ClockEventKind.EXTENSION_PIT if kind is Extension.PIT
                 else ClockEventKind.EXTENSION_COMPLEX)
        apply_clock_event(uow, case, event, today, policy=settings.deadlines, actor=actor,
                          now=now, days=days, note=reason)
        _letter(uow, case, "clock_extension", settings, now, kind=kind.value, reason=reason,
                exemptions=exemptions)
        uow.commit()
        return case.due_on


def lapse_clarifications(uow: SqlUnitOfWork, *, months: int, now: datetime) -> list[str]:
    """Close requests whose clarification has been awaited for `months` months."""
    today = london_date(now)
    closed = []
    with uow:
        cases = uow.session.scalars(
            select(Case).where(Case.status == CaseStatus.CLARIFICATION_REQUESTED.value)
        ).all()
        for case in cases:
            asked = max((e.on for e in case.clock_events
                         if e.kind in (ClockEventKind.CLARIFICATION_REQUESTED.value,
                                       ClockEventKind.IDENTITY_REQUESTED.value)), default=None)
            if asked is not None and add_months(asked, months) <= today:
                case.outcome = "lapsed"
                move_case(uow, case, CaseStatus.CLOSED, actor="lapse", now=now,
                          detail=f"no clarification since {asked} ({months} months)")
                closed.append(case.reference)
        uow.commit()
    return closed


def _letter(uow: SqlUnitOfWork, case: Case, template: str, settings: ResponseSettings,
            now: datetime, **context: object) -> None:
    requester = case.requester.email if case.requester else None
    if not requester:
        record_event(uow, case, "letter_by_post", actor="responses", now=now,
                     detail=f"{template}: no email address; send by post")
        return
    _in_case_language(case, context)
    rendered = settings.renderer.email(
        template, language=case.language, authority=settings.authority, case=case,
        requester_name=case.requester.name if case.requester else "", **context)
    envelope = from_authority(settings.authority, (requester,),
                              in_reply_to=uow.cases.request_message_id(case),
                              auto_submitted="no")
    message = compose(rendered, envelope, domain=settings.domain, now=now)
    count = uow.session.scalar(select(ClockEvent.id).where(ClockEvent.case_id == case.id)
                               .order_by(ClockEvent.id.desc()).limit(1))
    enqueue(uow, f"{template}:{case.reference}:{count}", message, envelope, case=case, now=now)


def _in_case_language(case: Case, context: dict[str, object]) -> None:
    """The officer's own words in a letter (the question asked, the reason, the detail)
    must be in the language the requester is written to in."""
    language = case.language or "en"
    for field in ("question", "reason", "detail"):
        text = context.get(field)
        found = detect_language(text) if isinstance(text, str) else None
        if found is not None and found != language:
            raise ClockLetterError(
                f"case {case.reference} is answered in {LANGUAGE_NAMES.get(language, language)}"
                f": the {field} reads as {LANGUAGE_NAMES.get(found, found)}; write it in "
                f"{LANGUAGE_NAMES.get(language, language)}")


__all__ = ["extend", "fee_paid", "fees_notice", "lapse_clarifications",
           "request_clarification", "request_identity"]
