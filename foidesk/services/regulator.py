"""The Information Commissioner (or the Scottish Information Commissioner) investigates a
case: a linked case of its own, with the Commissioner's reference and the date it asks us
to respond by, then its decision notice, the date to comply and the right of appeal.

Its dates are chased and escalated like any other case's. A decision that requires steps
re-opens the original for a fresh response due on the date to comply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from foidesk.calendar import (
    KIND_OF,
    REGULATOR_REGIME,
    REVIEW_REGIME,
    Kind,
)
from foidesk.cases import CaseStatus
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.cases import LONDON, DeadlinePolicy, move_case, set_due_date
from foidesk.services.reviews import (
    LinkRefused,
    linked_reference,
    linked_to,
    open_linked,
    original_of,
    reopen_for_fresh_response,
)

DECISION_OUTCOMES = ("upheld", "partly-upheld", "not-upheld")
COMPLY_DAYS = 35  # an ICO decision notice: steps within 35 calendar days of the notice


@dataclass(frozen=True)
class Appeal:
    """Where and by when a decision notice may be appealed."""

    days: int
    to: str
    law: str


APPEALS: dict[str, Appeal] = {
    # The Tribunal Procedure (First-tier Tribunal) (General Regulatory Chamber) Rules 2009,
    # rule 22(1)(b): within 28 days of the date the decision notice was sent.
    "ico-complaint": Appeal(28, "the First-tier Tribunal (Information Rights)", "FOIA s57"),
    # FOISA s56: an appeal on a point of law to the Court of Session within 42 days.
    "sic-complaint": Appeal(42, "the Court of Session, on a point of law", "FOISA s56"),
}


def regulator_regime(case: Case, original: Case | None) -> str:
    """Which Commissioner: by the regime of the request the complaint is about."""
    base = (original or case).regime
    base = next((b for b, review in REVIEW_REGIME.items() if review == base), base)
    regime = REGULATOR_REGIME.get(base)
    if regime is None:
        raise LinkRefused(f"case {case.reference} ({case.regime}) is not one a Commissioner "
                          "investigates")
    return regime


def open_regulator_case(
    uow: SqlUnitOfWork, case: Case, *, their_reference: str, letter_received: date,
    respond_by: date | None, policy: DeadlinePolicy, actor: str, now: datetime,
) -> Case:
    """Record that the Commissioner has opened a complaint about `case` (a request, or its
    review: the regulator's case is linked to the request itself)."""
    original = original_of(uow, case) if KIND_OF.get(case.regime) is not Kind.REQUEST else None
    request = original or case
    regime = regulator_regime(case, original)
    suffix = "-ICO" if regime == "ico-complaint" else "-SIC"
    received_at = datetime.combine(letter_received, time(9), LONDON)
    regulator = open_linked(uow, request, regime, linked_reference(uow, request, suffix),
                             received_at=received_at, text=f"{their_reference}",
                             policy=policy, actor=actor, now=now, action="regulator_opened")
    regulator.external_reference = their_reference
    if respond_by is not None:
        set_due_date(uow, regulator, letter_received, respond_by,
                     f"the date the Commissioner's letter of {letter_received} asks for",
                     policy=policy, actor=actor, now=now)
    move_case(uow, regulator, CaseStatus.ACKNOWLEDGED, actor=actor, now=now,
              detail=f"the Commissioner's case {their_reference}")
    return regulator


def record_decision_notice(
    uow: SqlUnitOfWork, regulator: Case, *, outcome: str, issued_on: date, steps: str,
    comply_by: date | None, policy: DeadlinePolicy, actor: str, now: datetime,
) -> Case | None:
    """The decision notice: its outcome, the steps required and the date to comply, and the
    right of appeal. Returns the original when the notice re-opens it for a response."""
    if KIND_OF.get(regulator.regime) is not Kind.REGULATOR:
        raise LinkRefused(f"case {regulator.reference} is not a Commissioner's case")
    if outcome not in DECISION_OUTCOMES:
        raise LinkRefused(f"outcome must be one of {', '.join(DECISION_OUTCOMES)}, got "
                          f"{outcome!r}")
    regulator.outcome = outcome
    appeal = APPEALS[regulator.regime]
    appeal_by = issued_on + timedelta(days=appeal.days)
    record_event(uow, regulator, "decision_notice", actor=actor, now=now, after={
        "outcome": outcome, "issued_on": issued_on.isoformat(), "steps": steps,
        "appeal_by": appeal_by.isoformat(), "appeal_to": appeal.to,
    }, detail=f"decision notice of {issued_on}: {outcome}; appeal to {appeal.to} by "
              f"{appeal_by} ({appeal.law})")
    if outcome == "not-upheld" or not steps.strip():
        regulator.responded_at = now
        move_case(uow, regulator, CaseStatus.CLOSED, actor=actor, now=now,
                  detail="decision notice: no steps required")
        return None
    due = comply_by or issued_on + timedelta(days=COMPLY_DAYS)
    set_due_date(uow, regulator, issued_on, due,
                 f"comply with the decision notice of {issued_on}: {steps}", policy=policy,
                 actor=actor, now=now)
    return reopen_for_fresh_response(uow, regulator, respond_by=due, policy=policy,
                                     actor=actor, now=now)


def close_complied(uow: SqlUnitOfWork, case: Case, *, actor: str, now: datetime) -> None:
    """The fresh response a decision notice required was sent: its Commissioner's case is
    closed as complied with."""
    for regulator in _open_regulator_cases(uow, case):
        if regulator.outcome in ("upheld", "partly-upheld"):
            regulator.responded_at = now
            regulator.in_time = regulator.due_on is not None and \
                now.astimezone(LONDON).date() <= regulator.due_on
            move_case(uow, regulator, CaseStatus.CLOSED, actor=actor, now=now,
                      detail=f"complied with the decision notice: the fresh response on "
                             f"{case.reference} was sent")


def appeal_deadline(uow: SqlUnitOfWork, regulator: Case) -> tuple[date, str] | None:
    """When and where the decision notice may be appealed, once there is one."""
    for event in reversed(uow.cases.events(regulator)):
        if event.action == "decision_notice" and event.after:
            return date.fromisoformat(event.after["appeal_by"]), event.after["appeal_to"]
    return None


def _open_regulator_cases(uow: SqlUnitOfWork, case: Case) -> list[Case]:
    done = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)
    return [c for c in linked_to(uow, case)
            if KIND_OF.get(c.regime) is Kind.REGULATOR and c.status not in done]
