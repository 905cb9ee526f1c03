"""One contract, every mailbox connector: what foidesk relies on from a mailbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from connectors.base import Mailbox


def make_message(n: int, subject: str = "FOI request") -> bytes:
    return (
        f"From: Requester {n} <requester{n}@example.org>\r\n"
        f"To: foi@example.gov.uk\r\n"
        f"Subject: {subject} {n}\r\n"
        f"Message-ID: <request-{n:04d}@example.org>\r\n"
        f"Date: Mon, 16 Oct 2018 10:{n % 60:02d}:00 +0100\r\n"
        f"\r\n"
        f"Please provide information number {n}.\r\n"
    ).encode()


def ids(batch) -> list[str]:
    return [str(message_from_bytes(m.raw, policy=policy.default)["Message-ID"])
            for m in batch.messages]


def test_the_connector_implements_the_mailbox_protocol(harness):
    assert isinstance(harness.mailbox, Mailbox)


def test_an_empty_mailbox_returns_nothing_and_a_cursor(harness):
    batch = harness.mailbox.fetch(None)
    assert batch.messages == [] and not batch.more
    again = harness.mailbox.fetch(batch.cursor)
    assert again.messages == [] and not again.resync


def test_messages_come_in_arrival_order_in_batches_and_never_twice(harness):
    for n in range(1, 6):
        harness.deliver(make_message(n))
    first = harness.mailbox.fetch(None, limit=3)
    assert ids(first) == [f"<request-{n:04d}@example.org>" for n in (1, 2, 3)]
    assert first.more
    second = harness.mailbox.fetch(first.cursor, limit=3)
    assert ids(second) == ["<request-0004@example.org>", "<request-0005@example.org>"]
    assert not second.more
    third = harness.mailbox.fetch(second.cursor, limit=3)
    harness.mailbox.mark_processed([m.provider_id for m in first.messages + second.messages])
    assert third.messages == []  # the highest UID is not handed out again


def test_a_fetched_message_carries_its_bytes_id_arrival_time_and_size(harness):
    raw = make_message(7, subject="Live facial recognition")
    harness.deliver(raw)
    [message] = harness.mailbox.fetch(None).messages
    parsed = message_from_bytes(message.raw, policy=policy.default)
    assert parsed["Subject"] == "Live facial recognition 7"
    assert parsed.get_content().strip() == "Please provide information number 7."
    assert message.provider_id
    assert message.size >= len(raw) - raw.count(b"\r\n")
    assert message.arrived_at is not None and message.arrived_at.tzinfo is not None
    assert abs(message.arrived_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_new_mail_after_the_cursor_is_fetched_next(harness):
    harness.deliver(make_message(1))
    first = harness.mailbox.fetch(None)
    harness.deliver(make_message(2))
    assert ids(harness.mailbox.fetch(first.cursor)) == ["<request-0002@example.org>"]


def test_processed_and_quarantined_messages_leave_the_inbox_for_their_folders(harness):
    for n in (1, 2, 3):
        harness.deliver(make_message(n))
    batch = harness.mailbox.fetch(None)
    one, two, three = batch.messages
    harness.mailbox.mark_processed([one.provider_id, three.provider_id])
    harness.mailbox.quarantine([two.provider_id])
    assert harness.message_ids("inbox") == []
    assert harness.message_ids("processed") == [
        "<request-0001@example.org>", "<request-0003@example.org>"
    ]
    assert harness.message_ids("quarantine") == ["<request-0002@example.org>"]


def test_marking_a_message_twice_is_harmless(harness):
    harness.deliver(make_message(1))
    [message] = harness.mailbox.fetch(None).messages
    harness.mailbox.mark_processed([message.provider_id])
    harness.mailbox.mark_processed([message.provider_id])
    assert harness.message_ids("processed") == ["<request-0001@example.org>"]


def test_a_message_handed_out_but_never_marked_is_not_lost(harness):
    harness.deliver(make_message(1))
    harness.deliver(make_message(2))
    batch = harness.mailbox.fetch(None)
    harness.mailbox.mark_processed([batch.messages[1].provider_id])  # a crash before the first
    assert harness.message_ids("inbox") == ["<request-0001@example.org>"]


def test_an_invalidated_cursor_rereads_the_folder(harness):
    if not harness.can_invalidate:
        return
    harness.deliver(make_message(1))
    first = harness.mailbox.fetch(None)
    harness.invalidate()
    harness.deliver(make_message(2))
    harness.deliver(make_message(3))
    again = harness.mailbox.fetch(first.cursor)
    assert again.resync
    # The folder is read from the start: whatever it still holds comes back (the
    # register dedupes), and nothing delivered since is missed.
    assert ids(again)[-2:] == ["<request-0002@example.org>", "<request-0003@example.org>"]


def test_hundreds_of_messages_arrive_in_one_fetch(harness):
    for n in range(1, 251):
        harness.deliver(make_message(n))
    batch = harness.mailbox.fetch(None, limit=1000)
    assert len(batch.messages) == 250
    assert ids(batch)[-1] == "<request-0250@example.org>"
