"""Cases linked to a case: its internal review (or, for subject access, a complaint to the
controller), and the fresh response an overturned review requires.

A review never changes the case it reviews. The original keeps its regime, outcome,
exemptions, response date and in-time flag for ever, so each is counted once, in its
own category; the review has its own reference, clock, reviewer and outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from foidesk.calendar import (
    KIND_OF,
    REVIEW_REGIME,
    Kind,
    Regime,
    WorkingDayCalendar,
    add_working_days,
    rule_for,
)
from foidesk.cases import CaseStatus, check_transition
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.cases import (
    DeadlinePolicy,
    deadline_for,
    london_date,
    move_case,
    set_due_date,
)

# Outcomes of a review after which the requester is owed a fresh response.
REOPENING_OUTCOMES = frozenset({"overturned", "partly-upheld"})
FRESH_RESPONSE_WORKING_DAYS = 20


class LinkRefused(ValueError):
    """A linked case that cannot be opened (a review of a review, say)."""


@dataclass(frozen=True)
class Suffixes:
    """What is added to a case's reference to make a linked case's: `FOI 000001/26-IR`."""

    review: str = "-IR"
    complaint: str = "-DPC"
    regulator: str = "-ICO"


def is_review(case: Case) -> bool:
    """An internal review, or a data protection complaint to the controller."""
    return KIND_OF.get(case.regime) in (Kind.REVIEW, Kind.DP_COMPLAINT)


def original_of(uow: SqlUnitOfWork, case: Case) -> Case | None:
    """The case a review or complaint is about."""
    if case.linked_case_id is None:
        return None
    return uow.session.get(Case, case.linked_case_id)


def linked_to(uow: SqlUnitOfWork, case: Case) -> list[Case]:
    """The cases linked to this one (its reviews, complaints), oldest first."""
    return list(uow.session.scalars(
        select(Case).where(Case.linked_case_id == case.id).order_by(Case.id)))


def open_review_of(uow: SqlUnitOfWork, case: Case) -> Case | None:
    """The review (or complaint) of this case still open, if there is one."""
    closed = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value, CaseStatus.RESPONDED.value)
    return next((c for c in linked_to(uow, case)
                 if is_review(c) and c.status not in closed), None)


def linked_reference(uow: SqlUnitOfWork, original: Case, suffix: str) -> str:
    """`FOI 000001/26-IR`, then `-IR2`, `-IR3` for a later one."""
    taken = {c.reference for c in linked_to(uow, original)}
    reference, n = f"{original.reference}{suffix}", 1
    while reference in taken:
        n += 1
        reference = f"{original.reference}{suffix}{n}"
    return reference


def open_review(
    uow: SqlUnitOfWork, original: Case, *, received_at: datetime, grounds: str,
    policy: DeadlinePolicy, suffixes: Suffixes, actor: str, now: datetime,
) -> Case:
    """Open the review of `original` requested on `received_at`, in the caller's
    transaction: its own reference and clock; the original is not touched."""
    regime = REVIEW_REGIME.get(original.regime)
    if regime is None:
        raise LinkRefused(f"case {original.reference} is itself a {original.regime} case: "
                          "the route after it is the Commissioner, not another review")
    suffix = suffixes.complaint if regime == Regime.DP_COMPLAINT else suffixes.review
    return open_linked(uow, original, regime, linked_reference(uow, original, suffix),
                        received_at=received_at, text=grounds, policy=policy, actor=actor,
                        now=now, action="review_opened")


def open_linked(uow: SqlUnitOfWork, original: Case, regime: str, reference: str, *,
                 received_at: datetime, text: str, policy: DeadlinePolicy, actor: str,
                 now: datetime, action: str) -> Case:
    received_on = london_date(received_at)
    linked = Case(
        reference=reference, regime=regime, status=CaseStatus.RECEIVED.value,
        subject=original.subject, requester=original.requester, received_at=received_at,
        received_on=received_on, deadline_version=1, request_text=text[:100_000], flags=[],
        linked_case_id=original.id, created_at=now, updated_at=now,
        language=original.language or "en",  # a review is answered in the request's language
    )
    linked.due_on = deadline_for(linked, policy).due
    uow.cases.add(linked)
    record_event(uow, linked, "case_registered", actor=actor, now=now, after={
        "reference": linked.reference, "status": linked.status, "regime": linked.regime,
        "received_on": received_on.isoformat(), "due_on": _iso(linked.due_on),
        "linked_to": original.reference,
    })
    record_event(uow, original, action, actor=actor, now=now,
                 after={"linked_case": linked.reference, "regime": regime},
                 detail=f"{linked.reference} opened; this case is unchanged")
    return linked


def reopen_for_fresh_response(
    uow: SqlUnitOfWork, review: Case, *, respond_by: date | None, policy: DeadlinePolicy,
    actor: str, now: datetime,
) -> Case | None:
    """After an overturned or partly upheld review (or a Commissioner's decision that
    requires disclosure), the original owes a fresh response: by the date set, or 20
    working days. The original's first response and its statistics stay as they were."""
    original = original_of(uow, review)
    if original is None:
        return None
    today = london_date(now)
    workdays = WorkingDayCalendar(rule_for(original.regime).scope, policy.overrides)
    due = respond_by or add_working_days(today, FRESH_RESPONSE_WORKING_DAYS, workdays)
    if due < today:
        raise LinkRefused(f"the fresh response cannot be due on {due}, before today ({today})")
    if original.status in (CaseStatus.CLOSED.value, CaseStatus.RESPONDED.value):
        if original.status == CaseStatus.RESPONDED.value:
            move_case(uow, original, CaseStatus.CLOSED, actor=actor, now=now,
                      detail="closed before its fresh response")
        check_transition(original.reference, original.status, CaseStatus.REOPENED)
        move_case(uow, original, CaseStatus.REOPENED, actor=actor, now=now,
                  detail=f"{review.reference}: {review.outcome}; a fresh response is owed")
    set_due_date(uow, original, today, due,
                 f"fresh response owed after {review.reference} ({review.outcome})",
                 policy=policy, actor=actor, now=now)
    return original


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
