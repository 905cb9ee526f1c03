"""The last mile against real servers: draft, review, approve, respond (with the PDF),
and everything that can go wrong on the way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from intake_support import OWNER, TEAM, request_email, server_desk, settings

from connectors.base import OutgoingMessage
from foidesk.calendar import Extension
from foidesk.drafting import DraftError, parse_plain
from foidesk.outbox import drain, recipients_of
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.clock_letters import extend, request_clarification
from foidesk.services.intake import run_intake
from foidesk.services.responses import (
    ResponseSettings,
    Reviewer,
    ReviewRefused,
    create_draft,
    decide,
    submit_for_review,
)

REF = "FOI 000001/26"
REVIEWER = "decision.maker@example.gov.uk"
SECOND_REVIEWER = "deputy.decision.maker@example.gov.uk"
FOLDER = "FOIInbox"
DKIM_PASS = "mx.example.gov.uk; dkim=pass header.d=example.gov.uk; spf=pass " \
            "smtp.mailfrom=decision.maker@example.gov.uk"
ANSWERS = """Outcome: partial
Exemption: s31(1)(a)
1. 1,204 potholes were reported in 2025.
2. We withhold the repair times by location under section 31(1)(a).
"""


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


class Desk:
    def __init__(self, engine, mailbox, admin, smtp, sender) -> None:
        self.engine, self.mailbox, self.admin, self.smtp, self.sender = (
            engine, mailbox, admin, smtp, sender)
        base = settings()
        self.responses = ResponseSettings(
            renderer=base.renderer, authority=base.authority, deadlines=base.deadlines,
            reviewers=(Reviewer(REVIEWER, frozenset({"foia", "foia-review"})),
                       Reviewer(SECOND_REVIEWER, frozenset({"foia-review"}))),
            internal_domains=frozenset({"example.gov.uk"}),
        )
        self.intake_settings = replace(
            base, responses=self.responses,
            triage=replace(base.triage, reviewers=frozenset({REVIEWER, SECOND_REVIEWER})))

    def uow(self):
        return SqlUnitOfWork(self.engine)

    def mail(self, raw: bytes, now: datetime, **kwargs) -> None:
        self.admin.append(FOLDER, raw, msg_time=now)
        run_intake(self.uow, self.mailbox, self.sender, self.intake_settings, now=now,
                   outgoing=outgoing, **kwargs)

    def send(self, now: datetime, **kwargs) -> None:
        drain(self.uow, self.sender, outgoing, now=now, **kwargs)

    def received_by(self, address: str) -> list:
        return [message_from_bytes(c, policy=policy.default)
                for _, rcpts, c in self.smtp.handler.received if address in rcpts]

    def case(self):
        with self.uow() as uow:
            case = uow.cases.get(REF)
            return case, [e.action for e in uow.cases.events(case)]

    def reviewer_reply(self, n: int, body: str, *, sender=REVIEWER, auth: str | None = DKIM_PASS,
                       version: int = 1) -> bytes:
        [review] = [m for m in self.received_by(sender)
                    if "For approval: DRAFT" in str(m["Subject"])
                    and f"v{version}" in str(m["Subject"])]
        headers = {"In-Reply-To": str(review["Message-ID"])}
        if auth:
            headers["Authentication-Results"] = auth
        return request_email(n, sender=sender, subject=f"Re: {review['Subject']}", body=body,
                             headers=headers)


@pytest.fixture
def desk(tmp_path, dovecot_plain):
    with server_desk(f"sqlite:///{tmp_path / 'register.db'}", dovecot_plain, FOLDER) as parts:
        yield Desk(*parts)


DAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def prepare_for_review(desk: Desk, answers: str = ANSWERS) -> None:
    desk.mail(request_email(1), DAY)
    [task] = desk.received_by(OWNER)
    desk.mail(request_email(2, sender=OWNER, subject=f"Re: {task['Subject']}",
                            body="Here are the figures: 1,204 reports.",
                            headers={"In-Reply-To": str(task["Message-ID"])}),
              DAY + timedelta(days=3))
    create_draft(desk.uow(), REF, parse_plain(answers), desk.responses, actor="officer",
                 now=DAY + timedelta(days=4))
    assert submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                             now=DAY + timedelta(days=4)) == REVIEWER
    desk.send(DAY + timedelta(days=4))


def test_request_to_response_with_the_pdf_through_an_emailed_approval(desk):
    prepare_for_review(desk)
    [review] = [m for m in desk.received_by(REVIEWER)]
    [pdf] = [p for p in review.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")
    desk.mail(desk.reviewer_reply(3, "APPROVE"), DAY + timedelta(days=5))
    responses = [m for m in desk.received_by("jane@example.org")
                 if "Response to your request" in str(m["Subject"])]
    assert len(responses) == 1
    [response] = responses
    assert response["In-Reply-To"] == "<request-1@example.org>"
    text = response.get_body(("plain",)).get_content()
    assert "Freedom of Information Request Reference No: FOI 000001/26" in text
    assert "1 1,204 potholes were reported in 2025." in text
    assert "Section 31(1)(a) - Law Enforcement" in text
    assert "Factors favouring disclosure" in text and "Balance test" in text
    assert "Wycliffe House" in text and "request a review" in text.lower()
    [letter] = [p for p in response.iter_attachments()
                if p.get_content_type() == "application/pdf"]
    assert letter.get_filename() == "FOI-000001-26-response.pdf"
    case, events = desk.case()
    assert (case.status, case.outcome, case.exemptions, case.in_time) == (
        "closed", "partial", ["s31(1)(a)"], True)
    assert case.disclosure_status == "queued"
    assert case.drafts[0].review_via.startswith("email (dkim=pass")
    assert events[-3:] == ["status_changed", "status_changed", "status_changed"]


def test_a_forged_approval_is_refused_logged_and_reported(desk):
    prepare_for_review(desk)
    desk.mail(desk.reviewer_reply(3, "APPROVE", auth=None), DAY + timedelta(days=5))
    case, events = desk.case()
    assert case.status == "in_review" and events[-1] == "review_decision_refused"
    assert not [m for m in desk.received_by("jane@example.org")
                if "Response" in str(m["Subject"])]
    assert any("REFUSED" in str(m["Subject"]) for m in desk.received_by(TEAM))
    spoofed = desk.reviewer_reply(4, "APPROVE", auth="mx; dkim=pass header.d=evil.example")
    desk.mail(spoofed, DAY + timedelta(days=5, hours=1))
    assert desk.case()[0].status == "in_review"


def test_a_rejection_goes_back_to_the_officer_and_a_second_draft_is_approved(desk):
    prepare_for_review(desk)
    desk.mail(desk.reviewer_reply(3, "REJECT: cite the subsection and explain the harm"),
              DAY + timedelta(days=5))
    case, _ = desk.case()
    assert case.status == "drafting"
    assert case.drafts[0].review_comment == "cite the subsection and explain the harm"
    assert any("rejected" in str(m["Subject"]) for m in desk.received_by(TEAM))
    create_draft(desk.uow(), REF, parse_plain(ANSWERS + "Note: Figures as at 1 Nov.\n"),
                 desk.responses, actor="officer", now=DAY + timedelta(days=6))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=6))
    desk.send(DAY + timedelta(days=6))
    desk.mail(desk.reviewer_reply(4, "Approve", version=2), DAY + timedelta(days=7))
    case, _ = desk.case()
    assert case.status == "closed" and [d.status for d in case.drafts] == ["rejected", "sent"]


def test_a_crash_while_sending_the_response_still_sends_one(desk):
    prepare_for_review(desk)

    class Crash(Exception):
        pass

    def crash_after_send(name):
        if name == "after_send":
            raise Crash

    with pytest.raises(Crash):
        desk.mail(desk.reviewer_reply(3, "APPROVE"), DAY + timedelta(days=5),
                  checkpoint=crash_after_send)
    desk.mail(request_email(9, subject="unrelated hello", body="nyaan"), DAY + timedelta(days=6))
    desk.send(DAY + timedelta(days=6))
    responses = [m for m in desk.received_by("jane@example.org")
                 if "Response to your request" in str(m["Subject"])]
    assert len(responses) == 1


def test_clarification_letter_stops_the_clock_and_the_reply_restarts_it(desk):
    desk.mail(request_email(1), DAY)
    request_clarification(desk.uow(), REF, "Do you mean carriageways, footways, or both?",
                          desk.responses, actor="officer", now=DAY + timedelta(days=1))
    desk.send(DAY + timedelta(days=1))
    [letter] = [m for m in desk.received_by("jane@example.org")
                if "clarification" in str(m["Subject"]).lower()]
    assert "carriageways, footways" in letter.get_body(("plain",)).get_content()
    assert desk.case()[0].due_on is None
    desk.mail(request_email(3, subject=f"Re: {letter['Subject']}", body="Carriageways only.",
                            headers={"In-Reply-To": str(letter["Message-ID"])}),
              datetime(2026, 11, 10, 9, tzinfo=UTC))
    case, _ = desk.case()
    assert case.due_on == date(2026, 12, 9)  # 20 working days from 10 Nov (30 Nov skipped)


def test_a_public_interest_extension_is_notified_with_the_new_date(desk):
    desk.mail(request_email(1), DAY)
    due = extend(desk.uow(), REF, Extension.PIT, "We are weighing s31.", desk.responses,
                 exemptions="section 31", actor="officer", now=DAY + timedelta(days=20))
    desk.send(DAY + timedelta(days=20))
    assert due == date(2026, 12, 31)  # 20 more working days after 1 December (Christmas skipped)
    [letter] = [m for m in desk.received_by("jane@example.org")
                if "Public interest test" in str(m["Subject"])]
    assert "31 December 2026" in letter.get_body(("plain",)).get_content()
    with pytest.raises(ValueError, match="already extended"):
        extend(desk.uow(), REF, Extension.PIT, "again", desk.responses, actor="officer",
               now=DAY + timedelta(days=21))


REVIEW = f"{REF}-IR"


def ask_for_review(desk: Desk) -> None:
    prepare_for_review(desk)
    desk.mail(desk.reviewer_reply(3, "APPROVE"), DAY + timedelta(days=5))
    desk.send(DAY + timedelta(days=5))
    desk.mail(request_email(5, subject=f"Re: [{REF}] response",
                            body="Please carry out an internal review of this decision. The "
                                 "repair times are already published for some roads."),
              DAY + timedelta(days=10))


def test_an_internal_review_is_a_case_of_its_own_and_needs_a_different_reviewer(desk):
    ask_for_review(desk)
    with desk.uow() as uow:
        original = uow.cases.get(REF)
        assert (original.status, original.regime, original.outcome) == ("closed", "foia",
                                                                        "partial")
        first = (original.responded_at, original.in_time, original.due_on)
        review = uow.cases.get(REVIEW)
        assert (review.status, review.regime) == ("acknowledged", "foia-review")
    create_draft(desk.uow(), REVIEW, parse_plain(
        "Outcome: upheld\nReason s31(1)(a): Publishing repair times by location would "
        "show where patrols are thin.\nReason: The search was adequate."),
        desk.responses, actor="officer", now=DAY + timedelta(days=11))
    assert submit_for_review(desk.uow(), REVIEW, desk.responses, actor="officer",
                             now=DAY + timedelta(days=11)) == SECOND_REVIEWER
    with pytest.raises(ReviewRefused, match="made the original decision"):
        decide(desk.uow(), REVIEW, "approve", REVIEWER, desk.responses, via="cli",
               now=DAY + timedelta(days=12))
    decide(desk.uow(), REVIEW, "approve", SECOND_REVIEWER, desk.responses, via="cli",
           now=DAY + timedelta(days=12))
    desk.send(DAY + timedelta(days=12))
    [outcome] = [m for m in desk.received_by("jane@example.org")
                 if "Internal review of your request" in str(m["Subject"])]
    text = outcome.get_body(("plain",)).get_content()
    assert "The original decision is upheld" in text and "Wycliffe House" in text
    assert "already published for some roads" in text  # the grounds, restated
    assert "show where patrols are thin" in text and "The search was adequate" in text
    assert "section 50 of the Freedom of Information Act 2000" in text
    assert "DRAFT" not in text
    [pdf] = [p.get_filename() for p in outcome.iter_attachments()]
    assert pdf == "FOI-000001-26-review-outcome.pdf"
    with desk.uow() as uow:
        original = uow.cases.get(REF)
        assert (original.responded_at, original.in_time, original.due_on) == first
        assert (original.status, original.outcome) == ("closed", "partial")
        review = uow.cases.get(REVIEW)
        assert (review.status, review.outcome, review.in_time) == ("closed", "upheld", True)


def test_an_overturned_review_reopens_a_fresh_response_on_the_original(desk):
    ask_for_review(desk)
    create_draft(desk.uow(), REVIEW, parse_plain(
        "Outcome: overturned\nReason s31(1)(a): The repair times are already published.\n"
        "Respond by: 2026-12-04"), desk.responses, actor="officer",
        now=DAY + timedelta(days=11))
    submit_for_review(desk.uow(), REVIEW, desk.responses, actor="officer",
                      now=DAY + timedelta(days=11))
    decide(desk.uow(), REVIEW, "approve", SECOND_REVIEWER, desk.responses, via="cli",
           now=DAY + timedelta(days=12))
    with desk.uow() as uow:
        original = uow.cases.get(REF)
        assert (original.status, original.due_on) == ("reopened", date(2026, 12, 4))
        assert original.outcome == "partial" and original.in_time is True
    create_draft(desk.uow(), REF, parse_plain(
        "Outcome: granted\n1. 1,204 potholes were reported in 2025.\n2. The repair times "
        "are attached."), desk.responses, actor="officer", now=DAY + timedelta(days=13))
    assert submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                             now=DAY + timedelta(days=13)) == REVIEWER
    decide(desk.uow(), REF, "approve", REVIEWER, desk.responses, via="cli",
           now=DAY + timedelta(days=14))
    desk.send(DAY + timedelta(days=14))
    [fresh] = [m for m in desk.received_by("jane@example.org")
               if "Fresh response to your request" in str(m["Subject"])]
    assert [p.get_filename() for p in fresh.iter_attachments()] == [
        "FOI-000001-26-fresh-response.pdf"]
    with desk.uow() as uow:
        original = uow.cases.get(REF)
        assert (original.status, original.outcome, original.in_time) == ("closed", "partial",
                                                                         True)
        assert original.responded_at.date() == (DAY + timedelta(days=5)).date()
        assert "fresh_response_sent" in [e.action for e in uow.cases.events(original)]


def test_an_officer_s_emailed_answers_become_a_draft_for_review(desk):
    desk.mail(request_email(1), DAY)
    [ack] = desk.received_by("jane@example.org")
    officer = "foi.officer@example.gov.uk"
    answers = request_email(
        7, sender=officer, subject=f"Re: {ack['Subject']}",
        body="Outcome: granted\n1. 1,204.\n2. 1,010.\n",
        headers={"In-Reply-To": str(ack["Message-ID"])})
    desk.mail(answers, DAY + timedelta(days=4))
    case, _events = desk.case()
    assert case.status == "in_review" and case.drafts[0].outcome == "granted"
    assert any("For approval" in str(m["Subject"]) for m in desk.received_by(REVIEWER))
    wrong = request_email(8, sender=officer, subject=f"Re: {ack['Subject']}",
                          body="Outcome: refused\n1. No.\n",
                          headers={"In-Reply-To": str(ack["Message-ID"])})
    desk.mail(wrong, DAY + timedelta(days=5))
    assert desk.case()[1][-1] == "draft_refused"
    assert any("could not become a draft" in str(m["Subject"]) for m in desk.received_by(TEAM))


# -- documents released with the response ---------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def owner_reply_with(desk: Desk, n: int, filename: str, data: bytes, now: datetime) -> None:
    [task] = desk.received_by(OWNER)
    raw = message_from_bytes(request_email(
        n, sender=OWNER, subject=f"Re: {task['Subject']}", body="The figures are attached.",
        headers={"In-Reply-To": str(task["Message-ID"])}), policy=policy.default)
    raw.add_attachment(data, maintype="application", subtype=XLSX.split("/")[1],
                       filename=filename)
    desk.mail(raw.as_bytes(), now)


def test_the_owner_s_workbook_is_stopped_then_released_as_a_clean_copy(desk, tmp_path):
    from hostile_files import hostile_workbook

    from foidesk.release import check_file
    from foidesk.services.disclosure import write_log

    desk.mail(request_email(1), DAY)
    owner_reply_with(desk, 2, "staffing.xlsx", hostile_workbook(), DAY + timedelta(days=3))
    desk.send(DAY + timedelta(days=3))
    [notice] = [m for m in desk.received_by(TEAM) if "An owner replied" in str(m["Subject"])]
    text = notice.get_body(("plain",)).get_content()
    assert "Document 1: staffing.xlsx" in text and "very hidden sheet at sheet 'Staff'" in text
    assert f"Supplied so far: {OWNER}." in text
    assert "Still outstanding: nobody: every owner has supplied their part." in text
    assert "What to do next: draft the response. Reply to this email" in text
    # Released as it is, the response is refused at approval.
    create_draft(desk.uow(), REF, parse_plain(ANSWERS + "RELEASE 1\n"), desk.responses,
                 actor="officer", now=DAY + timedelta(days=4))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=4))
    desk.send(DAY + timedelta(days=4))
    [review] = desk.received_by(REVIEWER)
    body = review.get_body(("plain",)).get_content()
    assert f"1. staffing.xlsx (from owner {OWNER}): released in full" in body
    assert "very hidden sheet at sheet 'Staff'" in body
    assert "This response CANNOT be approved yet" in body
    with pytest.raises(ReviewRefused, match=r"document 1 \(staffing.xlsx\) released in full"):
        decide(desk.uow(), REF, "approve", REVIEWER, desk.responses, via="cli",
               now=DAY + timedelta(days=5))
    assert desk.case()[0].status == "in_review"
    decide(desk.uow(), REF, "reject", REVIEWER, desk.responses, comment="Hidden sheet!",
           via="cli", now=DAY + timedelta(days=5))
    # The clean copy goes.
    create_draft(desk.uow(), REF, parse_plain(ANSWERS + "CLEAN 1\n"), desk.responses,
                 actor="officer", now=DAY + timedelta(days=6))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=6))
    decide(desk.uow(), REF, "approve", REVIEWER, desk.responses, via="cli",
           now=DAY + timedelta(days=7))
    desk.send(DAY + timedelta(days=7))
    [response] = [m for m in desk.received_by("jane@example.org")
                  if "Response to your request" in str(m["Subject"])]
    files = {p.get_filename(): p.get_content() for p in response.iter_attachments()}
    assert sorted(files) == ["FOI-000001-26-1-staffing.xlsx", "FOI-000001-26-response.pdf"]
    clean = files["FOI-000001-26-1-staffing.xlsx"]
    assert check_file("staffing.xlsx", clean) == [] and b"officer00001" not in clean
    letter = response.get_body(("plain",)).get_content()
    assert "Document 1, staffing.xlsx: released as a clean copy." in letter
    write_log(desk.uow(), tmp_path / "log", desk.responses.renderer, desk.responses.authority)
    assert (tmp_path / "log" / "files" / "FOI-000001-26-1-staffing.xlsx").read_bytes() == clean


def test_a_withheld_document_must_be_cited_and_an_override_is_shown_to_the_reviewer(desk):
    from hostile_files import plain_workbook

    desk.mail(request_email(1), DAY)
    owner_reply_with(desk, 2, "figures.xlsx", plain_workbook(), DAY + timedelta(days=3))
    owner_reply_with(desk, 3, "staff.xlsx", __import__("hostile_files").hostile_workbook(),
                     DAY + timedelta(days=3))
    with pytest.raises(DraftError, match=r"withheld under s40\(2\): FOIA s17 requires"):
        create_draft(desk.uow(), REF, parse_plain(ANSWERS + "RELEASE 1\nWITHHOLD 2 s40(2)\n"),
                     desk.responses, actor="officer", now=DAY + timedelta(days=4))
    create_draft(desk.uow(), REF, parse_plain(
        ANSWERS.replace("Exemption: s31(1)(a)", "Exemption: s31(1)(a)\nExemption: s40(2)")
        + "RELEASE 1\nWITHHOLD 2 s40(2)\n"), desk.responses, actor="officer",
        now=DAY + timedelta(days=4))
    submit_for_review(desk.uow(), REF, desk.responses, actor="officer",
                      now=DAY + timedelta(days=4))
    decide(desk.uow(), REF, "approve", REVIEWER, desk.responses, via="cli",
           now=DAY + timedelta(days=5))
    desk.send(DAY + timedelta(days=5))
    [response] = [m for m in desk.received_by("jane@example.org")
                  if "Response to your request" in str(m["Subject"])]
    assert sorted(p.get_filename() for p in response.iter_attachments()) == [
        "FOI-000001-26-1-figures.xlsx", "FOI-000001-26-response.pdf"]
    letter = response.get_body(("plain",)).get_content()
    assert "Document 2, staff.xlsx: withheld under Section 40(2)." in letter
