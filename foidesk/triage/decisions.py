"""What triage decides, and what it needs to know of the register and the authority."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from foidesk.calendar import Regime
from foidesk.references import ReferenceFormat


class Decision(StrEnum):
    NEW_REQUEST = "new_request"
    REQUESTER_REPLY = "requester_reply"
    CLARIFICATION = "clarification"
    REVIEW_REQUEST = "review_request"
    WITHDRAWAL = "withdrawal"
    OWNER_CONTRIBUTION = "owner_contribution"
    REVIEWER_DECISION = "reviewer_decision"
    OFFICER_DRAFT = "officer_draft"
    REGULATOR_MAIL = "regulator_mail"  # the ICO or the Scottish Commissioner, about a case
    ESCALATION_REPLY = "escalation_reply"  # REASSIGN / EXTEND / CHASED to an escalation
    TEAM_DECISION = "team_decision"  # REGISTER / NOT FOI / LINK on an unsure message
    AUTO_REPLY = "auto_reply"  # out-of-office, read receipts, calendar responses
    BOUNCE = "bounce"
    FEEDBACK_REPORT = "feedback_report"
    BULK = "bulk"  # newsletters, list mail, system notifications
    SPAM = "spam"  # the mail gateway's verdict, or the plain shape of a scam
    UNSURE = "unsure"


# Mail that a machine wrote: never answered (RFC 3834 s2), never a case.
MACHINE_GENERATED = frozenset({Decision.AUTO_REPLY, Decision.BOUNCE, Decision.FEEDBACK_REPORT,
                               Decision.BULK})


@dataclass(frozen=True)
class CaseView:
    """What triage needs to know of a case."""

    reference: str
    status: str
    regime: str
    requester_email: str | None
    owners: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TriageNotice:
    """Our `unsure` notice to the team about one inbound message, found by threading."""

    original_message_id: str


@dataclass(frozen=True)
class ChaseDigest:
    """Our reminder or escalation email that a reply answers: to whom, about which cases."""

    recipient: str
    references: tuple[str, ...]


class CaseLookup(Protocol):
    def by_message_ids(self, message_ids: Iterable[str]) -> CaseView | None:
        """The case one of these (outbound or inbound) Message-IDs belongs to."""
        ...

    def by_reference(self, reference: str) -> CaseView | None: ...

    def triage_notice(self, message_ids: Iterable[str]) -> TriageNotice | None:
        """Our triage notice to the team that one of these Message-IDs names."""
        ...

    def chase_digest(self, message_ids: Iterable[str]) -> ChaseDigest | None:
        """Our chase or escalation digest that one of these Message-IDs names."""
        ...


@dataclass(frozen=True)
class TriagePolicy:
    """The authority's facts that triage needs."""

    reference_format: ReferenceFormat = field(default_factory=ReferenceFormat)
    internal_domains: frozenset[str] = frozenset()
    reviewers: frozenset[str] = frozenset()
    team_members: frozenset[str] = frozenset()
    foi_address: str = ""
    scottish: bool = False
    # The Commissioners' mail domains: their letters about a case are filed for the officer.
    regulator_domains: frozenset[str] = frozenset({"ico.org.uk", "foi.scot",
                                                   "itspublicknowledge.info"})


@dataclass(frozen=True)
class Forwarded:
    """A request that reached someone else first and was forwarded to the FOI mailbox:
    the original sender is the requester, and its date is the date of receipt."""

    name: str
    address: str
    sent_at: datetime | None
    subject: str
    text: str
    forwarded_by: str


@dataclass(frozen=True)
class Triage:
    decision: Decision
    reason: str
    case: CaseView | None = None
    regime: Regime | None = None  # suggested regime of a new request
    bounced_message_ids: tuple[str, ...] = ()
    request_text: str = ""  # a new request's own words: no quotes, signature or footer
    forwarded: Forwarded | None = None
    command: tuple[str, str] | None = None  # a team decision: (verb, argument)
    reply_address: str | None = None  # where replies must go, when the message says so
    language: str | None = None  # of the new text ("cy", "en"); None: too short to tell
