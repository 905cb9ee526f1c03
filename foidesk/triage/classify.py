"""One decision and one reason for every message that reaches the FOI mailbox.

The order is the order in which an officer reads: machine mail first (bounces,
automatic replies, read receipts, bulk mail), then the mail gateway's spam verdict,
then threading (our Message-IDs, our references), and only then the *new* text of
the message. Every reason starts with the rule's name and quotes the words that
decided it, so the register says why each message went where it went.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from foidesk.language import detect_language
from foidesk.mail import InboundMessage, parse, parse_address
from foidesk.triage.decisions import (
    CaseLookup,
    CaseView,
    Decision,
    Forwarded,
    Triage,
    TriagePolicy,
)
from foidesk.triage.machine import (
    auto_reply_reason,
    bounce_reason,
    bulk_reason,
    feedback_report_reason,
    is_no_reply_sender,
    newsletter_shape,
    null_sender_reason,
)
from foidesk.triage.newtext import NewText, new_text, request_words
from foidesk.triage.references import ReferenceFinder
from foidesk.triage.requests import (
    DP_COMPLAINT,
    LAW_REQUEST,
    RESEND,
    REVIEW,
    WITHDRAWAL,
    authority_reply_reason,
    not_a_request_reason,
    request_reason,
    suggest_regime,
)
from foidesk.triage.spam import gateway_verdict, scam_reason

LONDON = ZoneInfo("Europe/London")
REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|vs|antw|ynt|odp|res|rif)\s*(?:\[\d+\])?\s*:", re.I)
FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|wg|tr|rv|ymlaen)\s*(?:\[\d+\])?\s*:", re.I)
TEAM_COMMAND = re.compile(
    r"^\s*(?:(register|cofrestru)|(not\s*foi|nid\s*foi)|(link|cysylltu)\s+(.{3,40}?))\s*[.!]?\s*$",
    re.IGNORECASE | re.MULTILINE)

MachineRule = tuple[str, Decision, Callable[[InboundMessage], str | None]]
# Mail that a machine wrote, in the order its signs are most certain.
MACHINE_RULES: tuple[MachineRule, ...] = (
    ("feedback-report", Decision.FEEDBACK_REPORT, feedback_report_reason),
    ("bounce", Decision.BOUNCE, bounce_reason),
    ("auto-reply", Decision.AUTO_REPLY, auto_reply_reason),
    ("null-sender", Decision.BOUNCE, null_sender_reason),
    ("bulk", Decision.BULK, bulk_reason),
)


def classify(message: InboundMessage, cases: CaseLookup, policy: TriagePolicy) -> Triage:
    """One decision and one reason for this message."""
    for name, decision, rule in MACHINE_RULES:
        if reason := rule(message):
            if decision is Decision.BOUNCE:
                return _bounce(message, cases, f"{name}: {reason}")
            return Triage(decision, f"{name}: {reason}")
    thread = [*message.in_reply_to, *message.references]
    threaded = cases.by_message_ids(thread) if thread else None
    verdict = gateway_verdict(message)
    if verdict and threaded is None:  # the gateway can be wrong about a reply of ours
        return Triage(Decision.SPAM, f"spam-verdict: {verdict}")
    text = new_text(message.text, message.from_name)
    triage = _from_a_person(message, text, thread, threaded, cases, policy)
    words = triage.request_text or text.above_sign_off or text.body
    return replace(triage, language=detect_language(words))


def _from_a_person(message: InboundMessage, text: NewText, thread: list[str],
                   threaded: CaseView | None, cases: CaseLookup,
                   policy: TriagePolicy) -> Triage:
    """Mail a person wrote: to a case, to the team, or new."""
    sender = message.from_address
    if thread and (notice := cases.triage_notice(thread)) is not None:
        return _team_reply(message, text, notice.original_message_id, policy)
    if thread and (digest := cases.chase_digest(thread)) is not None and \
            (found := escalation_command(text.body)) is not None:
        return _escalation_reply(message, found, digest, cases)
    case, how = (threaded, "threaded by In-Reply-To/References") if threaded else \
        _case_by_reference(message, text, cases, policy)
    if case is not None:
        return _on_case(message, text, case, how, policy)
    if reason := scam_reason(message, text.body):
        return Triage(Decision.SPAM, f"scam: {reason}")
    if not valid_address(message.reply_address):
        shown = message.reply_address or message.from_name or "nothing"
        return Triage(Decision.UNSURE, f"no-address: the sender's address ({shown!r}) is not "
                                       "a valid email address, so nothing can be sent to it")
    if _domain(sender) in _internal(policy):
        return _from_colleague(message, text, policy)
    return _from_outside(message, text, thread, policy)


def _from_outside(message: InboundMessage, text: NewText, thread: list[str],
                  policy: TriagePolicy) -> Triage:
    """A message from outside the authority that no case of ours is waiting for."""
    subject = message.subject
    if thread:
        return Triage(Decision.UNSURE, f"unknown-thread: a reply into a thread we have no "
                                       f"case for (In-Reply-To {thread[0][:80]})")
    if REPLY_PREFIX.match(subject):
        return Triage(Decision.UNSURE, f"unknown-thread: a reply ({subject[:60]!r}) to a "
                                       "message we have no case for")
    finder = ReferenceFinder(policy.reference_format)
    unknown = finder.find(subject, text.body, own_prefix_only=True)
    if unknown:
        return Triage(Decision.UNSURE, f"unknown-reference: quotes {unknown[0]}, a reference "
                                       "we never issued")
    body, words = text.body, text.above_sign_off
    if FORWARD_PREFIX.match(subject) or text.forwarded is not None:
        own = _forwarded_own_request(message, text)
        if own is None:
            return Triage(Decision.UNSURE, f"forward: {message.from_address} forwarded a "
                                           "message written by someone else")
        body, words = own, request_words(own, (message.from_name,))
    if found := REVIEW.search(f"{subject}\n{body}"):
        return Triage(Decision.UNSURE, f"unknown-review: asks for a review ({found.group(0)!r}) "
                                       "of a request we have no record of")
    if reason := authority_reply_reason(f"{subject}\n{body}"):
        return Triage(Decision.UNSURE, f"authority-reply: {reason}")
    if (shape := newsletter_shape(message)) and not LAW_REQUEST.search(f"{subject}\n{words}"):
        return Triage(Decision.BULK, f"newsletter: {shape}")
    if reason := not_a_request_reason(subject, body):
        return Triage(Decision.UNSURE, f"not-a-request: {reason}")
    if _undisclosed(message):
        return Triage(Decision.UNSURE, "mass-mailing: sent to undisclosed recipients, not to "
                                       "the FOI mailbox")
    reason = request_reason(subject, words, len(message.attachments))
    if reason is None:
        if is_no_reply_sender(message.reply_address):
            return Triage(Decision.BULK, f"notification: from {message.reply_address}, an "
                                         "address that takes no replies")
        return Triage(Decision.UNSURE, "no-request: does not read as a request for recorded "
                                       "information")
    if is_no_reply_sender(message.reply_address):
        return Triage(Decision.UNSURE, f"no-reply-sender: {reason}, but from an address that "
                                       "takes no replies")
    regime, why = suggest_regime(subject, body, policy.scottish)
    resend = RESEND.search(body)
    return Triage(Decision.NEW_REQUEST, f"new-request: {reason}; {why}"
                  + (f"; says it is a resend ({resend.group(0)!r})" if resend else ""),
                  regime=regime, request_text=words,
                  reply_address=text.reply_address)


def _undisclosed(message: InboundMessage) -> bool:
    """Sent to nobody by name ("undisclosed-recipients:;"): a mass mailing by Bcc."""
    to = f"{message.header('to')} {message.header('cc')}".lower()
    return "undisclosed-recipients" in to or "undisclosed recipients" in to


def _forwarded_own_request(message: InboundMessage, text: NewText) -> str | None:
    """The forwarded text when the sender forwards their own earlier message."""
    original = _forwarded_original(message, text)
    if original is None or original.address != message.from_address:
        return None
    return original.text


def _from_colleague(message: InboundMessage, text: NewText, policy: TriagePolicy) -> Triage:
    """A colleague's mail with no case: a request they forward is the original sender's,
    received when the authority first received it."""
    sender = message.from_address
    original = _forwarded_original(message, text)
    if original is None:
        return Triage(Decision.UNSURE,
                      f"internal: from {sender}, an internal sender, but no case found")
    if _domain(original.address) in _internal(policy) or not valid_address(original.address):
        return Triage(Decision.UNSURE, f"internal-forward: {sender} forwarded a message from "
                                       f"{original.address or 'an unknown sender'}, not a "
                                       "member of the public")
    inner = new_text(original.text, original.name)
    reason = request_reason(original.subject, inner.above_sign_off)
    if reason is None:
        return Triage(Decision.UNSURE, f"internal-forward: {sender} forwarded a message from "
                                       f"{original.address} that does not read as a request")
    regime, why = suggest_regime(original.subject, inner.body, policy.scottish)
    when = original.sent_at.date().isoformat() if original.sent_at else "an unknown date"
    return Triage(
        Decision.NEW_REQUEST,
        f"forwarded-request: {sender} forwarded a request from {original.address} sent on "
        f"{when}; {reason}; {why}",
        regime=regime, request_text=inner.above_sign_off, forwarded=original,
        reply_address=inner.reply_address,
    )


def _forwarded_original(message: InboundMessage, text: NewText) -> Forwarded | None:
    """The forwarded message, inline (quotequail's reading of its header block) or
    attached as message/rfc822."""
    if text.forwarded is not None:
        name, address = parse_address(text.forwarded.from_header)
        return Forwarded(name=name, address=address,
                         sent_at=parse_forwarded_date(text.forwarded.date_header),
                         subject=text.forwarded.subject, text=text.forwarded.text,
                         forwarded_by=message.from_address)
    for nested in message.nested[:1]:
        inner = parse(nested)
        if not inner.from_address:
            continue
        return Forwarded(name=inner.from_name, address=inner.from_address,
                         sent_at=parse_forwarded_date(inner.date_header or ""),
                         subject=inner.subject, text=inner.text,
                         forwarded_by=message.from_address)
    return None


def parse_forwarded_date(value: str) -> datetime | None:
    """A forward's "Date:" or "Sent:" line, as mail clients write it ("Fri, 30 Oct 2026 at
    16:12", "30 October 2026 16:12"); UK time when it names no zone."""
    if not value.strip():
        return None
    from dateutil import parser as dateparser

    try:
        found = dateparser.parse(value.replace(" at ", " "), dayfirst=True, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=LONDON)


def _on_case(message: InboundMessage, text: NewText, case: CaseView, how: str,
             policy: TriagePolicy) -> Triage:
    """A message about one of our cases: who sent it decides what it is."""
    sender = message.from_address
    internal = _domain(sender) in _internal(policy)
    if _domain(sender) in policy.regulator_domains:
        return Triage(Decision.REGULATOR_MAIL, f"regulator: from {sender}, the Commissioner, "
                                               f"{how}", case)
    if sender in policy.reviewers:
        return Triage(Decision.REVIEWER_DECISION, f"reviewer: from {sender}, {how}", case)
    if internal and re.search(r"^\s*outcome\s*:", text.body, re.I | re.M):
        return Triage(Decision.OFFICER_DRAFT, f"officer-draft: answers from {sender}, {how}",
                      case)
    if internal:
        return Triage(Decision.OWNER_CONTRIBUTION, f"owner: from {sender} (internal), {how}",
                      case)
    words = f"{message.subject}\n{text.body}"
    if found := WITHDRAWAL.search(words):
        return Triage(Decision.WITHDRAWAL, f"withdrawal: asks to withdraw "
                                           f"({found.group(0)!r}), {how}", case)
    if case.status in ("responded", "closed") and (found := REVIEW.search(words)):
        return Triage(Decision.REVIEW_REQUEST, f"review: asks for an internal review "
                                               f"({found.group(0)!r}), {how}", case)
    if case.regime == "sar" and (found := DP_COMPLAINT.search(words)):
        return Triage(Decision.REVIEW_REQUEST, f"dp-complaint: complains about a subject "
                                               f"access request ({found.group(0)!r}, DPA "
                                               f"s164A), {how}", case)
    if case.status == "clarification_requested":
        return Triage(Decision.CLARIFICATION, f"clarification: reply while clarification "
                                              f"sought, {how}", case)
    return Triage(Decision.REQUESTER_REPLY, f"reply: on the case, {how}", case)


ESCALATION_COMMAND = re.compile(
    r"^\s*(REASSIGN|EXTEND|CHASED)\b[ \t:]*(.*)$", re.IGNORECASE | re.MULTILINE)


def escalation_command(body: str) -> tuple[str, str] | None:
    """The first line of a reply to an escalation, when it is one of its commands:
    REASSIGN [REF] name@domain / EXTEND PIT|COMPLEX [REF] reason / CHASED [REF]."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    found = ESCALATION_COMMAND.match(first)
    return (found.group(1).upper(), found.group(2).strip()) if found else None


def _escalation_reply(message: InboundMessage, command: tuple[str, str], digest,
                      cases: CaseLookup) -> Triage:
    """REASSIGN, EXTEND or CHASED from someone we escalated to: which case it is about is
    the digest's, or the one the line names when the digest listed several."""
    verb, rest = command
    named = [r for r in digest.references if r.lower() in rest.lower()]
    chosen = named[0] if named else (digest.references[0] if len(digest.references) == 1
                                     else None)
    case = cases.by_reference(chosen) if chosen else None
    reason = (f"escalation-reply: {verb} from {message.from_address} to our escalation "
              f"to {digest.recipient}")
    if case is None:
        return Triage(Decision.UNSURE, f"{reason}, but it names none of the digest's cases "
                                       f"({', '.join(digest.references) or 'none'})")
    return Triage(Decision.ESCALATION_REPLY, reason, case,
                  command=(verb, f"{digest.recipient}|{rest}"))


def _team_reply(message: InboundMessage, text: NewText, original: str,
                policy: TriagePolicy) -> Triage:
    """An officer's answer to a triage notice: REGISTER, NOT FOI or LINK <reference>."""
    sender = message.from_address
    if sender not in policy.team_members:
        return Triage(Decision.UNSURE, f"team-reply: {sender} answered a triage notice but is "
                                       "not a member of the FOI team")
    found = TEAM_COMMAND.search(text.body[:2000])
    command: tuple[str, str] | None = None
    if found and found.group(1):
        command = ("REGISTER", original)
    elif found and found.group(2):
        command = ("NOT FOI", original)
    elif found and found.group(3):
        command = ("LINK", f"{original} {found.group(4).strip()}")
    reason = (f"team-decision: {command[0]} from {sender}" if command else
              f"team-decision: {sender} answered a triage notice without REGISTER, NOT FOI "
              "or LINK")
    return Triage(Decision.TEAM_DECISION, reason, command=command)


def _case_by_reference(message: InboundMessage, text: NewText, cases: CaseLookup,
                       policy: TriagePolicy) -> tuple[CaseView | None, str]:
    """A reference of ours in the subject or the new text (quoted text can mislead)."""
    finder = ReferenceFinder(policy.reference_format)
    words = f"{message.subject}\n{text.body}\n{message.text[:20000]}"
    for reference in finder.find(message.subject, text.body, message.text[:20000]):
        # A linked case's reference is the original's with a suffix (FOI 000001/26-IR):
        # written out, it means the review, not the request.
        for suffix in re.findall(re.escape(reference) + r"(-[A-Za-z]{2,4}\d?)\b", words):
            if (linked := cases.by_reference(reference + suffix.upper())) is not None:
                return linked, f"reference {reference}{suffix.upper()} in the text"
        if (case := cases.by_reference(reference)) is not None:
            return case, f"reference {reference} in the text"
    return None, ""


def valid_address(address: str | None) -> bool:
    """An address mail can be sent to: a local part, an @ and a domain with a dot."""
    if not address:
        return False
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _internal(policy: TriagePolicy) -> frozenset[str]:
    own = _domain(policy.foi_address)
    return policy.internal_domains | ({own} if own else frozenset())


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


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
