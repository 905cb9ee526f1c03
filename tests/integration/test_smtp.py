"""What only SMTP has: one connection per batch, per-recipient errors, drops, AUTH, TLS."""

from __future__ import annotations

import ssl

import pytest
from servers import smtp_server

from connectors.base import OutgoingMessage
from connectors.errors import ConnectorError, LoginError
from connectors.mime import message_id_of
from connectors.smtp import SmtpSender, SmtpSettings

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RAW = (
    b"From: foi@example.gov.uk\r\nTo: a@example.org\r\nSubject: Reminder\r\n"
    b"Message-ID: <reminder@foidesk.example.gov.uk>\r\n\r\nPlease reply.\r\n"
)


def sender_for(server, **overrides) -> SmtpSender:
    values = {"host": server.host, "port": server.port, "security": "plain",
              "message_id_domain": "example.gov.uk"}
    values.update(overrides)
    return SmtpSender(SmtpSettings(**values))


def test_one_connection_serves_a_whole_batch():
    with smtp_server() as server, sender_for(server) as sender:
        message = OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",))
        results = sender.send_batch([message] * 5)
        assert all(r.ok for r in results)
        assert [r.provider_id for r in results] == [f"Q{n:05d}" for n in range(1, 6)]
        assert server.handler.sessions == 1


def test_a_refused_recipient_does_not_stop_the_others():
    with smtp_server() as server, sender_for(server) as sender:
        server.handler.refuse["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
        result = sender.send(
            OutgoingMessage(RAW, "foi@example.gov.uk",
                            ("a@example.org", "gone@example.org", "b@example.org"))
        )
        assert result.ok
        assert result.refused == {"gone@example.org": "550 5.1.1 <gone@example.org>: no such user"}
        [(_, recipients, _)] = server.handler.received
        assert recipients == ["a@example.org", "b@example.org"]


def test_every_recipient_refused_is_a_clear_failure_and_nothing_is_sent():
    with smtp_server() as server, sender_for(server) as sender:
        server.handler.refuse["gone@example.org"] = "550 5.1.1 no such user"
        server.handler.refuse["busy@example.org"] = "450 4.2.1 mailbox busy"
        result = sender.send(
            OutgoingMessage(RAW, "foi@example.gov.uk", ("gone@example.org", "busy@example.org"))
        )
        assert not result.ok and not result.transient
        assert result.error == "every recipient was refused"
        assert set(result.refused) == {"gone@example.org", "busy@example.org"}
        assert server.handler.received == []
        # The connection is still good for the next message.
        assert sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",))).ok


def test_a_dropped_connection_is_reopened_and_the_message_sent_once():
    with smtp_server() as server, sender_for(server) as sender:
        message = OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",))
        assert sender.send(message).ok
        server.restart()  # every open connection drops
        assert sender.send(message).ok
        assert len(server.handler.received) == 2
        assert server.handler.sessions == 2


def test_a_message_without_message_id_gets_one_in_the_authority_domain():
    with smtp_server() as server, sender_for(server) as sender:
        bare = b"From: foi@example.gov.uk\r\nTo: a@example.org\r\nSubject: x\r\n\r\nhi\r\n"
        assert sender.send(OutgoingMessage(bare, "foi@example.gov.uk", ("a@example.org",))).ok
        [(_, _, content)] = server.handler.received
        assert message_id_of(content).endswith("@example.gov.uk>")


def test_a_wrong_password_is_a_login_error_without_the_password():
    with smtp_server(security="starttls", users={"foi": "right"}) as server:
        context = ssl.create_default_context(cafile=str(server.ca_pem))
        sender = SmtpSender(
            SmtpSettings(host=server.host, port=server.port, security="starttls",
                         username="foi"),
            password=lambda: "wrong-password-123",
            ssl_context=context,
        )
        with pytest.raises(LoginError) as raised:
            sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",)))
        assert "535" in str(raised.value)
        assert "wrong-password-123" not in str(raised.value)


def test_an_untrusted_certificate_is_refused_by_default():
    with smtp_server(security="tls") as server:
        sender = SmtpSender(SmtpSettings(host=server.host, port=server.port, security="tls"))
        with pytest.raises(ConnectorError, match="certificate not trusted"):
            sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",)))


def test_starttls_required_but_not_offered_is_a_clear_error():
    with smtp_server(security="plain") as server:
        sender = SmtpSender(SmtpSettings(host=server.host, port=server.port, security="starttls"))
        with pytest.raises(ConnectorError, match="does not offer STARTTLS"):
            sender.send(OutgoingMessage(RAW, "foi@example.gov.uk", ("a@example.org",)))


def test_bare_newlines_are_sent_as_crlf_lines():
    with smtp_server() as server, sender_for(server) as sender:
        long_text = b"From: foi@example.gov.uk\nSubject: x\n\n" + b"line of text\n" * 200
        assert sender.send(OutgoingMessage(long_text, "foi@example.gov.uk", ("a@x.org",))).ok
        [(_, _, content)] = server.handler.received
        assert content.count(b"\r\n") >= 200 and b"line of text" in content
