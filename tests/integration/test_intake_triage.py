"""What intake does with the mail that real FOI mailboxes receive and that the first
batch got wrong: spam, unknown threads, forwards from colleagues, resends, the team's
one-word decisions, and originals too large to process or attach."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from intake_support import OFFICER, OWNER, REF, TEAM, maildir_desk, request_email, settings
from sqlalchemy import select

from foidesk.register.models import Case, Message, OutboxItem
from foidesk.rendering import Renderer
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.responses import ResponseSettings

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DKIM_PASS = "mx.example.gov.uk; dkim=pass header.d=example.gov.uk; spf=pass"


def _responses() -> ResponseSettings:
    base = settings()
    return ResponseSettings(renderer=Renderer(), authority=base.authority,
                            deadlines=DeadlinePolicy(),
                            internal_domains=frozenset({"example.gov.uk"}))


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path, responses=_responses()) as desk:
        yield desk


def mail(n: int, *, sender: str, subject: str, body: str, headers=None,
         display: str = "Someone") -> bytes:
    return request_email(n, sender=sender, subject=subject, body=body, headers=headers,
                         display=display)


def _outbox(desk) -> list[OutboxItem]:
    with desk.uow() as uow:
        return list(uow.session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def _inbound(desk, message_id: str) -> Message:
    with desk.uow() as uow:
        return uow.session.scalar(select(Message).where(Message.direction == "in",
                                                        Message.message_id == message_id))


def test_gateway_spam_is_filed_counted_and_mailed_to_nobody(desk):
    report = desk.deliver_and_run(mail(
        1, sender="deals@cheap-example.biz", subject="Freedom of Information request",
        body="Please provide your card details.", headers={"X-Spam-Flag": "YES"}))
    assert report.counts == {"spam": 1}
    assert _outbox(desk) == []
    assert _inbound(desk, "<request-1@example.org>").triage_reason.startswith("spam-verdict:")


def test_a_reply_into_a_thread_we_never_started_goes_to_the_team_not_a_new_case(desk):
    report = desk.deliver_and_run(mail(
        2, sender="tom@example.org", subject="Re: Freedom of Information request",
        body="Please send me the rest of the information.",
        headers={"In-Reply-To": "<ack.42@other-council.gov.uk>"}))
    assert report.counts == {"unsure": 1} and report.registered == []
    [notice] = _outbox(desk)
    assert notice.recipients == TEAM and "[FOI triage]" in notice.subject


def test_a_request_a_colleague_forwards_is_the_original_senders_from_its_first_arrival(desk):
    body = ("Hi team, this reached the front desk.\n\n---------- Forwarded message ---------\n"
            "From: Paul Newman <paul.newman@example.org>\nDate: Fri, 30 Oct 2026 at 16:12\n"
            "Subject: FOI request\nTo: <frontdesk@example.gov.uk>\n\nDear Sir,\n\nUnder the "
            "Freedom of Information Act please tell me how many potholes were reported in "
            "2025.\n\nYours faithfully,\nPaul Newman\n")
    report = desk.deliver_and_run(mail(3, sender="ann.lee@example.gov.uk", subject="Fwd: FOI "
                                       "request", body=body, display="Ann Lee"))
    assert report.counts == {"new_request": 1}
    case, events = desk.case()
    assert case.requester.email == "paul.newman@example.org"
    assert case.received_on == date(2026, 10, 30)  # the forward's date starts the clock
    assert "forwarded_request" in events
    [ack] = [m for m in desk.sent_to("paul.newman@example.org")]
    assert ack["In-Reply-To"] is None  # it answers no message Paul has seen
    assert "FOI request" in str(ack["Subject"]) and "Fwd" not in str(ack["Subject"])
    [told] = desk.sent_to("ann.lee@example.gov.uk")
    text = told.get_body(("plain",)).get_content()
    assert REF in text and "30 October 2026" in text
    assert [q.text for q in case.questions] == [
        "Under the Freedom of Information Act please tell me how many potholes were reported "
        "in 2025."]


def test_questions_keep_no_greeting_sign_off_or_whatdotheyknow_footer(desk):
    address = "request-77-abcd1234@whatdotheyknow.com"
    body = ("Dear Example Council,\n\nPlease send me the number of potholes repaired in "
            "2025.\n\nYours faithfully,\n\nJane Requester\n\n" + "-" * 67 + "\n\nPlease use "
            f"this email address for all replies to this request:\n{address}\n\nDisclaimer: "
            "This message and any reply that you make will be published on the internet.\n")
    desk.deliver_and_run(mail(4, sender=address, subject="Freedom of Information request - "
                              "Potholes", body=body, display="Jane Requester"))
    case, _ = desk.case()
    assert [q.text for q in case.questions] == [
        "Please send me the number of potholes repaired in 2025."]
    [ack] = desk.sent_to(address)
    assert "Yours faithfully" not in ack.get_body(("plain",)).get_content().split(
        "You asked for:")[1].split("What happens next")[0]


def test_every_reply_goes_to_the_address_whatdotheyknow_names(desk):
    named = "request-88-feedf00d@whatdotheyknow.com"
    body = ("Dear Example Council,\n\nPlease send me your pothole policy.\n\nYours faithfully,"
            "\n\nJo\n\n" + "-" * 67 + "\n\nPlease use this email address for all replies to "
            f"this request:\n{named}\n")
    desk.deliver_and_run(mail(5, sender="jo@whatdotheyknow.com", subject="Freedom of "
                              "Information request - Policy", body=body))
    case, _ = desk.case()
    assert case.requester.email == named
    assert desk.sent_to(named) and not desk.sent_to("jo@whatdotheyknow.com")


def test_a_resend_of_part_of_an_open_request_is_linked_not_a_second_case(desk):
    desk.deliver_and_run(request_email(1))  # questions 1 and 2 on potholes
    before = len(_outbox(desk))
    report = desk.deliver_and_run(request_email(
        2, subject="Resending my request",
        body="I am resending my request:\n\n1. How many potholes were reported in 2025?\n"),
        now=datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
    assert report.registered == []
    with desk.uow() as uow:
        assert uow.session.scalar(select(Case.id).where(Case.reference != REF)) is None
    case, events = desk.case()
    assert "repeat_request_linked" in events and "repeat_request" in case.flags
    new = _outbox(desk)[before:]
    assert {item.recipients for item in new} == {"jane@example.org", TEAM}
    assert not any(item.recipients == OWNER for item in new)  # no second owner task
    [told] = [item for item in new if item.recipients == "jane@example.org"]
    assert f"[{REF}] We already have your request" in told.subject


def _unsure_then_answer(desk, answer: str, *, sender: str = OFFICER, authenticated=True):
    desk.deliver_and_run(mail(9, sender="mary@example.org", subject="Potholes",
                              body="My street has had a pothole for months."))
    [notice] = [i for i in _outbox(desk) if i.subject.startswith("[FOI triage]")]
    headers = {"In-Reply-To": notice.message_id, "References": notice.message_id}
    if authenticated:
        headers["Authentication-Results"] = DKIM_PASS
    return desk.deliver_and_run(
        mail(10, sender=sender, subject=f"Re: {notice.subject}", body=f"{answer}\n\n> ...",
             headers=headers), now=datetime(2026, 11, 4, 9, 0, tzinfo=UTC))


def test_register_opens_the_case_on_the_day_the_message_arrived(desk):
    report = _unsure_then_answer(desk, "REGISTER")
    assert report.counts == {"team_decision": 1}
    case, events = desk.case()
    assert case.received_on == date(2026, 11, 2) and "registered_by_team" in events
    assert desk.sent_to("mary@example.org")  # acknowledged to the original sender
    assert _inbound(desk, "<request-9@example.org>").triage == "new_request"


def test_not_foi_files_it_and_link_files_it_on_the_case(desk):
    _unsure_then_answer(desk, "NOT FOI")
    assert _inbound(desk, "<request-9@example.org>").triage == "not_foi"


def test_link_files_the_message_on_the_named_case(desk):
    desk.deliver_and_run(request_email(1))
    _unsure_then_answer(desk, f"LINK {REF}")
    original = _inbound(desk, "<request-9@example.org>")
    _, events = desk.case()
    assert original.triage == "linked" and original.case_id is not None
    assert "message_linked" in events


def test_a_decision_is_refused_unauthenticated_or_from_outside_the_team(desk):
    _unsure_then_answer(desk, "REGISTER", authenticated=False)
    assert _inbound(desk, "<request-9@example.org>").triage == "unsure"
    assert any("NOT carried out" in i.subject for i in _outbox(desk))
    report = desk.deliver_and_run(mail(
        11, sender="owner.person@example.gov.uk", subject="Re: [FOI triage]",
        body="REGISTER", headers={"In-Reply-To": _outbox(desk)[0].message_id,
                                  "Authentication-Results": DKIM_PASS}))
    assert report.counts == {"unsure": 1}
    assert _inbound(desk, "<request-9@example.org>").triage == "unsure"


def test_a_message_too_large_to_process_is_reported_to_the_team_without_it(database_url,
                                                                           tmp_path):
    with maildir_desk(database_url, tmp_path, size_limit=200_000) as desk:
        big = request_email(1, body="Please send me the pothole records.\n" + "x" * 300_000)
        report = desk.deliver_and_run(big)
        assert report.counts == {"quarantined": 1}
        [notice] = desk.sent_to(TEAM)
        text = notice.get_body(("plain",)).get_content()
        assert "clock is already running" in text.replace("time limit is already running",
                                                           "clock is already running")
        assert "Jane Requester" in text or "jane@example.org" in text
        assert "quarantine folder" in text and "KB" in text
        assert not any(part.get_content_type() == "message/rfc822"
                       for part in notice.walk())


def test_a_team_notice_names_a_large_original_instead_of_attaching_it(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path, attach_limit=100_000) as desk:
        body = "My street has had a pothole for months.\n" + "y" * 150_000
        desk.deliver_and_run(mail(12, sender="mary@example.org", subject="Potholes", body=body))
        [notice] = desk.sent_to(TEAM)
        assert not any(p.get_content_type() == "message/rfc822" for p in notice.walk())
        assert "too large to attach" in notice.get_body(("plain",)).get_content()
