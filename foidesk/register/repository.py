"""Queries over cases, so services never write SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from foidesk.references import ReferenceFormat
from foidesk.register.allocator import allocate_reference
from foidesk.register.models import Case, Event, Message


class CaseNotFound(LookupError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no case with reference {reference!r}")
        self.reference = reference


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: Case) -> None:
        self.session.add(case)

    def next_reference(self, fmt: ReferenceFormat, received: date) -> str:
        return allocate_reference(self.session, fmt, received)

    def get(self, reference: str) -> Case:
        """The case with this reference (spaces and case ignored), or CaseNotFound."""
        wanted = " ".join(reference.split()).upper()
        case = self.session.scalar(
            select(Case)
            .where(func.upper(Case.reference) == wanted)
            .options(
                selectinload(Case.requester),
                selectinload(Case.clock_events),
                selectinload(Case.questions),
                selectinload(Case.assignments),
                selectinload(Case.drafts),
            )
        )
        if case is None:
            raise CaseNotFound(reference)
        return case

    def list(
        self,
        statuses: Iterable[str] | None = None,
        due_on_or_before: date | None = None,
        references: Iterable[str] | None = None,
    ) -> Sequence[Case]:
        """Cases in these statuses (all when None), only those `references` when given,
        soonest due first."""
        query = select(Case).options(selectinload(Case.requester))
        if statuses is not None:
            query = query.where(Case.status.in_(list(statuses)))
        if references is not None:
            query = query.where(Case.reference.in_(list(references)))
        if due_on_or_before is not None:
            query = query.where(Case.due_on.is_not(None), Case.due_on <= due_on_or_before)
        query = query.order_by(Case.due_on.is_(None), Case.due_on, Case.reference)
        return self.session.scalars(query).all()

    def request_message_id(self, case: Case) -> str | None:
        """The Message-ID of the first message received on the case (the request)."""
        return self.session.scalar(
            select(Message.message_id).where(Message.case_id == case.id,
                                             Message.direction == "in")
            .order_by(Message.id).limit(1)
        )

    def events(self, case: Case) -> Sequence[Event]:
        return self.session.scalars(
            select(Event).where(Event.case_id == case.id).order_by(Event.id)
        ).all()
