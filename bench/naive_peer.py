"""B6's peer: the intake a Prefect user would write first, from Prefect's and
prefect-email's documentation. One task per message per step (register, acknowledge,
move), each task opening what it needs; `email_send_message` from prefect-email (an
async task, so the flow is async) sends each acknowledgement over a connection of its
own. It sends one message per request (foidesk sends two: the acknowledgement and the
owner's task), keeps no outbox, and offers none of foidesk's guarantees; it is here only
to be timed beside it."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import cache

from imapclient import IMAPClient
from prefect import flow, task
from prefect_email import EmailServerCredentials, email_send_message
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

METADATA = MetaData()
REQUESTS = Table("peer_requests", METADATA, Column("id", Integer, primary_key=True),
                 Column("reference", String(40)), Column("requester", String(320)),
                 Column("subject", Text), Column("body", Text), Column("received", String(40)))


@cache
def _engine(url: str):
    engine = create_engine(url)
    METADATA.create_all(engine)
    return engine


def _imap(host: str, port: int, password: str, folder: str) -> IMAPClient:
    client = IMAPClient(host, port=port, ssl=False)
    client.login("foi", password)
    client.select_folder(folder)
    return client


@task
def fetch_new(host: str, port: int, password: str, folder: str) -> list[tuple[int, bytes]]:
    client = _imap(host, port, password, folder)
    found = client.fetch(client.search(), ["BODY.PEEK[]"])
    client.logout()
    return [(uid, data[b"BODY[]"]) for uid, data in sorted(found.items())]


@task
def register_request(url: str, raw: bytes) -> dict:
    message = email.message_from_bytes(raw)
    body = message.get_payload(decode=True) or b""
    with _engine(url).begin() as connection:
        row = connection.execute(insert(REQUESTS).values(
            reference="", requester=parseaddr(message["From"])[1], subject=message["Subject"],
            body=body.decode(errors="replace"), received=datetime.now(UTC).isoformat()))
        number = row.inserted_primary_key[0]
        reference = f"FOI {number:06d}/26"
        connection.execute(REQUESTS.update().where(REQUESTS.c.id == number)
                           .values(reference=reference))
    return {"reference": reference, "to": parseaddr(message["From"])[1],
            "subject": message["Subject"]}


@task
def move_message(host: str, port: int, password: str, folder: str, uid: int) -> None:
    client = _imap(host, port, password, folder)
    if not client.folder_exists("Peer"):
        client.create_folder("Peer")
    client.move([uid], "Peer")
    client.logout()


@flow
async def naive_intake(url: str, imap_host: str, imap_port: int, password: str, folder: str,
                 smtp_host: str, smtp_port: int) -> int:
    credentials = EmailServerCredentials(smtp_server=smtp_host, smtp_port=smtp_port,
                                         smtp_type="INSECURE")
    messages = fetch_new(imap_host, imap_port, password, folder)
    for uid, raw in messages:
        case = register_request(url, raw)
        await email_send_message(
            subject=f"[{case['reference']}] Your request: {case['subject']}",
            msg=f"<p>Thank you for your request, registered as {case['reference']}.</p>",
            msg_plain=f"Thank you for your request, registered as {case['reference']}.",
            email_server_credentials=credentials, email_from="foi@example.gov.uk",
            email_to=case["to"])
        move_message(imap_host, imap_port, password, folder, uid)
    return len(messages)
