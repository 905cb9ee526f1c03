"""hypothesis-made hostile MIME: every message ends registered, filed or quarantined with a
reason, and nothing raises. Attachment names are kept as data, archives are not opened."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_support import settings as intake_settings
from sqlalchemy import select

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Attachment, Blob, Message
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_message
from foidesk.triage import Decision

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
OUTCOMES = {d.value for d in Decision} | {"quarantined", "duplicate"}

junk = st.binary(max_size=300)
text_bits = st.sampled_from([
    "FOI request", "=?x-unknown?B?AAEC?=", "=?utf-8?Q?=FF=FE?=", "=?iso-2022-jp?B?GyRCJDMbKEI=?=",
    "\x00NUL", "caf\u00e9", "\U0001F4A9", "{{ 7*7 }}", "{% raw %}", "<script>x</script>",
    "a\r\nBcc: victim@example.org", "A" * 5000, "", " ", "\t", '"unterminated',
])
addresses = st.sampled_from([
    "jane@example.org", "<>", "@", "a@b@c", '"Jane, Q" <jane@example.org', "undisclosed:;",
    "=?utf-8?B?SmFuZQ==?= <jane@example.org>", "x" * 400 + "@example.org", "", "<<a@b>>",
    "foi@example.gov.uk", "MAILER-DAEMON@example.net",
])
charsets = st.sampled_from(["utf-8", "latin-1", "x-unknown", "utf-7", "", "big5", "ascii",
                            "utf-16", "bogus\"charset"])
encodings = st.sampled_from(["7bit", "base64", "quoted-printable", "8bit", "x-uuencode",
                             "bogus"])


@st.composite
def parts(draw, depth: int = 0) -> bytes:
    """One MIME entity, possibly multipart with wrong, missing or repeated boundaries."""
    if depth < 12 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b", "", "==x==", "a" * 200, "b\x00c"]))
        used = draw(st.sampled_from([boundary, "other", boundary + "x"]))
        children = draw(st.lists(parts(depth + 1), max_size=3))
        body = b"".join(b"--" + used.encode() + b"\r\n" + child + b"\r\n" for child in children)
        if draw(st.booleans()):
            body += b"--" + used.encode() + b"--\r\n"
        return (f"Content-Type: multipart/{draw(st.sampled_from(['mixed', 'alternative', 'x']))}"
                f"; boundary=\"{boundary}\"\r\n\r\n").encode() + body
    ctype = draw(st.sampled_from(["text/plain", "text/html", "application/octet-stream",
                                  "message/rfc822", "image/png", "text/x-unknown", "garbage"]))
    name = draw(st.sampled_from(["", "../../etc/passwd", "..\\..\\boot.ini", "a\x00b.txt",
                                 "=?utf-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?=", "x" * 300]))
    head = (f"Content-Type: {ctype}; charset=\"{draw(charsets)}\"\r\n"
            f"Content-Transfer-Encoding: {draw(encodings)}\r\n")
    if name:
        head += f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
    body = draw(st.one_of(junk, text_bits.map(lambda t: t.encode("utf-8", "replace"))))
    return head.encode() + b"\r\n" + body


@st.composite
def hostile_messages(draw) -> bytes:
    headers = [
        ("From", draw(addresses)), ("To", draw(addresses)), ("Subject", draw(text_bits)),
        ("Message-ID", draw(st.sampled_from(["<m@x>", "", "<>", "no-angle", "<a b@c>"]))),
        ("Date", draw(st.sampled_from(["Mon, 02 Nov 2026 09:15:00 +0000", "yesterday", ""]))),
        ("Reply-To", draw(addresses)), ("In-Reply-To", draw(text_bits)),
    ]
    if draw(st.booleans()):
        headers.append(("X-Huge", "v" * draw(st.integers(1000, 200_000))))
    head = b"".join(f"{k}: {v}\r\n".encode("utf-8", "surrogateescape") for k, v in headers
                    if draw(st.booleans()) or k == "From")
    if draw(st.booleans()):
        head += b"Broken header line without colon\r\n\x00\r\n"
    return head + b"MIME-Version: 1.0\r\n" + draw(parts())


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = create_register_engine(f"sqlite:///{tmp_path_factory.mktemp('h') / 'r.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(raw=hostile_messages(), n=st.integers(0, 10**12))
def test_hostile_mime_is_registered_or_quarantined_and_never_crashes(engine, raw, n):
    provider_id = f"h:{n}"
    outcome = process_message(SqlUnitOfWork(engine), provider_id, raw, NOW, intake_settings(),
                              now=NOW)
    assert outcome.decision in OUTCOMES and outcome.reason
    with SqlUnitOfWork(engine) as uow:
        row = uow.session.scalar(select(Message).where(Message.provider_id == provider_id))
    assert row is not None and row.mailbox_target in ("processed", "quarantine")


def test_an_attachment_named_to_escape_is_stored_as_data_and_a_zip_is_never_opened(engine):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("../../../../tmp/foidesk-pwned", b"0" * 5_000_000)  # a zip bomb-let
    message = EmailMessage()
    message["From"] = "Jane <jane@example.org>"
    message["Subject"] = "FOI request: see attached"
    message["Message-ID"] = "<zip@example.org>"
    message.set_content("Under the FOI Act please tell me what is in the attached.")
    message.add_attachment(b"root:x:0:0", maintype="text", subtype="plain",
                           filename="../../etc/passwd")
    message.add_attachment(archive.getvalue(), maintype="application", subtype="zip",
                           filename="evidence.zip")
    outcome = process_message(SqlUnitOfWork(engine), "zip:1", message.as_bytes(), NOW,
                              intake_settings(), now=NOW)
    assert outcome.decision == "new_request"
    with SqlUnitOfWork(engine) as uow:
        row = uow.session.scalar(select(Message).where(Message.provider_id == "zip:1"))
        stored = {a.filename: a for a in row.attachments}
        blobs = {a.filename: uow.session.get(Blob, a.sha256).data for a in row.attachments}
        assert uow.session.scalar(select(Attachment).where(
            Attachment.filename.like("%foidesk-pwned%"))) is None
    assert set(stored) == {"passwd", "evidence.zip"}  # the path is dropped, the name kept
    assert blobs["evidence.zip"] == archive.getvalue()  # one opaque blob, never unpacked
    import os
    assert not os.path.exists("/tmp/foidesk-pwned")
