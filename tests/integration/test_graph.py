"""What only Graph has: throttling, expired delta state, removals, paging, Entra errors."""

from __future__ import annotations

import pytest
import requests_mock
import respx
from fakes.graph import FakeGraph, install_entra

from connectors.base import OutgoingMessage
from connectors.errors import LoginError
from connectors.graph import GraphClient, GraphMailbox, GraphSender, GraphSettings
from connectors.oauth import ClientCredentialsToken

TENANT = "7d3b2e9c-1f4a-4c3b-9d8e-2a6f5b4c3d21"
CLIENT_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SECRET = "graph~client~secret~value"


def mime(n: int) -> bytes:
    return (
        f"From: r{n}@example.org\r\nTo: foi@contoso.gov.uk\r\nSubject: Request {n}\r\n"
        f"Message-ID: <graph-{n}@example.org>\r\n\r\nBody {n}\r\n"
    ).encode()


@pytest.fixture
def graph():
    fake = FakeGraph()
    with respx.mock(assert_all_called=False) as router, requests_mock.Mocker() as entra:
        fake.install(router)
        install_entra(entra, TENANT, secret=SECRET)
        fake.entra = entra
        yield fake


def mailbox_for(fake, sleeps=None, secret=SECRET) -> GraphMailbox:
    token = ClientCredentialsToken(TENANT, CLIENT_ID, lambda: secret)
    client = GraphClient(token, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    return GraphMailbox(GraphSettings(mailbox=fake.mailbox), client)


def test_throttling_waits_as_long_as_retry_after_says(graph):
    graph.deliver(mime(1))
    graph.throttle_next = 2
    sleeps: list[float] = []
    batch = mailbox_for(graph, sleeps).fetch(None)
    assert len(batch.messages) == 1
    assert sleeps == [2.0, 2.0]


def test_an_expired_delta_state_reads_the_folder_again(graph):
    graph.deliver(mime(1))
    mailbox = mailbox_for(graph)
    first = mailbox.fetch(None)
    graph.expire_delta_tokens()
    graph.deliver(mime(2))
    again = mailbox.fetch(first.cursor)
    assert again.resync
    assert len(again.messages) == 2  # the whole folder; the register dedupes message 1


def test_moved_messages_come_back_as_removed_and_get_new_ids(graph):
    graph.deliver(mime(1))
    mailbox = mailbox_for(graph)
    first = mailbox.fetch(None)
    [message] = first.messages
    mailbox.mark_processed([message.provider_id])
    after = mailbox.fetch(first.cursor)
    assert after.messages == [] and after.removed == [message.provider_id]
    [processed] = [m for m in graph.messages.values() if m.folder != "inbox"]
    assert processed.id != message.provider_id


def test_pages_follow_next_links_until_the_delta_link(graph):
    for n in range(1, 8):
        graph.deliver(mime(n))
    mailbox = mailbox_for(graph)
    cursor, sizes = None, []
    while True:
        batch = mailbox.fetch(cursor, limit=3)
        sizes.append(len(batch.messages))
        cursor = batch.cursor
        if not batch.more:
            break
    assert sizes == [3, 3, 1]
    assert "$deltatoken=" in cursor
    assert mailbox.fetch(cursor).messages == []


def test_a_token_is_fetched_once_for_a_whole_batch(graph):
    for n in range(1, 4):
        graph.deliver(mime(n))
    mailbox = mailbox_for(graph)
    mailbox.fetch(None)
    token_posts = [r for r in graph.entra.request_history if r.method == "POST"]
    assert len(token_posts) == 1
    assert len(graph.requests) == 4  # one delta page and three $value


def test_a_wrong_client_secret_is_a_login_error_naming_entras_code_not_the_secret(graph):
    mailbox = mailbox_for(graph, secret="not-the-secret")
    with pytest.raises(LoginError) as raised:
        mailbox.fetch(None)
    assert "invalid_client" in str(raised.value) and "AADSTS7000215" in str(raised.value)
    assert "not-the-secret" not in str(raised.value)


def test_the_sender_posts_our_mime_base64_encoded(graph):
    token = ClientCredentialsToken(TENANT, CLIENT_ID, lambda: SECRET)
    sender = GraphSender(graph.mailbox, GraphClient(token, sleep=lambda s: None))
    result = sender.send(OutgoingMessage(mime(9), graph.mailbox, ("r9@example.org",)))
    assert result.ok and result.provider_id == "<graph-9@example.org>"
    assert graph.sent == [mime(9)]
