"""The audit trail: every change to a case writes one event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from foidesk.register import row_buffer
from foidesk.register.models import Case, Event, EventDetail
from foidesk.register.unit_of_work import SqlUnitOfWork


def record_event(
    uow: SqlUnitOfWork,
    case: Case | None,
    action: str,
    *,
    actor: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> Event | None:
    """Append one event (who, when, what, before/after) to the audit trail: an ORM object,
    or, while intake acts on a message, a row written with the message's others."""
    if row_buffer.active(uow.session) is not None:
        row_buffer.add_event(uow.session, case, {
            "at": now, "actor": actor, "action": action, "before": before, "after": after,
            "detail": detail})
        return None
    event = Event(
        case=case,
        at=now,
        actor=actor,
        action=action,
        before=before,
        after=after,
        detail=detail,
    )
    uow.session.add(event)
    return event


def append_events(uow: SqlUnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Append many events in one multi-row INSERT each for the skeletons and the details
    (each row: case_id, at, actor, action, before, after, detail); for sweeps that audit
    thousands of steps at once."""
    if not rows:
        return
    skeletons = [{k: row[k] for k in ("case_id", "at", "actor", "action")} for row in rows]
    ids = uow.session.scalars(
        insert(Event).returning(Event.id, sort_by_parameter_order=True), skeletons).all()
    details = [{"event_id": event_id, "before": row.get("before"), "after": row.get("after"),
                "detail": row.get("detail") or ""} for event_id, row in zip(ids, rows,
                                                                           strict=True)]
    uow.session.execute(insert(EventDetail), details)
