"""Mail loops end after one message from us; spoofed or unauthorised senders change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from intake_support import NOW, OWNER, REF, TEAM, maildir_desk, request_email

REQUESTER = "jane@example.org"


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path) as desk:
        yield desk


def echo_of(message, n: int, **changes) -> bytes:
    """A copy of one of our messages coming back, as a mail loop returns it."""
    del message["Message-ID"]
    message["Message-ID"] = f"<echo-{n}@example.org>"
    for name, value in changes.items():
        del message[name]
        message[name] = value
    return message.as_bytes()


def test_our_acknowledgement_echoed_back_is_not_answered(desk):
    desk.deliver_and_run(request_email(1))
    [ack] = desk.sent_to(REQUESTER)
    for n in range(5):  # the same bytes again, as a forwarding loop delivers them
        desk.deliver_and_run(ack.as_bytes(), NOW + timedelta(minutes=n + 1))
    assert len(desk.sent_to(REQUESTER)) == 1


def test_our_acknowledgement_reflected_with_a_new_message_id_and_from_is_not_answered(desk):
    desk.deliver_and_run(request_email(1))
    [ack] = desk.sent_to(REQUESTER)
    for n in range(5):  # a requester's broken forwarder rewrites From and Message-ID
        desk.deliver_and_run(echo_of(ack, n, From=f"Jane <{REQUESTER}>"),
                             NOW + timedelta(minutes=n + 1))
    assert len(desk.sent_to(REQUESTER)) == 1


def test_an_out_of_office_answering_our_acknowledgement_gets_nothing_back(desk):
    desk.deliver_and_run(request_email(1))
    [ack] = desk.sent_to(REQUESTER)
    for n, headers in enumerate([
        {"Auto-Submitted": "auto-replied"},  # RFC 3834
        {"X-Autoreply": "yes"},
        {},  # no header at all: the subject gives it away
    ]):
        desk.deliver_and_run(request_email(
            10 + n, subject=f"Automatic reply: {ack['Subject']}",
            body="I am out of the office until Monday.",
            headers={"In-Reply-To": ack["Message-ID"], **headers}),
            NOW + timedelta(minutes=n + 1))
    assert len(desk.sent_to(REQUESTER)) == 1


def test_two_auto_responders_answering_each_other_through_us_stop_at_the_daily_limit(desk):
    """The worst case: an auto-responder with no RFC 3834 headers that sends a fresh
    request-like message each time. Each looks new to triage; the per-address limit
    (5 a day) is what stops it."""
    topics = ["bridge inspections", "library opening hours", "park bench repairs",
              "school meal contracts", "parking fine income", "council tax arrears",
              "gritting routes", "fly-tipping prosecutions", "allotment waiting lists",
              "streetlight outages", "planning appeal costs", "agency staff spending"]
    for n, topic in enumerate(topics):
        desk.deliver_and_run(request_email(
            100 + n, subject=f"FOI request: {topic}",
            body=f"Under the FOI Act please send me everything you hold on {topic}."),
            NOW + timedelta(minutes=n))
    assert len(desk.sent_to(REQUESTER)) == 5
    with desk.uow() as uow:
        from sqlalchemy import select

        from foidesk.register.models import Event
        suppressed = uow.session.scalars(
            select(Event).where(Event.action == "auto_reply_suppressed")).all()
    assert len(suppressed) == 7
    desk.deliver_and_run(request_email(200, subject="FOI request tomorrow",
                                       body="Under the FOI Act please tell me about trees."),
                         NOW + timedelta(days=1, minutes=30))
    assert len(desk.sent_to(REQUESTER)) == 6  # the limit is per day, not for ever


def test_a_withdrawal_from_someone_else_is_refused_and_reported(desk):
    desk.deliver_and_run(request_email(1))
    desk.deliver_and_run(request_email(2, sender="mallory@example.net",
                                       subject=f"Re: [{REF}] potholes",
                                       body="Please withdraw this request."))
    case, events = desk.case()
    assert case.status == "awaiting_owner" and events[-1] == "withdrawal_refused"
    assert any("REFUSED" in str(m["Subject"]) for m in desk.sent_to(TEAM))
    assert not desk.sent_to("mallory@example.net")


def test_a_withdrawal_in_the_requester_s_name_that_failed_dmarc_is_refused(desk):
    desk.deliver_and_run(request_email(1))
    desk.deliver_and_run(request_email(
        2, subject=f"Re: [{REF}] potholes", body="Please withdraw this request.",
        headers={"Authentication-Results": "mx.example.gov.uk; spf=fail "
                 "smtp.mailfrom=example.org; dkim=none; dmarc=fail header.from=example.org"}))
    case, events = desk.case()
    assert case.status == "awaiting_owner" and events[-1] == "withdrawal_refused"


def test_a_contribution_from_a_colleague_who_is_not_the_owner_is_refused(desk):
    desk.deliver_and_run(request_email(1))
    desk.deliver_and_run(request_email(2, sender="someone.else@example.gov.uk",
                                       subject=f"Re: [{REF}] potholes",
                                       body="Here is the information: 1,234 potholes."))
    case, events = desk.case()
    assert events[-1] == "contribution_refused"
    assert [a.state for a in case.assignments] == ["pending"]
    desk.deliver_and_run(request_email(3, sender=OWNER, subject=f"Re: [{REF}] potholes",
                                       body="Here is the information: 1,234 potholes."))
    case, _ = desk.case()
    assert [a.state for a in case.assignments] == ["supplied"]  # the real owner still can


def test_a_contribution_in_the_owner_s_name_that_failed_dkim_is_refused(desk):
    desk.deliver_and_run(request_email(1))
    desk.deliver_and_run(request_email(
        2, sender=OWNER, subject=f"Re: [{REF}] potholes", body="Figures: 1,234.",
        headers={"Authentication-Results": "mx.example.gov.uk; dkim=fail "
                 "header.d=example.gov.uk; dmarc=fail header.from=example.gov.uk"}))
    case, events = desk.case()
    assert events[-1] == "contribution_refused"
    assert [a.state for a in case.assignments] == ["pending"]
