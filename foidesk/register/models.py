"""The register's tables (SQLAlchemy 2 declarative): the storage adapter.

The rules live elsewhere (calendar, cases); these classes only say how a case
and everything around it is stored. Times are stored in UTC; deadlines are dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC, read back as aware UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: register times must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Requester(Base):
    __tablename__ = "requesters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    postal_address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    cases: Mapped[list[Case]] = relationship(back_populates="requester")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_due_on", "status", "due_on"),
        # A reference is looked up with spaces and letter case ignored (repository.get).
        Index("ix_cases_upper_reference", text("upper(reference)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    regime: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(998), default="")
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("requesters.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)  # Europe/London date of receipt: day 0
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # None while the clock stops
    deadline_version: Mapped[int] = mapped_column(Integer, default=1)
    extension: Mapped[str | None] = mapped_column(String(20))
    extension_days: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(40))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    request_text: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A review, complaint or Commissioner's case: the case it is about.
    linked_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The Commissioner's own reference for its investigation ("IC-123456-A1B2").
    external_reference: Mapped[str | None] = mapped_column(String(64))
    # The due date the first response was measured against, kept when a fresh response
    # moves `due_on` (statistics count the first response only).
    responded_due_on: Mapped[date | None] = mapped_column(Date)
    exemptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    in_time: Mapped[bool | None] = mapped_column()
    # The language the requester wrote in and is answered in ("en", "cy").
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    disclosure_status: Mapped[str | None] = mapped_column(String(20))  # queued | published

    requester: Mapped[Requester | None] = relationship(back_populates="cases")
    clock_events: Mapped[list[ClockEvent]] = relationship(
        back_populates="case", order_by="ClockEvent.id"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="case", order_by="Question.position"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", order_by="Assignment.id"
    )
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="Event.id")
    drafts: Mapped[list[Draft]] = relationship(back_populates="case", order_by="Draft.version")
    documents: Mapped[list[Document]] = relationship(back_populates="case",
                                                     order_by="Document.number")


class Draft(Base):
    """One version of a letter (a response, or an internal review's outcome) and its review."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # response | review | fresh-response
    outcome: Mapped[str] = mapped_column(String(40))
    exemptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # A review's reasoning, per exemption or issue ("" for the general reasons).
    reasons: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # A review that overturns: the date the fresh response is due (default 20 working days).
    respond_by: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    letter_text: Mapped[str] = mapped_column(Text)
    letter_html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(320))
    reviewer: Mapped[str | None] = mapped_column(String(320))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    review_via: Mapped[str | None] = mapped_column(String(40))

    case: Mapped[Case] = relationship(back_populates="drafts")


class Document(Base):
    """A file that may be released with the response: an owner's attachment or one the
    officer added, numbered on its case, with the decision on it and what the check found."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(400))  # "owner roads@...", "officer (cli)"
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the check found in the original: [{"kind", "place", "detail"}].
    findings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # release | clean | redact | withhold | None (not decided yet)
    decision: Mapped[str | None] = mapped_column(String(20))
    exemption: Mapped[str | None] = mapped_column(String(40))
    redact_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    override: Mapped[str | None] = mapped_column(Text)  # an officer's reason to release as is
    released_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    released_findings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    case: Mapped[Case] = relationship(back_populates="documents")


class ClockEvent(Base):
    """Something that moves the statutory clock: clarification, fees notice, extension."""

    __tablename__ = "clock_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    on: Mapped[date] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))

    case: Mapped[Case] = relationship(back_populates="clock_events")


class Message(Base):
    """Every email in or out. Message-ID is unique per direction."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("direction", "message_id"),
        # Only the few messages still to move: every idle poll asks for them, and this
        # index stays that small however much history the register holds (B2).
        Index("ix_messages_unmoved", "id", sqlite_where=text("moved = 0"),
              postgresql_where=text("NOT moved")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    message_id: Mapped[str] = mapped_column(String(998), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(998), default="")
    from_addr: Mapped[str] = mapped_column(String(998), default="")
    to_addrs: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(998))
    # Which mailbox it came from (intake's mailbox key): provider ids are unique only
    # within one mailbox (two Dovecot users' INBOXes can share UIDVALIDITY and UIDs).
    mailbox: Mapped[str | None] = mapped_column(String(300))
    # The language its new text is written in ("en", "cy"); None when too short to tell.
    language: Mapped[str | None] = mapped_column(String(8))
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # or in the content store by hash
    triage: Mapped[str | None] = mapped_column(String(40))
    triage_reason: Mapped[str | None] = mapped_column(Text)
    # Inbound: where the mailbox must still move it ("processed" / "quarantine"), until
    # `moved`; a crash between commit and move is repaired on the next run.
    mailbox_target: Mapped[str | None] = mapped_column(String(20))
    moved: Mapped[bool] = mapped_column(default=False, index=True)
    # Outbound: "queued", "sent", "bounced", "unknown".
    delivery_status: Mapped[str | None] = mapped_column(String(20))

    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")
    case: Mapped[Case | None] = relationship()


class Blob(Base):
    """Content-addressed bytes: the same attachment stored once however often it arrives."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(BigInteger)


class MailboxCursor(Base):
    """Where intake left off in one mailbox (the connector's opaque cursor)."""

    __tablename__ = "mailbox_cursors"

    mailbox: Mapped[str] = mapped_column(String(300), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Question(Base):
    """One numbered item of a request ("3a"), answered separately in the letter."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="questions")


class Assignment(Base):
    """An internal owner asked to supply information for a case."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    owner: Mapped[str] = mapped_column(String(320), index=True)
    deputy: Mapped[str | None] = mapped_column(String(320))
    internal_due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_away_on: Mapped[date | None] = mapped_column(Date)  # out-of-office seen that day
    supply_working_days: Mapped[int | None] = mapped_column(Integer)  # assigned -> supplied

    case: Mapped[Case] = relationship(back_populates="assignments")


def _detail_field(name: str, empty: Any) -> Any:
    """An Event attribute kept in its `event_details` row, made only when there is
    something to keep; reads as `empty` when there is none."""

    def read(event: Event) -> Any:
        return getattr(event.details, name) if event.details else empty

    def write(event: Event, value: Any) -> None:
        if value is not None and value != empty:
            if event.details is None:
                event.details = EventDetail()
            setattr(event.details, name, value)

    return property(read, write)


class Event(Base):
    """The append-only audit trail: who did what, when, with the state before and after.

    The skeleton (case, when, who, what) is in `events`, which the database refuses to
    change or remove. What may hold personal data (the detail and the before/after
    states) is in `event_details`, which retention (`foidesk purge`) can erase without
    touching the skeleton. The `before`/`after`/`detail` columns of `events` are empty
    since migration 0007.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    legacy_before: Mapped[dict[str, Any] | None] = mapped_column("before", JSON)
    legacy_after: Mapped[dict[str, Any] | None] = mapped_column("after", JSON)
    legacy_detail: Mapped[str] = mapped_column("detail", Text, default="")

    case: Mapped[Case | None] = relationship(back_populates="events")
    details: Mapped[EventDetail | None] = relationship(lazy="selectin")

    before = _detail_field("before", None)
    after = _detail_field("after", None)
    detail = _detail_field("detail", "")


class EventDetail(Base):
    """The erasable part of one event: its detail text and before/after states."""

    __tablename__ = "event_details"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")


class OutboxItem(Base):
    """A message to send exactly once; the idempotency key makes a retry a no-op."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_recipients_created_at", "recipients", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # our Message-ID: a reply names it, and triage finds which of our messages it answers
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    sender: Mapped[str] = mapped_column(String(320), default="")
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(998))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(998))

    case: Mapped[Case | None] = relationship()


class ChaseRecord(Base):
    """One reminder or escalation sent, under the key that makes a rerun send nothing new:
    case, assignment, step and deadline version (Alaveteli's sent-alert records)."""

    __tablename__ = "chase_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    step: Mapped[str] = mapped_column(String(40))
    deadline_version: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(320))
    planned_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date] = mapped_column(Date)
    outbox_key: Mapped[str] = mapped_column(String(300))
    why: Mapped[str] = mapped_column(Text, default="")


class Lease(Base):
    """A named lock held until `expires_at`: one outbox drainer at a time, across
    processes and machines, and a dead holder's lease simply runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferenceSequence(Base):
    """The last number handed out in one sequence ("2018", or "all" when continuous)."""

    __tablename__ = "reference_sequences"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
