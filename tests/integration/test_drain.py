"""The drain sends everything queued, chunk by chunk over one connection, within its
time budget and any explicit cap; what it leaves is sent by the next drain, once."""

from __future__ import annotations

import mailbox as stdlib_mailbox
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from connectors.base import OutgoingMessage
from connectors.maildir import MaildirSender
from foidesk import outbox
from foidesk.outbox import Envelope, compose, drain, enqueue, recipients_of
from foidesk.register.models import Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def queue(engine, count: int) -> None:
    with SqlUnitOfWork(engine) as uow:
        for n in range(count):
            envelope = Envelope(sender="foi@example.gov.uk", to=(f"r{n}@example.org",))
            message = compose(RenderedEmail(f"Message {n}", "Thank you.", None), envelope,
                              domain="example.gov.uk", now=NOW)
            enqueue(uow, f"test:{n}", message, envelope, case=None, now=NOW)
        uow.commit()


def statuses(engine) -> list[str]:
    with SqlUnitOfWork(engine) as uow:
        return list(uow.session.scalars(select(OutboxItem.status).order_by(OutboxItem.id)))


class CountingSender(MaildirSender):
    """A real Maildir outbox that counts its batches."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.batches = 0

    def send_batch(self, messages, on_result=None):
        self.batches += 1
        return super().send_batch(messages, on_result=on_result)


def delivered(path) -> list[str]:
    return sorted(str(m["To"]) for m in stdlib_mailbox.Maildir(path))


def test_one_drain_sends_everything_queued_chunk_by_chunk(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(outbox, "DRAIN_CHUNK", 40)
    queue(engine, 101)
    sender = CountingSender(tmp_path / "out")
    report = drain(lambda: SqlUnitOfWork(engine), sender, outgoing, now=NOW)
    assert len(report.sent) == 101 and statuses(engine) == ["sent"] * 101
    assert sender.batches == 3  # 40 + 40 + 21, each over the sender's one connection
    assert delivered(tmp_path / "out") == sorted(f"r{n}@example.org" for n in range(101))


def test_the_budget_stops_a_drain_and_the_next_sends_the_rest_once(engine, tmp_path):
    queue(engine, 10)
    ticks = iter(range(1000))
    sender = MaildirSender(tmp_path / "out")
    first = drain(lambda: SqlUnitOfWork(engine), sender, outgoing, now=NOW,
                  budget_seconds=4.5, clock=lambda: float(next(ticks)))
    assert 0 < len(first.sent) < 10
    assert statuses(engine).count("pending") == 10 - len(first.sent)  # none left `sending`
    rest = drain(lambda: SqlUnitOfWork(engine), sender, outgoing, now=NOW)
    assert len(first.sent) + len(rest.sent) == 10 and statuses(engine) == ["sent"] * 10
    assert delivered(tmp_path / "out") == sorted(f"r{n}@example.org" for n in range(10))


def test_an_explicit_cap_sends_no_more_than_it_names(engine, tmp_path):
    queue(engine, 7)
    report = drain(lambda: SqlUnitOfWork(engine), MaildirSender(tmp_path / "out"), outgoing,
                   now=NOW, limit=3)
    assert len(report.sent) == 3 and statuses(engine) == ["sent"] * 3 + ["pending"] * 4


def test_a_sender_with_only_send_is_drained_one_message_at_a_time(engine, tmp_path):
    class OnlySend:
        def __init__(self) -> None:
            self.inner = MaildirSender(tmp_path / "out")

        def send(self, message):
            return self.inner.send(message)

    queue(engine, 5)
    report = drain(lambda: SqlUnitOfWork(engine), OnlySend(), outgoing, now=NOW)
    assert len(report.sent) == 5 and statuses(engine) == ["sent"] * 5


def test_each_row_records_its_own_result_and_a_row_taken_elsewhere_is_skipped(engine, tmp_path):
    """A sent result and the next row's take share one statement: each row must still
    get only its own result, and a row another drain has taken must be left to it."""
    queue(engine, 4)
    with SqlUnitOfWork(engine) as uow:
        ids = list(uow.session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)))

    class Sender(MaildirSender):
        def send(self, message):
            result = super().send(message)
            if message.recipients == ("r0@example.org",):  # meanwhile, another drain
                with SqlUnitOfWork(engine) as uow:  # takes the third row
                    uow.session.get(OutboxItem, ids[2]).status = "sending"
                    uow.commit()
            if message.recipients == ("r1@example.org",):
                result = replace(result, refused={"cc@example.org": "550 no such user"})
            return result

    report = drain(lambda: SqlUnitOfWork(engine), Sender(tmp_path / "out"), outgoing, now=NOW)
    assert sorted(report.sent) == ["test:0", "test:1", "test:3"]
    with SqlUnitOfWork(engine) as uow:
        rows = {row.idempotency_key: row for row in uow.session.scalars(select(OutboxItem))}
        sent_rows = {m.message_id: m.delivery_status for m in uow.session.scalars(
            select(Message).where(Message.direction == "out"))}
    keys = {str(m["Message-ID"]): key for key, m in stdlib_mailbox.Maildir(tmp_path / "out")
            .items()}
    for key in ("test:0", "test:1", "test:3"):
        row = rows[key]
        assert (row.status, row.attempts, row.provider_id) == ("sent", 1, keys[row.message_id])
        assert row.sent_at.replace(tzinfo=UTC) == NOW and sent_rows[row.message_id] == "sent"
    assert rows["test:1"].last_error == "refused: cc@example.org: 550 no such user"
    assert rows["test:0"].last_error is None and rows["test:3"].last_error is None
    taken = rows["test:2"]  # the other drain's: not sent here, not counted, not touched
    assert (taken.status, taken.attempts, taken.sent_at, taken.provider_id) == (
        "sending", 0, None, None)
    assert sent_rows[taken.message_id] != "sent"
    assert delivered(tmp_path / "out") == [f"r{n}@example.org" for n in (0, 1, 3)]


def test_a_message_costs_no_checkout_and_on_postgresql_no_begin_or_commit(engine, tmp_path):
    """The drain's statement a message goes over one held connection: the pool is not
    asked for a connection (and, on PostgreSQL, pinged) for each, and on PostgreSQL the
    statement commits itself, with no BEGIN and COMMIT around it."""
    from sqlalchemy import event

    queue(engine, 60)
    counts = {"checkout": 0, "commit": 0}
    event.listen(engine.pool, "checkout", lambda *a: counts.__setitem__(
        "checkout", counts["checkout"] + 1))
    event.listen(engine, "commit", lambda *a: counts.__setitem__(
        "commit", counts["commit"] + 1))
    report = drain(lambda: SqlUnitOfWork(engine), MaildirSender(tmp_path / "out"), outgoing,
                   now=NOW)
    assert len(report.sent) == 60 and statuses(engine) == ["sent"] * 60
    assert counts["checkout"] <= 10  # the drain's own reads and its lease, not a message's
    if engine.dialect.name == "postgresql":
        assert counts["commit"] <= 10
    else:  # SQLite: one transaction a message (its BEGIN IMMEDIATE takes the write lock)
        assert 60 <= counts["commit"] <= 70
