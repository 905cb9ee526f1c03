"""Who is emailed when: one table of data, not rules spread over code.

Each row: the event, the template under `templates/email/`, the audience
(requester, owner, foi_team, or the colleague who forwarded a request), a headline
for team notices, and whether the original message goes along as an attachment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    event: str
    template: str
    audience: str  # "requester" | "owner" | "foi_team" | "forwarder"
    headline: str = ""
    attach_original: bool = False


NOTICES: tuple[Notice, ...] = (
    Notice("acknowledgement", "acknowledgement", "requester"),
    Notice("owner_task", "owner_task", "owner"),
    Notice("unrouted", "team_notice", "foi_team",
           "New request {reference} has no owner: please assign one"),
    Notice("forwarded_request", "forward_registered", "forwarder"),
    Notice("repeat_request", "repeat_acknowledgement", "requester"),
    Notice("repeat_request", "team_notice", "foi_team",
           "A repeat of {reference} was linked to it: no new case", attach_original=True),
    Notice("requester_reply", "team_notice", "foi_team",
           "The requester replied on {reference}", attach_original=True),
    Notice("clarification_received", "clarification_received", "requester"),
    Notice("clarification_received", "team_notice", "foi_team",
           "Clarification received on {reference}: the clock has restarted",
           attach_original=True),
    Notice("review_acknowledgement", "review_acknowledgement", "requester"),
    Notice("review_acknowledgement", "team_notice", "foi_team",
           "Review or complaint {reference} opened: acknowledged to the requester",
           attach_original=True),
    Notice("extension_asked", "team_notice", "foi_team",
           "An extension is asked for on {reference}: apply it or answer", attach_original=True),
    Notice("regulator_mail", "team_notice", "foi_team",
           "The Commissioner wrote about {reference}: filed on the case", attach_original=True),
    Notice("withdrawal_confirmed", "withdrawal_confirmed", "requester"),
    Notice("withdrawal", "team_notice", "foi_team",
           "The requester withdrew {reference}", attach_original=True),
    Notice("owner_contribution", "team_notice", "foi_team",
           "An owner replied on {reference}", attach_original=True),
    Notice("reviewer_message", "team_notice", "foi_team",
           "The reviewer replied on {reference}", attach_original=True),
    Notice("bounce", "team_notice", "foi_team",
           "A message from the FOI team could not be delivered{on_case}",
           attach_original=True),
    Notice("unsure", "team_triage", "foi_team", attach_original=True),
    Notice("quarantined", "quarantine_notice", "foi_team"),
    Notice("team_decision_refused", "team_notice", "foi_team",
           "Your triage decision was NOT carried out: see why below", attach_original=True),
    Notice("draft_refused", "team_notice", "foi_team",
           "Your answers for {reference} could not become a draft: see why below",
           attach_original=True),
    Notice("refused_sender", "team_notice", "foi_team",
           "A message on {reference} was REFUSED: its sender may not do this",
           attach_original=True),
    Notice("forged_decision", "team_notice", "foi_team",
           "A review decision on {reference} was REFUSED: it could not be authenticated "
           "or did not come from an authorised reviewer", attach_original=True),
)


def notices_for(event: str) -> list[Notice]:
    return [notice for notice in NOTICES if notice.event == event]


@dataclass(frozen=True)
class ChaseNotice:
    """One row of the chase and escalation ladder: who gets it, and what the line says."""

    step: str
    audience: str  # "owner" | "deputy" | "manager" | "head"
    headline: str


# Every reminder and escalation, as data. All of one recipient's rows in one run go out
# as a single digest (templates/email/chase_digest.*), one line per case.
CHASE_LADDER: tuple[ChaseNotice, ...] = (
    ChaseNotice("reminder_before", "owner",
                "Reminder: your information is due on {internal_due}"),
    ChaseNotice("reminder_due", "owner", "Due today: please send your information"),
    ChaseNotice("reminder_overdue", "owner",
                "Overdue: your information was due on {internal_due}"),
    ChaseNotice("escalate_deputy", "deputy",
                "Escalated to you as deputy: {owner} has not sent the information due "
                "on {internal_due}"),
    ChaseNotice("escalate_manager", "manager",
                "Statutory deadline {due} is {days_left} and no response is approved"),
    ChaseNotice("escalate_head", "head",
                "Statutory deadline {due} missed: {days_late}"),
)


def chase_notice(step: str) -> ChaseNotice:
    return next(notice for notice in CHASE_LADDER if notice.step == step)
