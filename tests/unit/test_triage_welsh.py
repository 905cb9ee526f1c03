"""Mail written in Welsh, written for these tests: requests, clarifications, review requests
and withdrawals are told apart as their English twins are, and each message's language is
recognised from its new text (not from a quoted English acknowledgement)."""

from __future__ import annotations

import pytest

from foidesk.language import answer_language, detect_language
from foidesk.mail import parse
from foidesk.questions import split_questions
from foidesk.services.triage_report import NoCases
from foidesk.triage import CaseView, Decision, TriagePolicy, classify

POLICY = TriagePolicy(internal_domains=frozenset({"example.gov.uk"}),
                      foi_address="foi@example.gov.uk")
REFERENCE = "FOI 000412/26"


class OneCase(NoCases):
    def __init__(self, status: str) -> None:
        self.case = CaseView(REFERENCE, status, "foia", "elin@example.org")

    def by_message_ids(self, ids):
        return self.case if "<ack@example.gov.uk>" in ids else None

    def by_reference(self, reference):
        return self.case if reference == REFERENCE else None


def mail(subject: str, body: str, *, reply: bool = False) -> bytes:
    thread = "In-Reply-To: <ack@example.gov.uk>\r\n" if reply else ""
    return (f"From: Elin Jones <elin@example.org>\r\nTo: foi@example.gov.uk\r\n"
            f"Subject: {subject}\r\nMessage-ID: <cy@example.org>\r\n{thread}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def decide(raw: bytes, cases=None):
    return classify(parse(raw), cases or NoCases(), POLICY)


QUOTED_ACK = ("\r\n\r\nOn 3 Nov 2026, foi@example.gov.uk wrote:\r\n> Dear Elin Jones,\r\n"
              "> Thank you for your request, which we received on 3 November 2026. We will "
              "respond by 1 December 2026 at the latest.\r\n")

REQUESTS = [
    ("Cais am wybodaeth", "Annwyl Syr/Madam,\r\n\r\nO dan Ddeddf Rhyddid Gwybodaeth 2000, "
     "hoffwn gael gwybod faint o arian a wariodd y cyngor ar atgyweirio ffyrdd yn 2025.\r\n\r\n"
     "Yn gywir,\r\nElin Jones"),
    ("Goleuadau stryd", "Helo,\r\n\r\nA fyddech cystal â darparu rhestr o'r goleuadau stryd "
     "a ddiffoddwyd yn y sir ers mis Ebrill?\r\n\r\nDiolch,\r\nElin"),
    ("Ysgolion", "Bore da,\r\n\r\nHoffwn ofyn am y wybodaeth ganlynol:\r\n\r\n"
     "1. Nifer y disgyblion sy'n cael cinio ysgol am ddim ym mhob ysgol gynradd.\r\n"
     "2. Cyfanswm y gwariant ar drafnidiaeth i'r ysgolion hyn yn 2025.\r\n\r\n"
     "Cofion,\r\nElin Jones"),
    ("Cais gwrthrych am wybodaeth", "Annwyl Swyddog Diogelu Data,\r\n\r\nGofynnaf am gopi o'r "
     "holl ddata personol sydd gennych amdanaf, gan gynnwys nodiadau o alwadau ffôn.\r\n\r\n"
     "Yn gywir,\r\nElin Jones"),
]


# Written after the rules above, in the other ways people write: a question with no verb of
# asking, "could you", "I would be grateful if", colloquial and formal registers.
MORE_REQUESTS = [
    ("Cwestiwn am y gyllideb", "Helo,\r\n\nFaint oedd cyfanswm gwariant y cyngor ar "
     "gyfieithu yn 2024-25?\r\n\nDiolch,\r\nGwyn"),
    ("Camerâu", "Annwyl Heddlu,\r\n\nAllech chi anfon ataf gopi o'r polisi ar ddefnyddio "
     "camerâu corff?\r\n\nCofion,\r\nMererid"),
    ("Ysbwriel", "Noswaith dda,\r\n\nByddwn yn ddiolchgar pe baech yn darparu'r ffigurau "
     "ar gyfer tipio anghyfreithlon ym mhob ward dros y tair blynedd diwethaf.\r\n\n"
     "Yn gywir,\r\nDafydd Owen"),
    ("Ceisiadau cynllunio", "Bore da,\r\n\nRwy'n gofyn am restr o'r ceisiadau cynllunio a "
     "wrthodwyd yn 2025, gyda'r rheswm dros bob penderfyniad.\r\n\nDiolch yn fawr,\r\n"
     "Eleri"),
    ("Ambiwlansys", "Shwmae,\r\n\nDw i eisiau gwybod sawl gwaith y bu'n rhaid i "
     "ambiwlansys aros y tu allan i'r ysbyty am fwy na phedair awr ym mis Ionawr.\r\n\n"
     "Diolch,\r\nIfan"),
]


@pytest.mark.parametrize(("subject", "body"), MORE_REQUESTS,
                         ids=[s for s, _ in MORE_REQUESTS])
def test_welsh_requests_written_other_ways_are_new_requests(subject, body):
    triage = decide(mail(subject, body))
    assert triage.decision is Decision.NEW_REQUEST, triage.reason
    assert triage.language == "cy"


def test_a_welsh_message_that_asks_for_nothing_is_not_a_request():
    body = ("Annwyl Syr,\r\n\nDiolch am eich help gyda'r parcio y tu allan i'r ysgol "
            "ddoe. Roedd y swyddog yn garedig iawn.\r\n\nCofion,\r\nAnwen")
    assert decide(mail("Diolch", body)).decision is Decision.UNSURE


@pytest.mark.parametrize(("subject", "body"), REQUESTS, ids=[s for s, _ in REQUESTS])
def test_a_welsh_request_is_a_new_request_in_welsh(subject, body):
    triage = decide(mail(subject, body))
    assert triage.decision is Decision.NEW_REQUEST, triage.reason
    assert triage.language == "cy"


def test_a_welsh_subject_access_request_is_suggested_as_one():
    triage = decide(mail(*REQUESTS[3]))
    assert triage.regime is not None and triage.regime.value == "sar"


def test_welsh_numbered_questions_are_split_as_english_ones_are():
    questions = split_questions(REQUESTS[2][1].replace("\r\n", "\n"))
    assert [n for n, _ in questions] == ["1", "2"]
    assert questions[1][1].startswith("Cyfanswm y gwariant")
    asked = split_questions("Cwestiwn 1: Faint o geir trydan sydd gan y cyngor?\n"
                            "Cwestiwn 2: Faint o bwyntiau gwefru sydd yn y sir?")
    assert [n for n, _ in asked] == ["1", "2"] and asked[0][1].startswith("Faint o geir")


def test_a_welsh_clarification_while_one_is_awaited_restarts_the_clock():
    body = ("Diolch am eich neges. Rwy'n golygu'r ffyrdd sirol yn unig, nid y cefnffyrdd, ar "
            "gyfer y flwyddyn ariannol 2025 i 2026." + QUOTED_ACK)
    triage = decide(mail(f"Re: [{REFERENCE}] Mae angen eglurhad arnom", body, reply=True),
                    OneCase("clarification_requested"))
    assert triage.decision is Decision.CLARIFICATION and triage.language == "cy"


@pytest.mark.parametrize("body", [
    "Hoffwn ofyn am adolygiad mewnol o'ch penderfyniad i gadw'r wybodaeth yn ôl.",
    "Nid wyf yn fodlon â'ch ymateb. Gofynnaf i chi adolygu'r penderfyniad, os gwelwch yn dda.",
    "Rwyf am apelio yn erbyn eich penderfyniad: credaf fod budd y cyhoedd o blaid datgelu.",
    "A fyddech cystal ag ailystyried eich penderfyniad? Nid wyf yn cytuno bod adran 31 yn "
    "berthnasol.",
])
def test_a_welsh_review_request_after_the_response_is_a_review_request(body):
    triage = decide(mail(f"Re: [{REFERENCE}] Ymateb i'ch cais", body + QUOTED_ACK, reply=True),
                    OneCase("responded"))
    assert triage.decision is Decision.REVIEW_REQUEST, triage.reason
    assert triage.language == "cy"


@pytest.mark.parametrize("body", [
    "Hoffwn dynnu fy nghais yn ôl, os gwelwch yn dda.",
    "Nid oes angen yr wybodaeth arnaf bellach, felly gallwch ganslo fy nghais.",
    "Rwy'n tynnu'r cais yn ôl: cefais yr wybodaeth gan y bwrdd iechyd.",
    "Does dim angen yr wybodaeth arna i mwyach, diolch. Caewch y cais os gwelwch yn dda.",
])
def test_a_welsh_withdrawal_on_an_open_case_is_a_withdrawal(body):
    triage = decide(mail(f"Re: [{REFERENCE}] Eich cais am wybodaeth", body + QUOTED_ACK,
                         reply=True), OneCase("awaiting_owner"))
    assert triage.decision is Decision.WITHDRAWAL, triage.reason


def test_the_language_is_that_of_the_new_text_not_the_quoted_english():
    triage = decide(mail(f"Re: [{REFERENCE}] Your request", "Diolch yn fawr iawn am eich help "
                         "gyda hyn." + QUOTED_ACK, reply=True), OneCase("awaiting_owner"))
    assert triage.language == "cy"
    triage = decide(mail(f"Re: [{REFERENCE}] Eich cais", "Thank you, that is very helpful "
                         "indeed." + QUOTED_ACK.replace("Thank", "Diolch"), reply=True),
                    OneCase("awaiting_owner"))
    assert triage.language == "en"


@pytest.mark.parametrize(("text", "language"), [
    ("Annwyl Syr, hoffwn wneud cais am wybodaeth am y ffyrdd.", "cy"),
    ("Dear Sir, please send me the figures for road repairs.", "en"),
    ("Dzień dobry, proszę o informację o naprawach dróg.", "pl"),
    ("Ie", None), ("Yes", None), ("OK 123", None), ("", None),
])
def test_the_detector_names_the_language_or_says_it_cannot_tell(text, language):
    assert detect_language(text) == language


def test_a_request_is_answered_in_its_language_only_when_the_authority_offers_it():
    assert answer_language("cy", ("en", "cy")) == "cy"
    assert answer_language("cy", ("en",)) == "en"
    assert answer_language("pl", ("en", "cy")) == "en"
    assert answer_language(None, ("cy", "en")) == "cy"  # a Welsh-first authority
