"""A Welsh request end to end against Dovecot and aiosmtpd: acknowledged in Welsh, Welsh
clock letters, a Welsh response letter (and its PDF, with ŵ, ŷ and â as they are), which
cannot be approved while an answer is still in English; an English request to the same
authority gets the Welsh Language Standards' statement; the statistics count both."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from io import BytesIO

import pytest
from intake_support import OWNER, TEAM, request_email, server_desk
from pypdf import PdfReader
from test_response_path import DAY, FOLDER, REVIEWER, Desk

from foidesk.drafting import parse_plain
from foidesk.register.models import Message
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.clock_letters import ClockLetterError, request_clarification
from foidesk.services.dashboard_page import Teams, case_markdown
from foidesk.services.intake.settings import RoutingRule
from foidesk.services.reports import quarterly_statistics
from foidesk.services.responses import (
    ReviewRefused,
    create_draft,
    decide,
    submit_for_review,
)
from foidesk.views import case_document

REF = "FOI 000001/26"
SIAN = "sian@example.org"
WELSH_REQUEST = ("Annwyl Syr neu Fadam,\n\nO dan Ddeddf Rhyddid Gwybodaeth 2000, hoffwn gael yr "
                 "wybodaeth ganlynol:\n\n1. Faint o dyllau yn y ffyrdd a adroddwyd yn 2025?\n"
                 "2. Faint ohonynt a drwsiwyd o fewn 28 diwrnod?\n\nYn gywir,\nSiân ap Dafydd\n")
ENGLISH_ANSWERS = """Outcome: granted
1. 1,204 potholes were reported in 2025.
2. 871 of them were repaired within 28 days of the report.
"""
WELSH_ANSWERS = """Outcome: granted
1. Adroddwyd am 1,204 o dyllau yn 2025, ar ffyrdd y sir ac ar y ffyrdd ger Llyn Tegid.
2. Trwsiwyd 871 ohonynt o fewn 28 diwrnod i'r adroddiad, gan gynnwys y ffyrdd a gaewyd gan
ddŵr llifogydd ger Tŷ Croes, y lôn gefn i'r ysgol, a'r atgyweiriadau mân.
"""
STATEMENT_CY = "Rydym yn croesawu gohebiaeth yn Gymraeg."
STATEMENT_EN = "We welcome correspondence in Welsh."


class WelshDesk(Desk):
    """The response path's desk, for an authority bound by the Welsh Language Standards."""

    def __init__(self, *parts) -> None:
        super().__init__(*parts)
        authority = replace(self.responses.authority, languages=("en", "cy"),
                            welsh_language_standards=True, welsh_name="Cyngor Enghraifft")
        self.responses = replace(self.responses, authority=authority)
        self.intake_settings = replace(
            self.intake_settings, authority=authority, responses=self.responses,
            routing=(RoutingRule(name="Roads", owner=OWNER, keywords=("pothole", "tyllau")),))

    def text_of(self, message) -> str:
        return message.get_body(("plain",)).get_content()


@pytest.fixture
def desk(tmp_path, dovecot_plain):
    with server_desk(f"sqlite:///{tmp_path / 'register.db'}", dovecot_plain, FOLDER) as parts:
        yield WelshDesk(*parts)


def welsh_request(n: int = 1) -> bytes:
    return request_email(n, sender=SIAN, display="Siân ap Dafydd",
                         subject="Cais am wybodaeth: tyllau yn y ffyrdd", body=WELSH_REQUEST)


def test_a_welsh_request_is_answered_in_welsh_from_acknowledgement_to_response(desk):
    desk.mail(welsh_request(), DAY)
    case, _ = desk.case()
    assert case.language == "cy" and [q.number for q in case.questions] == ["1", "2"]
    with desk.uow() as uow:
        assert uow.session.query(Message.language).filter_by(direction="in").scalar() == "cy"
    [ack] = desk.received_by(SIAN)
    text = desk.text_of(ack)
    assert text.startswith("Annwyl Siân ap Dafydd,")
    assert "Diolch am eich cais, a ddaeth i law Cyngor Enghraifft ar 2 Tachwedd 2026" in text
    assert "o dan Ddeddf Rhyddid Gwybodaeth 2000" in text
    assert "adran 10(1) o Ddeddf Rhyddid Gwybodaeth 2000" in text and "Yn gywir," in text
    assert text.index(STATEMENT_CY) < text.index(STATEMENT_EN)
    assert "Freedom of Information Act" not in text and "Dear " not in text
    [task] = desk.received_by(OWNER)
    assert "The request is in Welsh" in desk.text_of(task)  # staff read English
    with desk.uow() as uow:  # the case's page in Prefect says so too
        page = case_markdown(case_document(uow.cases.get(REF), [], date(2026, 11, 2),
                                           DeadlinePolicy()), Teams({}), DAY)
    assert "| Language | Welsh: the requester is written to in Welsh |" in page

    # A clock letter in Welsh; the officer's question must be Welsh too.
    with pytest.raises(ClockLetterError, match="answered in Welsh: the question reads as "
                                               "English"):
        request_clarification(desk.uow(), REF, "Do you mean the county roads or the trunk "
                              "roads as well?", desk.responses, actor="officer",
                              now=DAY + timedelta(days=1))
    request_clarification(desk.uow(), REF, "A ydych yn golygu ffyrdd y sir yn unig, neu'r "
                          "cefnffyrdd hefyd?", desk.responses, actor="officer",
                          now=DAY + timedelta(days=1))
    desk.send(DAY + timedelta(days=1))
    [letter] = [m for m in desk.received_by(SIAN) if "eglurhad" in str(m["Subject"])]
    assert "Mae'r terfyn amser ar gyfer ein hymateb wedi'i atal" in desk.text_of(letter)
    assert "adran 1(3) o Ddeddf Rhyddid Gwybodaeth 2000" in desk.text_of(letter)
    desk.mail(request_email(2, sender=SIAN, display="Siân ap Dafydd",
                            subject=f"Re: {letter['Subject']}",
                            body="Ffyrdd y sir yn unig, os gwelwch yn dda. Diolch yn fawr.",
                            headers={"In-Reply-To": str(letter["Message-ID"])}),
              DAY + timedelta(days=2))
    [restarted] = [m for m in desk.received_by(SIAN) if "Eglurhad wedi dod i law" in
                   str(m["Subject"])]
    assert "Byddwn yn ymateb erbyn" in desk.text_of(restarted)

    # English answers make a Welsh letter that lists what is still to translate.
    create_draft(desk.uow(), REF, parse_plain(ENGLISH_ANSWERS), desk.responses,
                 actor="officer", now=DAY + timedelta(days=4))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=4))
    desk.send(DAY + timedelta(days=4))
    [review] = desk.received_by(REVIEWER)
    review_text = desk.text_of(review)
    assert "CANNOT be approved yet" in review_text
    assert "the answer to question 1, the answer to question 2" in review_text
    assert "I'W GYFIEITHU" in review_text
    desk.mail(desk.reviewer_reply(3, "APPROVE"), DAY + timedelta(days=5))
    case, events = desk.case()
    assert case.status == "in_review" and events[-1] == "review_decision_refused"
    assert any("REFUSED" in str(m["Subject"]) for m in desk.received_by(TEAM))
    with pytest.raises(ReviewRefused, match="still to be translated"):
        decide(desk.uow(), REF, "approve", REVIEWER, desk.responses, via="cli",
               now=DAY + timedelta(days=5))

    # Rejected, redrafted in Welsh, approved: the Welsh response and its PDF.
    desk.mail(desk.reviewer_reply(4, "REJECT: translate the answers"), DAY + timedelta(days=5))
    create_draft(desk.uow(), REF, parse_plain(WELSH_ANSWERS), desk.responses,
                 actor="officer", now=DAY + timedelta(days=6))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=6))
    desk.send(DAY + timedelta(days=6))
    desk.mail(desk.reviewer_reply(5, "APPROVE", version=2), DAY + timedelta(days=7))
    [response] = [m for m in desk.received_by(SIAN) if "Ymateb i'ch cais" in str(m["Subject"])]
    text = desk.text_of(response)
    assert "Cyfeirnod eich cais rhyddid gwybodaeth: FOI 000001/26" in text
    assert "Canlyniad: Rhoddir yr wybodaeth yn llawn" in text
    assert "9 Tachwedd 2026" in text and "Swyddfa'r Comisiynydd Gwybodaeth" in text
    assert "I'W GYFIEITHU" not in text and "DRAFFT" not in text
    [pdf] = [p for p in response.iter_attachments() if p.get_content_type() == "application/pdf"]
    pages = PdfReader(BytesIO(pdf.get_content())).pages
    printed = " ".join(" ".join(page.extract_text() for page in pages).split())
    for welsh in ("ddŵr", "Tŷ Croes", "lôn", "mân", "Siân ap Dafydd",
                  "o Ddeddf Rhyddid Gwybodaeth 2000", "Tudalen 1 o"):
        assert welsh in printed, welsh
    assert "\ufffd" not in printed
    case, _ = desk.case()
    assert case.status == "closed" and case.language == "cy"


def test_an_english_request_to_a_welsh_authority_gets_the_bilingual_statement(desk):
    desk.mail(request_email(1), DAY)
    desk.mail(welsh_request(2), DAY + timedelta(hours=1))
    [ack] = [m for m in desk.received_by("jane@example.org")]
    text = desk.text_of(ack)
    assert text.startswith("Dear Jane Requester,") and "Freedom of Information Act 2000" in text
    assert text.index(STATEMENT_EN) < text.index(STATEMENT_CY)
    assert STATEMENT_CY in ack.get_body(("html",)).get_content()
    figures = quarterly_statistics(desk.uow(), date(2026, 10, 1), date(2026, 12, 31),
                                   date(2026, 11, 3), DeadlinePolicy())
    assert {language: row["received"] for language, row in figures["by_language"].items()} \
        == {"cy": 1, "en": 1}


def test_a_requester_who_writes_in_welsh_on_an_english_case_is_answered_in_welsh(desk):
    desk.mail(request_email(1), DAY)
    [ack] = desk.received_by("jane@example.org")
    desk.mail(request_email(2, subject=f"Re: {ack['Subject']}",
                            body="Hoffwn dynnu fy nghais yn ôl, os gwelwch yn dda. Diolch.",
                            headers={"In-Reply-To": str(ack["Message-ID"])}),
              DAY + timedelta(days=1))
    case, events = desk.case()
    assert (case.status, case.language) == ("withdrawn", "cy") and "language_changed" in events
    [confirmed] = [m for m in desk.received_by("jane@example.org")
                   if "wedi'i dynnu'n ôl" in str(m["Subject"])]
    assert "Fel y gofynnoch, rydym wedi tynnu eich cais" in desk.text_of(confirmed)
