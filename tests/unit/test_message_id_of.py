"""connectors.mime.message_id_of reads only the header section, and reads it as the
email package's header registry reads the whole message."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path

import pytest
from shared_files import shared_path

from connectors.mime import _plain_message_id, ensure_message_id, header_section, message_id_of

OURS = Path(__file__).resolve().parents[1] / "corpora"
M365 = "<LO4P265MB6590A1B2C3D4E5F60718293A4B5C6D7E8F9ABCDE@LO4P265MB6590.GBRP265.PROD.OUTLOOK.COM>"


def by_registry(raw: bytes) -> str | None:
    """What the whole message gives through the registry (what message_id_of once did)."""
    value = BytesHeaderParser(policy=default).parsebytes(raw).get("Message-ID")
    return str(value).strip() if value else None


def check_corpus(folder: Path) -> int:
    wrong, read = [], 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".csv"):
        raw = path.read_bytes()
        expected = by_registry(raw)
        read += expected is not None
        if message_id_of(raw) != expected:
            wrong.append(f"{path.name}: {message_id_of(raw)!r} != {expected!r}")
    assert not wrong, "\n".join(wrong[:20])
    return read


@pytest.mark.parametrize("corpus", ["crafted", "holdout", "holdout-2"])
def test_on_our_corpora_it_reads_what_the_registry_reads(corpus):
    assert check_corpus(OURS / corpus) > 20  # messages with an id


@pytest.mark.parametrize("corpus", ["mail-gem/emails", "sisimai-bounces/maildir"])
def test_on_the_shared_corpora_it_reads_what_the_registry_reads(corpus):
    assert check_corpus(shared_path("corpora", *corpus.split("/"))) > 80


@pytest.mark.parametrize("raw", [
    f"From: a@example.org\r\nMessage-ID: {M365}\r\n\r\nMessage-ID: <body@x>\r\n".encode(),
    b"Message-ID:\r\n <folded@example.org>\r\nSubject: x\r\n\r\nbody\r\n",
    b"Subject: no id\n\nMessage-ID: <in-the-body@example.org>\n",
    b"Message-ID: <only-headers@example.org>\r\n",
    b"\r\nMessage-ID: <after-an-empty-first-line@example.org>\r\n",
    b"Message-ID: (a comment) <commented@example.org>\r\n\r\nx",
    b"Message-ID: =?utf-8?q?odd?=\r\n\r\nx",
    b"Message-ID: <a@b>\r\nMessage-ID: <second@b>\r\n\r\nx",
    "Message-ID: <caf\u00e9@example.org>\r\n\r\nx".encode(),
    b"From: a@example.org\r\nnot a header line\r\nMessage-ID: <after-junk@x>\r\n\r\nx",
    b"From: a@example.org\r\nMessage-ID : <spaced@x>\r\nMessage-ID: <after@x>\r\n\r\nx",
    b" folded: first\r\nMessage-ID: <after-a-continuation@x>\r\n\r\nx",
    b"From nobody Mon Jan  1 00:00:00 2026\nMessage-ID: <after-unixfrom@x>\n\nx",
    b"message-id: <lower-case@example.org>\nSubject: x\n\nx",
    b"Subject: caf\xc3\xa9\r\nMessage-ID: <after-8bit@example.org>\r\n\r\nx",
    b"Message-ID: <split@\r\n example.org>\r\n\r\nx",
    b"X-Long: one\r\n\ttwo\r\nMessage-ID:\t<tab@example.org> \r\n\r\nx",
])
def test_awkward_messages_read_as_the_registry_reads_them(raw):
    assert message_id_of(raw) == by_registry(raw)


def test_an_id_behind_plain_fields_is_read_without_a_parser():
    """What every message foidesk composes looks like: read from its lines alone."""
    raw = (b"From: Council FOI <foi@example.gov.uk>\r\nTo: r@example.org\r\n"
           b"Subject: Your request\r\n folded\r\nDate: Tue, 08 Dec 2026 10:00:00 +0000\r\n"
           + f"Message-ID: {M365}\r\n".encode() + b"MIME-Version: 1.0\r\n\r\nbody\r\n")
    assert _plain_message_id(header_section(raw)) == M365 == by_registry(raw)
    assert _plain_message_id(b"Subject: x\r\nMessage-ID: (c) <a@b>\r\n\r\n") is None


def test_the_header_section_stops_at_the_first_empty_line():
    assert header_section(b"A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore") == b"A: 1\r\nB: 2\r\n\r\n"
    assert header_section(b"A: 1\nB: 2\n\nbody") == b"A: 1\nB: 2\n\n"


def test_an_id_is_added_only_when_missing():
    raw = b"Subject: x\r\n\r\nbody\r\n"
    added, new_id = ensure_message_id(raw, "example.gov.uk")
    assert new_id.endswith("@example.gov.uk>") and message_id_of(added) == new_id
    kept = f"Message-ID: {M365}\r\n".encode() + raw
    assert ensure_message_id(kept, "example.gov.uk") == (kept, M365)
