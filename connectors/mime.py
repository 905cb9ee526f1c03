"""Small helpers on the RFC 5322 bytes that every sender shares."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import make_msgid


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID header of a message, or None."""
    headers = BytesHeaderParser(policy=default).parsebytes(raw)
    value = headers.get("Message-ID")
    return str(value).strip() if value else None


def ensure_message_id(raw: bytes, domain: str) -> tuple[bytes, str]:
    """The message with a Message-ID (ours, in `domain`, added only if missing) and that id."""
    existing = message_id_of(raw)
    if existing:
        return raw, existing
    new_id = make_msgid(domain=domain)
    return f"Message-ID: {new_id}\r\n".encode() + raw, new_id
