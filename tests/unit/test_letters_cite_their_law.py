"""Every clock letter, acknowledgement and refusal, for every regime, cites the provisions
the law table (`foidesk.law`) gives it, and no provision of another instrument."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from foidesk.drafting import DraftContent, Outcome
from foidesk.law import INSTRUMENTS, LAW, cited_in
from foidesk.letters import letter_context, render_letter
from foidesk.register.models import Case, Question, Requester
from foidesk.rendering import Renderer
from foidesk.services.intake.settings import AuthorityView

AUTHORITY = AuthorityView(name="Example Council", foi_address="foi@example.gov.uk",
                          postal_address="Town Hall, Exampleton EX1 1AA")
RENDERER = Renderer()
REQUESTS = ("foia", "eir", "foisa", "eirs", "sar")
REVIEWS = ("foia-review", "eir-review", "foisa-review", "eirs-review", "dp-complaint")
REVIEW_OF = dict(zip(REVIEWS, REQUESTS, strict=True))
WITH_FEES = ("foia", "eir", "foisa", "eirs")
WITH_EXTENSION = ("foia", "eir", "eirs", "sar")  # FOISA has none
REFUSAL_EXEMPTION = {"foia": "s31(1)(a)", "foisa": "s35(1)(a)", "eir": "reg 12(5)(b)",
                     "eirs": "reg 10(5)(b)"}


def _case(regime: str, reference: str = "FOI 000001/26") -> Case:
    case = Case(reference=reference, regime=regime, status="acknowledged",
                subject="Pothole repairs", received_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
                received_on=date(2026, 11, 2), due_on=date(2026, 11, 30),
                request_text="The repair times are published already.", flags=[],
                requester=Requester(name="Jane Smith", email="jane@example.org",
                                    created_at=datetime(2026, 11, 2, tzinfo=UTC)))
    case.questions = [Question(number="1", position=0, text="How many potholes?")]
    return case


def _email(name: str, case: Case, **context) -> str:
    rendered = RENDERER.email(name, authority=AUTHORITY, case=case, requester_name="Jane Smith",
                              questions=list(case.questions), request_text=case.request_text,
                              request_html="", time_limit="20 working days",
                              original_subject=case.subject,
                              original=context.pop("original", None), **context)
    return rendered.text + "\n" + (rendered.html or "")


def _instruments_in(text: str) -> set[str]:
    flat = re.sub(r"\s+", " ", text)
    return {instrument for instrument in INSTRUMENTS if instrument in flat}


def _check(letter: str, regime: str, text: str) -> None:
    expected = cited_in(letter, regime)
    flat = re.sub(r"\s+", " ", text)
    for provision in expected:
        assert provision.cited in flat, f"{letter} ({regime}) must cite {provision.cited}"
    allowed = {p.instrument for p in expected} | {LAW[regime].instrument}
    stray = _instruments_in(text) - allowed
    assert not stray, f"{letter} ({regime}) cites another law: {sorted(stray)}"


CLOCK_LETTERS = (
    [("acknowledgement", r, {}) for r in REQUESTS]
    + [("clock_clarification", r, {"question": "Which roads?", "lapse_months": 3})
       for r in REQUESTS]
    + [("clarification_received", r, {"received_on": date(2026, 11, 9)}) for r in REQUESTS]
    + [("clock_identity", "sar", {"question": "A utility bill.", "lapse_months": 3})]
    + [("clock_fee_notice", r, {"amount": "25.00", "detail": "", "on": date(2026, 11, 9)})
       for r in WITH_FEES]
    + [("clock_fee_paid", r, {"on": date(2026, 11, 16)}) for r in WITH_FEES]
    + [("clock_extension", r, {"kind": "pit" if r == "foia" else "complex",
                               "reason": "We are weighing it.", "exemptions": "section 31"})
       for r in WITH_EXTENSION]
)


@pytest.mark.parametrize(("letter", "regime", "context"), CLOCK_LETTERS,
                         ids=[f"{n}-{r}" for n, r, _ in CLOCK_LETTERS])
def test_each_clock_letter_and_acknowledgement_cites_its_own_law(letter, regime, context):
    _check(letter, regime, _email(letter, _case(regime), **context))


@pytest.mark.parametrize("regime", REVIEWS)
def test_each_review_acknowledgement_cites_its_own_law(regime):
    original = _case(REVIEW_OF[regime])
    review = _case(regime, "FOI 000001/26-IR")
    _check("review_acknowledgement", regime, _email("review_acknowledgement", review,
                                                    original=original,
                                                    received_on=review.received_on))


def _letter(name: str, case: Case, content: DraftContent, original: Case | None = None) -> str:
    context = letter_context(case, content, AUTHORITY, letter_date=date(2026, 11, 20),
                             review_days=20, original=original)
    letter = render_letter(RENDERER, name, context)
    return letter.text + "\n" + letter.html


@pytest.mark.parametrize("regime", ("foia", "eir", "foisa", "eirs"))
def test_each_refusal_cites_its_refusal_provision_the_review_and_the_commissioner(regime):
    content = DraftContent(Outcome.REFUSED, exemptions=[REFUSAL_EXEMPTION[regime]],
                           answers={"1": "Withheld."})
    _check("refusal", regime, _letter("response", _case(regime), content))


@pytest.mark.parametrize("outcome", (Outcome.GRANTED, Outcome.NOT_HELD))
def test_every_subject_access_response_names_the_right_to_complain_then_to_the_ico(outcome):
    text = _letter("response", _case("sar"), DraftContent(outcome, answers={"1": "Attached."}))
    flat = re.sub(r"\s+", " ", text)
    if outcome is Outcome.GRANTED:
        law = LAW["sar"]
        assert law.complaint_to_controller.cited in flat and law.regulator.cited in flat
    else:
        _check("refusal", "sar", text)
    assert flat.index("section 164A") < flat.index("Article 77")
    assert "disclosure log" not in flat  # a requester's own data is never published


@pytest.mark.parametrize("regime", REVIEWS)
def test_each_review_outcome_cites_its_own_law(regime):
    original = _case(REVIEW_OF[regime])
    review = _case(regime, "FOI 000001/26-IR")
    review.questions = []
    content = DraftContent(Outcome.UPHELD, reasons={"": "The search was adequate."})
    _check("review_outcome", regime, _letter("review", review, content, original))


def test_an_eir_clarification_cites_regulation_9_not_the_act():
    text = _email("clock_clarification", _case("eir"), question="Which roads?", lapse_months=3)
    assert "regulation 9(4) of the Environmental Information Regulations 2004" in text
    assert "Freedom of Information Act" not in text


def test_the_table_covers_every_regime_that_writes_to_a_requester():
    for regime in REQUESTS + REVIEWS:
        for letter in ("acknowledgement", "refusal", "review_outcome"):
            assert cited_in(letter, regime), (letter, regime)


def test_a_scottish_refusal_cites_scottish_numbering():
    foisa = _letter("response", _case("foisa"), DraftContent(
        Outcome.REFUSED, exemptions=["s35(1)(a)"], answers={"1": "Withheld."}))
    assert "Section 35(1)(a) - Law enforcement" in foisa
    assert "substantially" in foisa  # FOISA's harm test
    eirs = _letter("response", _case("eirs"), DraftContent(
        Outcome.REFUSED, exemptions=["reg 10(5)(b)"], answers={"1": "Withheld."}))
    assert "Regulation 10(5)(b) - The course of justice and inquiries" in eirs
    assert "regulation 13 of the Environmental Information (Scotland) Regulations 2004" in eirs


def test_a_draft_citing_another_regime_s_numbering_is_refused():
    from foidesk.drafting import DraftError, check

    with pytest.raises(DraftError, match="not a provision of the FOIA"):
        check(DraftContent(Outcome.REFUSED, exemptions=["reg 12(5)(b)"]), ["1"], "foia")
    with pytest.raises(DraftError, match="cite an EIR exception"):
        check(DraftContent(Outcome.REFUSED, exemptions=["s31(1)(a)"]), ["1"], "eir")
    check(DraftContent(Outcome.REFUSED, exemptions=["s35(1)(a)"]), ["1"], "foisa")
