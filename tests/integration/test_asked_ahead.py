"""The questions intake asks of each message, asked for many messages at once, give the
answers each asked alone gives: on both backends, for a batch whose own rows change the
answers as it goes (a message twice, a repeat, one sender over the reply limit, a message
with an attachment that writes the batch's new rows early)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from intake_support import FOI, request_email, settings
from servers import create_database, drop_database
from sqlalchemy import insert, select, text

from connectors.base import FetchedMessage
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import asked_ahead, process_batch
from foidesk.services.intake.asked_ahead import (
    ask_ahead,
    asking_ahead,
    has_open_case,
    message_known,
    replies_since,
)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SINCE = date(2026, 10, 1)


def with_attachment(n: int, sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Sam <{sender}>"
    message["To"] = FOI
    message["Subject"] = f"FOI request {n}: potholes near the attached map"
    message["Message-ID"] = f"<attached-{n}@example.org>"
    message.set_content("Under the FOI Act please tell me how many potholes were reported "
                        "on the streets marked on the attached map in 2025.\n")
    message.add_attachment(b"%PDF-1.4 a map", maintype="application", subtype="pdf",
                           filename="map.pdf")
    return message.as_bytes()


def a_batch() -> list[bytes]:
    raws = []
    for n in range(70):  # three chunks' worth
        if n % 9 == 4:
            raws.append(raws[-3])  # a message delivered twice
        elif n % 11 == 5:  # writes the batch's new rows early: the next is a repeat
            raws.append(with_attachment(n, f"r{n}@example.org"))
        elif n % 11 == 6:
            raws.append(request_email(n, sender=f"r{n - 2}@example.org"))  # a repeat
        elif n % 5 == 0:  # one sender with many requests: over the daily reply limit
            raws.append(request_email(n, sender="often@example.org",
                                      subject=f"FOI request {n}: bins in ward {n}",
                                      body=f"Please tell me how many bins ward {n} has.\n"))
        else:
            raws.append(request_email(n, sender=f"r{n}@example.org",
                                      subject=f"FOI request {n}: potholes in ward {n}"))
    return raws


def run(engine, raws: list[bytes]):
    batch = [FetchedMessage(f"1:{n}", raw, NOW, 0) for n, raw in enumerate(raws)]
    report = process_batch(lambda: SqlUnitOfWork(engine), batch, settings(), now=NOW)
    with SqlUnitOfWork(engine) as uow:
        keys = sorted(uow.session.scalars(select(OutboxItem.idempotency_key)))
        suppressed = uow.session.scalar(text(
            "SELECT count(*) FROM events WHERE action = 'auto_reply_suppressed'"))
    return ([(o.decision, o.reason, o.reference, o.registered) for o in report.outcomes], keys,
            suppressed)


@pytest.fixture
def second_engine(engine, request, tmp_path):
    """A second migrated register on the same backend."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'alone.db'}"
    else:
        admin_url = request.getfixturevalue("postgres_admin_url")
        url = create_database(admin_url, "foidesk_alone")
    second = create_register_engine(url)
    upgrade(second)
    yield second
    second.dispose()
    if engine.dialect.name != "sqlite":
        drop_database(admin_url, url)


def test_a_batch_asked_ahead_registers_what_one_asked_message_by_message_does(
        engine, second_engine, monkeypatch):
    first, second = a_batch()[:40], a_batch()[30:]  # the second repeats ten of the first
    by_message = []
    monkeypatch.setattr("foidesk.services.intake.process._message_by_message",
                        lambda *a, **k: by_message.append(1) or [])
    ahead = [run(engine, first), run(engine, second)]
    assert by_message == []  # each batch acted on whole, its questions asked ahead
    monkeypatch.undo()
    monkeypatch.setattr("foidesk.services.intake.process.ask_ahead", lambda *a, **k: None)
    alone = [run(second_engine, first), run(second_engine, second)]
    assert ahead == alone
    decisions = {d for outcomes, *_ in ahead for d, *_ in outcomes}
    assert {"new_request", "duplicate"} <= decisions
    assert any(key.startswith("repeat_request:") for _, keys, _ in ahead for key in keys)
    assert ahead[0][2] > 0  # the reply limit was reached within the batch


@pytest.fixture
def register(engine):
    """A register with a known message, requesters with an open, a closed and an old
    case, and two of the day's automatic replies to one of them."""
    raws = [request_email(1, sender="open@example.org"),
            request_email(2, sender="closed@example.org"),
            request_email(3, sender="old@example.org")]
    process_batch(lambda: SqlUnitOfWork(engine), [FetchedMessage(f"1:{n}", raw, NOW, 0)
                                                   for n, raw in enumerate(raws)],
                  settings(), now=NOW)
    with SqlUnitOfWork(engine) as uow:
        uow.session.execute(text("UPDATE cases SET status = 'closed' WHERE requester_id = "
                                 "(SELECT id FROM requesters WHERE email = 'closed@example.org')"))
        uow.session.execute(text("UPDATE cases SET received_on = :day WHERE requester_id = "
                                 "(SELECT id FROM requesters WHERE email = 'old@example.org')"),
                            {"day": date(2026, 9, 1)})
        uow.commit()
    return engine


ASKED = dict(ids=["<request-1@example.org>", "<nobody@example.org>"],
             senders=["open@example.org", "closed@example.org", "old@example.org",
                      "new@example.org"])


def answers(connection) -> list:
    return ([message_known(connection, i) for i in ASKED["ids"]]
            + [has_open_case(connection, s, SINCE) for s in ASKED["senders"]]
            + [replies_since(connection, s, NOW - timedelta(days=1)) for s in ASKED["senders"]])


def test_answers_asked_ahead_are_the_answers_asked_alone(register):
    with register.connect() as connection:
        alone = answers(connection)
        with asking_ahead(connection) as kept:
            ask_ahead(connection, ASKED["ids"], ASKED["senders"], open_since=SINCE,
                      replies_since=NOW - timedelta(days=1))
            ahead = answers(connection)
            assert len(kept.known) == 2 and len(kept.open_case) == len(kept.replies) == 4
    assert ahead == alone == [True, False, True, False, False, False, 1, 1, 1, 0]


def test_a_write_drops_the_answers_it_may_change_and_sql_by_hand_drops_them_all(register):
    with register.connect() as connection, connection.begin():
        with asking_ahead(connection) as kept:
            ask_ahead(connection, ["<later@example.org>"], ["new@example.org"],
                      open_since=SINCE, replies_since=NOW - timedelta(days=1))
            assert not message_known(connection, "<later@example.org>")
            connection.execute(insert(Message.__table__).values(
                direction="in", message_id="<later@example.org>", at=NOW,
                content_sha256="0" * 64, size=0))
            assert kept.dropped and kept.known == {} and kept.open_case
            assert message_known(connection, "<later@example.org>")  # asked alone
            connection.execute(text("SELECT 1"))
            assert kept.open_case == {} and kept.replies == {}
        connection.rollback()


def test_outside_a_batch_every_question_is_asked_alone(register):
    with register.connect() as connection:
        assert asked_ahead._KEY not in connection.info
        assert answers(connection)[:3] == [True, False, True]
