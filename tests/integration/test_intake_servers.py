"""Intake end to end against real servers: Dovecot in, aiosmtpd out, the register in between."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from intake_support import FOI, OWNER, TEAM, request_email, server_desk, settings

from connectors.base import OutgoingMessage
from foidesk.outbox import recipients_of
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
FOLDER = "FOIInbox"


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


@pytest.fixture
def desk(database_url, dovecot_plain):
    with server_desk(database_url, dovecot_plain, FOLDER) as parts:
        engine, mailbox, admin, smtp, sender = parts

        class Desk:
            def uow(self):
                return SqlUnitOfWork(engine)

            def run(self, now=NOW, **kwargs):
                return run_intake(self.uow, mailbox, sender, settings(), now=now,
                                  outgoing=outgoing, **kwargs)

            def deliver(self, raw: bytes) -> None:
                admin.append(FOLDER, raw)

            def folder(self, name: str) -> list[bytes]:
                admin.select_folder(name, readonly=True)
                uids = admin.search()
                return [d[b"BODY[]"] for d in admin.fetch(uids, ["BODY.PEEK[]"]).values()]

            def sent_to(self, address: str) -> list:
                return [message_from_bytes(content, policy=policy.default)
                        for content in self.raw_sent_to(address)]

            def raw_sent_to(self, address: str) -> list[bytes]:
                """The bytes aiosmtpd received, as the requester's server would store them."""
                return [content for _, rcpts, content in smtp.handler.received
                        if address in rcpts]

        yield Desk()


def case_of(desk, reference):
    with desk.uow() as uow:
        case = uow.cases.get(reference)
        return case, [e.action for e in uow.cases.events(case)]


def test_a_request_becomes_a_case_and_an_acknowledgement_threaded_to_it(desk):
    desk.deliver(request_email(1))
    report = desk.run()
    assert report.registered == ["FOI 000001/26"]
    case, events = case_of(desk, "FOI 000001/26")
    assert case.status == "awaiting_owner"
    assert [(q.number, q.text) for q in case.questions] == [
        ("1", "How many potholes were reported in 2025?"),
        ("2", "How many were repaired within 28 days?"),
    ]
    assert case.received_at.date() == datetime.now(UTC).date()  # the server's arrival time
    [ack] = desk.sent_to("jane@example.org")
    assert ack["Subject"] == "[FOI 000001/26] Freedom of Information request: potholes"
    assert ack["In-Reply-To"] == "<request-1@example.org>"
    assert "<request-1@example.org>" in ack["References"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["From"].addresses[0].addr_spec == FOI
    text = ack.get_body(("plain",)).get_content()
    assert "FOI 000001/26" in text and f"{case.due_on.day} {case.due_on:%B %Y}" in text
    assert "How many potholes were reported in 2025?" in text
    assert ack.get_body(("html",)) is not None
    [task] = desk.sent_to(OWNER)
    assert "Information needed by" in task["Subject"]
    assert events == ["case_registered", "status_changed", "owner_assigned", "status_changed"]
    assert len(desk.folder("FOI/Processed")) == 1 and desk.folder(FOLDER) == []


def test_a_reply_quoting_the_reference_is_filed_on_the_case(desk):
    desk.deliver(request_email(1))
    desk.run()
    reply = request_email(2, subject="More detail please", body="About ref 000001/26: thanks.")
    desk.deliver(reply)
    report = desk.run()
    assert report.counts == {"requester_reply": 1}
    _case, events = case_of(desk, "FOI 000001/26")
    assert events[-1] == "requester_replied"
    assert len(desk.sent_to("jane@example.org")) == 1  # no second acknowledgement
    assert any("The requester replied on FOI 000001/26" in str(m["Subject"])
               for m in desk.sent_to(TEAM))


def test_an_owner_reply_threaded_on_the_task_supplies_their_part(desk):
    desk.deliver(request_email(1))
    desk.run()
    [task] = desk.sent_to(OWNER)
    reply = request_email(3, sender=OWNER, subject=f"Re: {task['Subject']}",
                          body="We hold 1,204 reports.",
                          headers={"In-Reply-To": task["Message-ID"]})
    desk.deliver(reply)
    assert desk.run().counts == {"owner_contribution": 1}
    case, _ = case_of(desk, "FOI 000001/26")
    assert case.status == "drafting"
    assert [a.state for a in case.assignments] == ["supplied"]


def test_an_auto_reply_gets_no_answer(desk):
    desk.deliver(request_email(1, subject="Automatic reply: Freedom of Information request",
                               headers={"Auto-Submitted": "auto-replied"}))
    report = desk.run()
    assert report.counts == {"auto_reply": 1}
    assert desk.sent_to("jane@example.org") == []
    assert len(desk.folder("FOI/Processed")) == 1


def test_a_bounce_of_our_acknowledgement_flags_the_case_and_tells_the_team(desk):
    desk.deliver(request_email(1, sender="nobody@invalid.example"))
    desk.run()
    [ack] = desk.sent_to("nobody@invalid.example")
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.gov.uk>\r\n"
        "To: foi@example.gov.uk\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.gov.uk>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.gov.uk\r\n\r\nFinal-Recipient: rfc822; "
        "nobody@invalid.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {ack['Message-ID']}\r\nSubject: x\r\n\r\n--b--\r\n"
    ).encode()
    desk.deliver(bounce)
    report = desk.run()
    assert report.counts == {"bounce": 1}
    case, events = case_of(desk, "FOI 000001/26")
    assert "delivery_failed" in case.flags and events[-1] == "delivery_failed"
    with desk.uow() as uow:
        from sqlalchemy import select

        from foidesk.register.models import Message

        status = uow.session.scalar(select(Message.delivery_status).where(
            Message.message_id == ack["Message-ID"], Message.direction == "out"))
    assert status == "bounced"
    assert len(desk.sent_to("nobody@invalid.example")) == 1
    [notice] = [m for m in desk.sent_to(TEAM) if "could not be delivered" in str(m["Subject"])]
    assert "()" not in str(notice["Subject"])


M365_ID = ("<LO4P265MB6590A1B2C3D4E5F60718293A4B5C6D7E8F9ABCDE"
           "@LO4P265MB6590.GBRP265.PROD.OUTLOOK.COM>")


def test_an_acknowledgement_threads_on_a_long_microsoft_365_message_id(desk):
    """Sent through aiosmtpd and read back from Dovecot, In-Reply-To and References
    are the requester's Message-ID byte for byte, the Subject has no leading space,
    and the team's copy of the original is message/rfc822 in 7bit or 8bit."""
    assert len(M365_ID) == 90
    subject = ("Freedom of Information request - Live facial recognition deployments, "
               "watchlists and arrests in 2026")
    raw = request_email(7, subject=subject).replace(b"<request-7@example.org>",
                                                    M365_ID.encode())
    desk.deliver(raw)
    desk.run()
    [ack] = desk.raw_sent_to("jane@example.org")
    desk.deliver(ack)  # stored as the requester's server would store it
    stored = [m for m in desk.folder(FOLDER) if b"In-Reply-To" in m]
    [raw] = stored
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert f"In-Reply-To: {M365_ID}".encode() in head
    assert f"References: {M365_ID}".encode() in head
    assert b"=?" not in head.split(b"Subject:", 1)[0]  # nothing encoded before Subject
    back = message_from_bytes(raw, policy=policy.default)
    assert str(back["In-Reply-To"]) == M365_ID
    assert str(back["References"]) == M365_ID
    assert str(back["Subject"]) == f"[FOI 000001/26] {subject}"
    assert not str(back["Subject"]).startswith(" ")
    notices = [m for m in desk.sent_to(TEAM) if m.get_content_type() == "multipart/mixed"]
    for notice in notices:
        for part in notice.walk():
            if part.get_content_type() == "message/rfc822":
                assert part["Content-Transfer-Encoding"] in ("7bit", "8bit")
