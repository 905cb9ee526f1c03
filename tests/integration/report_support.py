"""A register whose answers are known, built row by row, for reports and statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime

from foidesk.register.models import Assignment, Case, Draft, Requester
from foidesk.register.unit_of_work import SqlUnitOfWork

T0 = datetime(2026, 7, 1, 9, tzinfo=UTC)


def add_case(uow: SqlUnitOfWork, n: int, *, received: date, status: str, due: date | None,
             regime: str = "foia", responded: date | None = None, in_time: bool | None = None,
             outcome: str | None = None, exemptions: list[str] = (), extension: str | None = None,
             extension_days: int | None = None, request_text: str = "Please send the figures.",
             requester: tuple[str, str, str] = ("Pat Example", "pat@example.org", ""),
             response_text: str = "", owner: tuple[str, str, int | None] | None = None,
             review_outcome: str | None = None, language: str = "en") -> None:
    name, email, postal = requester
    case = Case(
        reference=f"FOI {n:06d}/26", regime=regime, status=status, subject=f"Request {n}",
        requester=Requester(name=name, email=email, postal_address=postal or None,
                            created_at=T0),
        received_at=datetime.combine(received, datetime.min.time(), UTC),
        received_on=received, due_on=due, deadline_version=1, extension=extension,
        extension_days=extension_days, outcome=outcome, exemptions=list(exemptions),
        in_time=in_time, request_text=request_text, flags=[], language=language,
        responded_at=datetime.combine(responded, datetime.min.time(), UTC).replace(hour=12)
        if responded else None,
        disclosure_status="queued" if status == "closed" else None,
        created_at=T0, updated_at=T0,
    )
    if owner is not None:
        address, state, days = owner
        case.assignments.append(Assignment(owner=address, internal_due_on=due or received,
                                           state=state, created_at=T0,
                                           supply_working_days=days))
    if response_text or review_outcome:
        case.drafts.append(Draft(
            version=1, kind="review" if review_outcome else "response",
            outcome=review_outcome or outcome or "granted", exemptions=list(exemptions),
            answers={}, letter_text=response_text or "Review outcome.", letter_html="",
            pdf=b"%PDF", status="sent", created_at=T0, created_by="officer",
            reviewer="dm@example.gov.uk",
            reviewed_at=datetime.combine(responded, datetime.min.time(), UTC)
            if responded else T0,
        ))
    uow.session.add(case)
