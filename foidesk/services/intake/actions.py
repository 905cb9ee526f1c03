"""Which action each triage decision takes: one table."""

from __future__ import annotations

from foidesk.services.intake.case_mail import (
    clarification,
    officer_draft,
    owner_contribution,
    regulator_mail,
    requester_reply,
    review_request,
    reviewer_decision,
    withdrawal,
)
from foidesk.services.intake.escalation_replies import escalation_reply
from foidesk.services.intake.filed_mail import bounce, machine, unsure
from foidesk.services.intake.new_requests import new_request
from foidesk.services.intake.settings import Action
from foidesk.services.intake.team_decisions import team_decision
from foidesk.triage import Decision

ACTIONS: dict[Decision, Action] = {
    Decision.NEW_REQUEST: new_request,
    Decision.REQUESTER_REPLY: requester_reply,
    Decision.CLARIFICATION: clarification,
    Decision.REVIEW_REQUEST: review_request,
    Decision.WITHDRAWAL: withdrawal,
    Decision.OWNER_CONTRIBUTION: owner_contribution,
    Decision.REVIEWER_DECISION: reviewer_decision,
    Decision.OFFICER_DRAFT: officer_draft,
    Decision.REGULATOR_MAIL: regulator_mail,
    Decision.ESCALATION_REPLY: escalation_reply,
    Decision.AUTO_REPLY: machine,
    Decision.FEEDBACK_REPORT: machine,
    Decision.BOUNCE: bounce,
    Decision.BULK: machine,
    Decision.SPAM: machine,
    Decision.TEAM_DECISION: team_decision,
    Decision.UNSURE: unsure,
}
