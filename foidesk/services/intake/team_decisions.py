"""An officer's one-word answer to a triage notice: REGISTER, NOT FOI, or LINK <reference>.

Accepted only from a member of the FOI team, and only when the message is
authenticated as a reviewer's decision is (DKIM or SPF pass for the authority's
domain, or a trusted relay): anyone can type "REGISTER" in an email. REGISTER
opens the case with the original message's arrival as the date of receipt, so the
statutory clock is right however long the message waited for a decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from foidesk.mail import InboundMessage, parse
from foidesk.register.models import Case, Message
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event
from foidesk.services.intake.new_requests import new_request
from foidesk.services.intake.notices import notify
from foidesk.services.intake.settings import IntakeSettings
from foidesk.services.responses import authenticated
from foidesk.triage import Decision, ReferenceFinder, Triage
from foidesk.triage.newtext import new_text
from foidesk.triage.requests import suggest_regime

WAITING = ("unsure",)  # an original still waiting for the team's decision


def team_decision(uow, message, triage, settings, arrived_at, now) -> Case | None:
    """Carry out the officer's decision on the message their triage notice was about."""
    officer = message.from_address
    if triage.command is None:
        return _refuse(uow, settings, message, triage, now,
                       "the reply did not begin with REGISTER, NOT FOI or LINK followed by a "
                       "reference")
    trust = authenticated(message, settings.responses) if settings.responses else None
    if trust is None:
        return _refuse(uow, settings, message, triage, now,
                       f"{triage.command[0]} from {officer} was not carried out: the message "
                       "is not authenticated (no DKIM or SPF pass for our domain, no trusted "
                       "relay)")
    verb, argument = triage.command
    original_id, _, target = argument.partition(" ")
    original = uow.session.scalar(select(Message).where(
        Message.direction == "in", Message.message_id == original_id).limit(1))
    if original is None or original.raw is None:
        return _refuse(uow, settings, message, triage, now,
                       f"{verb} could not be carried out: the original message {original_id} "
                       "is no longer in the register")
    if original.triage not in WAITING:
        return _refuse(uow, settings, message, triage, now,
                       f"{verb} was not carried out: the message was already decided "
                       f"({original.triage})")
    how = f"{verb} by {officer} ({trust})"
    if verb == "REGISTER":
        return _register(uow, original, officer, how, settings, now)
    if verb == "NOT FOI":
        original.triage, original.triage_reason = "not_foi", f"{original.triage_reason}; {how}"
        return None
    reference = ReferenceFinder(settings.reference_format).find(target)
    case = uow.cases.get(reference[0]) if reference else None
    if case is None:
        return _refuse(uow, settings, message, triage, now,
                       f"LINK was not carried out: no case {target!r} in the register")
    original.triage, original.triage_reason = "linked", f"{original.triage_reason}; {how}"
    original.case = case
    record_event(uow, case, "message_linked", actor=officer, now=now,
                 detail=f"{original.subject!r} from {original.from_addr} ({original.message_id}) "
                        f"filed on this case: {how}")
    return case


def _register(uow: SqlUnitOfWork, original: Message, officer: str, how: str,
              settings: IntakeSettings, now: datetime) -> Case:
    """Register the original as a request received when it arrived, then acknowledge and
    route it as intake would have."""
    assert original.raw is not None
    first = parse(original.raw, settings.size_limit)
    words = new_text(first.text, first.from_name)
    regime, why = suggest_regime(first.subject, words.body, settings.triage.scottish)
    triage = Triage(Decision.NEW_REQUEST, f"registered: {how}; {why}", regime=regime,
                    request_text=words.above_sign_off, reply_address=words.reply_address)
    case = new_request(uow, first, triage, settings, original.at, now)
    original.triage, original.triage_reason = "new_request", f"{original.triage_reason}; {how}"
    original.case = case
    record_event(uow, case, "registered_by_team", actor=officer, now=now,
                 detail=f"{how}; received {original.at.isoformat()}")
    return case


def _refuse(uow, settings: IntakeSettings, message: InboundMessage, triage: Triage,
            now: datetime, why: str) -> None:
    notify(uow, settings, "team_decision_refused", None, message, replace(triage, reason=why),
           now)
    return None
