"""What intake does with replies on a case: clarification, review, withdrawal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from intake_support import REF, TEAM, maildir_desk, request_email, settings

from foidesk.cases import CaseStatus
from foidesk.services.cases import transition

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path) as desk:
        yield desk


def reply(n: int, body: str, subject: str = f"Re: [{REF}] potholes") -> bytes:
    return request_email(n, subject=subject, body=body)


def test_a_clarification_restarts_the_clock_and_tells_the_requester(desk):
    desk.deliver_and_run(request_email(1))
    transition(desk.uow(), REF, CaseStatus.CLARIFICATION_REQUESTED, actor="officer", now=NOW)
    report = desk.deliver_and_run(reply(2, "I meant footway potholes only."),
                                  now=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    assert report.counts == {"clarification": 1}
    case, _ = desk.case()
    assert case.status == "awaiting_owner"  # the clock runs again; the Roads owner still owes
    assert case.due_on == date(2026, 12, 9)  # 20 working days; St Andrew's Day 30 Nov skipped
    [update] = [m for m in desk.sent_to("jane@example.org") if "Clarification" in m["Subject"]]
    assert "9 December 2026" in update.get_body(("plain",)).get_content()


def test_a_review_request_after_the_response_starts_the_review_clock(desk):
    desk.deliver_and_run(request_email(1))
    for status in ("drafting", "in_review", "approved", "responded"):
        transition(desk.uow(), REF, CaseStatus(status), actor="officer", now=NOW)
    report = desk.deliver_and_run(
        reply(2, "I am not satisfied. Please carry out an internal review."),
        now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    assert report.counts == {"review_request": 1}
    case, _ = desk.case()
    assert (case.status, case.regime) == ("responded", "foia")  # the original is untouched
    with desk.uow() as uow:
        review = uow.cases.get(f"{REF}-IR")
        assert (review.status, review.regime) == ("acknowledged", "foia-review")
        assert review.linked_case_id == uow.cases.get(REF).id
        assert review.due_on == date(2026, 12, 31)  # Christmas, Boxing Day (28th) skipped
        assert "internal review" in review.request_text
    [ack] = [m for m in desk.sent_to("jane@example.org")
             if "Internal review requested" in str(m["Subject"])]
    assert f"{REF}-IR" in str(ack["Subject"])
    body = ack.get_body(("plain",)).get_content()
    assert "31 December 2026" in body and "clarification" not in body.lower()


def test_a_withdrawal_withdraws_and_one_that_cannot_is_left_for_the_team(desk):
    desk.deliver_and_run(request_email(1))
    for status in ("drafting", "in_review", "approved", "responded"):
        transition(desk.uow(), REF, CaseStatus(status), actor="officer", now=NOW)
    report = desk.deliver_and_run(reply(2, "Please withdraw my request."))
    assert report.counts == {"withdrawal": 1}  # not quarantined: a responded case stays
    case, events = desk.case()
    assert case.status == "responded" and events[-1] == "withdrawal_requested"
    assert any("withdrew" in str(m["Subject"]) for m in desk.sent_to(TEAM))


def test_a_withdrawal_of_an_open_case(desk):
    desk.deliver_and_run(request_email(1))
    desk.deliver_and_run(reply(2, "I no longer need this, please withdraw it."))
    case, _ = desk.case()
    assert case.status == "withdrawn"
    assert any("has been withdrawn" in str(m["Subject"]) for m in desk.sent_to("jane@example.org"))


def test_a_case_with_two_owners_waits_for_both(desk):
    from foidesk.chasing import Schedule
    from foidesk.services.assignments import assign_owner, mark_supplied
    from foidesk.services.chasing import ChaseSettings

    desk.deliver_and_run(request_email(1))  # routed to the roads team
    intake = settings()
    chase = ChaseSettings(schedule=Schedule(), renderer=intake.renderer,
                          authority=intake.authority, deadlines=intake.deadlines)
    assign_owner(desk.uow(), REF, "finance@example.gov.uk", chase, actor="officer", now=NOW)
    mark_supplied(desk.uow(), REF, owner="finance@example.gov.uk", actor="officer", now=NOW)
    case, _ = desk.case()
    assert case.status == "awaiting_owner"
    assert sorted(a.state for a in case.assignments) == ["pending", "supplied"]
    mark_supplied(desk.uow(), REF, actor="officer", now=NOW)
    case, events = desk.case()
    assert case.status == "drafting" and events[-1] == "status_changed"


def test_a_clarification_unanswered_for_three_months_lapses(desk):
    from foidesk.services.cases import ClockEventKind, DeadlinePolicy, record_clock_event
    from foidesk.services.clock_letters import lapse_clarifications

    desk.deliver_and_run(request_email(1))
    record_clock_event(desk.uow(), REF, ClockEventKind.CLARIFICATION_REQUESTED, date(2026, 11, 3),
                       policy=DeadlinePolicy(), actor="officer", now=NOW)
    assert lapse_clarifications(desk.uow(), months=3,
                                now=datetime(2027, 2, 2, 8, tzinfo=UTC)) == []
    assert lapse_clarifications(desk.uow(), months=3,
                                now=datetime(2027, 2, 3, 8, tzinfo=UTC)) == [REF]
    case, _ = desk.case()
    assert (case.status, case.outcome) == ("closed", "lapsed")
