"""Harnesses that put every mailbox connector behind the same contract tests.

A harness owns one connector and a way to deliver mail to it and look into its
folders from outside, the way a person with a mail client would.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
import requests_mock
import respx
from fakes.ews import FakeEws
from fakes.graph import FakeGraph, install_entra
from imapclient import IMAPClient
from servers import IMAP_USERS as USERS

from connectors.ews import EwsMailbox, EwsSettings, connect_account
from connectors.graph import GraphClient, GraphMailbox, GraphSettings
from connectors.imap import ImapMailbox, ImapSettings
from connectors.maildir import MaildirMailbox
from connectors.oauth import ClientCredentialsToken

TENANT = "7d3b2e9c-1f4a-4c3b-9d8e-2a6f5b4c3d21"
CLIENT_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
CLIENT_SECRET = "graph~client~secret~value"


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"])


class MaildirHarness:
    name = "maildir"
    can_invalidate = False

    def __init__(self, path) -> None:
        self.mailbox = MaildirMailbox(path)

    def deliver(self, raw: bytes) -> None:
        self.mailbox.inbox.add(raw)

    def message_ids(self, folder: str) -> list[str]:
        box = {"inbox": self.mailbox.inbox, "processed": self.mailbox.processed,
               "quarantine": self.mailbox.quarantined}[folder]
        return sorted(message_id(box.get_bytes(key)) for key in box.keys())  # noqa: SIM118

    def invalidate(self) -> None:  # pragma: no cover - Maildir has no cursor validity
        raise NotImplementedError

    def close(self) -> None:
        self.mailbox.close()


class ImapHarness:
    can_invalidate = True
    folder = "Requests"

    def __init__(self, server, *, tls: bool, name: str | None = None) -> None:
        self.server = server
        self.name = name or ("imap-tls" if tls else "imap-plain")
        self.ssl_context = (
            ssl.create_default_context(cafile=str(server.ca_pem)) if tls else None
        )
        self.settings = ImapSettings(
            host=server.host,
            port=server.imaps_port if tls else server.imap_port,
            username="foi",
            security="tls" if tls else "plain",
            folder=self.folder,
        )
        self.admin = self._client()
        if not self.admin.folder_exists(self.folder):
            self.admin.create_folder(self.folder)
        self.mailbox = ImapMailbox(
            self.settings, password=lambda: USERS["foi"], ssl_context=self.ssl_context
        )

    def _client(self) -> IMAPClient:
        client = IMAPClient(
            self.settings.host, port=self.settings.port,
            ssl=self.settings.security == "tls", ssl_context=self.ssl_context,
        )
        client.login("foi", USERS["foi"])
        return client

    def deliver(self, raw: bytes) -> None:
        self.admin.append(self.folder, raw)

    def message_ids(self, folder: str) -> list[str]:
        name = {"inbox": self.folder, "processed": "FOI/Processed",
                "quarantine": "FOI/Quarantine"}[folder]
        name = self.mailbox.server_folder(name)  # "FOI.Processed" on a Maildir++ server
        if not self.admin.folder_exists(name):
            return []
        self.admin.select_folder(name, readonly=True)
        uids = self.admin.search(["NOT", "DELETED"])
        fetched = self.admin.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        return sorted(message_id(data[b"BODY[]"]) for data in fetched.values())

    def invalidate(self) -> None:
        """Delete and recreate the folder: the server assigns a new UIDVALIDITY."""
        self.mailbox.close()
        self.admin.select_folder("INBOX")
        self.admin.delete_folder(self.folder)
        self.admin.create_folder(self.folder)

    def close(self) -> None:
        folders = [self.folder, *(self.mailbox.server_folder(name)
                                  for name in ("FOI/Processed", "FOI/Quarantine"))]
        self.mailbox.close()
        for folder in folders:
            if self.admin.folder_exists(folder):
                self.admin.select_folder("INBOX")
                self.admin.delete_folder(folder)
        self.admin.logout()


class GraphHarness:
    """Microsoft Graph at the HTTP layer: the real connector, httpx and msal run."""

    name = "graph"
    can_invalidate = True

    def __init__(self) -> None:
        self.fake = FakeGraph()
        self.router = respx.mock(assert_all_called=False)
        self.router.start()
        self.fake.install(self.router)
        self.entra = requests_mock.Mocker()
        self.entra.start()
        install_entra(self.entra, TENANT, secret=CLIENT_SECRET)
        self.sleeps: list[float] = []
        token = ClientCredentialsToken(TENANT, CLIENT_ID, lambda: CLIENT_SECRET)
        self.client = GraphClient(token, sleep=self.sleeps.append)
        self.mailbox = GraphMailbox(GraphSettings(mailbox=self.fake.mailbox), self.client)

    def deliver(self, raw: bytes) -> None:
        self.fake.deliver(raw)

    def message_ids(self, folder: str) -> list[str]:
        path = {"inbox": "Inbox", "processed": "FOI/Processed",
                "quarantine": "FOI/Quarantine"}[folder]
        return sorted(message_id(raw) for raw in self.fake.in_folder(path))

    def invalidate(self) -> None:
        self.fake.expire_delta_tokens()

    def close(self) -> None:
        self.mailbox.close()
        self.router.stop()
        self.entra.stop()


class EwsHarness:
    """Exchange on premises at the HTTP layer: the real exchangelib builds and parses SOAP."""

    name = "ews"
    can_invalidate = False

    def __init__(self) -> None:
        self.fake = FakeEws()
        self.http = requests_mock.Mocker()
        self.http.start()
        self.fake.install(self.http)
        settings = EwsSettings(
            primary_smtp_address="foi@example.gov.uk", username=self.fake.username,
            server="mail.example.gov.uk", auth="basic",
        )
        account = connect_account(settings, lambda: self.fake.password)
        self.mailbox = EwsMailbox(settings, account)

    def deliver(self, raw: bytes) -> None:
        self.fake.deliver(raw)

    def message_ids(self, folder: str) -> list[str]:
        path = {"inbox": "Inbox", "processed": "FOI/Processed",
                "quarantine": "FOI/Quarantine"}[folder]
        return sorted(message_id(raw) for raw in self.fake.in_folder(path))

    def invalidate(self) -> None:  # pragma: no cover - the EWS cursor is a time, never invalid
        raise NotImplementedError

    def close(self) -> None:
        self.mailbox.close()
        self.http.stop()


@pytest.fixture(params=["maildir", "imap-plain", "imap-tls", "imap-maildir++", "graph", "ews"])
def harness(request, tmp_path) -> Iterator[object]:
    if request.param == "graph":
        made = GraphHarness()
    elif request.param == "ews":
        made = EwsHarness()
    elif request.param == "maildir":
        made = MaildirHarness(tmp_path / "Maildir")
    elif request.param == "imap-plain":
        made = ImapHarness(request.getfixturevalue("dovecot_plain"), tls=False)
    elif request.param == "imap-maildir++":  # a stock Dovecot: "." between levels
        made = ImapHarness(request.getfixturevalue("dovecot_stock"), tls=False,
                           name="imap-maildir++")
    else:
        made = ImapHarness(request.getfixturevalue("dovecot_tls"), tls=True)
    yield made
    made.close()
