"""What only EWS has: the received-time cursor, Exchange's errors, and login refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests_mock
from fakes.ews import FakeEws

from connectors.errors import LoginError
from connectors.ews import EwsMailbox, EwsSettings, connect_account


def mime(n: int) -> bytes:
    return f"Subject: r{n}\r\nMessage-ID: <ews-{n}@example.org>\r\n\r\nbody\r\n".encode()


@pytest.fixture
def ews():
    fake = FakeEws()
    with requests_mock.Mocker() as http:
        fake.install(http)
        yield fake


def mailbox_for(fake: FakeEws, password: str | None = None) -> EwsMailbox:
    settings = EwsSettings(primary_smtp_address="foi@example.gov.uk", username=fake.username,
                           server="mail.example.gov.uk", auth="basic")
    return EwsMailbox(settings, connect_account(settings, lambda: password or fake.password))


def test_items_received_in_the_same_second_are_neither_skipped_nor_repeated(ews):
    same_second = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
    for n in range(1, 6):
        ews.deliver(mime(n), received=same_second)
    ews.deliver(mime(6), received=datetime(2026, 11, 26, 9, 0, 1, tzinfo=UTC))
    mailbox = mailbox_for(ews)
    cursor, subjects = None, []
    for _ in range(10):
        batch = mailbox.fetch(cursor, limit=2)
        subjects += [m.raw.split(b"\r\n")[0].decode() for m in batch.messages]
        cursor = batch.cursor
        if not batch.messages:
            break
    assert subjects == [f"Subject: r{n}" for n in range(1, 7)]


def test_a_refused_login_is_a_login_error_without_the_password(ews):
    mailbox = mailbox_for(ews, password="wrong-ews-password")
    with pytest.raises(LoginError) as raised:
        mailbox.fetch(None)
    assert "wrong-ews-password" not in str(raised.value)


def test_a_poll_is_one_finditem_and_one_getitem_for_the_new_item(ews):
    for n in (1, 2, 3):
        ews.deliver(mime(n))
    mailbox = mailbox_for(ews)
    cursor = mailbox.fetch(None).cursor
    ews.deliver(mime(4), received=datetime(2099, 1, 1, tzinfo=UTC))
    ews.operations.clear()
    batch = mailbox.fetch(cursor)
    assert [m.raw for m in batch.messages] == [mime(4)]
    assert ews.operations == ["FindItem", "GetItem"]
    ews.operations.clear()
    assert mailbox.fetch(batch.cursor).messages == []
    assert ews.operations == ["FindItem"]
