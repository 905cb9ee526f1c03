"""The chase and escalation plan: which reminder or escalation is due for a case today.

Pure rules over dates. A step is planned on a date; a run acts on the steps
whose date has come and whose key (case, assignment, step, date, deadline
version) has not been used yet, so a rerun sends nothing new and a changed
deadline (a new version) gives a new plan that the next run follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from foidesk.calendar import (
    WorkingDayCalendar,
    add_working_days,
    working_days_before,
    working_days_between,
)
from foidesk.cases import CaseStatus
from foidesk.wording import days_left


class Step(StrEnum):
    REMINDER_BEFORE = "reminder_before"  # N working days before the internal due date
    REMINDER_DUE = "reminder_due"  # on the internal due date
    REMINDER_OVERDUE = "reminder_overdue"  # every N working days after it
    ESCALATE_DEPUTY = "escalate_deputy"  # the first missed internal due date
    ESCALATE_MANAGER = "escalate_manager"  # statutory deadline near, no approved response
    ESCALATE_HEAD = "escalate_head"  # statutory deadline passed


REMINDERS = frozenset({Step.REMINDER_BEFORE, Step.REMINDER_DUE, Step.REMINDER_OVERDUE})
ESCALATIONS = frozenset({Step.ESCALATE_DEPUTY, Step.ESCALATE_MANAGER, Step.ESCALATE_HEAD})

# Nobody is chased while the statutory clock is stopped or the case is over.
NOT_CHASED = frozenset({
    CaseStatus.CLARIFICATION_REQUESTED, CaseStatus.FEE_PENDING, CaseStatus.WITHDRAWN,
    CaseStatus.CLOSED, CaseStatus.RESPONDED,
})
# A case with an approved response needs no manager escalation.
RESPONSE_APPROVED = frozenset({CaseStatus.APPROVED})


@dataclass(frozen=True)
class Schedule:
    """The chase schedule and escalation ladder from config (defaults as the issue asks)."""

    remind_before_days: int = 2
    remind_on_due_day: bool = True
    repeat_every_days: int = 2
    deputy_after_missed: bool = True
    manager_when_days_left: int = 5
    has_manager: bool = True
    has_head: bool = True


@dataclass(frozen=True)
class AssignmentFacts:
    id: int
    owner: str
    deputy: str | None
    internal_due_on: date
    assigned_on: date
    owner_away_on: date | None = None


@dataclass(frozen=True)
class CaseFacts:
    reference: str
    status: str
    due_on: date | None
    deadline_version: int
    assignments: tuple[AssignmentFacts, ...] = ()


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    reference: str
    role: str  # owner | deputy | manager | head
    planned_on: date
    deadline_version: int
    assignment: AssignmentFacts | None = None
    why: str = ""
    repeat: int = 0  # an overdue reminder: which one this is (1, 2, ...)

    @property
    def key(self) -> str:
        """One key per step and recipient role, so each is recorded once in the chase log
        (and a reminder rerouted to a deputy is a new one)."""
        assignment = self.assignment.id if self.assignment else "-"
        return (f"{self.reference}|{assignment}|{self.step.value}|{self.role}|"
                f"{self.planned_on.isoformat()}|v{self.deadline_version}")


def owner_reminder_dates(
    assignment: AssignmentFacts, schedule: Schedule, workdays: WorkingDayCalendar, today: date
) -> list[tuple[Step, date]]:
    """Every owner reminder up to today, oldest first; none before the task email went."""
    due = assignment.internal_due_on
    dates: list[tuple[Step, date]] = []
    if schedule.remind_before_days > 0:
        dates.append((Step.REMINDER_BEFORE,
                      working_days_before(due, schedule.remind_before_days, workdays)))
    if schedule.remind_on_due_day:
        dates.append((Step.REMINDER_DUE, due))
    overdue = add_working_days(due, schedule.repeat_every_days, workdays)
    while overdue <= today:
        dates.append((Step.REMINDER_OVERDUE, overdue))
        overdue = add_working_days(overdue, schedule.repeat_every_days, workdays)
    return [(step, day) for step, day in dates
            if assignment.assigned_on < day <= today]


def plan_today(
    case: CaseFacts, schedule: Schedule, workdays: WorkingDayCalendar, today: date,
    kinds: frozenset[Step] = REMINDERS | ESCALATIONS,
) -> list[PlannedStep]:
    """The steps due today for one case: at most one owner reminder per assignment (the
    latest, so a missed run does not send a pile of stale ones), and each escalation once."""
    if CaseStatus(case.status) in NOT_CHASED:
        return []
    steps: list[PlannedStep] = []
    for assignment in case.assignments:
        reminders = owner_reminder_dates(assignment, schedule, workdays, today)
        if reminders and kinds & REMINDERS:
            step, planned = reminders[-1]
            role, why = "owner", ""
            if assignment.owner_away_on == today and assignment.deputy:
                role, why = "deputy", f"{assignment.owner} is out of the office today"
            repeat = sum(1 for s, _ in reminders if s is Step.REMINDER_OVERDUE)
            steps.append(PlannedStep(step, case.reference, role, planned, case.deadline_version,
                                     assignment, why, repeat))
        missed_on = add_working_days(assignment.internal_due_on, 1, workdays)
        if (Step.ESCALATE_DEPUTY in kinds and schedule.deputy_after_missed
                and assignment.deputy and missed_on <= today):
            steps.append(PlannedStep(
                Step.ESCALATE_DEPUTY, case.reference, "deputy", missed_on,
                case.deadline_version, assignment,
                f"{assignment.owner} missed the internal due date "
                f"{assignment.internal_due_on.isoformat()}",
            ))
    if case.due_on is None:
        return steps
    status = CaseStatus(case.status)
    left = working_days_between(today, case.due_on, workdays)
    if (Step.ESCALATE_MANAGER in kinds and schedule.has_manager
            and status not in RESPONSE_APPROVED and 0 <= left <= schedule.manager_when_days_left):
        planned = working_days_before(case.due_on, schedule.manager_when_days_left, workdays)
        steps.append(PlannedStep(
            Step.ESCALATE_MANAGER, case.reference, "manager", planned, case.deadline_version,
            why=f"statutory due date {case.due_on.isoformat()} is {days_left(left)} "
                "and no response is approved",
        ))
    # (responded, closed and withdrawn cases never reach here: NOT_CHASED)
    if Step.ESCALATE_HEAD in kinds and schedule.has_head and today > case.due_on:
        steps.append(PlannedStep(
            Step.ESCALATE_HEAD, case.reference, "head", case.due_on + timedelta(days=1),
            case.deadline_version,
            why=f"statutory deadline {case.due_on.isoformat()} has passed with no response",
        ))
    return steps

