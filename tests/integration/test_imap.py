"""What only IMAP has: TLS and STARTTLS, login errors, MOVE fallback, IDLE, reconnects."""

from __future__ import annotations

import socket
import ssl
import threading
import time

import pytest
from imapclient import IMAPClient
from servers import IMAP_USERS as USERS
from servers import dovecot_server

from connectors.errors import ConnectorError, LoginError, TransientError
from connectors.imap import ImapMailbox, ImapSettings

PASSWORD = USERS["foi"]
MESSAGE = (
    b"From: requester@example.org\r\nTo: foi@example.gov.uk\r\nSubject: FOI request\r\n"
    b"Message-ID: <imap-test@example.org>\r\n\r\nPlease tell me.\r\n"
)


@pytest.fixture
def plain(dovecot_plain):
    return dovecot_plain


@pytest.fixture
def tls(dovecot_tls):
    return dovecot_tls


def admin(server) -> IMAPClient:
    client = IMAPClient(server.host, port=server.imap_port, ssl=False)
    client.login("foi", PASSWORD)
    return client


def settings(server, **overrides) -> ImapSettings:
    values = {"host": server.host, "port": server.imap_port, "username": "foi",
              "security": "plain"}
    values.update(overrides)
    return ImapSettings(**values)


@pytest.fixture
def empty_inbox(plain):
    client = admin(plain)
    client.select_folder("INBOX")
    uids = client.search()
    if uids:
        client.delete_messages(uids)
        client.expunge()
    yield client
    client.logout()


def test_a_refused_login_says_what_the_server_said_and_not_the_password(plain):
    mailbox = ImapMailbox(settings(plain), password=lambda: "wrong password", reconnect_delays=())
    with pytest.raises(LoginError) as raised:
        mailbox.fetch(None)
    assert "AUTHENTICATIONFAILED" in str(raised.value) or "Authentication failed" in str(
        raised.value
    )
    assert "wrong password" not in str(raised.value)
    assert not raised.value.transient


def test_tls_verifies_the_certificate_by_default(tls):
    untrusting = ImapMailbox(
        settings(tls, port=tls.imaps_port, security="tls"),
        password=lambda: PASSWORD,
        reconnect_delays=(),
    )
    with pytest.raises(ConnectorError, match="certificate not trusted") as raised:
        untrusting.fetch(None)
    assert not raised.value.transient


def test_starttls_upgrades_a_plain_connection(tls):
    context = ssl.create_default_context(cafile=str(tls.ca_pem))
    with ImapMailbox(
        settings(tls, security="starttls"), password=lambda: PASSWORD, ssl_context=context
    ) as mailbox:
        assert mailbox.fetch(None).messages == []
        assert mailbox.client._imap.sock.version().startswith("TLS")


def test_fetching_never_sets_seen(plain, empty_inbox):
    empty_inbox.append("INBOX", MESSAGE)
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        [message] = mailbox.fetch(None).messages
    empty_inbox.select_folder("INBOX", readonly=True)
    flags = empty_inbox.get_flags(empty_inbox.search())
    assert all(b"\\Seen" not in f for f in flags.values())
    assert message.raw == MESSAGE


def test_without_move_messages_are_copied_flagged_and_expunged():
    with dovecot_server(USERS, without_move=True) as server:
        client = admin(server)
        assert not client.has_capability("MOVE")
        client.append("INBOX", MESSAGE)
        with ImapMailbox(settings(server), password=lambda: PASSWORD) as mailbox:
            assert not mailbox.client.has_capability("MOVE")
            [message] = mailbox.fetch(None).messages
            mailbox.mark_processed([message.provider_id])
        client.select_folder("INBOX")
        assert client.search() == []
        client.select_folder("FOI/Processed")
        assert len(client.search()) == 1
        client.logout()


def test_watch_returns_when_mail_arrives_and_times_out_when_none_does(plain, empty_inbox):
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        started = time.monotonic()
        assert mailbox.watch(timeout=0.5) is False
        assert time.monotonic() - started >= 0.5

        def deliver_later():
            time.sleep(0.4)
            other = admin(plain)
            other.append("INBOX", MESSAGE)
            other.logout()

        thread = threading.Thread(target=deliver_later)
        thread.start()
        started = time.monotonic()
        assert mailbox.watch(timeout=15) is True
        assert time.monotonic() - started < 10
        thread.join()
        assert len(mailbox.fetch(None).messages) == 1


def test_a_dropped_connection_is_reported_then_reconnected(plain, empty_inbox):
    empty_inbox.append("INBOX", MESSAGE)
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        first = mailbox.fetch(None)
        mailbox.client.socket().shutdown(socket.SHUT_RDWR)  # the network drops
        with pytest.raises(TransientError, match="connection lost"):
            mailbox.fetch(first.cursor)
        assert mailbox.fetch(None).messages[0].raw == MESSAGE


def test_connecting_to_nothing_retries_with_backoff_then_fails_transiently():
    from servers import free_port

    mailbox = ImapMailbox(
        ImapSettings(host="127.0.0.1", port=free_port(), username="foi", security="plain"),
        password=lambda: PASSWORD,
        reconnect_delays=(0.05, 0.1),
    )
    started = time.monotonic()
    with pytest.raises(TransientError, match="cannot connect"):
        mailbox.fetch(None)
    assert time.monotonic() - started >= 0.15


def test_xoauth2_logs_in_with_a_token_from_entra_id():
    """msal gets a client-credentials token (Entra ID faked at HTTP); Dovecot checks it."""
    import requests_mock
    from fakes.graph import install_entra
    from servers import token_introspection

    from connectors.oauth import OUTLOOK_IMAP_SCOPE, ClientCredentialsToken

    issued = "eyJ0eXAiOiJKV1QifQ.outlook-imap.sig"
    with token_introspection({issued: "foi@example.gov.uk"}) as introspection, \
            dovecot_server({"foi@example.gov.uk": "unused"},
                           oauth_introspection_url=introspection) as server, \
            requests_mock.Mocker(real_http=True) as entra:
        install_entra(entra, "tenant-1", secret="client-secret", token=issued)
        token = ClientCredentialsToken("tenant-1", "client-1", lambda: "client-secret",
                                       OUTLOOK_IMAP_SCOPE)
        settings = ImapSettings(host=server.host, port=server.imap_port,
                                username="foi@example.gov.uk", security="plain")
        with ImapMailbox(settings, oauth_token=token) as mailbox:
            assert mailbox.fetch(None).messages == []
        [token_request] = [r for r in entra.request_history if r.method == "POST"]
        assert "scope=https%3A%2F%2Foutlook.office365.com%2F.default" in token_request.text
        refused = ImapMailbox(settings, oauth_token=lambda: "forged-token", reconnect_delays=())
        with pytest.raises(LoginError, match=r"AUTHENTICATIONFAILED|Authentication failed"):
            refused.fetch(None)


def test_idle_is_reissued_before_the_server_limit(plain, empty_inbox, monkeypatch):
    import connectors.imap as imap_module

    monkeypatch.setattr(imap_module, "IDLE_REISSUE_SECONDS", 0.2)
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        client = mailbox.client
        issued = []
        real_idle = client.idle

        def counting_idle():
            issued.append(time.monotonic())
            return real_idle()

        monkeypatch.setattr(client, "idle", counting_idle)
        assert mailbox.watch(timeout=1.0) is False
    assert len(issued) >= 4  # a fresh IDLE every 0.2 s over one second


def test_a_backlog_of_twelve_thousand_moves_goes_through_in_chunks(plain, empty_inbox):
    """Dovecot refuses a command line over 64 KB; 12,000 UIDs in one UID MOVE is 80 KB."""
    for _ in range(12):
        empty_inbox.multiappend("INBOX", [MESSAGE] * 1000)
    empty_inbox.select_folder("INBOX")
    status = empty_inbox.folder_status("INBOX", ["UIDVALIDITY"])
    uids = empty_inbox.search()
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        mailbox.mark_processed([f"{status[b'UIDVALIDITY']}:{uid}" for uid in uids])
    empty_inbox.select_folder("INBOX")
    assert empty_inbox.search() == []
    assert empty_inbox.folder_status("FOI/Processed", ["MESSAGES"])[b"MESSAGES"] >= 12000


def test_mail_that_comes_during_the_intake_a_watch_started_wakes_the_next_watch(
        plain, empty_inbox):
    """A watch wakes for the first message; a second comes while the intake that follows
    is at work (after its fetch): the next watch must say so at once, not wait for more
    mail that may never come."""
    with ImapMailbox(settings(plain), password=lambda: PASSWORD) as mailbox:
        timer = threading.Timer(0.3, lambda: empty_inbox.append("INBOX", MESSAGE))
        timer.start()
        assert mailbox.watch(timeout=10) is True
        timer.join()
        batch = mailbox.fetch(None)
        assert len(batch.messages) == 1
        empty_inbox.append("INBOX", MESSAGE)  # during the intake, after its fetch
        started = time.monotonic()
        assert mailbox.watch(timeout=5) is True
        assert time.monotonic() - started < 1
        assert len(mailbox.fetch(batch.cursor).messages) == 1
        assert mailbox.watch(timeout=0.5) is False  # and nothing more, once it is read
