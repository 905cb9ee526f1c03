"""`foidesk demo --welsh`, as the README shows it: a request written in Welsh answered in
Welsh, its letter's PDF with the Welsh letters as they are. Nine working days are enough
for the Welsh case (it is answered on day 8); the full demo runs in test_demo.py."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pypdfium2
import pytest

SIAN = "sian.apdafydd@example.cymru"


@pytest.fixture(scope="module")
def welsh_demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo-cy") / "demo"
    script = shutil.which("foidesk") or str(Path(sys.executable).with_name("foidesk"))
    env = {key: value for key, value in __import__("os").environ.items()
           if key != "PREFECT_HOME"}
    result = subprocess.run([script, "demo", "--welsh", "--days", "9", "--workdir",
                             str(workdir)], capture_output=True, text=True, timeout=600,
                            env={**env, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-3000:]
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted((workdir / "outbox").glob("*.eml"))]
    return workdir, result.stdout, messages


def test_the_welsh_request_is_acknowledged_clarified_and_answered_in_welsh(welsh_demo):
    _, _, messages = welsh_demo
    to_sian = [m for m in messages if SIAN in str(m["To"])]
    subjects = [" ".join(str(m["Subject"]).split()) for m in to_sian]
    assert subjects == [
        "[FOI 000004/26] Cais am wybodaeth: swyddogion sy'n siarad Cymraeg",
        "[FOI 000004/26] Mae angen eglurhad arnom: Cais am wybodaeth: swyddogion sy'n siarad "
        "Cymraeg",
        "[FOI 000004/26] Eglurhad wedi dod i law: Cais am wybodaeth: swyddogion sy'n siarad "
        "Cymraeg",
        "[FOI 000004/26] Ymateb i'ch cais: Cais am wybodaeth: swyddogion sy'n siarad Cymraeg",
    ]
    for message in to_sian:
        text = message.get_body(("plain",)).get_content()
        assert "Annwyl Siân ap Dafydd," in text and "Yn gywir," in text
        assert "Rydym yn croesawu gohebiaeth yn Gymraeg." in text


def test_the_english_requesters_get_the_bilingual_statement(welsh_demo):
    _, _, messages = welsh_demo
    [ack] = [m for m in messages if "jane.requester@example.org" in str(m["To"])][:1]
    text = ack.get_body(("plain",)).get_content()
    assert text.index("We welcome correspondence in Welsh.") < text.index(
        "Rydym yn croesawu gohebiaeth yn Gymraeg.")


def test_the_welsh_letter_opens_with_its_welsh_characters_embedded(welsh_demo):
    workdir, stdout, _ = welsh_demo
    [pdf] = sorted((workdir / "letters").glob("*FOI-000004-26-response.pdf"))
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.read_bytes()))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    flat = " ".join(text.split())
    for words in ("Annwyl Siân ap Dafydd,", "Ysgrifennaf ynglŷn â'ch cais", "Tŷ-du",
                  "gŵyl", "o dan Ddeddf Rhyddid Gwybodaeth 2000", "Tudalen 1 o"):
        assert words in flat, words
    assert "\ufffd" not in text
    assert "a request written in Welsh, answered in Welsh" in stdout
    assert "the answer to question 1; the answer to question 2 still to translate" in stdout
    assert "(none replaced)" in stdout
