"""foidesk.plain_headers gives what the email package's registry gives, or nothing."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.policy import compat32
from pathlib import Path

import pytest
from shared_files import shared_path

from foidesk.mail import parse
from foidesk.plain_headers import plain_text

OURS = Path(__file__).resolve().parents[1] / "corpora"


def registry_text(name: str, value: str) -> str:
    return " ".join(str(policy.default.header_fetch_parse(name, value)).split())


def every_header(folder: Path):
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".csv"):
        raw = path.read_bytes()
        # compat32 keeps each raw value as it came, as `policy.default` is handed it
        for name, value in message_from_bytes(raw, policy=compat32).raw_items():
            if isinstance(value, str):
                yield path, name, value


def check_corpus(folder: Path) -> int:
    """Every header the plain path reads, compared with the registry; how many it read."""
    read, wrong = 0, []
    for path, name, value in every_header(folder):
        plain = plain_text(name, value)
        if plain is None:
            continue
        read += 1
        try:
            expected = registry_text(name, value)
        except Exception as error:  # the registry fails where the plain path did not
            expected = f"registry raised {type(error).__name__}"
        if plain != expected:
            wrong.append(f"{path.name} {name}: {plain!r} != {expected!r}")
    assert not wrong, "\n".join(wrong[:20])
    return read


@pytest.mark.parametrize("corpus", ["crafted", "holdout", "holdout-2"])
def test_on_our_corpora_every_header_read_plainly_is_what_the_registry_reads(corpus):
    assert check_corpus(OURS / corpus) > 100


@pytest.mark.parametrize("corpus", ["mail-gem/emails", "sisimai-bounces/maildir"])
def test_on_the_shared_corpora_every_header_read_plainly_is_what_the_registry_reads(corpus):
    assert check_corpus(shared_path("corpora", *corpus.split("/"))) > 500


@pytest.mark.parametrize(("name", "value", "text"), [
    ("From", "Requester 1 <requester1@example.org>", "Requester 1 <requester1@example.org>"),
    ("From", "<jane@example.org>", "jane@example.org"),
    ("To", "foi@example.gov.uk, Bob  Jones <bob@example.org>",
     "foi@example.gov.uk, Bob Jones <bob@example.org>"),
    ("Subject", "FOI request:\r\n  potholes   in ward 7", "FOI request: potholes in ward 7"),
    ("Date", "Mon, 2 Nov 2026 10:00:00 +0000", "Mon, 02 Nov 2026 10:00:00 +0000"),
    ("Message-ID", " <bench-1.2@example.org>", "<bench-1.2@example.org>"),
])
def test_a_plain_value_is_read_as_the_registry_reads_it(name, value, text):
    assert plain_text(name, value) == text == registry_text(name, value)


@pytest.mark.parametrize(("name", "value"), [
    ("From", '"Smith, Jane" <jane@example.org>'),  # quoted
    ("From", "John Q. Public <john@example.org>"),  # the registry adds quotes
    ("From", "=?utf-8?q?Si=C3=A2n?= <sian@example.org>"),  # an encoded word
    ("From", "jane@example.org (Jane)"),  # a comment
    ("To", "undisclosed-recipients:;"),  # a group
    ("To", "a@example.org,"),  # an empty item
    ("Subject", "Cais am wybodaeth \udcc3\udca2"),  # 8-bit bytes
    ("Content-Type", "text/plain; charset=utf-8"),  # its parameters are the registry's
    ("Date", "the day after tomorrow"),  # unreadable: the registry keeps it with a defect
    ("Message-ID", "<no-at-sign>"),
])
def test_anything_else_is_left_to_the_registry(name, value):
    assert plain_text(name, value) is None


def test_a_parsed_message_reads_the_same_either_way():
    raw = (b"From: Jane Smith <Jane@Example.org>\r\nTo: foi@example.gov.uk\r\n"
           b"Subject: =?utf-8?q?Cais_am_wybodaeth?=\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           b"Message-ID: <m1@example.org>\r\n\r\nPlease tell me.\r\n")
    message = parse(raw)
    assert (message.from_name, message.from_address) == ("Jane Smith", "jane@example.org")
    assert message.subject == "Cais am wybodaeth"
    assert message.headers["date"] == "Mon, 02 Nov 2026 10:00:00 +0000"
    assert message.message_id == "<m1@example.org>"
