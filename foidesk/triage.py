"""Triage: one decision and one reason for every message that reaches the FOI mailbox.

Pure rules over a parsed message and a small view of the register, so the same
message always gets the same decision and each rule can be read and tested on
its own. Machine-generated mail (bounces, auto-replies, feedback reports) is
recognised first: it must never be acknowledged, or two auto-responders would
write to each other for ever (RFC 3834 s2).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from foidesk.calendar import Regime
from foidesk.mail import InboundMessage
from foidesk.references import ReferenceFormat

# flufl.bounce logs a traceback whenever one of its detectors trips over a message; we
# already treat that as "no opinion", so its own error logging is only noise.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)


class Decision(StrEnum):
    NEW_REQUEST = "new_request"
    REQUESTER_REPLY = "requester_reply"
    CLARIFICATION = "clarification"
    REVIEW_REQUEST = "review_request"
    WITHDRAWAL = "withdrawal"
    OWNER_CONTRIBUTION = "owner_contribution"
    REVIEWER_DECISION = "reviewer_decision"
    OFFICER_DRAFT = "officer_draft"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    FEEDBACK_REPORT = "feedback_report"
    UNSURE = "unsure"


MACHINE_GENERATED = frozenset({Decision.AUTO_REPLY, Decision.BOUNCE, Decision.FEEDBACK_REPORT})


@dataclass(frozen=True)
class CaseView:
    """What triage needs to know of a case."""

    reference: str
    status: str
    regime: str
    requester_email: str | None
    owners: frozenset[str] = frozenset()


class CaseLookup(Protocol):
    def by_message_ids(self, message_ids: Iterable[str]) -> CaseView | None:
        """The case one of these (outbound or inbound) Message-IDs belongs to."""
        ...

    def by_reference(self, reference: str) -> CaseView | None: ...


@dataclass(frozen=True)
class TriagePolicy:
    """The authority's facts that triage needs."""

    reference_format: ReferenceFormat = field(default_factory=ReferenceFormat)
    internal_domains: frozenset[str] = frozenset()
    reviewers: frozenset[str] = frozenset()
    foi_address: str = ""
    scottish: bool = False


@dataclass(frozen=True)
class Triage:
    decision: Decision
    reason: str
    case: CaseView | None = None
    regime: Regime | None = None  # suggested regime of a new request
    bounced_message_ids: tuple[str, ...] = ()


# -- machine-generated mail ---------------------------------------------------------

BOUNCE_SENDERS = re.compile(
    r"^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|mdaemon|mailer|"
    r"mail\.?delivery\.?subsystem|microsoftexchange[0-9a-f]*|bounce[s]?|"
    r"nobody|root|double-bounce|maildelivery|mail-?admin|daemon|mta|post_?master)@",
    re.IGNORECASE,
)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|returned mail|return(ed)? to sender|delivery status notification|"
    r"failure notice|delivery fail|mail delivery|non[- ]?deliver|could not be delivered|"
    r"not delivered|delivery problem|delivery notification|delivery report|"
    r"mail system error|couldn'?t be delivered|message you sent|failed delivery|"
    r"mail failure|warning: could not send|permanent error|rejected|nicht zustellbar|"
    r"unzustellbar|non remis|delivery has failed|message blocked|message not sent|"
    r"bounced|error sending|mail error|notification d'état|"
    r"不達|エラー|配信|送信できません|返送|未達|Mail Delivery",
    re.IGNORECASE,
)
BOUNCE_BODY = re.compile(
    r"could not be delivered|couldn'?t be delivered|was not delivered|"
    r"delivery to the following recipient|permanent fatal error|undeliverable|"
    r"unable to deliver|wasn'?t able to deliver|delivery has failed|"
    r"this is the mail system at host|the following address(es)? had permanent|"
    r"message could not be sent|recipient address rejected|user unknown|"
    r"mailbox unavailable|no such user|does not exist|address rejected|"
    r"failed to deliver|message was rejected|delivery failed|"
    r"this is an automatically generated delivery status|returned to sender|"
    r"host or domain name not found|mail delivery failed|mailbox full|over quota",
    re.IGNORECASE,
)
DAEMON_NAMES = re.compile(r"^(mailer[- ]?daemon|mail delivery (system|subsystem)|postmaster)\b",
                          re.IGNORECASE)
FEEDBACK_SUBJECTS = re.compile(r"complaint about message|abuse report|feedback loop",
                               re.IGNORECASE)
AUTO_REPLY_SUBJECTS = re.compile(
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto[- ]?response|"
    r"autoresponder|away from (my|the) (desk|office)|on (annual )?leave|vacation|"
    r"abwesenheit|absence|réponse automatique|risposta automatica|respuesta automática|"
    r"i am (currently )?(out|away)|thank you for your (e-?mail|message)",
    re.IGNORECASE,
)


def feedback_report_reason(message: InboundMessage) -> str | None:
    """An abuse or feedback report (RFC 5965 ARF)."""
    if message.report_type == "feedback-report":
        return "multipart/report; report-type=feedback-report (RFC 5965)"
    if message.header("feedback-type") or "feedback-type:" in message.text.lower()[:4000]:
        return "Feedback-Type field (RFC 5965 abuse report)"
    if FEEDBACK_SUBJECTS.search(message.subject) and message.nested:
        return f"abuse complaint {message.subject[:60]!r} with the reported message attached"
    return None


def bounce_reason(message: InboundMessage) -> str | None:
    """A delivery status notification, by headers first, then by its well-known shapes."""
    if message.report_type == "delivery-status":
        return "multipart/report; report-type=delivery-status (RFC 3464)"
    if message.header("x-failed-recipients"):
        return "X-Failed-Recipients header"
    lower_text = message.text.lower()
    has_status = "status: 5." in lower_text or "status: 4." in lower_text
    if has_status and ("final-recipient:" in lower_text or "action: failed" in lower_text):
        return "delivery-status fields in the body (RFC 3464)"
    if BOUNCE_SENDERS.match(message.from_address) or (
        not message.from_address and DAEMON_NAMES.match(message.from_name)
    ):
        sender = message.from_address or message.from_name
        if BOUNCE_SUBJECTS.search(message.subject) or BOUNCE_BODY.search(message.text[:5000]):
            return f"sent by {sender} and reads as a delivery failure"
        if message.nested:
            return f"sent by {sender} with the original message attached"
        if DAEMON_NAMES.match(message.from_address) or DAEMON_NAMES.match(message.from_name):
            return f"sent by the mail system ({sender})"
    if BOUNCE_SUBJECTS.search(message.subject) and (
        BOUNCE_BODY.search(message.text[:5000]) or message.nested
        or message.header("return-path").strip() == "<>"
    ):
        return f"delivery-failure subject {message.subject[:60]!r} and body"
    if message.header("x-mailer-daemon-error") or (message.header("x-ses-outgoing") and (
        BOUNCE_BODY.search(message.text[:5000])
    )):
        return "mail system notification headers"
    return _flufl_reason(message)


def _flufl_reason(message: InboundMessage) -> str | None:
    """flufl.bounce knows many MTAs' formats; it raises on some messages, so it is wrapped."""
    try:
        from email import message_from_bytes

        from flufl.bounce import scan_message

        found = scan_message(message_from_bytes(message.raw))
    except Exception:
        return None
    if found:
        return "flufl.bounce recognised a bounce for " + ", ".join(
            sorted(a.decode(errors="replace") if isinstance(a, bytes) else str(a)
                   for a in found)[:3]
        )
    return None


def auto_reply_reason(message: InboundMessage) -> str | None:
    """RFC 3834 and the de-facto headers; many real out-of-office replies have none."""
    auto = message.header("auto-submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto} (RFC 3834)"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-response-suppress"):
        if message.header(name) and name != "x-auto-response-suppress":
            return f"{name} header"
    precedence = message.header("precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if "autoresponder" in message.header("x-post-messageclass").lower():
        return "X-POST-MessageClass: Autoresponder"
    if message.header("return-path").strip() == "<>":
        return "empty Return-Path (a message that must not be answered)"
    for name in ("list-id", "list-unsubscribe", "list-subscribe", "x-mlserver", "x-ml-name"):
        if message.header(name):
            return f"mailing-list software header {name}"
    if AUTO_REPLY_SUBJECTS.search(message.subject):
        return f"auto-reply subject {message.subject[:60]!r}"
    return None


# -- references and threading ---------------------------------------------------------


class ReferenceFinder:
    """Finds case references written tolerantly: `FOI 003787/18`, `FOI-3787-18`,
    `FOI3787/18`, `ref 003787/18`."""

    def __init__(self, fmt: ReferenceFormat) -> None:
        self.fmt = fmt
        literal = fmt.template.split("{", 1)[0]
        prefix = re.sub(r"[^A-Za-z]", "", literal) or "FOI"
        self.pattern = re.compile(
            rf"(?<![A-Za-z0-9])(?:{re.escape(prefix)}|ref(?:erence)?(?:\s*(?:no|number)\.?)?)"
            r"\s*[-:#.]?\s*(\d{1,9})\s*[/-]\s*(\d{4}|\d{2})(?!\d)",
            re.IGNORECASE,
        )

    def find(self, *texts: str) -> list[str]:
        found: list[str] = []
        for text in texts:
            for match in self.pattern.finditer(text or ""):
                seq, year = int(match.group(1)), match.group(2)
                full_year = int(year) if len(year) == 4 else 2000 + int(year)
                from datetime import date

                reference = self.fmt.render(seq, date(full_year, 1, 1))
                if reference not in found:
                    found.append(reference)
        return found


WITHDRAWAL = re.compile(
    r"\bwithdraw|no longer (require|need|want)|cancel (my|this|the) request|"
    r"please (close|cancel)",
    re.IGNORECASE,
)
REVIEW = re.compile(r"internal review|review (of )?(your|the) (decision|response|refusal)|"
                    r"appeal (against|your)|requirement for review", re.IGNORECASE)
REQUEST_SIGNS = re.compile(
    r"freedom of information|\bfoi(a|sa)?\b|environmental information|\beir\b|"
    r"subject access|data protection|\brequest\b|please (provide|send|supply|tell|confirm)|"
    r"i would like|i'd like|could you|can you|how many|how much|\bcopy of\b|"
    r"\binformation\b|\brecords?\b|\bdocuments?\b",
    re.IGNORECASE,
)
SAR_SIGNS = re.compile(
    r"subject access|my personal data|data (that )?you hold (about|on) me|"
    r"information (that )?you hold (about|on) me|article 15|\bSAR\b|right of access",
    re.IGNORECASE,
)
EIR_SIGNS = re.compile(
    r"environment|pollution|air quality|emission|contaminat|flood|waste|recycl|landfill|"
    r"noise|water quality|sewage|biodiversity|climate|pesticide|planning application|"
    r"tree preservation|energy (use|consumption)|carbon|fly[- ]?tipping|asbestos",
    re.IGNORECASE,
)


def suggest_regime(message: InboundMessage, policy: TriagePolicy) -> tuple[Regime, str]:
    """The regime a new request most likely falls under; an officer can change it."""
    text = f"{message.subject}\n{message.text[:20000]}"
    if SAR_SIGNS.search(text):
        return Regime.SAR, "asks for the requester's own personal data (UK GDPR art. 15)"
    if EIR_SIGNS.search(text):
        return Regime.EIR, "environmental subject matter (EIR reg 2(1))"
    if policy.scottish:
        return Regime.FOISA, "a Scottish public authority (FOISA)"
    return Regime.FOIA, "a request for recorded information (FOIA s1)"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def classify(message: InboundMessage, cases: CaseLookup, policy: TriagePolicy) -> Triage:
    """One decision and one reason for this message."""
    if reason := feedback_report_reason(message):
        return Triage(Decision.FEEDBACK_REPORT, reason)
    if reason := bounce_reason(message):
        return _bounce(message, cases, reason)
    if reason := auto_reply_reason(message):
        return Triage(Decision.AUTO_REPLY, reason)
    sender = message.from_address
    internal = _domain(sender) in policy.internal_domains
    case, how = _find_case(message, cases, policy)
    if case is not None:
        if sender in policy.reviewers:
            return Triage(Decision.REVIEWER_DECISION, f"from reviewer {sender}, {how}", case)
        if internal and re.search(r"^\s*outcome\s*:", _new_text(message.text), re.I | re.M):
            return Triage(Decision.OFFICER_DRAFT, f"answers from {sender}, {how}", case)
        if internal:
            return Triage(Decision.OWNER_CONTRIBUTION, f"from {sender} (internal), {how}", case)
        text = f"{message.subject}\n{_new_text(message.text)}"
        if WITHDRAWAL.search(text):
            return Triage(Decision.WITHDRAWAL, f"asks to withdraw, {how}", case)
        if case.status in ("responded", "closed") and REVIEW.search(text):
            return Triage(Decision.REVIEW_REQUEST, f"asks for an internal review, {how}", case)
        if case.status == "clarification_requested":
            return Triage(Decision.CLARIFICATION, f"reply while clarification sought, {how}",
                          case)
        return Triage(Decision.REQUESTER_REPLY, f"reply on the case, {how}", case)
    if internal:
        return Triage(Decision.UNSURE, f"internal sender {sender} but no case found")
    if not sender:
        return Triage(Decision.UNSURE, "no usable From address")
    if REQUEST_SIGNS.search(f"{message.subject}\n{message.text[:20000]}"):
        regime, why = suggest_regime(message, policy)
        return Triage(Decision.NEW_REQUEST, f"new request: {why}", regime=regime)
    return Triage(Decision.UNSURE, "does not read as a request for information")


def _find_case(
    message: InboundMessage, cases: CaseLookup, policy: TriagePolicy
) -> tuple[CaseView | None, str]:
    """Threading headers first (they cannot be mistyped), then a reference in the text."""
    thread = [*message.in_reply_to, *message.references]
    if thread and (case := cases.by_message_ids(thread)) is not None:
        return case, "threaded by In-Reply-To/References"
    finder = ReferenceFinder(policy.reference_format)
    for reference in finder.find(message.subject, message.text[:20000]):
        if (case := cases.by_reference(reference)) is not None:
            return case, f"reference {reference} in the text"
    return None, ""


def _new_text(text: str) -> str:
    """The part of a reply above the quoted original, so quoted words do not decide."""
    cut = re.split(
        r"^(?:>|On .{5,80} wrote:|-{2,}\s*Original Message|From: .+@)", text,
        maxsplit=1, flags=re.MULTILINE,
    )
    return cut[0]


def _bounce(message: InboundMessage, cases: CaseLookup, reason: str) -> Triage:
    """Which of our messages bounced: the original's Message-ID in the attached copy."""
    ids: list[str] = list(message.in_reply_to) + list(message.references)
    for nested in message.nested:
        head = nested.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        found = re.search(rb"^Message-ID:\s*(<[^>\s]+>)", head, re.IGNORECASE | re.MULTILINE)
        if found:
            ids.append(found.group(1).decode(errors="replace"))
    for found in re.finditer(r"^Message-ID:\s*(<[^>\s]+>)", message.text, re.I | re.M):
        ids.append(found.group(1))
    case = cases.by_message_ids(ids) if ids else None
    return Triage(Decision.BOUNCE, reason, case, bounced_message_ids=tuple(dict.fromkeys(ids)))
