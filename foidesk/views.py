"""Read models: cases as plain dicts, the stable shape behind `--json`.

The shapes are documented in README.md ("JSON output"); a field is only ever
added, never renamed or removed, within one `schema` version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from foidesk.calendar import WorkingDayCalendar, rule_for, working_days_between
from foidesk.register.models import Case, Event
from foidesk.services.cases import DeadlinePolicy, deadline_for
from foidesk.services.documents import document_summaries

CASES_SCHEMA = "foidesk.cases/1"
CASE_SCHEMA = "foidesk.case/1"


def working_days_left(case: Case, today: date, policy: DeadlinePolicy) -> int | None:
    """Working days from `today` to the due date: 0 on the day, negative when overdue."""
    if case.due_on is None:
        return None
    workdays = WorkingDayCalendar(rule_for(case.regime).scope, policy.overrides)
    return working_days_between(today, case.due_on, workdays)


def case_summary(case: Case, today: date, policy: DeadlinePolicy) -> dict[str, Any]:
    requester = case.requester
    return {
        "reference": case.reference,
        "regime": case.regime,
        "status": case.status,
        "subject": case.subject,
        "received_on": case.received_on.isoformat(),
        "due_on": _iso(case.due_on),
        "working_days_left": working_days_left(case, today, policy),
        "requester": {
            "name": requester.name if requester else None,
            "email": requester.email if requester else None,
        },
        "language": case.language or "en",
    }


def cases_document(cases: Sequence[Case], today: date, policy: DeadlinePolicy) -> dict[str, Any]:
    return {
        "schema": CASES_SCHEMA,
        "as_of": today.isoformat(),
        "cases": [case_summary(case, today, policy) for case in cases],
    }


def link_summary(case: Case) -> dict[str, Any]:
    """A linked case in one line: which, what, where it stands."""
    return {"reference": case.reference, "regime": case.regime, "status": case.status,
            "received_on": case.received_on.isoformat(), "due_on": _iso(case.due_on),
            "outcome": case.outcome, "in_time": case.in_time}


def case_document(
    case: Case, events: Sequence[Event], today: date, policy: DeadlinePolicy,
    *, linked_to: Case | None = None, linked: Sequence[Case] = (),
) -> dict[str, Any]:
    deadline = deadline_for(case, policy)
    document = {"schema": CASE_SCHEMA, **case_summary(case, today, policy)}
    document.update(
        {
            "received_at": _iso(case.received_at),
            "deadline_version": case.deadline_version,
            "extension": case.extension,
            "outcome": case.outcome,
            "responded_at": _iso(case.responded_at),
            "in_time": case.in_time,
            "external_reference": case.external_reference,
            "linked_to": link_summary(linked_to) if linked_to is not None else None,
            "linked_cases": [link_summary(c) for c in linked],
            "documents": document_summaries(case),
            "deadline_explanation": deadline.explain().splitlines(),
            "questions": [
                {"number": q.number, "text": q.text, "answer": q.answer} for q in case.questions
            ],
            "assignments": [
                {
                    "owner": a.owner,
                    "deputy": a.deputy,
                    "internal_due_on": _iso(a.internal_due_on),
                    "state": a.state,
                }
                for a in case.assignments
            ],
            "clock_events": [
                {"kind": c.kind, "on": _iso(c.on), "days": c.days, "note": c.note}
                for c in case.clock_events
            ],
            "events": [
                {
                    "at": _iso(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "before": e.before,
                    "after": e.after,
                    "detail": e.detail,
                }
                for e in events
            ],
        }
    )
    return document


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()
