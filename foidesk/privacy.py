"""Remove the requester's identity from text bound for the disclosure log.

A response is published to the world (FOIA is "applicant blind"); the person who
asked never is. Names, email addresses, postal addresses, postcodes and phone
numbers are replaced, and the greeting and sign-off lines that carry them dropped.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# UK postcodes (BS 7666 shapes), e.g. NR18 0WW, SW1A 1AA, M1 1AE
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
STREET = re.compile(
    r"^.*\b\d+[A-Za-z]?,?[ \t]+[\w' -]+\b(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|"
    r"way|court|ct|crescent|place|pl|terrace|gardens|grove|square|hill|mews|row|walk)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
GREETING = re.compile(r"^\s*(?:dear|hi|hello)\b.*$", re.IGNORECASE | re.MULTILINE)
SIGN_OFF = re.compile(
    r"^\s*(?:yours (?:sincerely|faithfully|truly)|kind regards|best regards|regards|best wishes|"
    r"many thanks|thanks|thank you|cheers)\s*[,.!]?\s*\n(?:.*\n?){0,6}",
    re.IGNORECASE | re.MULTILINE,
)
REDACTED = "[redacted]"


def scrub(text: str, *, names: list[str] = (), addresses: list[str] = ()) -> str:  # type: ignore[assignment]
    """`text` without the requester's identity (their names and postal address given)."""
    out = SIGN_OFF.sub("", text)
    out = GREETING.sub("", out)
    for address in addresses:
        for line in (address or "").replace(",", "\n").splitlines():
            if len(line.strip()) > 3:
                out = re.sub(re.escape(line.strip()), REDACTED, out, flags=re.IGNORECASE)
    out = EMAIL.sub(REDACTED, out)
    out = STREET.sub(REDACTED, out)
    out = POSTCODE.sub(REDACTED, out)
    out = PHONE.sub(REDACTED, out)
    for name in names:
        for part in _name_parts(name):
            out = re.sub(rf"\b{re.escape(part)}\b", REDACTED, out, flags=re.IGNORECASE)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _name_parts(name: str) -> list[str]:
    """The full name, and each word of it long enough to be a name, longest first."""
    name = " ".join((name or "").split())
    if not name:
        return []
    parts = [name] + [w for w in re.split(r"[\s.]+", name) if len(w) > 2]
    return sorted(set(parts), key=len, reverse=True)
