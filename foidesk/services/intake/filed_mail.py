"""Mail that is filed rather than answered: automatic replies, bounces, feedback
reports, and what goes to the team to decide."""

from __future__ import annotations

from sqlalchemy import select

from foidesk.chasing import REMINDERS
from foidesk.register.models import (
    Assignment,
    Case,
    Message,
)
from foidesk.services.audit import record_event
from foidesk.services.cases import (
    london_date,
)
from foidesk.services.chasing import chase_cases, note_owner_away
from foidesk.services.intake.case_mail import case_of
from foidesk.services.intake.notices import notify
from foidesk.services.intake.settings import ACTOR
from foidesk.triage import Decision


def machine(uow, message, triage, settings, arrived_at, now) -> Case | None:
    """Auto-replies, feedback reports, bulk mail and spam are filed, never answered. An
    owner's out-of-office reroutes today's chase for their cases to their deputy."""
    case = case_of(uow, triage) if triage.case else None
    if triage.decision is Decision.AUTO_REPLY and message.from_address:
        _owner_away(uow, message.from_address, case, settings, arrived_at, now)
    return case


def _owner_away(uow, owner: str, case: Case | None, settings, arrived_at, now) -> None:
    if case is not None:
        cases = [case]
    else:
        cases = list(uow.session.scalars(
            select(Case).join(Assignment, Assignment.case_id == Case.id).where(
                Assignment.owner == owner, Assignment.state.in_(["pending", "holding"]))
        ).unique())
    away = [c for c in cases if note_owner_away(uow, c, owner, london_date(arrived_at), now)]
    if away and settings.chase is not None:
        uow.session.flush()
        chase_cases(uow, settings.chase, away, now=now, kinds=REMINDERS, actor=ACTOR)


def bounce(uow, message, triage, settings, arrived_at, now) -> Case | None:
    """Mark our message undelivered, flag its case, and tell the FOI team."""
    case = case_of(uow, triage) if triage.case else None
    if triage.bounced_message_ids:
        for row in uow.session.scalars(
            select(Message).where(Message.direction == "out",
                                  Message.message_id.in_(triage.bounced_message_ids))
        ):
            row.delivery_status = "bounced"
            if case is None and row.case is not None:
                case = row.case
    if case is not None:
        case.flags = sorted({*(case.flags or []), "delivery_failed"})
        record_event(uow, case, "delivery_failed", actor=ACTOR, now=now, detail=triage.reason)
    notify(uow, settings, "bounce", case, message, triage, now)
    return case


def unsure(uow, message, triage, settings, arrived_at, now) -> None:
    notify(uow, settings, "unsure", None, message, triage, now, arrived_at=arrived_at)
    return None
