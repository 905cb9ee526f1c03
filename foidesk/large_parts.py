"""Large attachments set apart before a message is parsed, so parsing stays small.

The stdlib's `email` parser holds a part several times over while it reads it (the raw
bytes as text, the body split into lines, the lines joined, then decoded): a 25 MB
attachment peaked at 6-7 times its size. It has no streaming mode for one part. So a
message over `LARGE_PART` is walked first, by its MIME structure only: the stdlib parses
each header block, and a base64 leaf larger than `LARGE_PART` is decoded a chunk at a
time straight into `store` (the blob store, which reads the chunks twice: once for the
hash that names the blob, once to write it) and replaced by an empty part that names what
was stored (`X-Foidesk-Stored: <sha256>; size=<bytes>`). Everything else is kept byte for
byte. The parser then reads the small message; `foidesk.mail.parse` trusts a marker only
when this walk wrote it (a sender cannot name someone else's blob).

The rewrite is deterministic (the marker is the content's hash), so a second copy of the
message rewrites to the same bytes and is recognised as a copy.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

LARGE_PART = 1024 * 1024  # a base64 part over this is decoded straight to the blob store
STORED_HEADER = "X-Foidesk-Stored"
MAX_DEPTH = 8  # multiparts nested deeper than this are kept as they are
CHUNK = 1024 * 1024  # base64 text decoded at a time
_NOT_BASE64 = bytes(b for b in range(256)
                    if bytes([b]) not in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         b"0123456789+/=")

Chunks = Callable[[], Iterator[bytes]]  # the decoded bytes, from the start, each call


@dataclass(frozen=True)
class SetApart:
    """The message to parse, and the blobs its markers name."""

    raw: bytes
    stored: frozenset[str]  # sha256 of each part set apart


def set_apart(raw: bytes, store: Callable[[Chunks], tuple[str, int]],
              threshold: int = LARGE_PART) -> SetApart:
    """`raw` with each base64 part over `threshold` decoded into `store` (which returns its
    sha256 and size) and replaced by a marker; `raw` itself when nothing is that large."""
    if len(raw) <= threshold:
        return SetApart(raw, frozenset())
    walk = _Walk(raw, store, threshold)
    pieces = walk.entity(0, len(raw), depth=0)
    if not walk.stored:
        return SetApart(raw, frozenset())
    return SetApart(b"".join(pieces), frozenset(walk.stored))


class _Walk:
    def __init__(self, raw: bytes, store: Callable[[Chunks], tuple[str, int]],
                 threshold: int) -> None:
        self.raw, self.view, self.store, self.threshold = raw, memoryview(raw), store, threshold
        self.stored: set[str] = set()

    def entity(self, start: int, end: int, depth: int) -> list:
        """One MIME entity, raw[start:end]: its header block, then its body."""
        body = _body_start(self.raw, start, end)
        if body is None or depth > MAX_DEPTH or end - start <= self.threshold:
            return [self.view[start:end]]
        headers = BytesHeaderParser(policy=compat32).parsebytes(self.raw[start:body])
        if headers.get_content_maintype() == "multipart":
            boundary = headers.get_boundary()
            if not boundary:
                return [self.view[start:end]]
            return [self.view[start:body], *self.parts(body, end, boundary.encode(), depth)]
        encoding = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding != "base64" or end - body <= self.threshold:
            return [self.view[start:end]]
        try:
            digest, size = self.store(lambda: decoded_base64(self.view, body, end))
        except binascii.Error:
            return [self.view[start:end]]  # left for the parser, which records the defect
        self.stored.add(digest)
        del headers["Content-Transfer-Encoding"]
        del headers[STORED_HEADER]
        headers[STORED_HEADER] = f"{digest}; size={size}"
        linesep = "\r\n" if b"\r\n" in self.raw[start:body] else "\n"
        return [headers.as_bytes(policy=compat32.clone(linesep=linesep))]

    def parts(self, start: int, end: int, boundary: bytes, depth: int) -> list:
        """A multipart body: preamble, each part (rewritten), delimiters, epilogue, as RFC
        2046 s5.1.1 lays them out (the line break before a delimiter belongs to it)."""
        delimiter = b"--" + boundary
        at = _delimiter(self.raw, start, end, delimiter)
        if at is None:
            return [self.view[start:end]]
        out = [self.view[start:at]]
        while True:
            line_end = self.raw.find(b"\n", at, end)
            closing = self.raw[at + len(delimiter):at + len(delimiter) + 2] == b"--"
            if line_end == -1 or closing:
                out.append(self.view[at:end])
                return out
            out.append(self.view[at:line_end + 1])
            part = line_end + 1
            following = _delimiter(self.raw, part, end, delimiter)
            if following is None:
                out.append(self.view[part:end])
                return out
            part_end = following - (2 if self.raw[following - 2:following] == b"\r\n" else 1)
            out += self.entity(part, max(part, part_end), depth + 1)
            out.append(self.view[max(part, part_end):following])
            at = following


def decoded_base64(view: memoryview, start: int, end: int) -> Iterator[bytes]:
    """Base64 text view[start:end] decoded a chunk at a time, as `binascii.a2b_base64`
    decodes it whole (characters outside the alphabet, line breaks among them, skipped)."""
    carry = b""
    for at in range(start, end, CHUNK):
        text = carry + bytes(view[at:min(end, at + CHUNK)]).translate(None, _NOT_BASE64)
        cut = len(text) - len(text) % 4
        carry = text[cut:]
        if cut:
            yield binascii.a2b_base64(text[:cut])
    if carry.rstrip(b"="):
        yield binascii.a2b_base64(carry + b"=" * (-len(carry) % 4))


def _body_start(raw: bytes, start: int, end: int) -> int | None:
    """Where the body begins: after the first empty line."""
    if raw.startswith((b"\r\n", b"\n"), start):  # no headers at all
        return start + (2 if raw.startswith(b"\r\n", start) else 1)
    found = [i for i in (raw.find(b"\r\n\r\n", start, end), raw.find(b"\n\n", start, end))
             if i != -1]
    if not found:
        return None
    first = min(found)
    return first + (4 if raw.startswith(b"\r\n\r\n", first) else 2)


def _delimiter(raw: bytes, start: int, end: int, delimiter: bytes) -> int | None:
    """The next delimiter line at or after `start`: `--boundary` at the start of a line,
    followed by `--`, white space or the line's end (not a longer boundary)."""
    at = start
    while True:
        at = raw.find(delimiter, at, end)
        if at == -1:
            return None
        after = raw[at + len(delimiter):at + len(delimiter) + 1]
        if (at == start or raw[at - 1:at] == b"\n") and after in (b"", b"-", b"\r", b"\n",
                                                                   b" ", b"\t"):
            return at
        at += 1
