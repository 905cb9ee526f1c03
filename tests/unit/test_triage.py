"""Triage rules, one at a time, on messages shaped like the real ones."""

from __future__ import annotations

import pytest

from foidesk.calendar import Regime
from foidesk.mail import parse
from foidesk.triage import CaseView, Decision, ReferenceFinder, TriagePolicy, classify

POLICY = TriagePolicy(internal_domains=frozenset({"example.gov.uk"}),
                      reviewers=frozenset({"reviewer@example.gov.uk"}))


class Cases:
    def __init__(self, *cases: CaseView, threads: dict[str, str] | None = None) -> None:
        self.cases = {c.reference: c for c in cases}
        self.threads = threads or {}

    def by_message_ids(self, ids):
        for message_id in ids:
            if message_id in self.threads:
                return self.cases[self.threads[message_id]]
        return None

    def by_reference(self, reference):
        return self.cases.get(reference)

    def triage_notice(self, ids):
        return None

    def chase_digest(self, ids):
        return None


OPEN = CaseView("FOI 003787/18", "awaiting_owner", "foia", "jane@example.org")


def mail(subject="FOI request", body="Please provide the figures.", sender="jane@example.org",
         headers="") -> bytes:
    return (f"From: Jane <{sender}>\r\nTo: foi@example.gov.uk\r\nSubject: {subject}\r\n"
            f"Message-ID: <m@example.org>\r\n{headers}\r\n{body}\r\n").encode()


def decide(raw: bytes, cases=None, policy=POLICY):
    return classify(parse(raw), cases or Cases(), policy)


@pytest.mark.parametrize(
    "headers",
    ["Auto-Submitted: auto-replied\r\n", "X-Autoreply: yes\r\n", "X-Autorespond: true\r\n",
     "Precedence: auto_reply\r\n", "X-POST-MessageClass: 9; Autoresponder\r\n"],
)
def test_auto_reply_headers_are_never_acknowledged(headers):
    assert decide(mail(headers=headers)).decision is Decision.AUTO_REPLY


@pytest.mark.parametrize("headers", ["Precedence: bulk\r\n", "Precedence: list\r\n",
                                     "List-Id: <foi.lists.example.org>\r\n"])
def test_bulk_mail_is_filed_never_acknowledged(headers):
    assert decide(mail(headers=headers)).decision is Decision.BULK


@pytest.mark.parametrize("headers", ["Return-Path: <>\r\n",
                                     "Return-Path: <MAILER-DAEMON@mx.example.org>\r\n"])
def test_mail_from_the_null_sender_takes_the_bounce_path(headers):
    assert decide(mail(headers=headers)).decision is Decision.BOUNCE


@pytest.mark.parametrize(
    "subject",
    ["Out of Office: FOI request", "Automatic reply: your email", "Autoreply", "Auto-Reply"],
)
def test_out_of_office_subjects_without_headers_are_auto_replies(subject):
    assert decide(mail(subject=subject)).decision is Decision.AUTO_REPLY


def test_auto_submitted_no_is_a_person():
    assert decide(mail(headers="Auto-Submitted: no\r\n")).decision is Decision.NEW_REQUEST


def test_a_delivery_status_report_is_a_bounce():
    raw = (b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered Mail\r\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n")
    triage = decide(raw)
    assert triage.decision is Decision.BOUNCE and "RFC 3464" in triage.reason


def test_x_failed_recipients_is_a_bounce():
    assert decide(mail(headers="X-Failed-Recipients: a@b.c\r\n")).decision is Decision.BOUNCE


@pytest.mark.parametrize(
    "text", ["FOI 003787/18", "FOI-3787-18", "FOI3787/18", "ref 003787/18", "Ref: 3787/2018",
             "[FOI 003787/18]"]
)
def test_references_are_matched_tolerantly(text):
    from foidesk.references import ReferenceFormat

    assert ReferenceFinder(ReferenceFormat()).find(f"About {text}, thanks") == ["FOI 003787/18"]


def test_threading_headers_find_the_case_first():
    cases = Cases(OPEN, threads={"<ack@foidesk>": "FOI 003787/18"})
    triage = decide(mail(subject="Re: hello", headers="In-Reply-To: <ack@foidesk>\r\n"), cases)
    assert triage.decision is Decision.REQUESTER_REPLY and triage.case == OPEN
    assert "In-Reply-To" in triage.reason


def test_a_reply_during_clarification_restarts_the_clock():
    waiting = CaseView("FOI 003787/18", "clarification_requested", "foia", "jane@example.org")
    triage = decide(mail(subject="Re: FOI 003787/18", body="I meant 2017 only."),
                    Cases(waiting))
    assert triage.decision is Decision.CLARIFICATION


def test_a_review_request_on_a_responded_case():
    done = CaseView("FOI 003787/18", "responded", "foia", "jane@example.org")
    triage = decide(mail(subject="FOI 003787/18", body="Please carry out an internal review."),
                    Cases(done))
    assert triage.decision is Decision.REVIEW_REQUEST


def test_a_withdrawal_and_a_quoted_word_that_is_not_one():
    triage = decide(mail(subject="FOI 003787/18", body="I withdraw my request."), Cases(OPEN))
    assert triage.decision is Decision.WITHDRAWAL
    quoted = "Thanks.\r\n\r\nOn Mon, 1 Jan 2026, FOI wrote:\r\n> you may withdraw at any time"
    triage = decide(mail(subject="FOI 003787/18", body=quoted), Cases(OPEN))
    assert triage.decision is Decision.REQUESTER_REPLY


def test_internal_senders_are_owners_and_reviewers_are_reviewers():
    owner = decide(mail(subject="FOI 003787/18", sender="roads@example.gov.uk"), Cases(OPEN))
    assert owner.decision is Decision.OWNER_CONTRIBUTION
    reviewer = decide(mail(subject="FOI 003787/18", sender="reviewer@example.gov.uk"),
                      Cases(OPEN))
    assert reviewer.decision is Decision.REVIEWER_DECISION


def test_what_does_not_read_as_a_request_goes_to_a_person():
    assert decide(mail(subject="hello", body="nyaaan")).decision is Decision.UNSURE
    internal = decide(mail(sender="someone@example.gov.uk"))
    assert internal.decision is Decision.UNSURE and "internal sender" in internal.reason


@pytest.mark.parametrize(
    ("body", "regime"),
    [("Please send the air quality monitoring data for 2025.", Regime.EIR),
     ("This is a subject access request for my personal data.", Regime.SAR),
     ("Please provide the number of officers.", Regime.FOIA)],
)
def test_the_regime_is_suggested_from_the_subject_matter(body, regime):
    assert decide(mail(body=body)).regime is regime


def test_a_scottish_authority_suggests_foisa():
    scottish = TriagePolicy(scottish=True)
    assert decide(mail(), policy=scottish).regime is Regime.FOISA
