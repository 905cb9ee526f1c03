"""Triage worked out in a second process gives what triage here gives, or nothing."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import pytest
from shared_files import shared_path

from foidesk.large_parts import LARGE_PART
from foidesk.mail import parse
from foidesk.services.intake import triage_ahead
from foidesk.services.intake.triage_ahead import CHUNK, AheadBatch, Triaged
from foidesk.services.triage_report import NoCases
from foidesk.triage import TriagePolicy, classify

POLICY = TriagePolicy(internal_domains=frozenset({"example.gov.uk"}),
                      foi_address="foi@example.gov.uk",
                      team_members=frozenset({"amy.officer@example.gov.uk"}))
LIMIT = 50 * 1024 * 1024
OURS = Path(__file__).resolve().parents[1] / "corpora"


@pytest.fixture(autouse=True)
def second_process():
    """This process stands in for the second one (its initializer, then its work)."""
    triage_ahead._remember(POLICY, LIMIT)
    yield
    triage_ahead._remember(None, 0)


def same_as_here(files: list[Path]) -> tuple[int, int]:
    """Each file triaged 'there' is what triage here makes of it; (given, left here)."""
    given = left = 0
    for path in files:
        raw = path.read_bytes()
        found = triage_ahead.triage_chunk([raw])[0]
        if found is None:
            left += 1
            continue
        message = parse(raw, LIMIT)
        assert found.message == replace(message, raw=b""), path.name
        assert found.triage == classify(message, NoCases(), POLICY), path.name
        given += 1
    return given, left


def test_our_corpora_are_triaged_there_as_here():
    files = sorted(OURS.rglob("*.eml"))
    given, left = same_as_here(files)
    assert given + left == len(files) > 100
    assert given > len(files) / 2  # most need nothing of the register


def test_the_shared_corpora_are_triaged_there_as_here():
    files = sorted(shared_path("corpora").rglob("*.eml"))
    given, left = same_as_here(files)
    assert given + left == len(files) > 500


def mail(headers: str = "", body: str = "Please send the figures for 2025.") -> bytes:
    return (f"From: Jane <jane@example.org>\r\nTo: foi@example.gov.uk\r\nSubject: FOI "
            f"request\r\nMessage-ID: <m@example.org>\r\n{headers}\r\n{body}\r\n").encode()


@pytest.mark.parametrize("raw", [
    mail("In-Reply-To: <ack.1@example.gov.uk>\r\n"),  # a reply: its case is in the register
    mail(body="Further to FOI 000123/26, please send the figures."),  # a reference quoted
    mail(body="x" * (LARGE_PART + 1)),  # large enough to have its parts set apart here
], ids=["threaded", "reference", "large"])
def test_what_needs_the_register_or_the_blob_store_is_left_here(raw):
    assert triage_ahead.triage_chunk([raw]) == [None]


def test_a_new_request_is_given_without_its_bytes():
    (found,) = triage_ahead.triage_chunk([mail()])
    assert found is not None and found.message.raw == b""
    assert found.triage.decision.value == "new_request"


def done(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def test_a_result_is_taken_only_for_its_own_bytes_and_only_when_ready():
    raws = [mail(body=f"Please send the figures for {year}.") for year in range(2000, 2030)]
    ready = triage_ahead.triage_chunk(raws[:CHUNK])
    running: Future = Future()
    running.set_running_or_notify_cancel()  # begun there: not taken back
    early = AheadBatch(raws, [done(ready), running])
    got = early.get(0, raws[0])
    assert isinstance(got, Triaged) and got.message.raw is raws[0]
    assert early.get(1, raws[2]) is None  # other bytes at that place
    assert early.get(CHUNK, raws[CHUNK]) is None  # its chunk is not done
    assert early.get(len(raws), b"") is None
    assert (early.counts.taken, early.counts.not_ready) == (1, 1)


def test_a_chunk_not_begun_is_taken_back_and_a_failed_one_leaves_triage_here():
    raws = [mail()] * (2 * CHUNK)
    pending: Future = Future()
    failed: Future = Future()
    failed.set_exception(EOFError("the second process died"))
    early = AheadBatch(raws, [failed, pending])
    assert early.get(0, raws[0]) is None
    assert early.get(CHUNK, raws[CHUNK]) is None and pending.cancelled()
    assert early.counts.not_ready == 2


def test_one_core_never_starts_a_second_process(monkeypatch):
    monkeypatch.setattr(triage_ahead, "_two_cores", lambda: False)
    with triage_ahead.TriageAhead(POLICY, LIMIT) as ahead:
        early = ahead.batch([mail()] * (2 * triage_ahead.MIN_BATCH))
        assert early.futures == [] and ahead._pool is None
        assert early.get(0, early.raws[0]) is None
