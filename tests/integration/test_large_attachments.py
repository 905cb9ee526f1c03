"""A request with a large attachment: the attachment goes to the blob store as it is
parsed, once, and the register keeps the small message that names it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.message import EmailMessage

from intake_support import settings
from sqlalchemy import select

from foidesk.large_parts import STORED_HEADER
from foidesk.register.models import Attachment, Blob, Case, Message
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_message

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DATA = os.urandom(3 * 1024 * 1024 + 7)


def big_request(n: int = 1, received: str = "mx1") -> bytes:
    message = EmailMessage()
    message["Received"] = f"from {received}.example.org"
    message["From"] = "Jane Requester <jane@example.org>"
    message["To"] = "foi@example.gov.uk"
    message["Subject"] = "FOI request: potholes, with my photographs"
    message["Message-ID"] = f"<big-{n}@example.org>"
    message.set_content("Under the FOI Act please tell me how many potholes were reported.")
    message.add_attachment(DATA, maintype="image", subtype="jpeg", filename="pothole.jpg")
    return message.as_bytes().replace(b"\n", b"\r\n")


def test_a_large_attachment_is_stored_once_and_the_register_keeps_the_small_message(engine):
    raw = big_request()
    outcome = process_message(SqlUnitOfWork(engine), "1", raw, NOW, settings(), now=NOW)
    assert outcome.decision == "new_request" and outcome.registered
    with SqlUnitOfWork(engine) as uow:
        row = uow.session.scalar(select(Message).where(Message.direction == "in"))
        blob = uow.session.scalars(select(Blob)).one()
        attachment = uow.session.scalars(select(Attachment)).one()
        assert blob.data == DATA and blob.size == len(DATA)
        assert (attachment.filename, attachment.size, attachment.sha256) == (
            "pothole.jpg", len(DATA), blob.sha256)
        assert row.size == len(raw) and len(row.raw) < 5000  # the bytes are not kept twice
        assert STORED_HEADER.encode() in row.raw and blob.sha256.encode() in row.raw
        assert uow.session.scalar(select(Case.subject)) == (
            "FOI request: potholes, with my photographs")


def test_a_second_copy_of_a_large_message_is_recognised_as_a_copy(engine):
    """The copy differs in its Received line: it is still the same message."""
    first = big_request(received="mx1")
    process_message(SqlUnitOfWork(engine), "1", first, NOW, settings(), now=NOW)
    again = process_message(SqlUnitOfWork(engine), "2", first.replace(b"mx1", b"mx2", 1), NOW,
                            settings(), now=NOW)
    assert again.decision == "duplicate"
    with SqlUnitOfWork(engine) as uow:
        assert len(uow.session.scalars(select(Case)).all()) == 1
        assert len(uow.session.scalars(select(Blob)).all()) == 1
