"""Use cases on the register: open a case, move it, stop and restart its clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from foidesk.calendar import (
    ClockStop,
    Deadline,
    Extension,
    FeePause,
    HolidayOverrides,
    ReceiptRule,
    Regime,
    RequestClock,
    Step,
    StepKind,
    WorkingDayCalendar,
    add_working_days,
    compute_deadline,
    rule_for,
    working_days_before,
    working_days_between,
)
from foidesk.cases import OPEN_STATUSES, CaseStatus, check_transition
from foidesk.references import ReferenceFormat
from foidesk.register import row_buffer
from foidesk.register.models import Case, ClockEvent, Question, Requester
from foidesk.register.row_buffer import CASE_MOVE
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.register.written_at_once import (
    link,
    written_in_this_transaction,
)
from foidesk.services.audit import record_event

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DeadlinePolicy:
    """The authority's choices that decide due dates."""

    receipt_rule: ReceiptRule = ReceiptRule.ICO
    overrides: HolidayOverrides = field(default_factory=HolidayOverrides)
    internal_due_working_days: int = 10  # owners' time from assignment (or a restart)


@dataclass(frozen=True)
class NewRequest:
    """What a new request brings: who asked, what, when, under which regime."""

    requester_name: str
    requester_email: str | None
    subject: str
    received_at: datetime
    regime: Regime = Regime.FOIA
    postal_address: str | None = None
    questions: tuple[tuple[str, str], ...] = ()
    language: str = "en"  # the language the request is answered in


class ClockEventKind(StrEnum):
    CLARIFICATION_REQUESTED = "clarification_requested"  # s1(3): the clock stops
    CLARIFICATION_RECEIVED = "clarification_received"  # the clock restarts in full
    FEE_NOTICE = "fee_notice"  # s9: the clock pauses
    FEE_PAID = "fee_paid"  # s10(2): it resumes, the paused days disregarded
    EXTENSION_PIT = "extension_pit"  # s10(3)
    EXTENSION_COMPLEX = "extension_complex"  # EIR reg 7(1), SAR art. 12(3)
    IDENTITY_REQUESTED = "identity_requested"  # subject access: art. 12A stops the clock
    # Registers before migration 0009 restarted a case's own clock for its review; a review
    # is now a case of its own, and this kind is only read, never written.
    REVIEW_REQUESTED = "review_requested"
    # A date someone with the power set (a reviewer's fresh response, the Commissioner's
    # date to respond or to comply): due `days` after `on`.
    DATE_SET = "date_set"


# Where a clock event moves the case; None means its status stays.
CLOCK_EVENT_STATUS: dict[ClockEventKind, CaseStatus | None] = {
    ClockEventKind.CLARIFICATION_REQUESTED: CaseStatus.CLARIFICATION_REQUESTED,
    ClockEventKind.CLARIFICATION_RECEIVED: CaseStatus.ACKNOWLEDGED,
    ClockEventKind.FEE_NOTICE: CaseStatus.FEE_PENDING,
    ClockEventKind.FEE_PAID: CaseStatus.AWAITING_OWNER,
    ClockEventKind.EXTENSION_PIT: None,
    ClockEventKind.EXTENSION_COMPLEX: None,
    ClockEventKind.IDENTITY_REQUESTED: CaseStatus.CLARIFICATION_REQUESTED,
    ClockEventKind.REVIEW_REQUESTED: None,
    ClockEventKind.DATE_SET: None,
}


def london_date(moment: datetime) -> date:
    """The calendar date in the UK of an aware moment: a request's day 0."""
    return moment.astimezone(LONDON).date()


def clock_for(case: Case, policy: DeadlinePolicy) -> RequestClock:
    """The request facts that decide this case's due date, read from its clock events."""
    clarified: date | None = None
    sought: date | None = None
    pauses: list[FeePause] = []
    stops: list[ClockStop] = []
    stopping = rule_for(case.regime).months is not None  # subject access: art. 12A
    for event in case.clock_events:
        kind = ClockEventKind(event.kind)
        asking = kind in (ClockEventKind.CLARIFICATION_REQUESTED,
                          ClockEventKind.IDENTITY_REQUESTED)
        if stopping and asking:
            stops.append(ClockStop(event.on))
        elif stopping and kind is ClockEventKind.CLARIFICATION_RECEIVED and stops:
            stops[-1] = ClockStop(stops[-1].asked, event.on)
        elif asking:
            sought = event.on
        elif kind is ClockEventKind.CLARIFICATION_RECEIVED:
            clarified, sought = event.on, None  # day 0 starts again from this date
        elif kind is ClockEventKind.FEE_NOTICE:
            pauses.append(FeePause(event.on))
        elif kind is ClockEventKind.FEE_PAID and pauses and pauses[-1].paid is None:
            pauses[-1] = FeePause(pauses[-1].notice, event.on)
    return RequestClock(
        received=case.received_on,
        regime=Regime(case.regime),
        clarified=clarified,
        clarification_sought=sought,
        fee_pauses=tuple(pauses),
        extension=Extension(case.extension) if case.extension else None,
        extension_days=case.extension_days,
        receipt_rule=policy.receipt_rule,
        stops=tuple(stops),
    )


def deadline_for(case: Case, policy: DeadlinePolicy) -> Deadline:
    """The case's due date and why: its statutory clock, or, once a reviewer or the
    Commissioner has set one, that date."""
    dates = [e for e in case.clock_events if e.kind == ClockEventKind.DATE_SET.value]
    if dates:
        event = dates[-1]
        due = event.on + timedelta(days=event.days or 0)
        return Deadline(due, Regime(case.regime), event.on,
                        (Step(event.on, StepKind.START, event.note),),
                        ("the date the reviewer or the Commissioner set (a fresh response "
                         "without one: 20 working days)",))
    return compute_deadline(clock_for(case, policy), policy.overrides)


def set_due_date(uow: SqlUnitOfWork, case: Case, on: date, due: date, why: str, *,
                 policy: DeadlinePolicy, actor: str, now: datetime) -> None:
    """Due on `due`, set on `on` by a reviewer or the Commissioner, and re-planned."""
    case.clock_events.append(ClockEvent(kind=ClockEventKind.DATE_SET.value, on=on,
                                        days=(due - on).days, note=why, recorded_at=now,
                                        actor=actor))
    replan(uow, case, policy, actor=actor, now=now, why=why)


def register_case(
    uow: SqlUnitOfWork,
    request: NewRequest,
    *,
    reference_format: ReferenceFormat,
    policy: DeadlinePolicy,
    actor: str,
    now: datetime,
) -> str:
    """Open a case for a new request, with its reference and due date; returns the reference."""
    with uow:
        case = open_case(uow, request, reference_format=reference_format, policy=policy,
                         actor=actor, now=now)
        uow.commit()
        return case.reference


# What a new case has none of yet: read from the new object, never asked of the database.
NEW_CASE_COLLECTIONS = ("clock_events", "assignments", "events", "drafts", "documents")


def open_case(
    uow: SqlUnitOfWork,
    request: NewRequest,
    *,
    reference_format: ReferenceFormat,
    policy: DeadlinePolicy,
    actor: str,
    now: datetime,
    request_text: str = "",
) -> Case:
    """Add a case inside the caller's transaction (the caller commits). Its rows are
    written at once (foidesk.register.written_at_once), not left to the ORM's flush."""
    received_on = london_date(request.received_at)
    session = uow.session
    requester = row_buffer.write_new(session, Requester(
        name=request.requester_name,
        email=request.requester_email,
        postal_address=request.postal_address,
        created_at=now,
    ))
    case = Case(
        reference=uow.cases.next_reference(reference_format, received_on),
        regime=Regime(request.regime).value,
        status=CaseStatus.RECEIVED.value,
        subject=request.subject,
        requester_id=requester.id,
        received_at=request.received_at,
        received_on=received_on,
        deadline_version=1,
        request_text=request_text,
        flags=[],
        language=request.language,
        created_at=now,
        updated_at=now,
    )
    case.due_on = compute_deadline(clock_for(case, policy), policy.overrides).due
    row_buffer.write_new(session, case, empty=NEW_CASE_COLLECTIONS)
    questions = row_buffer.write_new_all(session, [
        Question(case_id=case.id, number=number, position=position, text=text)
        for position, (number, text) in enumerate(request.questions)
    ])
    link(case, "questions", questions, "case")
    link(requester, "cases", [case], "requester")
    record_event(
        uow,
        case,
        "case_registered",
        actor=actor,
        now=now,
        after={
            "reference": case.reference,
            "status": case.status,
            "regime": case.regime,
            "received_on": received_on.isoformat(),
            "due_on": _iso(case.due_on),
        },
    )
    return case


def transition(
    uow: SqlUnitOfWork,
    reference: str,
    target: CaseStatus,
    *,
    actor: str,
    now: datetime,
    detail: str = "",
) -> None:
    """Move a case to `target`, or raise IllegalTransition naming the case and both states."""
    with uow:
        case = uow.cases.get(reference)
        move_case(uow, case, CaseStatus(target), actor=actor, now=now, detail=detail)
        uow.commit()


def move_case(
    uow: SqlUnitOfWork,
    case: Case,
    target: CaseStatus,
    *,
    actor: str,
    now: datetime,
    detail: str = "",
) -> None:
    check_transition(case.reference, case.status, target)
    before = case.status
    session = uow.session
    if inspect(case).persistent:  # nothing left for the ORM's flush
        if row_buffer.active(session) is not None and written_in_this_transaction(session,
                                                                                  case):
            row_buffer.move_new_case(session, case, target.value, now)  # with the batch
        else:  # one plain UPDATE
            session.connection().execute(CASE_MOVE, {"case_id": case.id,
                                                     "to": target.value, "at": now})
        set_committed_value(case, "status", target.value)
        set_committed_value(case, "updated_at", now)
    else:
        case.status = target.value
        case.updated_at = now
    record_event(
        uow,
        case,
        "status_changed",
        actor=actor,
        now=now,
        before={"status": before},
        after={"status": case.status},
        detail=detail,
    )


def record_clock_event(
    uow: SqlUnitOfWork,
    reference: str,
    kind: ClockEventKind,
    on: date,
    *,
    policy: DeadlinePolicy,
    actor: str,
    now: datetime,
    days: int | None = None,
    note: str = "",
) -> date | None:
    """Record what moves the statutory clock, move the case, and recompute its due date."""
    with uow:
        case = uow.cases.get(reference)
        apply_clock_event(uow, case, kind, on, policy=policy, actor=actor, now=now, days=days,
                          note=note)
        uow.commit()
        return case.due_on


def apply_clock_event(
    uow: SqlUnitOfWork,
    case: Case,
    kind: ClockEventKind,
    on: date,
    *,
    policy: DeadlinePolicy,
    actor: str,
    now: datetime,
    days: int | None = None,
    note: str = "",
) -> None:
    """The clock event inside the caller's transaction (the caller commits)."""
    kind = ClockEventKind(kind)
    target = CLOCK_EVENT_STATUS[kind]
    waiting = any(a.state in ("pending", "holding") for a in case.assignments)
    if target is CaseStatus.ACKNOWLEDGED and waiting:
        target = CaseStatus.AWAITING_OWNER  # the clock runs again, and the owner still owes
    if target is not None:
        move_case(uow, case, target, actor=actor, now=now, detail=f"{kind.value} on {on}")
    if kind is ClockEventKind.EXTENSION_PIT:
        case.extension, case.extension_days = Extension.PIT.value, days
    elif kind is ClockEventKind.EXTENSION_COMPLEX:
        case.extension, case.extension_days = Extension.COMPLEX.value, None
    case.clock_events.append(
        ClockEvent(kind=kind.value, on=on, days=days, note=note, recorded_at=now, actor=actor)
    )
    replan(uow, case, policy, actor=actor, now=now, why=f"{kind.value} on {on}")


def recompute_open_deadlines(
    uow: SqlUnitOfWork,
    policy: DeadlinePolicy,
    *,
    actor: str,
    now: datetime,
    why: str,
) -> list[tuple[str, date | None, date | None]]:
    """Recompute every open case's due date (after a holiday override changes, say).

    Returns (reference, old, new) for each case whose date moved; each move is
    audited with both dates and `why`.
    """
    with uow:
        moved = []
        for case in uow.cases.list(statuses=[s.value for s in OPEN_STATUSES]):
            old = case.due_on
            if replan(uow, case, policy, actor=actor, now=now, why=why):
                moved.append((case.reference, old, case.due_on))
        uow.commit()
        return moved


def replan(
    uow: SqlUnitOfWork,
    case: Case,
    policy: DeadlinePolicy,
    *,
    actor: str,
    now: datetime,
    why: str,
) -> bool:
    """Set the case's due date from its facts; audit and bump the version if it changed."""
    new_due = deadline_for(case, policy).due
    if new_due == case.due_on:
        return False
    before = {"due_on": _iso(case.due_on), "deadline_version": case.deadline_version}
    _move_internal_dues(case, case.due_on, new_due, policy, now)
    case.due_on = new_due
    case.deadline_version += 1
    case.updated_at = now
    record_event(
        uow,
        case,
        "deadline_changed",
        actor=actor,
        now=now,
        before=before,
        after={"due_on": _iso(case.due_on), "deadline_version": case.deadline_version},
        detail=why,
    )
    return True


def _move_internal_dues(
    case: Case, old: date | None, new: date | None, policy: DeadlinePolicy, now: datetime
) -> None:
    """Owners' due dates follow the statutory one: shifted by the same working days, or,
    when a stopped clock starts again, a fresh period from today (never past the new date)."""
    if new is None:
        return
    workdays = WorkingDayCalendar(rule_for(case.regime).scope, policy.overrides)
    for assignment in case.assignments:
        if assignment.state not in ("pending", "holding"):
            continue
        if old is None:
            fresh = add_working_days(london_date(now), policy.internal_due_working_days, workdays)
            assignment.internal_due_on = min(fresh, new)
        else:
            shift = working_days_between(old, new, workdays)
            due = assignment.internal_due_on
            assignment.internal_due_on = (add_working_days(due, shift, workdays) if shift >= 0
                                          else working_days_before(due, -shift, workdays))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
