"""Run the chase and the escalation ladder for one day: digests, logged under keys."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foidesk.calendar import RULES, Regime, WorkingDayCalendar, working_days_between
from foidesk.chasing import (
    ESCALATIONS,
    NOT_CHASED,
    REMINDERS,
    AssignmentFacts,
    CaseFacts,
    PlannedStep,
    Schedule,
    Step,
    plan_today,
)
from foidesk.notifications import chase_notice
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.register.models import Case, ChaseRecord
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, london_date

KINDS = {"chase": REMINDERS, "escalate": ESCALATIONS}


@dataclass(frozen=True)
class ChaseSettings:
    schedule: Schedule
    renderer: Renderer
    authority: object  # services.intake.AuthorityView
    deadlines: DeadlinePolicy
    manager: str | None = None
    head: str | None = None

    @property
    def domain(self) -> str:
        return self.authority.foi_address.rsplit("@", 1)[-1]  # type: ignore[attr-defined]


@dataclass
class ChaseReport:
    digests: dict[str, list[str]] = field(default_factory=dict)  # recipient -> step keys

    @property
    def emails(self) -> int:
        return len(self.digests)


def run_chase(
    uow: SqlUnitOfWork, settings: ChaseSettings, *, now: datetime, kind: str = "chase",
) -> ChaseReport:
    """Plan today's steps, skip those already logged, and queue one digest per recipient."""
    with uow:
        cases = uow.session.scalars(
            select(Case).where(Case.status.not_in([s.value for s in NOT_CHASED]))
            .options(selectinload(Case.assignments), selectinload(Case.questions))
        ).all()
        report = chase_cases(uow, settings, cases, now=now, kinds=KINDS[kind], actor=kind)
        uow.commit()
    return report


def chase_cases(
    uow: SqlUnitOfWork, settings: ChaseSettings, cases, *, now: datetime,
    kinds: frozenset[Step], actor: str,
) -> ChaseReport:
    """The chase for these cases inside the caller's transaction (the caller commits)."""
    today = london_date(now)
    report = ChaseReport()
    done = set(uow.session.scalars(
        select(ChaseRecord.key).where(ChaseRecord.case_id.in_([c.id for c in cases]))
    ).all())
    calendars: dict[object, WorkingDayCalendar] = {}
    by_recipient: dict[str, list[tuple[PlannedStep, Case]]] = defaultdict(list)
    for case in cases:
        scope = RULES[Regime(case.regime)].scope
        workdays = calendars.setdefault(
            scope, WorkingDayCalendar(scope, settings.deadlines.overrides))
        for step in plan_today(_facts(case), settings.schedule, workdays, today,
                               frozenset(kinds)):
            recipient = _recipient(step, settings)
            if recipient and step.key not in done:
                by_recipient[recipient].append((step, case))
    for recipient, items in sorted(by_recipient.items()):
        outbox_key = _queue_digest(uow, settings, recipient, items, today, now)
        report.digests[recipient] = [step.key for step, _ in items]
        for step, case in items:
            uow.session.add(ChaseRecord(
                key=step.key, case_id=case.id,
                assignment_id=step.assignment.id if step.assignment else None,
                step=step.step.value, deadline_version=step.deadline_version,
                recipient=recipient, planned_on=step.planned_on, sent_on=today,
                outbox_key=outbox_key, why=step.why,
            ))
            action = "chased" if step.step in REMINDERS else "escalated"
            record_event(uow, case, action, actor=actor, now=now,
                         after={"step": step.step.value, "recipient": recipient},
                         detail=step.why)
    return report


def _facts(case: Case) -> CaseFacts:
    return CaseFacts(
        reference=case.reference, status=case.status, due_on=case.due_on,
        deadline_version=case.deadline_version,
        assignments=tuple(
            AssignmentFacts(a.id, a.owner, a.deputy, a.internal_due_on,
                            london_date(a.created_at), a.owner_away_on)
            for a in case.assignments if a.state in ("pending", "holding")
        ),
    )


def _recipient(step: PlannedStep, settings: ChaseSettings) -> str | None:
    if step.role == "owner":
        return step.assignment.owner if step.assignment else None
    if step.role == "deputy":
        return step.assignment.deputy if step.assignment else None
    return settings.manager if step.role == "manager" else settings.head


def _queue_digest(
    uow: SqlUnitOfWork, settings: ChaseSettings, recipient: str,
    items: list[tuple[PlannedStep, Case]], today: date, now: datetime,
) -> str:
    lines = [_line(step, case, settings, today) for step, case in items]
    cases = {case.id: case for _, case in items}
    single = next(iter(cases.values())) if len(cases) == 1 else None
    rendered = settings.renderer.email(
        "chase_digest", authority=settings.authority, items=lines, today=today, single=single,
        recipient=recipient,
    )
    envelope = from_authority(settings.authority, (recipient,))
    message = compose(rendered, envelope, domain=settings.domain, now=now)
    digest = hashlib.sha256("|".join(sorted(s.key for s, _ in items)).encode()).hexdigest()
    key = f"chase:{recipient}:{today.isoformat()}:{digest[:16]}"
    enqueue(uow, key, message, envelope, case=single, now=now)
    return key


def _line(step: PlannedStep, case: Case, settings: ChaseSettings, today: date) -> dict:
    workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope, settings.deadlines.overrides)
    assignment = step.assignment
    due = case.due_on
    days_left = working_days_between(today, due, workdays) if due else None
    headline = chase_notice(step.step.value).headline.format(
        internal_due=_uk(assignment.internal_due_on) if assignment else "",
        owner=assignment.owner if assignment else "",
        due=_uk(due) if due else "",
        days_left=days_left if days_left is not None else "",
        days_late=-days_left if days_left is not None else "",
    )
    return {
        "reference": case.reference,
        "subject": case.subject,
        "headline": headline,
        "why": step.why,
        "internal_due_on": assignment.internal_due_on if assignment else None,
        "due_on": due,
        "working_days_left": days_left,
        "needed": [f"{q.number}. {q.text}" for q in case.questions] or [case.subject],
        "reply_subject": f"Re: [{case.reference}] {case.subject}",
        "owner": assignment.owner if assignment else None,
        "step": step.step.value,
    }


def _uk(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def note_owner_away(uow: SqlUnitOfWork, case: Case, owner: str, on: date, now: datetime) -> bool:
    """An owner's out-of-office: today's chase for them goes to their deputy instead."""
    rerouted = False
    for assignment in case.assignments:
        if assignment.owner == owner and assignment.state in ("pending", "holding"):
            assignment.owner_away_on = on
            record_event(uow, case, "owner_out_of_office", actor="intake", now=now,
                         detail=f"{owner} is away on {on}; chasing goes to "
                                f"{assignment.deputy or 'nobody (no deputy)'} today")
            rerouted = True
    return rerouted


__all__ = ["ChaseReport", "ChaseSettings", "Step", "chase_cases", "note_owner_away", "run_chase"]
