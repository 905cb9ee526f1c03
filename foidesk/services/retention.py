"""Retention: erase the personal data of cases closed long ago, keep what statistics and
the audit need.

Kept: the case's reference, regime, dates, status, outcome, exemptions and in-time flag
(the quarterly statistics), its question count, its owners (staff, by role), and every
audit event's skeleton (case, when, who, what). Erased: the requester (unless another
case still needs them), subject and request text, questions' and answers' text, drafts
and letters, clock-event notes, every message and outgoing mail body, header and
address, attachments (and blobs nothing else refers to), and events' detail text and
before/after states (`event_details`). The `events` table itself is never changed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, exists, func, select, update

from foidesk.cases import CaseStatus
from foidesk.register.models import (
    Attachment,
    Blob,
    Case,
    ChaseRecord,
    ClockEvent,
    Draft,
    Event,
    EventDetail,
    Message,
    OutboxItem,
    Question,
    Requester,
)
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.audit import record_event

FINISHED = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)
PURGED_FLAG = "personal_data_purged"
REMOVED = "[personal data removed]"
AGE = re.compile(r"^\s*(\d+)\s*([ymwd])\s*$", re.IGNORECASE)


def parse_age(text: str) -> relativedelta:
    """'3y', '18m', '6w', '90d' as a period to go back by."""
    found = AGE.match(text)
    if not found:
        raise ValueError(f"--older-than must be a number and y, m, w or d (like 3y or 18m), "
                         f"got {text!r}")
    amount, unit = int(found.group(1)), found.group(2).lower()
    return {"y": relativedelta(years=amount), "m": relativedelta(months=amount),
            "w": relativedelta(weeks=amount), "d": relativedelta(days=amount)}[unit]


@dataclass
class PurgeReport:
    cutoff: date
    dry_run: bool
    references: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def purge(uow: SqlUnitOfWork, older_than: relativedelta, *, now: datetime, actor: str,
          dry_run: bool = False) -> PurgeReport:
    """Erase the personal data of cases finished before now - `older_than`, and of
    messages never attached to a case that arrived before then; all in one transaction."""
    cutoff = now - older_than
    report = PurgeReport(cutoff.date(), dry_run)
    with uow:
        session = uow.session
        cases = session.scalars(
            select(Case).where(Case.status.in_(FINISHED), Case.updated_at < cutoff)
            .order_by(Case.id)
        ).all()
        cases = [c for c in cases if PURGED_FLAG not in (c.flags or [])]
        report.references = [c.reference for c in cases]
        case_ids = [c.id for c in cases]
        loose = select(Message.id).where(Message.case_id.is_(None), Message.at < cutoff,
                                         Message.from_addr != "")
        message_ids = [*session.scalars(
            select(Message.id).where(Message.case_id.in_(case_ids))), *session.scalars(loose)]
        loose_mail = (OutboxItem.case_id.is_(None), OutboxItem.created_at < cutoff,
                      OutboxItem.recipients != "")  # team notices quoting loose mail
        _count(report, session, case_ids, message_ids)
        report.counts["outgoing mails"] += session.scalar(
            select(func.count()).select_from(OutboxItem).where(*loose_mail))
        if dry_run:
            return report
        _erase_cases(session, cases, case_ids)
        _erase_messages(session, message_ids)
        session.execute(update(OutboxItem).where(*loose_mail).values(
            raw=b"", recipients="", subject=REMOVED, last_error=None))
        for case in cases:
            record_event(uow, case, "personal_data_purged", actor=actor, now=now,
                         detail=f"retention: finished before {report.cutoff.isoformat()}")
        uow.commit()
    return report


def _count(report: PurgeReport, session, case_ids: list[int], message_ids: list[int]) -> None:
    def how_many(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery()))

    report.counts["cases"] = len(case_ids)
    report.counts["messages"] = len(message_ids)
    report.counts["attachments"] = how_many(
        select(Attachment.id).where(Attachment.message_id.in_(message_ids)))
    report.counts["outgoing mails"] = how_many(
        select(OutboxItem.id).where(OutboxItem.case_id.in_(case_ids)))
    report.counts["event details"] = how_many(
        select(EventDetail.event_id).join(Event, Event.id == EventDetail.event_id)
        .where(Event.case_id.in_(case_ids)))


def _erase_cases(session, cases: list[Case], case_ids: list[int]) -> None:
    requester_ids = {c.requester_id for c in cases if c.requester_id is not None}
    for case in cases:
        case.subject, case.request_text = REMOVED, ""
        case.flags = sorted({*(case.flags or []), PURGED_FLAG})
    session.flush()
    session.execute(update(Question).where(Question.case_id.in_(case_ids))
                    .values(text="", answer=None))
    session.execute(update(Draft).where(Draft.case_id.in_(case_ids)).values(
        answers={}, notes="", letter_text="", letter_html="", pdf=b"", review_comment=None))
    session.execute(update(ClockEvent).where(ClockEvent.case_id.in_(case_ids)).values(note=""))
    session.execute(update(ChaseRecord).where(ChaseRecord.case_id.in_(case_ids)).values(why=""))
    session.execute(update(OutboxItem).where(OutboxItem.case_id.in_(case_ids)).values(
        raw=b"", recipients="", subject=REMOVED, last_error=None))
    session.execute(delete(EventDetail).where(EventDetail.event_id.in_(
        select(Event.id).where(Event.case_id.in_(case_ids)))))
    for requester_id in requester_ids:
        others = session.scalars(select(Case.flags).where(
            Case.requester_id == requester_id, Case.id.not_in(case_ids))).all()
        if all(PURGED_FLAG in (flags or []) for flags in others):  # nobody else needs them
            session.execute(update(Requester).where(Requester.id == requester_id).values(
                name="", email=None, postal_address=None))


def _erase_messages(session, message_ids: list[int]) -> None:
    if not message_ids:
        return
    hashes = set(session.scalars(
        select(Attachment.sha256).where(Attachment.message_id.in_(message_ids))))
    session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids)))
    for message_id in message_ids:  # Message-IDs can name people (jane.smith.1980@...)
        session.execute(update(Message).where(Message.id == message_id).values(
            raw=None, subject="", from_addr="", to_addrs="", in_reply_to=None,
            references=None, triage_reason=None,
            message_id=f"<purged.{message_id}@foidesk.invalid>"))
    session.flush()
    for digest in hashes:
        if not session.scalar(select(exists().where(Attachment.sha256 == digest))):
            session.execute(delete(Blob).where(Blob.sha256 == digest))


__all__ = ["PurgeReport", "parse_age", "purge"]
