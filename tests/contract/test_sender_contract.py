"""One contract, every sender: our message arrives as we built it, exactly once."""

from __future__ import annotations

import mailbox
import ssl
from email import message_from_bytes, policy

import pytest
import requests_mock
import respx
from fakes.ews import FakeEws
from fakes.graph import FakeGraph, install_entra
from servers import smtp_server

from connectors.base import OutgoingMessage, Sender
from connectors.ews import EwsSender, EwsSettings, connect_account
from connectors.graph import GraphClient, GraphSender
from connectors.maildir import MaildirSender, arrival_order
from connectors.oauth import ClientCredentialsToken
from connectors.smtp import SmtpSender, SmtpSettings

PASSWORD = "s3cret-smtp-password"


def built_message(n: int) -> OutgoingMessage:
    raw = (
        f"From: FOI Team <foi@example.gov.uk>\r\n"
        f"To: requester{n}@example.org\r\n"
        f"Subject: Your request FOI {n:06d}/26\r\n"
        f"Message-ID: <ack-{n}@foidesk.example.gov.uk>\r\n"
        f"In-Reply-To: <request-{n}@example.org>\r\n"
        f"References: <request-{n}@example.org>\r\n"
        f"\r\n"
        f"We have received your request.\r\n"
    ).encode()
    return OutgoingMessage(raw, "foi@example.gov.uk", (f"requester{n}@example.org",))


class SmtpHarness:
    def __init__(self, server, security: str) -> None:
        self.server = server
        context = ssl.create_default_context(cafile=str(server.ca_pem)) if server.ca_pem else None
        self.sender = SmtpSender(
            SmtpSettings(
                host=server.host, port=server.port, security=security,
                username=None if security == "plain" else "foi",
                message_id_domain="example.gov.uk",
            ),
            password=lambda: PASSWORD,
            ssl_context=context,
        )

    def delivered(self) -> list[bytes]:
        return [content for _, _, content in self.server.handler.received]


class MaildirHarness:
    def __init__(self, path) -> None:
        self.path = path
        self.sender = MaildirSender(path)

    def delivered(self) -> list[bytes]:
        box = mailbox.Maildir(self.path)
        return [box.get_bytes(key) for key in sorted(box.keys(), key=arrival_order)]


class GraphHarness:
    def __init__(self, fake: FakeGraph) -> None:
        self.fake = fake
        token = ClientCredentialsToken("tenant-1", "client-1", lambda: PASSWORD)
        self.sender = GraphSender(fake.mailbox, GraphClient(token, sleep=lambda s: None))

    def delivered(self) -> list[bytes]:
        return self.fake.sent


class EwsHarness:
    def __init__(self, fake: FakeEws) -> None:
        self.fake = fake
        settings = EwsSettings(
            primary_smtp_address="foi@example.gov.uk", username=fake.username,
            server="mail.example.gov.uk", auth="basic",
        )
        self.sender = EwsSender(connect_account(settings, lambda: fake.password))

    def delivered(self) -> list[bytes]:
        return self.fake.sent


@pytest.fixture(params=["smtp-plain", "smtp-starttls", "smtp-tls", "maildir", "graph", "ews"])
def harness(request, tmp_path):
    if request.param == "ews":
        fake = FakeEws()
        with requests_mock.Mocker() as http:
            fake.install(http)
            yield EwsHarness(fake)
        return
    if request.param == "graph":
        fake = FakeGraph()
        with respx.mock(assert_all_called=False) as router, requests_mock.Mocker() as entra:
            fake.install(router)
            install_entra(entra, "tenant-1", secret=PASSWORD)
            yield GraphHarness(fake)
        return
    if request.param == "maildir":
        yield MaildirHarness(tmp_path / "outbox")
        return
    security = request.param.removeprefix("smtp-")
    users = None if security == "plain" else {"foi": PASSWORD}
    with smtp_server(security=security, users=users) as server:
        made = SmtpHarness(server, security)
        yield made
        made.sender.close()


def headers(raw: bytes) -> dict[str, str]:
    parsed = message_from_bytes(raw, policy=policy.default)
    return {k: str(parsed[k]) for k in ("Message-ID", "In-Reply-To", "References", "Subject")}


def test_the_connector_implements_the_sender_protocol(harness):
    assert isinstance(harness.sender, Sender)


def test_our_message_arrives_with_our_threading_headers(harness):
    result = harness.sender.send(built_message(1))
    assert result.ok and result.provider_id and result.error is None
    [raw] = harness.delivered()
    assert headers(raw) == {
        "Message-ID": "<ack-1@foidesk.example.gov.uk>",
        "In-Reply-To": "<request-1@example.org>",
        "References": "<request-1@example.org>",
        "Subject": "Your request FOI 000001/26",
    }
    body = message_from_bytes(raw, policy=policy.default).get_content()
    assert body.strip() == "We have received your request."


def test_a_batch_is_sent_once_each_in_order(harness):
    results = harness.sender.send_batch([built_message(n) for n in (1, 2, 3)])
    assert [r.ok for r in results] == [True, True, True]
    assert len({r.provider_id for r in results}) == 3
    assert [headers(raw)["Message-ID"] for raw in harness.delivered()] == [
        f"<ack-{n}@foidesk.example.gov.uk>" for n in (1, 2, 3)
    ]
