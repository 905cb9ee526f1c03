"""Officers' hands on the owner loop: assign (or reassign) an owner, mark a part supplied."""

from __future__ import annotations

from datetime import date, datetime

from foidesk.calendar import (
    RULES,
    Regime,
    WorkingDayCalendar,
    add_working_days,
    working_days_between,
)
from foidesk.cases import CaseStatus
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.register.models import Assignment, Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, london_date, move_case
from foidesk.services.chasing import ChaseSettings

OPEN_STATES = ("pending", "holding")


def assign_owner(
    uow: SqlUnitOfWork, reference: str, owner: str, settings: ChaseSettings, *,
    deputy: str | None = None, due: date | None = None, actor: str, now: datetime,
) -> Assignment:
    """Give a case to an owner (replacing an open assignment of the same owner) and queue
    their task email; the next drain sends it."""
    with uow:
        case = uow.cases.get(reference)
        if due is None:
            workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope,
                                          settings.deadlines.overrides)
            due = add_working_days(london_date(now), settings.deadlines.internal_due_working_days,
                                   workdays)
        assignment = give_to(uow, case, owner, due=due, deputy=deputy, actor=actor, now=now)
        _queue_task(uow, case, assignment, settings, now)
        uow.commit()
        return assignment


def give_to(uow: SqlUnitOfWork, case: Case, owner: str, *, due: date, deputy: str | None = None,
            actor: str, now: datetime, detail: str = "") -> Assignment:
    """The new assignment, in the caller's transaction (the caller queues the task)."""
    assignment = Assignment(owner=owner, deputy=deputy, internal_due_on=due, state="pending",
                            created_at=now)
    case.assignments.append(assignment)
    record_event(uow, case, "owner_assigned", actor=actor, now=now,
                 after={"owner": owner, "deputy": deputy, "internal_due_on": due.isoformat()},
                 detail=detail)
    if case.status in (CaseStatus.ACKNOWLEDGED.value, CaseStatus.DRAFTING.value):
        move_case(uow, case, CaseStatus.AWAITING_OWNER, actor=actor, now=now,
                  detail=f"assigned to {owner}")
    uow.session.flush()
    return assignment


def take_from_others(uow: SqlUnitOfWork, case: Case, owner: str, *, actor: str,
                     now: datetime, detail: str = "") -> None:
    """Close every open assignment of anyone but `owner`, in the caller's transaction."""
    for old in case.assignments:
        if old.state in OPEN_STATES and old.owner != owner:
            old.state = "reassigned"
            record_event(uow, case, "owner_reassigned", actor=actor, now=now,
                         before={"owner": old.owner}, after={"owner": owner}, detail=detail)


def reassign(
    uow: SqlUnitOfWork, reference: str, owner: str, settings: ChaseSettings, *,
    deputy: str | None = None, due: date | None = None, actor: str, now: datetime,
) -> Assignment:
    """Close the open assignments and give the case to `owner`."""
    with uow:
        take_from_others(uow, uow.cases.get(reference), owner, actor=actor, now=now)
        uow.commit()
    return assign_owner(uow, reference, owner, settings, deputy=deputy, due=due, actor=actor,
                        now=now)


def mark_supplied(
    uow: SqlUnitOfWork, reference: str, *, owner: str | None = None, actor: str, now: datetime,
    policy: DeadlinePolicy | None = None,
) -> list[str]:
    """Mark open parts supplied (one owner's, or all); drafting starts when none is left."""
    policy = policy or DeadlinePolicy()
    with uow:
        case = uow.cases.get(reference)
        marked = []
        for assignment in case.assignments:
            if assignment.state in OPEN_STATES and owner in (None, assignment.owner):
                supply(assignment, case, policy, now)
                marked.append(assignment.owner)
                record_event(uow, case, "owner_supplied", actor=actor, now=now,
                             after={"owner": assignment.owner})
        if not marked:
            raise LookupError(
                f"case {case.reference} has no open assignment"
                + (f" for {owner}" if owner else "")
            )
        outstanding = [a for a in case.assignments if a.state in OPEN_STATES]
        if case.status == CaseStatus.AWAITING_OWNER.value and not outstanding:
            move_case(uow, case, CaseStatus.DRAFTING, actor=actor, now=now,
                      detail="every owner has supplied their part")
        uow.commit()
        return marked


def supply(assignment: Assignment, case: Case, policy: DeadlinePolicy, now: datetime) -> None:
    """Mark one part supplied, remembering how many working days it took (for reports)."""
    workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope, policy.overrides)
    assignment.state, assignment.supplied_at = "supplied", now
    assignment.supply_working_days = working_days_between(
        london_date(assignment.created_at), london_date(now), workdays)


def _queue_task(uow: SqlUnitOfWork, case: Case, assignment: Assignment,
                settings: ChaseSettings, now: datetime) -> None:
    rendered = settings.renderer.email(
        "owner_task", authority=settings.authority, case=case, assignment=assignment,
        questions=list(case.questions), request_text=case.request_text,
        routing_rule="assigned by the FOI team",
    )
    envelope = from_authority(settings.authority, (assignment.owner,))
    message = compose(rendered, envelope, domain=settings.domain, now=now)
    enqueue(uow, f"owner_task:{case.reference}:{assignment.id}", message, envelope, case=case,
            now=now)
