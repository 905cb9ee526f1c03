"""A header's text without the email package's header registry, where the value is plain.

Reading a header through `policy.default` parses it into tokens and prints them back:
for a From header alone that is most of the cost of parsing an ordinary request. Most
values are plain ASCII of a shape the registry gives back unchanged (a subject, a bare
address, `Name <address>`), and those are read here with a few regular expressions. Any
other value (an encoded word, a quoted or dotted display name, a comment, a group, 8-bit
bytes, a MIME header) gives None, and the caller asks the registry. tests/unit/
test_plain_headers.py checks, header by header over every corpus, that what this gives
is what the registry gives.
"""

from __future__ import annotations

import re
from email.utils import format_datetime, parsedate_to_datetime

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_ADDRESS = rf"{_ATEXT}+(?:\.{_ATEXT}+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_MAILBOX = re.compile(
    rf"(?:(?P<name>{_ATEXT}+(?:[ \t]+{_ATEXT}+)*)[ \t]*)?<(?P<angle>{_ADDRESS})>"
    rf"|(?P<bare>{_ADDRESS})")
_ID_TEXT = "[." + _ATEXT[1:]  # atext and dots: what each half of a msg-id may hold
_MESSAGE_ID = re.compile(rf"<{_ID_TEXT}+@{_ID_TEXT}+>")

ADDRESS_HEADERS = frozenset({
    "from", "to", "cc", "bcc", "reply-to", "sender",
    "resent-from", "resent-to", "resent-cc", "resent-bcc", "resent-sender",
})
DATE_HEADERS = frozenset({"date", "resent-date", "orig-date"})
# Parsed for their parameters: the registry's own reading, which the policy caches.
REGISTRY_ONLY = frozenset({
    "content-type", "content-disposition", "content-transfer-encoding", "mime-version",
})


def plain_text(name: str, value: object) -> str | None:
    """The header as one line of text, as the registry would give it (whitespace runs
    made single spaces), or None when only the registry can say (a value that is not
    a str, such as the Header object of a line with 8-bit bytes, among them)."""
    key = name.lower()
    if not isinstance(value, str) or key in REGISTRY_ONLY or not value.isascii() \
            or "=?" in value:
        return None
    unfolded = value.replace("\r", "").replace("\n", "")
    if key in ADDRESS_HEADERS:
        return _addresses(unfolded)
    if key in DATE_HEADERS:
        return _date(unfolded)
    if key == "message-id":
        stripped = unfolded.strip()
        return stripped if _MESSAGE_ID.fullmatch(stripped) else None
    return " ".join(unfolded.split())


def _addresses(value: str) -> str | None:
    """`Name <address>` or a bare address, comma-separated; `<address>` alone reads as
    the bare address, as the registry prints it."""
    found = []
    for item in value.split(","):
        match = _MAILBOX.fullmatch(item.strip(" \t"))
        if match is None:
            return None
        if match["bare"]:
            found.append(match["bare"])
        elif match["name"]:
            found.append(f"{' '.join(match['name'].split())} <{match['angle']}>")
        else:
            found.append(match["angle"])
    return ", ".join(found)


def _date(value: str) -> str | None:
    """The date as the registry prints it: parsed, then formatted again."""
    try:
        return format_datetime(parsedate_to_datetime(value))
    except Exception:  # an unreadable date: the registry keeps the text, with a defect
        return None
