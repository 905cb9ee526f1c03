"""The mail that the first batch acknowledged as new requests, one rule at a time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from foidesk.mail import parse
from foidesk.services.triage_report import NoCases
from foidesk.triage import Decision, TriageNotice, TriagePolicy, classify
from foidesk.triage.newtext import new_text

POLICY = TriagePolicy(internal_domains=frozenset({"example.gov.uk"}),
                      foi_address="foi@example.gov.uk",
                      team_members=frozenset({"amy.officer@example.gov.uk"}))


def mail(subject="Freedom of Information request", body="Please provide the figures.",
         sender="Jane <jane@example.org>", headers="") -> bytes:
    return (f"From: {sender}\r\nTo: foi@example.gov.uk\r\nSubject: {subject}\r\n"
            f"Message-ID: <m@example.org>\r\n{headers}\r\n{body}\r\n").encode()


def decide(raw: bytes, cases=None):
    return classify(parse(raw), cases or NoCases(), POLICY)


@pytest.mark.parametrize("headers", [
    "X-Spam-Flag: YES\r\n", "X-Spam-Status: Yes, score=9.2 required=5.0\r\n",
    "X-MS-Exchange-Organization-SCL: 6\r\n",
    "X-Forefront-Antispam-Report: CIP:1.2.3.4;SCL:9;SFV:SPM;CAT:HSPM;\r\n",
    "X-Spam: Yes\r\n",
])
def test_the_gateways_spam_verdict_is_spam_never_a_request(headers):
    triage = decide(mail(headers=headers))
    assert triage.decision is Decision.SPAM and triage.reason.startswith("spam-verdict:")


def test_a_clean_verdict_leaves_a_request_a_request():
    headers = "X-MS-Exchange-Organization-SCL: 1\r\nX-Spam-Status: No, score=0.1\r\n"
    assert decide(mail(headers=headers)).decision is Decision.NEW_REQUEST


def test_an_advance_fee_scam_answering_to_another_domain_is_spam():
    body = ("I am Barrister Okon. I seek your consent to present you as next of kin and "
            "beneficiary of US$12,500,000. Please provide your full name.")
    triage = decide(mail(subject="Confidential", body=body,
                         headers="Reply-To: okon@elsewhere.example\r\n"))
    assert triage.decision is Decision.SPAM and "beneficiary" in triage.reason


@pytest.mark.parametrize(("subject", "body", "headers"), [
    ("Read: FOI request", "Your message was read on 3 November 2026 11:00.", ""),
    ("FOI request", "read", "Content-Type: multipart/report; "
     "report-type=disposition-notification; boundary=b\r\n"),
])
def test_a_read_receipt_is_an_automatic_reply(subject, body, headers):
    assert decide(mail(subject=subject, body=body, headers=headers)).decision \
        is Decision.AUTO_REPLY


def test_a_teams_notification_is_bulk_mail():
    raw = mail(subject="You have 3 new messages", sender="Microsoft Teams "
               "<noreply@email.teams.microsoft.com>", body="Please provide an update on FOI.")
    assert decide(raw).decision is Decision.BULK


@pytest.mark.parametrize(("subject", "body", "headers", "rule"), [
    ("Re: Freedom of Information request", "Please send me the rest of the information.",
     "In-Reply-To: <ack.1@other-council.gov.uk>\r\n", "unknown-thread"),
    ("RE: Freedom of Information request", "Please send me the documents.", "",
     "unknown-thread"),
    ("AW: Request for information", "Please provide the documents.", "", "unknown-thread"),
    ("Chasing FOI 009999/25", "Please provide the information for FOI 009999/25.", "",
     "unknown-reference"),
    ("Internal review of Freedom of Information request - Speed cameras",
     "I am writing to request an internal review of your handling of my FOI request.", "",
     "unknown-review"),
    ("Your Freedom of Information request", "Thank you for your request for information. "
     "Your request has been logged and we will respond within 20 working days.", "",
     "authority-reply"),
])
def test_what_only_looks_like_a_request_goes_to_the_team(subject, body, headers, rule):
    triage = decide(mail(subject=subject, body=body, headers=headers))
    assert triage.decision is Decision.UNSURE and triage.reason.startswith(f"{rule}:")


def test_words_in_quoted_text_do_not_make_a_request():
    body = ("Thanks, that's all.\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, FOI <foi@example.gov.uk> "
            "wrote:\r\n> Under the Freedom of Information Act please provide the documents.\r\n")
    triage = decide(mail(subject="Thank you", body=body))
    assert triage.decision is Decision.UNSURE


@pytest.mark.parametrize("sender", ["Jane <jane>", "webmaster@localhost", "Jane <>", ""])
def test_a_sender_without_a_valid_address_is_unsure_never_acknowledged(sender):
    raw = mail(sender=sender) if sender else mail().replace(b"From: Jane <jane@example.org>\r\n",
                                                            b"")
    triage = decide(raw)
    assert triage.decision is Decision.UNSURE and triage.reason.startswith("no-address:")


def test_a_bounce_with_no_from_address_and_a_mailer_daemon_return_path_is_a_bounce():
    raw = mail(sender="Mail Delivery System", subject="Delivery failure",
               body="Your message could not be sent.",
               headers="Return-Path: <MAILER-DAEMON@relay.example.net>\r\n")
    assert decide(raw).decision is Decision.BOUNCE


def test_a_person_called_nobody_is_still_a_person():
    assert decide(mail(sender="nobody@example.org")).decision is Decision.NEW_REQUEST


def test_a_request_forwarded_by_a_colleague_is_the_original_senders():
    body = ("Please deal with this.\r\n\r\nFrom: Mary Baker <mary.baker@example.org>\r\n"
            "Sent: 28 October 2026 11:05\r\nTo: Raj Singh <raj.singh@example.gov.uk>\r\n"
            "Subject: request\r\n\r\nDear Inspector,\r\n\r\nCould you provide the number of "
            "officers at Northfield station?\r\n\r\nMary Baker\r\n")
    triage = decide(mail(sender="Raj Singh <raj.singh@example.gov.uk>", subject="FW: request",
                         body=body))
    assert triage.decision is Decision.NEW_REQUEST
    forwarded = triage.forwarded
    assert forwarded is not None and forwarded.address == "mary.baker@example.org"
    assert forwarded.sent_at == datetime(2026, 10, 28, 11, 5, tzinfo=ZoneInfo("Europe/London"))
    assert forwarded.forwarded_by == "raj.singh@example.gov.uk"
    assert triage.request_text == ("Could you provide the number of officers at Northfield "
                                   "station?")


def test_a_request_written_in_welsh_is_a_request():
    body = ("Annwyl Syr/Madam,\r\n\r\nA fyddech cystal ag anfon nifer y camerau cyflymder yn "
            "y sir ataf?\r\n\r\nYn gywir,\r\nElin Jones\r\n")
    assert decide(mail(subject="Cais am wybodaeth", body=body)).decision is Decision.NEW_REQUEST


def test_every_reason_names_its_rule_and_the_words_that_decided():
    triage = decide(mail(subject="Speeding", body="How many speeding fines were issued in "
                                                   "2025?"))
    assert triage.decision is Decision.NEW_REQUEST
    assert triage.reason.startswith("new-request:") and "How many" in triage.reason


class NoticeCases(NoCases):
    def triage_notice(self, message_ids):
        return TriageNotice("<orig@example.org>") if "<notice@example.gov.uk>" in message_ids \
            else None


@pytest.mark.parametrize(("answer", "command"), [
    ("REGISTER", ("REGISTER", "<orig@example.org>")),
    ("not foi", ("NOT FOI", "<orig@example.org>")),
    ("LINK FOI 000123/26", ("LINK", "<orig@example.org> FOI 000123/26")),
])
def test_a_team_members_one_word_answer_to_a_triage_notice(answer, command):
    raw = mail(sender="Amy <amy.officer@example.gov.uk>", subject="Re: [FOI triage] x",
               body=f"{answer}\r\n\r\n> A message reached the FOI mailbox",
               headers="In-Reply-To: <notice@example.gov.uk>\r\n")
    triage = decide(raw, NoticeCases())
    assert triage.decision is Decision.TEAM_DECISION and triage.command == command


def test_an_answer_from_outside_the_team_is_not_a_decision():
    raw = mail(sender="Bob <bob.owner@example.gov.uk>", subject="Re: [FOI triage] x",
               body="REGISTER", headers="In-Reply-To: <notice@example.gov.uk>\r\n")
    assert decide(raw, NoticeCases()).decision is Decision.UNSURE


def test_the_new_text_drops_greeting_sign_off_signature_disclaimer_and_footer():
    text = ("Hello,\n\nPlease send me the 2025 budget.\n\nThanks,\nBob Smith\nHead of Things | "
            "Acme Ltd\n\nThis email and any attachments are confidential and intended solely "
            "for the addressee.\n\n" + "-" * 67 + "\n\nPlease use this email address for all "
            "replies to this request:\nrequest-1-ab12@whatdotheyknow.com\n")
    words = new_text(text)
    assert words.above_sign_off == "Please send me the 2025 budget."
    assert words.reply_address == "request-1-ab12@whatdotheyknow.com"


@pytest.mark.parametrize(("raw", "decision", "rule"), [
    (mail(subject="Winter offer", body="Please send us your order today for 20% off.\r\n\r\n"
          "To stop receiving these emails, unsubscribe here."), Decision.BULK, "newsletter:"),
    (mail(body="How many officers work in Exampletown?").replace(
        b"To: foi@example.gov.uk", b"To: undisclosed-recipients:;"), Decision.UNSURE,
     "mass-mailing:"),
    (mail(subject="Account", body="Please confirm your bank details and full name."),
     Decision.UNSURE, "not-a-request:"),
])
def test_selling_mass_mailing_and_asking_for_your_details_are_no_requests(raw, decision, rule):
    triage = decide(raw)
    assert triage.decision is decision and triage.reason.startswith(rule)


@pytest.mark.parametrize(("subject", "body", "attachment"), [
    ("Research", "I would be interested to know how many drones the force owns.", False),
    ("Research", "I wondered if you could send me the 2025 custody figures.", False),
    ("Question", "Is it possible to get a copy of the 2025 road safety report?", False),
    ("Records", "Could I have the records of road closures in 2025?", False),
    ("Request for information", "1. Officers in Northfield\n2. Vacancies in Northfield?", False),
    ("Questions", "Please find attached my request about speed cameras.", True),
])
def test_polite_british_and_attached_requests_are_requests(subject, body, attachment):
    raw = mail(subject=subject, body=body)
    if attachment:
        raw = raw.replace(b"Message-ID: <m@example.org>\r\n",
                          b"Message-ID: <m@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: "
                          b"multipart/mixed; boundary=b\r\n").replace(
            body.encode(), b"--b\r\nContent-Type: text/plain\r\n\r\n" + body.encode() +
            b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            b"filename=q.pdf\r\n\r\n%PDF-1.4\r\n--b--")
    assert decide(raw).decision is Decision.NEW_REQUEST


@pytest.mark.parametrize("body", ["Could I have a word with someone about my neighbour?",
                                  "Please find attached the invoice for October."])
def test_polite_words_without_recorded_information_are_no_requests(body):
    assert decide(mail(subject="Hello", body=body)).decision is Decision.UNSURE
