"""Inbound messages and their attachments in the register."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.parser import BytesHeaderParser

from sqlalchemy import func, literal_column, select

from foidesk.large_parts import Chunks
from foidesk.mail import READ_POLICY, InboundMessage
from foidesk.plain_headers import plain_text
from foidesk.register.models import (
    Attachment,
    Blob,
    Message,
)
from foidesk.register.row_buffer import write_new
from foidesk.register.unit_of_work import SqlUnitOfWork

# -- storage --------------------------------------------------------------------------


def store_message(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, message_id: str, case_id: int | None,
    at: datetime, decision: str, reason: str, *, target: str, keep_raw: bool = True,
    message: InboundMessage | None = None, mailbox: str | None = None,
    stored_raw: bytes | None = None, language: str | None = None,
) -> Message:
    """The inbound row, written at once (inside a batch, with the batch's new rows).
    `stored_raw` is what the register keeps of a message whose large parts were set
    apart (their bytes are in the blob table once, not twice)."""
    row = Message(
        case_id=case_id, direction="in", message_id=message_id,
        in_reply_to=" ".join(message.in_reply_to) if message else None,
        references=" ".join(message.references) if message else None,
        subject=(message.subject if message else raw_header(raw, "Subject"))[:998],
        from_addr=(message.from_address if message else raw_header(raw, "From"))[:998],
        to_addrs=", ".join(message.to) if message else "",
        at=at, provider_id=provider_id, content_sha256=content_hash(raw), size=len(raw),
        raw=(raw if stored_raw is None else stored_raw) if keep_raw else None,
        triage=decision, triage_reason=reason,
        mailbox=mailbox, mailbox_target=target, moved=False, language=language,
    )
    return write_new(uow.session, row, empty=("attachments",))


def store_attachments(uow: SqlUnitOfWork, row: Message, message: InboundMessage) -> None:
    """Attachment bytes go into the content-addressed blob table once per distinct content."""
    for attachment in message.attachments:
        digest = attachment.sha256
        if attachment.stored_sha256 is None and uow.session.get(Blob, digest) is None:
            uow.session.add(Blob(sha256=digest, size=len(attachment.data), data=attachment.data))
            uow.session.flush()
        row.attachments.append(
            Attachment(filename=attachment.filename, content_type=attachment.content_type,
                       sha256=digest, size=attachment.size)
        )


def store_blob(uow: SqlUnitOfWork, chunks: Chunks) -> tuple[str, int]:
    """Keep bytes, given as chunks, in the content-addressed blob table (once); their
    sha256 and size. A large attachment is never whole in memory: SQLite writes it a chunk
    at a time into the row (incremental blob I/O); PostgreSQL appends a few megabytes at a
    time to the value (bytea has no streaming write; a few rewrites of the TOASTed value
    cost the server less than the client holding it whole, hex-escaped)."""
    hasher, size = hashlib.sha256(), 0
    for chunk in chunks():
        hasher.update(chunk)
        size += len(chunk)
    digest = hasher.hexdigest()
    blobs = Blob.__table__
    connection = uow.session.connection()
    if connection.execute(select(blobs.c.sha256).where(blobs.c.sha256 == digest)).first():
        return digest, size
    if connection.dialect.name != "sqlite":
        connection.execute(blobs.insert().values(sha256=digest, size=size, data=b""))
        append = blobs.update().where(blobs.c.sha256 == digest)
        for piece in _pieces(chunks(), APPEND_BYTES):
            connection.execute(append.values(data=blobs.c.data.concat(piece)))
        return digest, size
    connection.execute(blobs.insert().values(sha256=digest, size=size,
                                             data=func.zeroblob(size)))
    rowid = connection.execute(select(literal_column("rowid")).select_from(blobs)
                               .where(blobs.c.sha256 == digest)).scalar_one()
    with connection.connection.dbapi_connection.blobopen("blobs", "data", rowid) as blob:
        for chunk in chunks():
            blob.write(chunk)
    return digest, size


APPEND_BYTES = 4 * 1024 * 1024  # what PostgreSQL is sent at a time


def _pieces(chunks, size: int):
    """Chunks gathered into pieces of about `size` bytes."""
    gathered: list[bytes] = []
    held = 0
    for chunk in chunks:
        gathered.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(gathered)
            gathered, held = [], 0
    if gathered:
        yield b"".join(gathered)


def header_message_id(raw: bytes) -> str | None:
    value = raw_header(raw, "Message-ID")
    found = re.search(r"<[^<>\s]+>", value)
    return found.group(0) if found else content_id(raw)


def content_id(raw: bytes) -> str:
    return f"<sha256.{content_hash(raw)}@foidesk.invalid>"


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def raw_header(raw: bytes, name: str) -> str:
    """One header of a message not (or not yet) parsed, read from its header block alone
    (at most 256 KB), a plain value read as it is (foidesk.plain_headers), any other
    parsed once (`READ_POLICY`); one line either way, "" when it has none."""
    try:
        block = _HEADER_END.split(raw[:256_000], 1)[0]
        headers = BytesHeaderParser(policy=READ_POLICY).parsebytes(block)
        wanted = name.lower()
        value = next((v for k, v in headers.raw_items() if k.lower() == wanted), None)
        plain = plain_text(name, value)
        return plain if plain is not None else " ".join(str(headers.get(name, "") or "").split())
    except Exception:
        return ""


_HEADER_END = re.compile(rb"\r?\n\r?\n")
