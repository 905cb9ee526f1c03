"""A claimed message over SMTP: MAIL and RCPT while the outbox commits its claim, DATA only
once the claim is confirmed; nothing delivered when the claim fails or finds the row taken.
The drain over a real register (SQLite and PostgreSQL) and aiosmtpd sends each row once."""

from __future__ import annotations

import threading

import pytest
from servers import smtp_server
from sqlalchemy import select
from test_drain import NOW, outgoing, queue, statuses
from test_smtp import RAW, sender_for

from connectors.base import OutgoingMessage
from foidesk.outbox import drain, recipients_of
from foidesk.outbox_claim import ClaimedMessage, ClaimStatements
from foidesk.register.models import OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TO = ("a@example.org",)


class Claim:
    """A claim whose confirmation notes what the mail server had been told by then."""

    def __init__(self, server, gives=None, recipients=TO) -> None:
        self.server, self.gives, self.recipients = server, gives, recipients
        self.confirmed = 0
        self.recipients_seen_then: list[str] = []

    def __call__(self):
        self.confirmed += 1
        self.recipients_seen_then = list(self.server.handler.recipients_seen)
        self.received_then = len(self.server.handler.received)
        if isinstance(self.gives, Exception):
            raise self.gives
        return self.gives

    def message(self) -> ClaimedMessage:
        return ClaimedMessage("foi@example.gov.uk", self.recipients, self)


@pytest.fixture
def server():
    with smtp_server() as running:
        running.handler.recipients_seen = []
        handle = running.handler.handle_RCPT

        async def noting(server, session, envelope, address, options):
            running.handler.recipients_seen.append(address)
            return await handle(server, session, envelope, address, options)

        running.handler.handle_RCPT = noting
        yield running


def test_the_envelope_goes_before_the_claim_is_confirmed_and_the_content_after(server):
    claim = Claim(server, OutgoingMessage(RAW, "foi@example.gov.uk", TO))
    with sender_for(server) as sender:
        [result] = sender.send_batch([claim.message()])
    assert result.ok and result.provider_id == "Q00001" and claim.confirmed == 1
    assert claim.recipients_seen_then == ["a@example.org"] and claim.received_then == 0
    assert [(f, r) for f, r, _ in server.handler.received] == [("foi@example.gov.uk", list(TO))]


def test_a_claim_that_finds_its_row_taken_sends_nothing_and_the_connection_goes_on(server):
    taken = Claim(server, None)
    after = Claim(server, OutgoingMessage(RAW, "foi@example.gov.uk", TO))
    with sender_for(server) as sender:
        results = sender.send_batch([taken.message(), after.message()])
    assert [r.ok for r in results] == [True]  # no result for the message not sent
    assert len(server.handler.received) == 1 and server.handler.sessions == 1


def test_a_claim_that_fails_delivers_nothing_and_the_connection_goes_on(server):
    failing = Claim(server, RuntimeError("the register went away"))
    with sender_for(server) as sender:
        with pytest.raises(RuntimeError, match="register went away"):
            sender.send_batch([failing.message()])
        assert server.handler.received == []
        assert sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", TO)).ok
    assert len(server.handler.received) == 1 and server.handler.sessions == 1


def test_a_refused_recipient_is_reported_as_for_any_message(server):
    server.handler.refuse["gone@example.org"] = "550 5.1.1 no such user"
    to = ("a@example.org", "gone@example.org")
    claim = Claim(server, OutgoingMessage(RAW, "foi@example.gov.uk", to), recipients=to)
    with sender_for(server) as sender:
        [result] = sender.send_batch([claim.message()])
    assert result.ok and result.refused == {"gone@example.org": "550 5.1.1 no such user"}
    assert [r for _, r, _ in server.handler.received] == [["a@example.org"]]


def test_a_message_whose_envelope_differs_from_its_claim_goes_to_its_own_recipients(server):
    mine = OutgoingMessage(RAW, "foi@example.gov.uk", ("b@example.org",))
    claim = Claim(server, mine, recipients=TO)
    with sender_for(server) as sender:
        [result] = sender.send_batch([claim.message()])
    assert result.ok and [r for _, r, _ in server.handler.received] == [["b@example.org"]]


def test_a_connection_dropped_before_the_claim_is_opened_again_and_the_message_sent_once(
        server):
    with sender_for(server) as sender:
        assert sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", TO)).ok
        server.restart()  # every open connection drops
        claim = Claim(server, OutgoingMessage(RAW, "foi@example.gov.uk", TO))
        [result] = sender.send_batch([claim.message()])
    assert result.ok and claim.confirmed == 1
    assert len(server.handler.received) == 2 and server.handler.sessions == 2


def test_the_drain_over_smtp_sends_each_row_once_with_its_result(engine, server):
    queue(engine, 30)
    threads = set()

    def noting_thread(item):
        threads.add(threading.current_thread().name)
        return outgoing(item)

    with sender_for(server) as sender:
        report = drain(lambda: SqlUnitOfWork(engine), sender, noting_thread, now=NOW)
    assert sorted(report.sent) == sorted(f"test:{n}" for n in range(30))
    assert statuses(engine) == ["sent"] * 30
    assert sorted(r for _, [r], _ in server.handler.received) == \
        sorted(f"r{n}@example.org" for n in range(30))
    with SqlUnitOfWork(engine) as uow:
        rows = uow.session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        assert [row.provider_id for row in rows] == [f"Q{n:05d}" for n in range(1, 31)]
        assert all(row.attempts == 1 for row in rows)
    assert threads == {threading.current_thread().name}  # messages built here, not there


def test_a_row_another_drain_takes_meanwhile_is_not_sent_over_smtp(engine, server):
    queue(engine, 3)
    with SqlUnitOfWork(engine) as uow:
        ids = list(uow.session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)))

    def meanwhile(item):  # while the first is sent, another drain takes the second row
        if item.id == ids[0]:
            with SqlUnitOfWork(engine) as uow:
                uow.session.get(OutboxItem, ids[1]).status = "sending"
                uow.commit()
        return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))

    with sender_for(server) as sender:
        report = drain(lambda: SqlUnitOfWork(engine), sender, meanwhile, now=NOW)
    assert sorted(report.sent) == ["test:0", "test:2"]
    assert statuses(engine) == ["sent", "sending", "sent"]
    assert sorted(r for _, [r], _ in server.handler.received) == \
        ["r0@example.org", "r2@example.org"]
    assert server.handler.sessions == 1


def test_a_threaded_claim_is_begun_and_waited_for_only_when_confirmed():
    release, ran_on = threading.Event(), []

    def statement():
        ran_on.append(threading.current_thread().name)
        release.wait(5)
        return "row"

    statements = ClaimStatements(threaded=True)
    wait = statements.start(statement)  # returns while the statement still runs
    assert not release.is_set()
    release.set()
    assert wait() == "row" and ran_on[0].startswith("foidesk-claim")
    statements.close()
    inline = ClaimStatements(threaded=False)
    assert inline.start(lambda: threading.current_thread().name)() == \
        threading.current_thread().name
