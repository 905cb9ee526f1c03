"""No password, client secret or access token ever reaches a log record or an error message."""

from __future__ import annotations

import base64
import logging
import ssl

import pytest
import requests_mock
import respx
from fakes.ews import FakeEws
from fakes.graph import FakeGraph, install_entra
from servers import dovecot_server, smtp_server

from connectors.base import OutgoingMessage
from connectors.errors import ConnectorError
from connectors.ews import EwsMailbox, EwsSender, EwsSettings, connect_account
from connectors.graph import GraphClient, GraphMailbox, GraphSettings
from connectors.imap import ImapMailbox, ImapSettings
from connectors.oauth import ClientCredentialsToken
from connectors.smtp import SmtpSender, SmtpSettings

SECRET = "Tr0ub4dor&3-very-secret"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-body.signature"
MESSAGE = b"From: a@example.org\r\nSubject: x\r\nMessage-ID: <leak@x>\r\n\r\nhi\r\n"


def forms_of(secret: str, user: str) -> list[str]:
    """The secret as it could leak: plain, and inside Basic or SASL PLAIN base64."""
    return [
        secret,
        base64.b64encode(f"{user}:{secret}".encode()).decode(),
        base64.b64encode(f"\0{user}\0{secret}".encode()).decode(),
        base64.b64encode(secret.encode()).decode(),
    ]


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("imapclient", "imapclient.imaplib", "exchangelib", "msal", "httpx",
                 "httpcore", "urllib3", "connectors", "aiosmtpd", "mail.log"):
        logging.getLogger(name).setLevel(1)
    return caplog


def assert_clean(caplog, errors: list[str], forms: list[str]) -> None:
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    )
    assert caplog.records, "the connector logged nothing: the test would prove nothing"
    for form in forms:
        assert form not in logged
        for error in errors:
            assert form not in error


def test_imap_logs_and_errors_hold_no_password(everything_logged):
    with dovecot_server({"foi": SECRET}) as server:
        settings = ImapSettings(host=server.host, port=server.imap_port, username="foi",
                                security="plain")
        with ImapMailbox(settings, password=lambda: SECRET) as mailbox:
            mailbox.fetch(None)
        errors = []
        wrong = ImapMailbox(settings, password=lambda: SECRET + "x", reconnect_delays=())
        with pytest.raises(ConnectorError) as raised:
            wrong.fetch(None)
        errors.append(str(raised.value))
    assert_clean(everything_logged, errors, forms_of(SECRET, "foi") + forms_of(SECRET + "x", "foi"))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_smtp_logs_and_errors_hold_no_password(everything_logged):
    logging.getLogger("connectors").debug("smtp test starts")
    with smtp_server(security="starttls", users={"foi": SECRET}) as server:
        context = ssl.create_default_context(cafile=str(server.ca_pem))
        settings = SmtpSettings(host=server.host, port=server.port, security="starttls",
                                username="foi")
        with SmtpSender(settings, password=lambda: SECRET, ssl_context=context) as sender:
            assert sender.send(OutgoingMessage(MESSAGE, "foi@example.gov.uk", ("a@x.org",))).ok
        wrong = SmtpSender(settings, password=lambda: SECRET + "x", ssl_context=context)
        with pytest.raises(ConnectorError) as raised:
            wrong.send(OutgoingMessage(MESSAGE, "foi@example.gov.uk", ("a@x.org",)))
    assert_clean(everything_logged, [str(raised.value)],
                 forms_of(SECRET, "foi") + forms_of(SECRET + "x", "foi"))


def test_graph_logs_and_errors_hold_no_secret_or_token(everything_logged):
    fake = FakeGraph()
    fake.deliver(MESSAGE)
    with respx.mock(assert_all_called=False) as router, requests_mock.Mocker() as entra:
        fake.install(router)
        install_entra(entra, "tenant-1", secret=SECRET, token=TOKEN)
        token = ClientCredentialsToken("tenant-1", "client-1", lambda: SECRET)
        mailbox = GraphMailbox(GraphSettings(mailbox=fake.mailbox),
                               GraphClient(token, sleep=lambda s: None))
        mailbox.fetch(None)
        fake.throttle_next = 10
        with pytest.raises(ConnectorError) as throttled:
            mailbox.fetch(None)
        wrong = ClientCredentialsToken("tenant-1", "client-1", lambda: SECRET + "x")
        with pytest.raises(ConnectorError) as refused:
            GraphMailbox(GraphSettings(mailbox=fake.mailbox),
                         GraphClient(wrong, sleep=lambda s: None)).fetch(None)
    assert_clean(everything_logged, [str(throttled.value), str(refused.value)],
                 [SECRET, TOKEN, SECRET + "x"])


def test_ews_logs_and_errors_hold_no_password(everything_logged):
    fake = FakeEws(password=SECRET)
    fake.deliver(MESSAGE)
    settings = EwsSettings(primary_smtp_address="foi@example.gov.uk", username=fake.username,
                           server="mail.example.gov.uk", auth="basic")
    with requests_mock.Mocker() as http:
        fake.install(http)
        mailbox = EwsMailbox(settings, connect_account(settings, lambda: SECRET))
        mailbox.fetch(None)
        assert EwsSender(mailbox.account).send(
            OutgoingMessage(MESSAGE, "foi@example.gov.uk", ("a@x.org",))
        ).ok
        wrong = EwsMailbox(settings, connect_account(settings, lambda: SECRET + "x"))
        with pytest.raises(ConnectorError) as raised:
            wrong.fetch(None)
    assert_clean(everything_logged, [str(raised.value)],
                 forms_of(SECRET, fake.username) + forms_of(SECRET + "x", fake.username))
