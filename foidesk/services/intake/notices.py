"""Queueing the emails the notification table lists for an event."""

from __future__ import annotations

from datetime import datetime, timedelta

from foidesk.calendar import RULES, Regime
from foidesk.mail import InboundMessage
from foidesk.notifications import Notice, notices_for
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.register.models import Case
from foidesk.register.row_buffer import active
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.register.written_at_once import written_in_this_transaction
from foidesk.services.audit import record_event
from foidesk.services.intake.asked_ahead import TO_REQUESTERS, replies_since
from foidesk.services.intake.settings import ACTOR, IntakeSettings
from foidesk.services.reviews import original_of
from foidesk.triage import Triage

# -- notices ------------------------------------------------------------------------------


def notify(
    uow: SqlUnitOfWork, settings: IntakeSettings, event: str, case: Case | None,
    message: InboundMessage, triage: Triage, now: datetime, **extra: object,
) -> None:
    """Queue every email the notification table lists for this event."""
    for notice in notices_for(event):
        _queue_notice(uow, settings, notice, case, message, triage, now, extra)


def _queue_notice(
    uow: SqlUnitOfWork, settings: IntakeSettings, notice: Notice, case: Case | None,
    message: InboundMessage, triage: Triage, now: datetime, extra: dict,
) -> None:
    recipients = _recipients(notice.audience, case, message, settings, extra)
    if not recipients:
        return
    # A large original is named, never attached: a 30 MB request must not become a 41 MB
    # notice that the team's server refuses.
    attach = notice.attach_original and message.original_size <= settings.attach_limit
    if notice.audience == "requester" and _over_reply_limit(uow, recipients[0], settings, now):
        record_event(uow, case, "auto_reply_suppressed", actor=ACTOR, now=now,
                     detail=f"{notice.event} not sent: {settings.auto_replies_per_day} "
                            "automatic replies to this address in the last 24 hours "
                            "(mail-loop limit)")
        return
    context = {
        "authority": settings.authority,
        "case": case,
        "questions": list(case.questions) if case else [],
        "request_text": case.request_text if case else message.text,
        "request_html": message.html,  # raw: templates pass it through `sanitised_html`
        "requester_name": (case.requester.name if case and case.requester else
                           message.from_name),
        "original_subject": message.subject,
        "regime_title": RULES[Regime(case.regime)].title if case else "",
        "time_limit": time_limit_words(case.regime) if case else "",
        "headline": notice.headline.format(
            reference=case.reference if case else "", subject=message.subject or "(no subject)",
            on_case=f" ({case.reference})" if case else "",
        ),
        "sender": message.from_address,
        "decision": triage.decision.value,
        "reason": triage.reason,
        "detail": message.text[:2000],
        "attached": attach,
        "too_large": notice.attach_original and not attach,
        "arrived_at": None,
        "original_size": size_in_words(message.original_size),
        "kept_in": settings.processed_folder,
        "original": original_of(uow, case) if case else None,
        **extra,
    }
    rendered = settings.renderer.email(notice.template,
                                       language=case.language if case else "en", **context)
    to_requester = notice.audience == "requester"
    threaded = to_requester and not extra.get("unthreaded")  # a forward's colleague's id
    envelope = from_authority(
        settings.authority, tuple(recipients),
        in_reply_to=message.message_id if threaded else None,
        references=message.references if threaded else (),
        auto_submitted="auto-replied" if to_requester else "auto-generated",
        attach_message=message.raw if attach else None,
    )
    composed = compose(rendered, envelope, domain=settings.domain, now=now)
    key = notice_key(notice, case.reference if case else "", message.message_id)
    enqueue(uow, key, composed, envelope, case=case, now=now,  # a new case: a new key
            key_is_new=case is not None and written_in_this_transaction(uow.session, case))


def notice_key(notice: Notice, reference: str, message_id: str) -> str:
    """The outbox key of a notice: event, case, the message it is about, audience."""
    return f"{notice.event}:{reference}:{message_id}:{notice.audience}"


def message_id_of(key: str) -> str:
    """The Message-ID a notice's key names (the inverse of `notice_key`)."""
    return key.split(":", 2)[2].rsplit(":", 1)[0]


REPLY_WINDOW = timedelta(days=1)  # the mail-loop limit counts the replies of a day


def _over_reply_limit(uow: SqlUnitOfWork, address: str, settings: IntakeSettings,
                      now: datetime) -> bool:
    """Has this address had its day's share of automatic replies? (RFC 3834 s2: an
    automatic responder must not answer the same sender over and over.)"""
    since = now - REPLY_WINDOW
    sent = replies_since(uow.session.connection(), address, since)  # Core: no autoflush
    waiting = active(uow.session)  # this message's own replies, not yet written
    sent += sum(1 for row in (waiting.outbox_rows_to(address) if waiting else ())
                if row["created_at"] >= since
                and row["idempotency_key"].split(":", 1)[0] in TO_REQUESTERS)
    return sent >= settings.auto_replies_per_day


def _recipients(audience: str, case: Case | None, message: InboundMessage,
                settings: IntakeSettings, extra: dict) -> list[str]:
    if audience == "requester":  # the case's requester: WhatDoTheyKnow's replies address
        address = (case.requester.email if case is not None and case.requester else None) \
            or message.reply_address
        return [address] if address else []
    if audience == "owner":
        assignment = extra.get("assignment")
        return [assignment.owner] if assignment is not None else []
    if audience == "forwarder":
        return [extra["forwarded_by"]] if extra.get("forwarded_by") else []
    return [settings.team_address]


def size_in_words(size: int) -> str:
    """A size as a person reads it: 812 KB, 31.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def time_limit_words(regime: str) -> str:
    """"20 working days", "one calendar month": the templates cite the law beside it."""
    rule = RULES[Regime(regime)]
    if rule.months:
        return "one calendar month"
    if rule.calendar_days:
        return f"{rule.calendar_days} days"
    return f"{rule.working_days} working days"
