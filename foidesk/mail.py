"""Parse raw email into what triage and the register need, without ever crashing on it.

The stdlib `email` package with `policy.default`, hardened: a bad or missing
charset falls back (declared, then UTF-8, then Latin-1 which decodes anything);
HTML-only mail becomes readable text; multipart/alternative prefers text/plain;
nested message/rfc822 parts are kept for bounce matching; attachments carry
sanitised filenames and their bytes for the content-addressed store.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from html.parser import HTMLParser

from foidesk.large_parts import STORED_HEADER
from foidesk.plain_headers import plain_text

DEFAULT_SIZE_LIMIT = 50 * 1024 * 1024


class MessageTooLarge(ValueError):
    """Bigger than the configured limit: quarantined unread."""


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised: safe to show and to use as a download name
    content_type: str
    data: bytes  # empty for a large part already in the blob store (`stored_sha256`)
    stored_sha256: str | None = None
    stored_size: int | None = None

    @property
    def sha256(self) -> str:
        return self.stored_sha256 or hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return self.stored_size if self.stored_sha256 else len(self.data)


@dataclass(frozen=True)
class InboundMessage:
    """One parsed message: headers triage reads, readable text, attachments, raw bytes."""

    raw: bytes
    message_id: str  # the Message-ID, or a stable one made from the content hash
    subject: str
    from_name: str
    from_address: str
    reply_to: str | None
    to: tuple[str, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    date_header: str | None
    text: str  # the readable body: text/plain, else HTML turned into text
    html: str = ""  # the first text/html part as sent: UNSAFE, see foidesk.sanitise
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased name -> first value
    content_type: str = "text/plain"
    report_type: str | None = None  # multipart/report; report-type=...
    attachments: tuple[Attachment, ...] = ()
    nested: tuple[bytes, ...] = ()  # message/rfc822 and text/rfc822-headers parts
    defects: tuple[str, ...] = ()
    size: int = 0  # as received, before any large part was set apart (0: len(raw))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def original_size(self) -> int:
        """The message's size as it arrived."""
        return self.size or len(self.raw)

    @property
    def reply_address(self) -> str:
        """Where a reply goes: Reply-To when given (RFC 5322 s3.6.2), else From."""
        return self.reply_to or self.from_address

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class _ReadPolicy(EmailPolicy):
    """`policy.default` that parses each header value once: the email package parses a
    parsed message's header again on every read, and reading a message reads each part's
    Content-Type many times (a fifth of parsing an ordinary request)."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        if len(value) > 2000:  # a long value (a hostile one) is parsed, never kept
            return policy.default.header_fetch_parse(name, value)
        return _parsed_header(name, value)


@lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str):
    return policy.default.header_fetch_parse(name, value)


READ_POLICY = _ReadPolicy()


def check_size(size: int, size_limit: int) -> None:
    """MessageTooLarge when a message is over the limit (it is quarantined unread)."""
    if size > size_limit:
        raise MessageTooLarge(f"message is {size:,} bytes, over the {size_limit:,}-byte limit")


def parse(raw: bytes, size_limit: int = DEFAULT_SIZE_LIMIT, *,
          stored: frozenset[str] = frozenset(), size: int | None = None) -> InboundMessage:
    """Parse raw bytes; only MessageTooLarge is raised, never a parsing error. `raw` may be
    a message whose large parts were set apart (foidesk.large_parts): `stored` names the
    blobs that walk wrote, `size` the size the message arrived at."""
    arrived = size if size is not None else len(raw)
    check_size(arrived, size_limit)
    message = message_from_bytes(raw, policy=READ_POLICY)
    headers = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key not in headers:
            headers[key] = _header_text(message, name, value)
    from_name, from_address = parse_address(headers.get("from", ""))
    reply_to = parse_address(headers.get("reply-to", ""))[1] or None
    attachments: list[Attachment] = []
    nested: list[bytes] = []
    text, html_body = _body_text(message, attachments, nested, stored)
    content_type = _safe(lambda: message.get_content_type(), "text/plain")
    report_type = None
    if content_type == "multipart/report":
        report_type = _safe(lambda: message.get_param("report-type"), None)
    return InboundMessage(
        raw=raw,
        message_id=_message_id(headers.get("message-id", ""), raw),
        subject=" ".join(headers.get("subject", "").split()),
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to,
        to=tuple(a for _, a in getaddresses([headers.get("to", "")]) if a),
        in_reply_to=tuple(_ids(headers.get("in-reply-to", ""))),
        references=tuple(_ids(headers.get("references", ""))),
        date_header=headers.get("date"),
        text=text,
        html=html_body,
        headers=headers,
        content_type=content_type,
        report_type=str(report_type).lower() if report_type else None,
        attachments=tuple(attachments),
        nested=tuple(nested),
        defects=tuple(type(d).__name__ for d in message.defects),
        size=arrived,
    )


def _safe(action, default):
    try:
        return action()
    except Exception:
        return default


def _header_text(message: Message, name: str, value: object) -> str:
    """A header as one line of text, even when the policy cannot parse it (an address with
    an encoded CR/LF, say); CR and LF never survive, so no header can smuggle another. A
    plain value is read without the registry (foidesk.plain_headers)."""
    plain = plain_text(name, value)
    if plain is not None:
        return plain
    try:
        value = str(message[name])
    except Exception:
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        try:
            value = str(make_header(decode_header(str(raw))))
        except Exception:
            value = raw if isinstance(raw, str) else bytes(raw).decode("latin-1")
    return " ".join(value.split())


def parse_address(value: str) -> tuple[str, str]:
    """(display name, address); a trailing <angle-addr> wins, so a display name that
    contains "Bcc: someone@else" can never redirect our reply."""
    angle = re.search(r"<([^<>\s]+@[^<>\s]+)>\s*$", value)
    if angle:
        name = value[: angle.start()].strip().strip('"').strip()
        return name, angle.group(1).strip().lower()
    name, address = parseaddr(value)
    return name.strip(), address.strip().lower()


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value)


def _message_id(value: str, raw: bytes) -> str:
    found = _ids(value)
    if found:
        return found[0]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@foidesk.invalid>"


def _decode(part: Message) -> str:
    """The part's text, whatever its declared charset says."""
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charsets = [part.get_content_charset(), "utf-8", "latin-1"]
    for charset in charsets:
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _body_text(
    message: Message, attachments: list[Attachment], nested: list[bytes],
    stored: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """Walk the MIME tree once: the text (the first text/plain wins, else the first HTML
    as text) and the first HTML part as sent."""
    plain: list[str] = []
    htmls: list[str] = []
    _walk(message, plain, htmls, attachments, nested, stored)
    markup = htmls[0] if htmls else ""
    if plain:
        return "\n\n".join(t.strip("\n") for t in plain).strip(), markup
    if htmls:
        return html_to_text(markup), markup
    return "", ""


def _walk(
    part: Message,
    plain: list[str],
    htmls: list[str],
    attachments: list[Attachment],
    nested: list[bytes],
    stored: frozenset[str] = frozenset(),
) -> None:
    content_type = _safe(part.get_content_type, "text/plain")
    set_apart = _stored_part(part, stored)
    if set_apart is not None:
        filename = _safe(part.get_filename, None)
        attachments.append(Attachment(safe_filename(filename, content_type), content_type, b"",
                                      stored_sha256=set_apart[0], stored_size=set_apart[1]))
        return
    if content_type in ("message/rfc822", "text/rfc822-headers", "message/global"):
        nested.append(_nested_bytes(part))
        return
    if part.is_multipart():
        children = _safe(lambda: list(part.iter_parts()) if isinstance(part, EmailMessage)
                         else part.get_payload(), [])
        if content_type == "multipart/alternative":
            texts = [c for c in children if _safe(c.get_content_type, "") == "text/plain"]
            if texts:
                children = texts + [c for c in children if c not in texts
                                    and _safe(c.get_content_type, "") != "text/html"]
        for child in children:
            if isinstance(child, Message):
                _walk(child, plain, htmls, attachments, nested, stored)
        return
    disposition = _safe(part.get_content_disposition, None)
    filename = _safe(part.get_filename, None)
    if disposition == "attachment" or (filename and not content_type.startswith("text/")):
        data = _safe(lambda: part.get_payload(decode=True), b"") or b""
        attachments.append(Attachment(safe_filename(filename, content_type), content_type, data))
        return
    if content_type == "text/plain":
        plain.append(_decode(part))
    elif content_type == "text/html":
        htmls.append(_decode(part))
    elif content_type.startswith(("message/", "text/", "multipart/")):
        # delivery-status reports, other text parts, and a multipart whose boundary
        # is broken (its body is then just text)
        plain.append(_decode(part))


def _stored_part(part: Message, stored: frozenset[str]) -> tuple[str, int] | None:
    """(sha256, size) of a part set apart before parsing; only a marker that walk wrote
    counts (a sender's own header naming a blob is ignored)."""
    if not stored:
        return None
    marker = str(part.get(STORED_HEADER, "") or "")
    digest, _, rest = marker.partition(";")
    size = rest.strip().removeprefix("size=")
    if digest.strip() not in stored or not size.isdigit():
        return None
    return digest.strip(), int(size)


def _nested_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            return payload[0].as_bytes(policy=policy.default.clone(linesep="\r\n"))
        except Exception:
            return bytes(str(payload[0]), "utf-8", "replace")
    decoded = _safe(lambda: part.get_payload(decode=True), None)
    if isinstance(decoded, bytes):
        return decoded
    return str(payload).encode("utf-8", "replace")


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str | None, content_type: str = "application/octet-stream") -> str:
    """A filename safe to store and show: no directories, controls or leading dots."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        extension = {"application/pdf": ".pdf", "text/plain": ".txt",
                     "text/html": ".html"}.get(content_type, ".bin")
        name = f"attachment{extension}"
    return name[:150]


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                        "table", "blockquote", "pre", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text from HTML: block elements become line breaks, scripts and styles go."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:
        return html.unescape(re.sub(r"<[^>]+>", " ", markup)).strip()
    text = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def formatted_address(name: str, address: str) -> str:
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError):
        return address
