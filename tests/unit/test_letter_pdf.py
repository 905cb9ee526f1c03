"""Letters a decision maker would sign: what the PDF shows, page by page, read back with
pypdf as a requester's viewer would."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from foidesk.config import ConfigError, load_settings
from foidesk.letter_pdf import pdf_of
from foidesk.letters import answer_groups, is_heading
from foidesk.services.intake.settings import AuthorityView, Signatory

NAMES = "Siân Ŵyn Ďvořák, Ελένη Παπαδοπούλου, Ольга Иванова, Zoë Ó Súilleabháin, Łukasz Żółć"


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def long_letter() -> str:
    lines = ["Example Council", ""]
    for n in range(1, 40):
        lines += [f"HEADING NUMBER {n}", f"The paragraph under heading {n}, which says "
                  "something that takes a line or two of the page to say in full. " * 2, ""]
    return "\n".join(lines)


def test_every_page_of_a_draft_says_draft_and_the_final_letter_does_not():
    draft, final = (pages(pdf_of(long_letter(), title="t", author="a", draft=flag))
                    for flag in (True, False))
    assert len(draft) > 2
    assert all("DRAFT - not approved for release" in page for page in draft)
    assert not any("DRAFT" in page for page in final)
    assert PdfReader(io.BytesIO(pdf_of("x", title="Response", author="a", draft=True))) \
        .metadata.title == "DRAFT: Response"


def test_no_page_ends_with_a_heading():
    for page in pages(pdf_of(long_letter(), title="t", author="a")):
        body = [line for line in page.splitlines() if line.strip() and "Page " not in line]
        assert not is_heading(body[-1]), body[-1]


def test_every_character_of_a_name_renders():
    text = pages(pdf_of(f"Example Council\n\nDear {NAMES},\n\n“Quoted” – £25 €3", title="t",
                        author="a"))[0]
    assert NAMES in " ".join(text.split())
    assert "“Quoted” – £25 €3" in text


def test_a_character_the_font_lacks_is_shown_as_a_gap_not_dropped():
    text = pages(pdf_of("Example Council\n\nDear 李小龍,", title="t", author="a"))[0]
    assert "Dear \ufffd\ufffd\ufffd," in text


def test_consecutive_questions_with_one_decision_are_answered_together():
    questions = [{"number": n, "answer": a} for n, a in [
        ("1", "1,204."), ("2", ""), ("3", ""), ("3a", ""), ("4", "Not held."), ("5", ""),
        ("6", "")]]
    groups = answer_groups(questions, "Covered by the decision below.")
    assert [(g["label"], g["answer"]) for g in groups] == [
        ("1", "1,204."),
        ("Questions 2 to 3a:", "Covered by the decision below."),
        ("4", "Not held."),
        ("Questions 5 and 6:", "Covered by the decision below."),
    ]


def test_salutation_valediction_and_signatory_come_from_the_config():
    authority = AuthorityView(
        name="Example Council", foi_address="foi@example.gov.uk",
        salutation="Annwyl {name},", valediction="Yours faithfully,",
        signatories=(Signatory("B. Senior", "Head of Information", frozenset({"foia-review"})),
                     Signatory("A. Decider", "FOI Decision Maker")))
    assert authority.greeting("Siân Jones") == "Annwyl Siân Jones,"
    assert authority.greeting("") == "Dear Sir or Madam,"
    assert authority.signatory("foia-review").name == "B. Senior"
    assert authority.signatory("foia") == Signatory("A. Decider", "FOI Decision Maker")
    plain = AuthorityView(name="Example Council", foi_address="foi@example.gov.uk")
    assert plain.signatory("foia").name == "Freedom of Information Team"


def test_a_salutation_that_names_anything_but_the_requester_is_refused(tmp_path):
    config = tmp_path / "foidesk.toml"
    config.write_text('[authority]\nname = "X"\nfoi_address = "foi@example.gov.uk"\n'
                      '[letters]\nsalutation = "Dear {title} {name},"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"letters\.salutation"):
        load_settings(config)


def test_the_sign_off_is_never_split_from_the_signatory():
    for filler in range(30, 60):
        text = "\n".join(["Example Council", ""] + [f"Line {n} of the letter." for n in
                                                     range(filler)]
                         + ["", "Yours sincerely,", "", "A. Decider", "FOI Decision Maker"])
        for page in pages(pdf_of(text, title="t", author="a", valediction="Yours sincerely,")):
            if "Yours sincerely," in page:
                assert "A. Decider" in page
