"""Large attachments are set apart before parsing, and nothing else changes."""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from foidesk import large_parts
from foidesk.large_parts import STORED_HEADER, decoded_base64, set_apart
from foidesk.mail import parse

BIG = b"\x89PNG" + bytes(range(256)) * 8192  # 2 MB, not all zeros


def message(*, linesep: str = "\r\n", nested: bool = False, preamble: bool = True) -> bytes:
    outer = EmailMessage()
    outer["From"] = "Jane Requester <jane@example.org>"
    outer["Subject"] = "FOI request with evidence"
    outer["Message-ID"] = "<big@example.org>"
    outer.set_content("Please see the attached photographs of the pothole.")
    outer.add_alternative("<p>Please see the attached photographs of the pothole.</p>",
                          subtype="html")
    if nested:
        inner = EmailMessage()
        inner["Subject"] = "the original"
        inner.set_content("Forwarded with its attachment.")
        inner.add_attachment(BIG, maintype="image", subtype="png", filename="inner.png")
        outer.add_attachment(inner)
    outer.add_attachment(BIG, maintype="image", subtype="png",
                         filename="a very long file name that the stdlib folds over lines.png")
    outer.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    if preamble:
        outer.preamble = "This is a multi-part message in MIME format."
    return outer.as_bytes(policy=policy.default.clone(linesep=linesep))


class Store(dict):
    def __call__(self, chunks) -> tuple[str, int]:
        data = b"".join(chunks())
        digest = hashlib.sha256(data).hexdigest()
        self[digest] = data
        return digest, len(data)


@pytest.mark.parametrize("linesep", ["\r\n", "\n"])
@pytest.mark.parametrize("preamble", [True, False])
def test_a_large_part_is_stored_and_the_rest_reads_as_before(linesep, preamble):
    raw = message(linesep=linesep, preamble=preamble)
    store = Store()
    apart = set_apart(raw, store)
    assert len(apart.raw) < 10_000 and list(store.values()) == [BIG]
    before, after = parse(raw), parse(apart.raw, stored=apart.stored, size=len(raw))
    assert after.text == before.text and after.html == before.html
    assert after.subject == before.subject and after.message_id == before.message_id
    assert [(a.filename, a.content_type, a.sha256, a.size) for a in after.attachments] == [
        (a.filename, a.content_type, a.sha256, len(a.data)) for a in before.attachments]
    assert after.original_size == len(raw) and not after.defects


def test_an_attached_message_is_kept_whole():
    """A message/rfc822 part is read as the original it is (triage reads its headers, and
    its own attachments are not the case's): only the outer large part is set apart."""
    raw = message(nested=True)
    store = Store()
    apart = set_apart(raw, store)
    assert list(store.values()) == [BIG] and apart.raw.count(STORED_HEADER.encode()) == 1
    after = parse(apart.raw, stored=apart.stored, size=len(raw))
    assert len(after.nested) == 1 and b"inner.png" in after.nested[0]


def test_the_same_message_sets_apart_to_the_same_bytes():
    """A second copy must be recognised as a copy: the rewrite is deterministic."""
    raw = message()
    assert set_apart(raw, Store()).raw == set_apart(raw, Store()).raw


def test_a_small_message_is_left_alone():
    small = EmailMessage()
    small["From"] = "jane@example.org"
    small.set_content("Please tell me how many potholes were repaired.")
    raw = small.as_bytes()
    store = Store()
    assert set_apart(raw, store).raw is raw and not store


def test_a_sender_cannot_name_a_stored_blob():
    """A marker the walk did not write is an ordinary header: no attachment from it."""
    forged = EmailMessage()
    forged["From"] = "mallory@example.org"
    forged.set_content("Hello")
    forged.add_attachment(b"x", maintype="application", subtype="pdf", filename="a.pdf")
    forged.get_payload()[1][STORED_HEADER] = f"{'a' * 64}; size=10"
    read = parse(forged.as_bytes(), stored=frozenset({"b" * 64}))
    assert [a.stored_sha256 for a in read.attachments] == [None]
    assert read.attachments[0].data == b"x"


def test_broken_base64_is_left_for_the_parser():
    raw = message().replace(b"iVBORw", b"iV*B!O")
    apart = set_apart(raw, Store())
    back = message_from_bytes(apart.raw, policy=policy.default)
    assert back["Subject"] == "FOI request with evidence"


@pytest.mark.parametrize("line", [76, 64, 4, 1000, 77])
@pytest.mark.parametrize("noise", [b"", b" \t", b"*"])
def test_base64_decoded_in_chunks_is_what_the_stdlib_decodes_whole(line, noise, monkeypatch):
    import base64
    import binascii
    import os

    monkeypatch.setattr(large_parts, "CHUNK", 1000)  # many chunks, cut anywhere
    data = os.urandom(20_001)
    text = base64.b64encode(data)
    wrapped = b"\r\n".join(text[i:i + line] + noise for i in range(0, len(text), line))
    chunks = list(decoded_base64(memoryview(wrapped), 0, len(wrapped)))
    assert len(chunks) > 10 and b"".join(chunks) == binascii.a2b_base64(wrapped) == data
