"""`foidesk purge --older-than 3y`: personal data of long-finished cases goes, the
statistics and the audit skeleton stay, and the audit trail still cannot be changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from intake_support import maildir_desk, register_text, request_email
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from foidesk.cases import CaseStatus
from foidesk.register.models import Blob, Event, EventDetail
from foidesk.services.cases import DeadlinePolicy, transition
from foidesk.services.reports import quarterly_statistics
from foidesk.services.retention import parse_age, purge

TODAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LONG_AGO = datetime(2022, 3, 1, 10, 0, tzinfo=UTC)
LAST_YEAR = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
JANE, RAJ, KIM = "jane.smith.1980@example.org", "raj.patel@example.org", "kim@example.org"
CLOSING = ("drafting", "in_review", "approved", "responded", "closed")


def with_attachment(n: int, sender: str, at: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = f"Jane Smith <{sender}>"
    message["To"] = "foi@example.gov.uk"
    message["Subject"] = "FOI request: potholes on Acacia Avenue"
    message["Message-ID"] = f"<attach-{n}@example.org>"
    message.set_content("Under the FOI Act please tell me about potholes near 12 Acacia "
                        "Avenue. My photos are attached.")
    message.add_attachment(b"JPEG of Jane's street " + bytes(n), maintype="image",
                           subtype="jpeg", filename="jane-street.jpg")
    return message.as_bytes()


def close(desk, reference: str, at: datetime) -> None:
    for status in CLOSING:
        transition(desk.uow(), reference, CaseStatus(status), actor="officer", now=at)


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path) as desk:
        desk.deliver_and_run(with_attachment(1, JANE, LONG_AGO), LONG_AGO)  # FOI 000001/22
        close(desk, "FOI 000001/22", LONG_AGO + timedelta(days=20))
        desk.deliver_and_run(request_email(2, sender=RAJ), LONG_AGO)  # FOI 000002/22
        desk.deliver_and_run(request_email(3, sender=RAJ, subject="Re: [FOI 000002/22] x",
                                           body="Please withdraw my request."),
                             LONG_AGO + timedelta(days=2))
        desk.deliver_and_run(request_email(4, sender=KIM, body="Under the FOI Act please "
                                           "list every contract for gritting."), LONG_AGO)
        desk.deliver_and_run(request_email(6, sender="sam.unsure@example.net",
                                           subject="hello", body="Call me on 07700 900123."),
                             LONG_AGO)  # never a case: the team got a triage notice
        desk.deliver_and_run(request_email(5, sender=JANE, body="Under the FOI Act please "
                                           "tell me about the library budget."), LAST_YEAR)
        close(desk, "FOI 000001/25", LAST_YEAR + timedelta(days=20))
        yield desk


def statistics(desk) -> dict:
    return quarterly_statistics(desk.uow(), date(2022, 1, 1), date(2022, 3, 31),
                                TODAY.date(), DeadlinePolicy())


def test_a_dry_run_names_what_would_go_and_changes_nothing(desk):
    engine = desk.engine
    before = register_text(engine)
    report = purge(desk.uow(), parse_age("3y"), now=TODAY, actor="test", dry_run=True)
    assert report.references == ["FOI 000001/22", "FOI 000002/22"]
    assert report.counts["cases"] == 2 and report.counts["attachments"] == 1
    assert register_text(engine) == before


def test_purge_erases_personal_data_and_keeps_statistics_and_the_audit_skeleton(desk):
    engine = desk.engine
    stats_before = statistics(desk)
    with desk.uow() as uow:
        events_before = uow.session.scalars(select(Event.id).order_by(Event.id)).all()
    report = purge(desk.uow(), parse_age("3y"), now=TODAY, actor="test")
    assert report.references == ["FOI 000001/22", "FOI 000002/22"]
    dump = register_text(engine)
    assert RAJ not in dump and "Raj" not in dump  # only on purged cases: gone everywhere
    assert "sam.unsure" not in dump and "07700 900123" not in dump  # loose mail, notice too
    assert "Acacia" not in dump and "jane-street" not in dump and "JPEG of Jane" not in dump
    assert JANE in dump  # her 2025 case still needs her
    assert KIM in dump and "gritting" in dump  # an open case is never purged
    with desk.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Blob)) == 0
        events_after = uow.session.scalars(select(Event.id).order_by(Event.id)).all()
        purged = uow.cases.get("FOI 000001/22")
        assert purged.status == "closed" and purged.received_on == LONG_AGO.date()
        assert len(purged.questions) == 1 and purged.questions[0].text == ""
        details = uow.session.scalars(select(EventDetail.event_id).join(
            Event, Event.id == EventDetail.event_id).where(Event.case_id == purged.id)).all()
        assert [e.action for e in uow.cases.events(purged)][-1] == "personal_data_purged"
    assert events_after[:len(events_before)] == events_before  # nothing removed or changed
    assert len(details) == 1  # only the purge's own note, which names nobody
    assert statistics(desk) == stats_before
    again = purge(desk.uow(), parse_age("3y"), now=TODAY, actor="test")
    assert again.references == []


def test_after_a_purge_the_audit_trail_still_cannot_be_changed(desk):
    purge(desk.uow(), parse_age("3y"), now=TODAY, actor="test")
    engine = desk.engine
    with engine.connect() as connection:
        for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events",
                          "UPDATE events SET detail = 'rewritten history'"):
            with pytest.raises(SQLAlchemyError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()


@pytest.mark.parametrize("bad", ["3", "three years", "3x", "-1y", ""])
def test_a_bad_age_says_what_is_expected(bad):
    with pytest.raises(ValueError, match="like 3y or 18m"):
        parse_age(bad)
