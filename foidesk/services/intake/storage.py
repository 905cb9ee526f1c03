"""Inbound messages and their attachments in the register."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from foidesk.mail import InboundMessage
from foidesk.register.models import (
    Attachment,
    Blob,
    Message,
)
from foidesk.register.unit_of_work import SqlUnitOfWork

# -- storage --------------------------------------------------------------------------


def store_message(
    uow: SqlUnitOfWork, provider_id: str, raw: bytes, message_id: str, case_id: int | None,
    at: datetime, decision: str, reason: str, *, target: str, keep_raw: bool = True,
    message: InboundMessage | None = None, mailbox: str | None = None,
) -> Message:
    row = Message(
        case_id=case_id, direction="in", message_id=message_id,
        in_reply_to=" ".join(message.in_reply_to) if message else None,
        references=" ".join(message.references) if message else None,
        subject=(message.subject if message else raw_header(raw, "Subject"))[:998],
        from_addr=(message.from_address if message else raw_header(raw, "From"))[:998],
        to_addrs=", ".join(message.to) if message else "",
        at=at, provider_id=provider_id, content_sha256=content_hash(raw), size=len(raw),
        raw=raw if keep_raw else None, triage=decision, triage_reason=reason,
        mailbox=mailbox, mailbox_target=target, moved=False,
    )
    uow.session.add(row)
    return row


def store_attachments(uow: SqlUnitOfWork, row: Message, message: InboundMessage) -> None:
    """Attachment bytes go into the content-addressed blob table once per distinct content."""
    for attachment in message.attachments:
        digest = attachment.sha256
        if uow.session.get(Blob, digest) is None:
            uow.session.add(Blob(sha256=digest, size=len(attachment.data), data=attachment.data))
            uow.session.flush()
        row.attachments.append(
            Attachment(filename=attachment.filename, content_type=attachment.content_type,
                       sha256=digest, size=len(attachment.data))
        )


def header_message_id(raw: bytes) -> str | None:
    value = raw_header(raw, "Message-ID")
    found = re.search(r"<[^<>\s]+>", value)
    return found.group(0) if found else content_id(raw)


def content_id(raw: bytes) -> str:
    return f"<sha256.{content_hash(raw)}@foidesk.invalid>"


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def raw_header(raw: bytes, name: str) -> str:
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw[:256_000])
        return str(headers.get(name, "") or "")
    except Exception:
        return ""
