"""A case in Welsh is written to in Welsh: every email and letter a requester reads exists
under templates/cy/, cites its regime's provisions in their Welsh form, dates in Welsh,
and carries the Welsh Language Standards' statement; an English case of a bound authority
carries the statement too."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from test_letters_cite_their_law import (
    AUTHORITY,
    CLOCK_LETTERS,
    REFUSAL_EXEMPTION,
    REVIEW_OF,
    REVIEWS,
    _case,
)

from foidesk.drafting import DraftContent, Outcome
from foidesk.law import INSTRUMENTS, LAW, cited_in
from foidesk.letters import letter_context, render_letter
from foidesk.rendering import DEFAULT_TEMPLATES, REQUESTER_EMAILS, REQUESTER_LETTERS, Renderer
from foidesk.welsh import cited

RENDERER = Renderer()
CATALOGUE = RENDERER.catalogue("cy")
WELSH_AUTHORITY = replace(AUTHORITY, languages=("en", "cy"), welsh_language_standards=True,
                          welsh_name="Cyngor Enghraifft")
STATEMENT_CY = "Rydym yn croesawu gohebiaeth yn Gymraeg."
STATEMENT_EN = "We welcome correspondence in Welsh."
ENGLISH_WORDS = re.compile(r"\b(?:the|your|request|we will|thank you|received)\b", re.I)


def _welsh_case(regime: str, reference: str = "FOI 000001/26"):
    case = _case(regime, reference)
    case.language = "cy"
    return case


def _email(name: str, case, authority=WELSH_AUTHORITY, **context) -> str:
    rendered = RENDERER.email(name, language=case.language or "en", authority=authority,
                              case=case, requester_name="Siân Jones",
                              questions=list(case.questions), request_text=case.request_text,
                              request_html="", time_limit="20 working days",
                              original_subject=case.subject,
                              original=context.pop("original", None), **context)
    return rendered.subject + "\n" + rendered.text + "\n" + (rendered.html or "")


def _check_welsh(letter: str, regime: str, text: str) -> None:
    flat = re.sub(r"\s+", " ", text)
    for provision in cited_in(letter, regime):
        assert cited(provision, CATALOGUE) in flat, \
            f"{letter} ({regime}) must cite {cited(provision, CATALOGUE)}"
    english = [i for i in INSTRUMENTS if i in flat]
    assert not english, f"{letter} ({regime}) names the law in English: {english}"


@pytest.mark.parametrize("kind,names", (("email", REQUESTER_EMAILS),
                                        ("letters", REQUESTER_LETTERS)))
def test_every_template_a_requester_reads_exists_in_welsh(kind, names):
    for name in names:
        for part in ("subject", "txt"):
            assert (DEFAULT_TEMPLATES / "cy" / kind / f"{name}.{part}.j2").is_file(), \
                f"templates/cy/{kind}/{name}.{part}.j2 is missing"


@pytest.mark.parametrize(("letter", "regime", "context"), CLOCK_LETTERS,
                         ids=[f"{n}-{r}" for n, r, _ in CLOCK_LETTERS])
def test_each_welsh_clock_letter_cites_its_own_law_in_welsh(letter, regime, context):
    text = _email(letter, _welsh_case(regime), **context)
    _check_welsh(letter, regime, text)
    assert "Annwyl Siân Jones," in text and "Yn gywir," in text
    assert "November" not in text
    if letter not in ("clock_clarification", "clock_identity"):
        assert "Tachwedd 2026" in text
    assert STATEMENT_CY in text
    ours = text.split(STATEMENT_EN)[0]
    for typed in ("Pothole repairs", "How many potholes?", *map(str, context.values())):
        ours = ours.replace(typed, "")  # the requester's and the officer's own words
    assert not ENGLISH_WORDS.search(ours), ours


@pytest.mark.parametrize("regime", REVIEWS)
def test_each_welsh_review_acknowledgement_cites_its_own_law_in_welsh(regime):
    original = _welsh_case(REVIEW_OF[regime])
    review = _welsh_case(regime, "FOI 000001/26-IR")
    text = _email("review_acknowledgement", review, original=original,
                  received_on=review.received_on)
    _check_welsh("review_acknowledgement", regime, text)


def test_the_welsh_names_of_the_law_and_its_mutations():
    foia = LAW["foia"]
    assert cited(foia.clarification, CATALOGUE) == "adran 1(3) o Ddeddf Rhyddid Gwybodaeth 2000"
    assert cited(LAW["eir"].restart, CATALOGUE) == \
        "rheoliad 9(4) o Reoliadau Gwybodaeth Amgylcheddol 2004"
    text = _email("acknowledgement", _welsh_case("foia"))
    assert "o dan Ddeddf Rhyddid Gwybodaeth 2000" in text
    assert "Erthygl 15 o Reoliad Cyffredinol y DU ar Ddiogelu Data" in _email(
        "acknowledgement", _welsh_case("sar"))


def test_an_english_case_of_a_bound_authority_carries_the_statement_english_first():
    case = _case("foia")
    text = _email("acknowledgement", case)
    assert STATEMENT_EN in text and STATEMENT_CY in text
    assert text.index(STATEMENT_EN) < text.index(STATEMENT_CY)
    html = text.split("<!DOCTYPE html>")[1]
    assert STATEMENT_CY in html and "&lt;br&gt;" not in html
    assert "Dear Jane" not in text and "Dear Siân Jones," in text
    welsh_first = replace(WELSH_AUTHORITY, welsh_first=True)
    text = _email("acknowledgement", case, authority=welsh_first)
    assert text.index(STATEMENT_CY) < text.index(STATEMENT_EN)


def test_an_authority_not_bound_by_the_standards_adds_no_statement():
    assert STATEMENT_CY not in _email("acknowledgement", _case("foia"), authority=AUTHORITY)


def test_staff_emails_stay_in_english_for_a_welsh_case():
    rendered = RENDERER.email("team_notice", language="cy", authority=WELSH_AUTHORITY,
                              case=_welsh_case("foia"), headline="New request",
                              sender="siân@example.org", decision="new_request", reason="",
                              detail="", attached=False, too_large=False, original_size="",
                              kept_in="", original=None)
    assert "in Welsh" in rendered.text and STATEMENT_CY not in rendered.text


def _letter(name: str, case, content: DraftContent, original=None, draft=False):
    context = letter_context(case, content, WELSH_AUTHORITY, letter_date=date(2026, 11, 20),
                             review_days=20, original=original, draft=draft,
                             renderer=RENDERER)
    return render_letter(RENDERER, name, context), context


@pytest.mark.parametrize("regime", ("foia", "eir", "foisa", "eirs"))
def test_each_welsh_refusal_cites_its_law_and_the_exemption_in_welsh(regime):
    content = DraftContent(Outcome.REFUSED, exemptions=[REFUSAL_EXEMPTION[regime]],
                           answers={"1": "Cedwir yr wybodaeth hon yn ôl."})
    letter, context = _letter("response", _welsh_case(regime), content)
    _check_welsh("refusal", regime, letter.text)
    assert context["untranslated"] == []
    assert "Cedwir yr wybodaeth ynd ôl yn llawn" not in letter.text
    assert "Canlyniad: Cedwir yr wybodaeth yn ôl yn llawn" in letter.text
    assert "Niwed (" in letter.text or regime in ("eir", "eirs")


def test_a_welsh_response_from_english_answers_lists_what_to_translate():
    content = DraftContent(Outcome.GRANTED,
                           answers={"1": "We repaired 1,204 potholes in the year to March."},
                           note="Thank you for your patience while we gathered this.")
    letter, context = _letter("response", _welsh_case("foia"), content, draft=True)
    assert context["untranslated"] == ["the answer to question 1", "the note"]
    assert "I'W GYFIEITHU" in letter.text and "the answer to question 1" in letter.text
    welsh = DraftContent(Outcome.GRANTED,
                         answers={"1": "Fe wnaethom drwsio 1,204 o dyllau yn y flwyddyn hyd at "
                                       "fis Mawrth."})
    assert _letter("response", _welsh_case("foia"), welsh)[1]["untranslated"] == []


def test_the_welsh_letter_pdf_shows_the_welsh_letters_not_replacements():
    from io import BytesIO

    from pypdf import PdfReader

    case = _welsh_case("foia")
    case.requester.name = "Gwenllïan Ŵyn ap Dafydd"
    content = DraftContent(Outcome.GRANTED,
                           answers={"1": "Mae'r ffigurau ar gyfer y flwyddyn ar gael: ŵ, ŷ, â."})
    letter, _ = _letter("response", case, content)
    text = PdfReader(BytesIO(letter.pdf)).pages[0].extract_text()
    for character in "ŵŷâ":
        assert character in text
    assert "\ufffd" not in text and "Tudalen 1 o" in text


def test_a_translation_service_overrides_welsh_entry_by_entry_and_template_by_template(
        tmp_path):
    (tmp_path / "cy" / "email").mkdir(parents=True)
    (tmp_path / "cy" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "greeting"\nmsgid "Yours sincerely,"\nmsgstr "Yr eiddoch yn gywir,"\n',
        encoding="utf-8")
    (tmp_path / "cy" / "email" / "withdrawal_confirmed.txt.j2").write_text(
        "{{ authority | cy_greeting(requester_name) }}\n\nCais {{ case.reference }}: "
        "wedi'i dynnu'n ôl.\n\n{{ authority | cy_valediction }}\n", encoding="utf-8")
    renderer = Renderer(tmp_path)
    catalogue = renderer.catalogue("cy")
    assert catalogue.get("Yours sincerely,", "greeting") == "Yr eiddoch yn gywir,"
    assert catalogue.get("Dear {name},", "greeting") == "Annwyl {name},"  # ours still
    rendered = renderer.email("withdrawal_confirmed", language="cy",
                              authority=WELSH_AUTHORITY, case=_welsh_case("foia"),
                              requester_name="Siân Jones")
    assert rendered.text == ("Annwyl Siân Jones,\n\nCais FOI 000001/26: wedi'i dynnu'n ôl."
                             "\n\nYr eiddoch yn gywir,\n")
    assert "Yr eiddoch yn gywir," in renderer.email(
        "clock_fee_paid", language="cy", authority=WELSH_AUTHORITY, case=_welsh_case("foia"),
        requester_name="Siân Jones", on=date(2026, 11, 9)).text


def test_a_welsh_template_that_asks_for_words_nobody_translated_fails_loudly(tmp_path):
    from foidesk.welsh import Untranslated

    (tmp_path / "cy" / "email").mkdir(parents=True)
    (tmp_path / "cy" / "email" / "withdrawal_confirmed.txt.j2").write_text(
        '{{ "Words nobody translated" | cy }}\n', encoding="utf-8")
    with pytest.raises(Untranslated, match="no Welsh for 'Words nobody translated'"):
        Renderer(tmp_path).email("withdrawal_confirmed", language="cy",
                                 authority=WELSH_AUTHORITY, case=_welsh_case("foia"),
                                 requester_name="")
