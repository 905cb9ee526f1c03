"""Outgoing headers and attached originals as real servers need them."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from foidesk.mime import SMTP_POLICY
from foidesk.outbox import Envelope, compose
from foidesk.rendering import RenderedEmail

M365 = "<LO4P265MB6590A1B2C3D4E5F60718293A4B5C6D7E8F9ABCDE@LO4P265MB6590.GBRP265.PROD.OUTLOOK.COM>"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _sent(subject="[FOI 000001/26] Your request", **envelope) -> bytes:
    fields = {"sender": "foi@example.gov.uk", "to": ("jane@example.org",), **envelope}
    message = compose(RenderedEmail(subject, "Thank you.", None), Envelope(**fields),
                      domain="example.gov.uk", now=NOW)
    return message.as_bytes(policy=SMTP_POLICY)


def _head(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def test_long_message_ids_are_written_byte_exact_never_encoded():
    raw = _sent(in_reply_to=M365, references=("<a@example.org>", M365.replace("A1", "B2")))
    head = _head(raw)
    assert f"In-Reply-To: {M365}\r\n".encode() in head
    assert b"=?" not in head
    back = message_from_bytes(raw, policy=policy.default)
    assert str(back["References"]).split() == ["<a@example.org>", M365.replace("A1", "B2"),
                                               M365]


def test_a_fold_never_splits_a_msg_id():
    raw = _sent(in_reply_to=M365, references=tuple(f"<{n}.{'x' * 60}@example.org>"
                                                   for n in range(4)))
    references = _head(raw).split(b"References:", 1)[1].split(b"\r\nAuto-Submitted")[0]
    for line in references.split(b"\r\n"):
        assert line.strip().startswith(b"<") and line.strip().endswith(b">")


@pytest.mark.parametrize("subject", [
    "[FOI 000001/26] " + "Freedom_of_Information_request_about_live_facial_recognition_2026",
    "[FOI 000001/26] Freedom of Information request - Live facial recognition deployments, "
    "watchlists, alerts and arrests in every month of 2026",
    "[FOI 000001/26] Cais Rhyddid Gwybodaeth - galwadau 999 yn Gymraeg, ŵ ŷ â, a llawer mwy "
    "o eiriau yma",
])
def test_the_subject_reads_back_without_a_leading_space(subject):
    raw = _sent(subject=subject)
    assert b"Subject:\r\n" not in _head(raw)
    assert str(message_from_bytes(raw, policy=policy.default)["Subject"]) == subject


@pytest.mark.parametrize(("original", "encoding"), [
    (b"From: a@example.org\nSubject: hi\n\nplain ASCII\n", "7bit"),
    ("From: a@example.org\nSubject: hé\n\nWelsh ŵ\n".encode(), "8bit"),
])
def test_an_attached_original_is_message_rfc822_in_7bit_or_8bit(original, encoding):
    back = message_from_bytes(_sent(attach_message=original), policy=policy.default)
    [part] = [p for p in back.walk() if p.get_content_type() == "message/rfc822"]
    assert part["Content-Transfer-Encoding"] == encoding
    inner = part.get_payload(0)
    assert str(inner["From"]) == "a@example.org"


def test_an_original_8bit_cannot_carry_goes_as_a_file():
    original = b"From: a@example.org\n\n" + b"x" * 1200 + b"\n"
    back = message_from_bytes(_sent(attach_message=original), policy=policy.default)
    types = [p.get_content_type() for p in back.walk()]
    assert "message/rfc822" not in types and "application/octet-stream" in types


PLAIN_CASES = [
    ("From", "Example Council FOI <foi@example.gov.uk>"),
    ("To", "jane@example.org, Raj Patel <raj@example.org>"),
    ("To", ", ".join(f"Owner {n} <owner{n}@example.gov.uk>" for n in range(12))),
    ("Subject", "[FOI 000001/26] Your request: potholes in ward 12 and the roads beyond "
                "the bypass, which were resurfaced in 2025"),
    ("Date", "Mon, 02 Nov 2026 10:00:00 +0000"),
    ("Message-ID", "<177.1@example.gov.uk>"),
    ("References", " ".join([M365, "<a@example.org>", M365.replace("A1", "B2")])),
    ("Auto-Submitted", "auto-generated"),
]
REGISTRY_CASES = [  # each needs the stdlib: quoting, a comment, non-ASCII, an encoded word
    ("From", "Smith, Jane <jane@example.org>"),
    ("From", "J. Smith <jane@example.org>"),
    ("From", "Cyngor Sir Ynys Môn FOI <foi@ynysmon.llyw.cymru>"),
    ("To", "jane@example.org (Jane)"),
    ("Subject", "Cais Rhyddid Gwybodaeth: ŵyr a ŷd"),
]


def _written(name: str, value: str, *, plain: bool) -> bytes:
    from email.message import EmailMessage

    from foidesk.mime import MAIL_POLICY
    from foidesk.mime import _registry as registry

    chosen = SMTP_POLICY if plain else MAIL_POLICY.clone(header_factory=registry(),
                                                          linesep="\r\n")
    message = EmailMessage(policy=chosen)
    message[name] = value
    message.set_content("x")
    return message.as_bytes(policy=chosen)


@pytest.mark.parametrize(("name", "value"), PLAIN_CASES + REGISTRY_CASES)
def test_the_plain_header_path_reads_back_as_the_registry_s_does(name, value):
    """Composing skips the header registry for plain ASCII values; the stdlib's own parser
    must read the result exactly as it reads the registry's, and every line must fit."""
    plain, registry = (_written(name, value, plain=p) for p in (True, False))
    lines = _head(plain).split(b"\r\n")
    assert all(len(line) <= 78 or len(line.split()) <= 2 for line in lines)  # one word a line
    read = [message_from_bytes(raw, policy=policy.default) for raw in (plain, registry)]
    assert str(read[0][name]) == str(read[1][name])
    if name.lower() in ("from", "to"):
        assert [a.addr_spec for a in read[0][name].addresses] == [
            a.addr_spec for a in read[1][name].addresses]


@pytest.mark.parametrize(("name", "value"), PLAIN_CASES)
def test_plain_values_skip_the_registry(name, value):
    from foidesk.mime import MAIL_POLICY, _PlainHeader

    assert isinstance(MAIL_POLICY.header_factory(name, value), _PlainHeader)


@pytest.mark.parametrize(("name", "value"), REGISTRY_CASES)
def test_values_that_need_parsing_go_through_the_registry(name, value):
    from foidesk.mime import MAIL_POLICY, _PlainHeader

    assert not isinstance(MAIL_POLICY.header_factory(name, value), _PlainHeader)


BODIES = [
    ("Thank you.", None),
    ("Thank you.\n\nLine two is long " + "word " * 40 + "\n£5 fee, café, ŵ ŷ â\n",
     "<p>Thank you.</p>\n<p>" + "word " * 40 + "</p>"),
    ("A line of dots\n.\n..\nFrom the start of a line\n=3D is not a code\r\nCRLF line\n",
     "<p>=</p>"),
    ("x" * 2000, None),  # one long word: quoted-printable soft breaks keep lines short
    ("trailing space \nand tab\t\n\tleading tab\n=\n" + "é" * 60 + "\n", "<p>é</p>"),
    ("", None),
]


def _stdlib_composed(text: str, html: str | None, headers) -> bytes:
    from foidesk.mime import new_message

    message = new_message()
    for name, value in headers:
        message[name] = value
    message.set_content(text, cte="quoted-printable")
    if html:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message.as_bytes(policy=SMTP_POLICY)


@pytest.mark.parametrize(("text", "html"), BODIES)
def test_a_plain_message_reads_back_as_the_stdlib_s_own_composition(text, html):
    """Composing writes most messages without the email package's object model; the
    stdlib's parser must read each one as it reads the stdlib's own composition."""
    from foidesk.mime import PlainMessage

    envelope = Envelope(sender="foi@example.gov.uk", sender_name="Example Council FOI",
                        to=("jane@example.org",), in_reply_to=M365, references=("<r@x.org>",))
    message = compose(RenderedEmail("[FOI 000001/26] Your request", text, html), envelope,
                      domain="example.gov.uk", now=NOW)
    assert isinstance(message, PlainMessage)
    ours = message.as_bytes(policy=SMTP_POLICY)
    theirs = _stdlib_composed(text, html, message.headers)
    read = [message_from_bytes(raw, policy=policy.default) for raw in (ours, theirs)]
    assert not read[0].defects and all(not part.defects for part in read[0].walk())
    for name in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                 "Auto-Submitted", "X-Auto-Response-Suppress", "MIME-Version"):
        assert str(read[0][name]) == str(read[1][name]), name
    assert read[0].get_content_type() == read[1].get_content_type()
    for kind in ("plain", "html"):
        parts = [r.get_body((kind,)) for r in read]
        assert (parts[0] is None) == (parts[1] is None)
        if parts[0] is not None:
            assert parts[0].get_content() == parts[1].get_content()
            assert parts[0]["Content-Transfer-Encoding"] == "quoted-printable"
    head, body = ours.split(b"\r\n\r\n", 1)
    assert all(len(line) <= 78 or len(line.split()) <= 2 for line in head.split(b"\r\n"))
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))  # RFC 2045 s6.7
    assert b"\n" not in ours.replace(b"\r\n", b"")  # CRLF only, for SMTP


def test_a_message_that_needs_the_stdlib_is_composed_by_it():
    from foidesk.mime import PlainMessage

    for envelope in (Envelope(sender="foi@example.gov.uk", sender_name="Smith, J",
                              to=("jane@example.org",)),
                     Envelope(sender="foi@example.gov.uk", to=("jane@example.org",),
                              attachments=(("a.txt", "text/plain", b"x"),))):
        message = compose(RenderedEmail("Subject", "Text", None), envelope,
                          domain="example.gov.uk", now=NOW)
        assert not isinstance(message, PlainMessage)
