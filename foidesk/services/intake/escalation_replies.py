"""One-line answers to an escalation, from the person it was sent to:

    REASSIGN name@domain        the work moves to that owner, who gets their task
    EXTEND PIT <reason>         the FOI team is asked to apply the extension (never applied
    EXTEND COMPLEX <reason>     by itself: an extension is a letter to the requester)
    CHASED                      acknowledged: recorded on the case

Accepted only from the escalation's recipient, and only when the message is authenticated
as reviewers' decisions are; anything else is refused, audited, and the team is told.
"""

from __future__ import annotations

import re
from dataclasses import replace

from foidesk.calendar import RULES, Regime, WorkingDayCalendar, add_working_days
from foidesk.services.assignments import give_to, take_from_others
from foidesk.services.audit import record_event
from foidesk.services.cases import london_date
from foidesk.services.intake.case_mail import case_of, refuse
from foidesk.services.intake.notices import notify
from foidesk.services.responses import authenticated
from foidesk.triage.classify import valid_address

ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def escalation_reply(uow, message, triage, settings, arrived_at, now):
    case = case_of(uow, triage)
    verb, packed = triage.command or ("", "|")
    recipient, rest = packed.split("|", 1)
    sender = message.from_address.lower()
    trust = authenticated(message, settings.responses) if settings.responses else None
    if sender != recipient.lower() or trust is None:
        return refuse(uow, case, "escalation_reply_refused", message, triage, settings, now,
                      f"{verb} from {sender}: only {recipient}, to whom the escalation went, "
                      "may answer it, from within the authority (authenticated); nothing "
                      "changed")
    if verb == "REASSIGN":
        return _reassign(uow, case, message, triage, settings, rest, now, trust)
    if verb == "EXTEND":
        kind = rest.split()[0].upper() if rest.split() else ""
        if kind not in ("PIT", "COMPLEX"):
            return refuse(uow, case, "escalation_reply_refused", message, triage, settings,
                          now, f"EXTEND needs PIT or COMPLEX and a reason, got {rest!r}")
        why = rest[len(kind):].strip(" :-") or "(no reason given)"
        record_event(uow, case, "extension_asked", actor=sender, now=now,
                     detail=f"{kind} extension asked for by {sender} ({trust}): {why}")
        notify(uow, settings, "extension_asked", case, message, replace(
            triage, reason=f"{sender} asks you to apply a {kind} extension: {why}. It is "
                           "not applied until you do (foidesk extend)"), now)
        return case
    record_event(uow, case, "escalation_acknowledged", actor=sender, now=now,
                 detail=f"CHASED by {sender} ({trust})")
    return case


def _reassign(uow, case, message, triage, settings, rest, now, trust):
    found = ADDRESS.search(rest)
    owner = found.group(0).lower() if found else ""
    if not owner or not valid_address(owner):
        return refuse(uow, case, "escalation_reply_refused", message, triage, settings, now,
                      f"REASSIGN needs the new owner's email address, got {rest!r}")
    take_from_others(uow, case, owner, actor=message.from_address, now=now,
                     detail=f"REASSIGN by reply ({trust})")
    workdays = WorkingDayCalendar(RULES[Regime(case.regime)].scope, settings.deadlines.overrides)
    due = add_working_days(london_date(now), settings.internal_due_working_days, workdays)
    if case.due_on is not None:
        due = min(due, case.due_on)
    assignment = give_to(uow, case, owner, due=due, actor=message.from_address, now=now,
                         detail="REASSIGN by reply to an escalation")
    notify(uow, settings, "owner_task", case, message, triage, now, assignment=assignment,
           routing_rule=f"reassigned by {message.from_address}", unthreaded=True)
    return case
