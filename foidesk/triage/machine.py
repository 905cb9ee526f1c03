"""Mail a machine wrote: bounces, feedback reports, automatic replies, read receipts,
calendar responses, and bulk mail (lists, newsletters, notifications).

Recognised first and from the envelope and headers where it can be: such mail must
never be acknowledged, or two auto-responders would write to each other for ever
(RFC 3834 s2). Each function returns the reason in words, or None.
"""

from __future__ import annotations

import logging
import re

from foidesk.mail import InboundMessage

# flufl.bounce logs a traceback whenever one of its detectors trips over a message; we
# already treat that as "no opinion", so its own error logging is only noise.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)

DAEMON_LOCAL_PARTS = (r"mailer-daemon|mailerdaemon|mail-daemon|postmaster|mdaemon|"
                      r"mail\.?delivery\.?subsystem|microsoftexchange[0-9a-f]*|bounces?|"
                      r"double-bounce|maildelivery|mail-?admin|post_?master")
BOUNCE_SENDERS = re.compile(rf"^({DAEMON_LOCAL_PARTS}|mailer|nobody|root|daemon|mta)@",
                            re.IGNORECASE)
DAEMON_SENDER = re.compile(rf"^({DAEMON_LOCAL_PARTS})@", re.IGNORECASE)
DAEMON_RETURN_PATH = re.compile(rf"<\s*({DAEMON_LOCAL_PARTS})@", re.IGNORECASE)
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
    r"fuera de la oficina|afwezig|automatisch antwoord|autosvar|frånvaro|"
    r"ateb awtomatig|allan o'r swyddfa|i am (currently )?(out|away)|"
    r"thank you for your (e-?mail|message)",
    re.IGNORECASE,
)
# Read receipts: Outlook writes "Read: <subject>" with a plain text part, no report.
RECEIPT_SUBJECTS = re.compile(
    r"^\s*(read|not read|read receipt|return receipt|delivered|gelesen|lu|leído|"
    r"wedi'i ddarllen)\s*:", re.IGNORECASE)
RECEIPT_BODY = re.compile(r"\bwas read on\b|\bwas deleted without being read\b|"
                          r"\b(?:has|was) been delivered to\b|\bdelivery to these recipients "
                          r"(?:or groups )?is complete\b|"
                          r"\bthis is a (read|return) receipt\b", re.IGNORECASE)
CALENDAR_METHOD = re.compile(rb"BEGIN:VCALENDAR.{0,4000}?\bMETHOD:([A-Z-]+)", re.DOTALL)
LIST_HEADERS = ("list-id", "list-unsubscribe", "list-subscribe", "list-post", "x-mlserver",
                "x-ml-name", "x-mailman-version", "x-campaign", "x-campaignid",
                "x-mailchimp-id", "x-mc-user", "x-sg-eid", "x-csa-complaints",
                "x-ms-exchange-organization-bulk")
# Majordomo's owner-LIST@, Mailman's LIST-bounces@: the envelope of list mail.
LIST_RETURN_PATH = re.compile(r"<?\s*(owner-[^@\s>]+|[^@\s<>]+-(?:bounces|request|owner))"
                              r"(?:\+[^@\s>]*)?@[^>\s]+", re.IGNORECASE)
SYSTEM_SENDER = re.compile(r"<\s*(www-data|apache|nginx|httpd|cron|daemon|wwwrun|nobody)@[^>\s]+",
                           re.IGNORECASE)
NO_REPLY_SENDER = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|notify|alerts?|"
    r"news(letters?)?|mailer|updates?|announcements?|marketing|info|enews)([-_.+][^@]*)?@"
    r"|^[^@]*[-_.](no[-_.]?reply|donotreply)@", re.IGNORECASE)
# Domains that send nothing but notifications.
NOTIFICATION_ONLY = re.compile(
    r"@(?:[\w-]+\.)*(email\.teams\.microsoft\.com|sharepointonline\.com|docusign\.net|"
    r"facebookmail\.com|calendar-notification\.google\.com|yammer\.com|"
    r"notifications?\.[\w.-]+)$", re.IGNORECASE)
# Domains whose no-reply senders send notifications (their people may write to us).
NOTIFICATION_DOMAINS = re.compile(
    r"@(teams\.mail\.microsoft|microsoft\.com|accountprotection\.microsoft\.com|slack\.com|"
    r"google\.com|linkedin\.com|zoom\.us|servicenow\.com|atlassian\.net)$", re.IGNORECASE)
UNSUBSCRIBE = re.compile(
    r"\bunsubscribe\b|\bopt[- ]out\b|view (this|it) (e-?mail )?in (your|a|the) browser|"
    r"manage (your )?(email )?(preferences|subscriptions?)|you are receiving this "
    r"(e-?mail|message|newsletter) because|to stop receiving these|"
    r"update your (email )?preferences|this (e-?mail|message) was sent to .{3,80} by",
    re.IGNORECASE)


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
    """A delivery status notification, by headers first, then by its well-known shapes.
    A receipt that says a message *was* delivered or read is no bounce."""
    if message.report_type == "delivery-status":
        return "multipart/report; report-type=delivery-status (RFC 3464)"
    if RECEIPT_SUBJECTS.search(message.subject) and not BOUNCE_BODY.search(message.text[:5000]):
        return None
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


def null_sender_reason(message: InboundMessage) -> str | None:
    """Mail from the null reverse-path or a mail daemon, that no rule above placed: the
    mail system wrote it, so it takes the bounce path (RFC 5321 s4.5.5)."""
    return_path = message.header("return-path").strip()
    if return_path == "<>":
        return "empty Return-Path <>: sent by the mail system (RFC 5321 s4.5.5)"
    if DAEMON_RETURN_PATH.search(return_path):
        return f"Return-Path {return_path[:60]}: sent by the mail system"
    if DAEMON_SENDER.match(message.from_address):
        return f"sent by the mail system ({message.from_address})"
    return None


def auto_reply_reason(message: InboundMessage) -> str | None:
    """RFC 3834 and the de-facto headers, read receipts (RFC 8098) and calendar responses;
    many real out-of-office replies have no header at all, only their subject."""
    auto = message.header("auto-submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto} (RFC 3834)"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if message.header(name):
            return f"{name} header"
    if message.header("precedence").strip().lower() == "auto_reply":
        return "Precedence: auto_reply"
    if "autoresponder" in message.header("x-post-messageclass").lower():
        return "X-POST-MessageClass: Autoresponder"
    if message.report_type == "disposition-notification":
        return "read receipt: multipart/report; report-type=disposition-notification (RFC 8098)"
    if RECEIPT_SUBJECTS.search(message.subject) and (
        RECEIPT_BODY.search(message.text[:3000]) or not message.text.strip()
    ):
        return f"read receipt {message.subject[:60]!r}"
    method = _calendar_method(message)
    if method in ("REPLY", "COUNTER"):
        return f"calendar response (iCalendar METHOD:{method})"
    if AUTO_REPLY_SUBJECTS.search(message.subject):
        return f"auto-reply subject {message.subject[:60]!r}"
    return None


def bulk_reason(message: InboundMessage) -> str | None:
    """List mail, newsletters, invitations and system notifications: filed, not answered."""
    precedence = message.header("precedence").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    for name in LIST_HEADERS:
        if message.header(name):
            return f"mailing-list or bulk-mail header {name}"
    return_path = message.header("return-path")
    if found := LIST_RETURN_PATH.search(return_path):
        return f"mailing-list return path {found.group(0)[:60]}"
    if found := SYSTEM_SENDER.search(return_path):
        return f"sent by a system account ({found.group(0)[:60]})"
    method = _calendar_method(message)
    if method:
        return f"calendar invitation (iCalendar METHOD:{method})"
    sender = message.from_address
    if NOTIFICATION_ONLY.search(sender) or (
            NOTIFICATION_DOMAINS.search(sender) and NO_REPLY_SENDER.match(sender)):
        return f"a notification from {sender}"
    if NO_REPLY_SENDER.match(sender) and (shape := newsletter_shape(message)):
        return f"{shape}, from {sender}"
    return None


def is_no_reply_sender(address: str) -> bool:
    """An address that says it takes no replies (noreply@, do-not-reply@ ...)."""
    return bool(re.match(r"^[^@]*(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply)[^@]*@",
                         address, re.IGNORECASE))


def newsletter_shape(message: InboundMessage) -> str | None:
    """Marketing without list headers: an unsubscribe line and no person's question."""
    found = UNSUBSCRIBE.search(message.text[-6000:])
    return f"reads as a newsletter ({found.group(0)!r})" if found else None


def _calendar_method(message: InboundMessage) -> str | None:
    found = CALENDAR_METHOD.search(message.raw[:400_000])
    return found.group(1).decode() if found else None
