"""Who is emailed when: one table of data, not rules spread over code.

Each row: the event, the template under `templates/email/`, the audience
(requester, owner, foi_team), a headline for team notices, and whether the
original message goes along as an attachment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    event: str
    template: str
    audience: str  # "requester" | "owner" | "foi_team"
    headline: str = ""
    attach_original: bool = False


NOTICES: tuple[Notice, ...] = (
    Notice("acknowledgement", "acknowledgement", "requester"),
    Notice("owner_task", "owner_task", "owner"),
    Notice("unrouted", "team_notice", "foi_team",
           "New request {reference} has no owner: please assign one"),
    Notice("repeat_request", "team_notice", "foi_team",
           "A near-identical request was linked to {reference}", attach_original=True),
    Notice("requester_reply", "team_notice", "foi_team",
           "The requester replied on {reference}", attach_original=True),
    Notice("clarification_received", "clarification_received", "requester"),
    Notice("clarification_received", "team_notice", "foi_team",
           "Clarification received on {reference}: the clock has restarted",
           attach_original=True),
    Notice("review_acknowledgement", "review_acknowledgement", "requester"),
    Notice("review_acknowledgement", "team_notice", "foi_team",
           "Internal review requested on {reference}", attach_original=True),
    Notice("withdrawal", "team_notice", "foi_team",
           "The requester withdrew {reference}", attach_original=True),
    Notice("owner_contribution", "team_notice", "foi_team",
           "An owner replied on {reference}", attach_original=True),
    Notice("reviewer_message", "team_notice", "foi_team",
           "The reviewer replied on {reference}", attach_original=True),
    Notice("bounce", "team_notice", "foi_team",
           "A message from the FOI team could not be delivered {reference}",
           attach_original=True),
    Notice("unsure", "team_triage", "foi_team", attach_original=True),
)


def notices_for(event: str) -> list[Notice]:
    return [notice for notice in NOTICES if notice.event == event]
