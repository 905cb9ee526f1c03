"""Small helpers on the RFC 5322 bytes that every sender shares."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32, default
from email.utils import make_msgid

from foidesk.plain_headers import plain_text

_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
# The first Message-ID field, with its continuation lines; and what may come before it
# for the stdlib's parser to read it as a header too: well-formed fields (a name of
# printable ASCII other than the colon) and their continuations, nothing else.
_MESSAGE_ID_FIELD = re.compile(rb"^message-id:(.*\r?\n(?:[ \t].*\r?\n)*)",
                               re.IGNORECASE | re.MULTILINE)
_FIELDS = re.compile(rb"(?:[\x21-\x39\x3b-\x7e]+:.*\r?\n(?:[ \t].*\r?\n)*)*")


def header_section(raw: bytes) -> bytes:
    """The message's header lines through the empty line that ends them (the whole
    message if it has no body, nothing if it starts with the empty line)."""
    if raw.startswith((b"\n", b"\r\n")):
        return b""
    end = _END_OF_HEADERS.search(raw)
    return raw if end is None else raw[:end.end()]


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID header of a message, or None. Only the header section is parsed
    (a sender asks this of every message it sends), and a plain msg-id is read without
    the header registry."""
    head = header_section(raw)
    plain = _plain_message_id(head)
    if plain is not None:
        return plain
    value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Message-ID")
    if value is None:
        return None
    plain = plain_text("Message-ID", value)
    if plain is not None:
        return plain
    parsed = BytesHeaderParser(policy=default).parsebytes(head).get("Message-ID")
    return str(parsed).strip() if parsed else None


def _plain_message_id(head: bytes) -> str | None:
    """The first Message-ID read straight from the header lines when it is a plain
    msg-id behind well-formed fields; None when only a parser can say (or there is none)."""
    found = _MESSAGE_ID_FIELD.search(head)
    if found is None or not _FIELDS.fullmatch(head, 0, found.start()) \
            or not found.group(1).isascii():
        return None
    return plain_text("Message-ID", found.group(1).decode("ascii"))


def ensure_message_id(raw: bytes, domain: str) -> tuple[bytes, str]:
    """The message with a Message-ID (ours, in `domain`, added only if missing) and that id."""
    existing = message_id_of(raw)
    if existing:
        return raw, existing
    new_id = make_msgid(domain=domain)
    return f"Message-ID: {new_id}\r\n".encode() + raw, new_id
