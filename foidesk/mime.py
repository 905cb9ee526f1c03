"""Outgoing MIME the way real mail servers and clients need it, where the stdlib's
defaults differ.

- Threading: `email` folds In-Reply-To and References as unstructured text, so a
  Microsoft 365 Message-ID longer than about 77 characters comes out RFC 2047
  encoded (`=?utf-8?q?=3CLO4P265MB...?=`) and no client threads on it. RFC 5322
  s3.6.4 allows folding only between msg-ids: these headers are written byte-exact,
  one or more msg-ids to a line, never encoded.
- Subject: folded only at the spaces between words, never straight after the colon
  (which some clients read back with a leading space).
- An original message attached to a notice is `message/rfc822` in 7bit or 8bit:
  RFC 2046 s5.2.1 forbids any other transfer encoding; an original that 8bit cannot
  carry (a NUL, a line over 998 octets) goes as a base64 file instead.
"""

from __future__ import annotations

import binascii
import re
import uuid
from email.header import Header
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.policy import default as default_policy

MAX_LINE = 998  # RFC 5322 s2.1.1
FOLD_AT = 78


class _MessageIdsHeader(UnstructuredHeader):
    """Message-ID, In-Reply-To, References: msg-ids written as given, folded between them."""

    def fold(self, *, policy: EmailPolicy) -> str:  # type: ignore[override]
        return _fold_words(self.name, str(self).split(), policy)


class _SubjectHeader(UnstructuredHeader):
    """A subject folded at spaces only; a non-ASCII one as RFC 2047 encoded words."""

    def fold(self, *, policy: EmailPolicy) -> str:  # type: ignore[override]
        value = str(self)
        if not value.isascii():  # one run of encoded words: the stdlib's own folding of
            # mixed text loses the spaces between adjacent non-ASCII words
            encoded = Header(value, "utf-8", header_name=self.name).encode(
                linesep=policy.linesep)
            return f"{self.name}: {encoded}{policy.linesep}"
        return _fold_words(self.name, value.split(" "), policy)


def _fold_words(name: str, words: list[str], policy: EmailPolicy) -> str:
    lines: list[str] = []
    current = f"{name}:"
    for word in words:
        if not word:
            continue
        if current != f"{name}:" and len(current) + 1 + len(word) > FOLD_AT:
            lines.append(current)
            current = f" {word}"
        else:
            current = f"{current} {word}"
    lines.append(current)
    return policy.linesep.join(lines) + policy.linesep


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    for name in ("message-id", "in-reply-to", "references"):
        registry.map_to_type(name, _MessageIdsHeader)
    registry.map_to_type("subject", _SubjectHeader)
    return registry


class _PlainHeader(str):
    """A header we set whose value needs no parsing: plain ASCII, written as given and
    folded at spaces. The registry parses every value it is given (27 a request), which
    was the largest single cost of composing; its output for these values is the same."""

    defects: tuple = ()
    name: str

    def __new__(cls, name: str, value: str) -> _PlainHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: EmailPolicy) -> str:
        return _fold_words(self.name, self.split(" "), policy)


_ADDRESS = r"[^\s,;:<>()\[\]\\\"@]+@[^\s,;:<>()\[\]\\\"@]+"
_PLAIN_ADDRESSES = re.compile(
    rf"(?:[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~ -]*<{_ADDRESS}>|{_ADDRESS})"
    rf"(?:, (?:[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~ -]*<{_ADDRESS}>|{_ADDRESS}))*")
_PLAIN_TEXT = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_PLAIN = {"from": _PLAIN_ADDRESSES, "to": _PLAIN_ADDRESSES, "cc": _PLAIN_ADDRESSES,
          "subject": _PLAIN_TEXT, "date": _PLAIN_TEXT, "auto-submitted": _PLAIN_TEXT,
          "x-auto-response-suppress": _PLAIN_TEXT, "message-id": _PLAIN_TEXT,
          "in-reply-to": _PLAIN_TEXT, "references": _PLAIN_TEXT}


class _HeaderFactory:
    """Plain values of the headers above as written; anything else (non-ASCII, quoting,
    comments, MIME parameters) through the stdlib's registry."""

    def __init__(self) -> None:
        self.registry = _registry()

    def __call__(self, name: str, value):
        if isinstance(value, str) and plain_header_value(name, value):
            return _PlainHeader(name, value)
        return self.registry(name, value)

    def __getitem__(self, name: str):  # the policy asks for a header's max_count
        return self.registry[name]


MAIL_POLICY = default_policy.clone(header_factory=_HeaderFactory())
SMTP_POLICY = MAIL_POLICY.clone(linesep="\r\n")


class OutgoingMessage(EmailMessage):
    """A message whose attached 8bit originals are written byte for byte: the stdlib's
    generator can write a message/rfc822 body only as ASCII text or re-serialised
    (which refolds, and so re-encodes, the original's headers)."""

    def __init__(self, policy: EmailPolicy = MAIL_POLICY) -> None:
        super().__init__(policy=policy)
        self.originals: dict[str, bytes] = {}

    def as_bytes(self, unixfrom: bool = False, policy=None) -> bytes:  # type: ignore[override]
        raw = super().as_bytes(unixfrom=unixfrom, policy=policy)
        for token, original in self.originals.items():
            raw = raw.replace(token.encode(), original)
        return raw


class PlainMessage:
    """A message of text, with an HTML alternative or not, whose headers are all plain
    (see `plain_header_value`): written straight to bytes, without the email package's
    object model, which cost more than anything else in composing an acknowledgement.
    The bodies are quoted-printable by binascii's encoder, in lines of at most 76
    characters (RFC 2045 s6.7); tests/unit/test_mime.py reads every shape back through
    the stdlib's parser."""

    def __init__(self, headers: list[tuple[str, str]], text: str, html: str | None) -> None:
        self.headers, self.text, self.html = headers, text, html

    def __getitem__(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def as_bytes(self, unixfrom: bool = False, policy: EmailPolicy | None = None) -> bytes:
        policy = policy or MAIL_POLICY
        head = "".join(_fold_words(name, value.split(" "), policy)
                       for name, value in self.headers)
        if self.html is None:
            return (head + "MIME-Version: 1.0" + policy.linesep + _text_part(
                self.text, "plain", policy)).encode("ascii")
        boundary = f"==============={uuid.uuid4().int % 10**19:019d}=="
        sep = policy.linesep
        return (head + f"MIME-Version: 1.0{sep}Content-Type: multipart/alternative;{sep}"
                f' boundary="{boundary}"{sep}{sep}--{boundary}{sep}'
                + _text_part(self.text, "plain", policy) + f"{sep}--{boundary}{sep}"
                + _text_part(self.html, "html", policy) + f"{sep}--{boundary}--{sep}"
                ).encode("ascii")


def _text_part(body: str, subtype: str, policy: EmailPolicy) -> str:
    lines = body.encode("utf-8").splitlines()
    encoded = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).decode("ascii")
    sep = policy.linesep
    return (f'Content-Type: text/{subtype}; charset="utf-8"{sep}'
            f"Content-Transfer-Encoding: quoted-printable{sep}{sep}"
            + encoded.replace("\n", sep))


def plain_header_value(name: str, value: str) -> bool:
    """Can this header be written as given (plain ASCII of a shape we know)?"""
    shape = _PLAIN.get(name.lower())
    return shape is not None and shape.fullmatch(value) is not None


def new_message() -> OutgoingMessage:
    """An empty message under the policy above."""
    return OutgoingMessage()


def attach_original(message: OutgoingMessage, raw: bytes, filename: str = "original.eml") -> None:
    """Attach a received message as it arrived (line ends made CRLF), as message/rfc822
    in 7bit or 8bit; as a base64 file when 8bit cannot carry it."""
    canonical = re.sub(rb"\r?\n", b"\r\n", raw)
    lines_fit = all(len(line) <= MAX_LINE for line in canonical.split(b"\r\n"))
    if b"\x00" in canonical or not lines_fit:
        message.add_attachment(raw, maintype="application", subtype="octet-stream",
                               filename=filename)
        return
    part = EmailMessage(policy=MAIL_POLICY)
    part["Content-Type"] = "message/rfc822"
    part["Content-Transfer-Encoding"] = "7bit" if canonical.isascii() else "8bit"
    part["Content-Disposition"] = f'attachment; filename="{filename}"'
    if canonical.isascii():
        part.set_payload(canonical.decode("ascii"))
    else:
        token = f"foidesk-original-{len(message.originals)}-{id(part):x}"
        message.originals[token] = canonical
        part.set_payload(token)
    if message.get_content_type() != "multipart/mixed":
        message.make_mixed()
    message.attach(part)
