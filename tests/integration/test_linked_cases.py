"""Subject access under the 2025 Act, data protection complaints, the Commissioner's
investigations, and a quarter of reviews whose every figure is counted by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from intake_support import REF, TEAM, maildir_desk, request_email
from report_support import add_case

from foidesk.cases import CaseStatus
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.cases import DeadlinePolicy, transition
from foidesk.services.clock_letters import request_identity
from foidesk.services.regulator import (
    appeal_deadline,
    open_regulator_case,
    record_decision_notice,
)
from foidesk.services.reports import caseload, due_soon, performance, quarterly_statistics
from foidesk.services.responses import ResponseSettings
from foidesk.services.reviews import linked_to

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SAR_REQUEST = ("This is a subject access request under the UK GDPR: please send me a copy "
               "of all the personal data you hold about me.\n\nJane Requester\n")


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path) as desk:
        yield desk


def _responses(desk) -> ResponseSettings:
    from intake_support import settings

    base = settings()
    return ResponseSettings(renderer=Renderer(), authority=base.authority,
                            deadlines=DeadlinePolicy())


def _answer(desk) -> None:
    """The request answered and closed, as the response path leaves it."""
    for status in ("drafting", "in_review", "approved", "responded", "closed"):
        transition(desk.uow(), REF, CaseStatus(status), actor="officer", now=NOW)


def test_a_subject_access_identity_check_stops_the_clock_and_the_answer_resumes_it(desk):
    desk.deliver_and_run(request_email(1, subject="Subject access request", body=SAR_REQUEST))
    case, _ = desk.case()
    assert (case.regime, case.due_on) == ("sar", date(2026, 12, 2))
    request_identity(desk.uow(), REF, "A copy of a recent utility bill.", _responses(desk),
                     actor="officer", now=datetime(2026, 11, 5, 10, tzinfo=UTC))
    case, _ = desk.case()
    assert (case.status, case.due_on) == ("clarification_requested", None)
    desk.deliver_and_run(request_email(2, subject=f"Re: [{REF}] Subject access request",
                                       body="Here is my council tax bill."),
                         now=datetime(2026, 11, 9, 9, tzinfo=UTC))
    [letter] = [m for m in desk.sent_to("jane@example.org")
                if "confirm your identity" in str(m["Subject"])]
    assert "Article 12A of the UK General Data Protection Regulation" in \
        letter.get_body(("plain",)).get_content()
    case, _ = desk.case()
    # 2 Dec + 5 days (5 to 9 November, both counted out) = Monday 7 December
    assert (case.status, case.due_on) == ("acknowledged", date(2026, 12, 7))
    [resumed] = [m for m in desk.sent_to("jane@example.org")
                 if "Thank you for the information" in m.get_body(("plain",)).get_content()]
    assert "7 December 2026" in resumed.get_body(("plain",)).get_content()


def test_a_complaint_about_a_subject_access_request_is_a_case_acknowledged_in_30_days(desk):
    desk.deliver_and_run(request_email(1, subject="Subject access request", body=SAR_REQUEST))
    _answer(desk)
    report = desk.deliver_and_run(
        request_email(2, subject=f"Re: [{REF}] your response",
                      body="I wish to complain: you have left out my emails with the "
                           "housing team."), now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert report.counts == {"review_request": 1}
    with desk.uow() as uow:
        complaint = uow.cases.get(f"{REF}-DPC")
        assert (complaint.regime, complaint.status) == ("dp-complaint", "acknowledged")
        assert complaint.due_on == date(2026, 12, 18)  # day 30 is Sat 19 Dec: the Friday
        assert uow.cases.get(REF).status == "closed"
    [ack] = [m for m in desk.sent_to("jane@example.org") if "Your complaint" in str(m["Subject"])]
    body = ack.get_body(("plain",)).get_content()
    assert f"{REF}-DPC" in body and "section 164A(3) of the Data Protection Act 2018" in body


def test_mail_from_the_commissioner_quoting_a_case_is_filed_for_the_officer(desk):
    desk.deliver_and_run(request_email(1))
    report = desk.deliver_and_run(request_email(
        2, sender="casework@ico.org.uk", display="ICO Casework",
        subject=f"Complaint about your handling of {REF}",
        body=f"We have received a complaint about request {REF}. Please respond within 20 "
             "working days."))
    assert report.counts == {"regulator_mail": 1}
    _, actions = desk.case()
    assert actions[-1] == "regulator_mail"
    assert any("The Commissioner wrote about" in str(m["Subject"]) for m in desk.sent_to(TEAM))


def test_the_commissioner_s_case_its_decision_notice_and_the_fresh_response(desk):
    desk.deliver_and_run(request_email(1))
    _answer(desk)
    policy = DeadlinePolicy()
    with desk.uow() as uow:
        ico = open_regulator_case(uow, uow.cases.get(REF), their_reference="IC-123456-A1B2",
                                  letter_received=date(2027, 1, 11), respond_by=None,
                                  policy=policy, actor="officer", now=NOW)
        uow.commit()
        assert (ico.reference, ico.regime, ico.status) == (f"{REF}-ICO", "ico-complaint",
                                                           "acknowledged")
        assert ico.due_on == date(2027, 2, 8)  # 20 working days from the letter
        assert ico.external_reference == "IC-123456-A1B2"
    # Its date is on the dashboards like any other case's, and chased the same way.
    [soon] = due_soon(desk.uow(), date(2027, 2, 2), policy)
    assert (soon["reference"], soon["working_days_left"]) == (f"{REF}-ICO", 4)
    assert {"status": "acknowledged", "regime": "ico-complaint", "cases": 1} in \
        caseload(desk.uow())
    with desk.uow() as uow:
        ico = uow.cases.get(f"{REF}-ICO")
        reopened = record_decision_notice(
            uow, ico, outcome="upheld", issued_on=date(2027, 3, 1),
            steps="Disclose the repair times by road.", comply_by=None, policy=policy,
            actor="officer", now=datetime(2027, 3, 2, 9, tzinfo=UTC))
        uow.commit()
        assert ico.due_on == date(2027, 4, 5)  # 35 calendar days from the notice
        assert appeal_deadline(uow, ico) == (date(2027, 3, 29),
                                             "the First-tier Tribunal (Information Rights)")
        assert reopened.reference == REF
        original = uow.cases.get(REF)
        assert (original.status, original.due_on) == ("reopened", date(2027, 4, 5))
        assert [c.reference for c in linked_to(uow, original)] == [f"{REF}-ICO"]


def test_a_decision_notice_that_requires_nothing_closes_the_commissioner_s_case(desk):
    desk.deliver_and_run(request_email(1))
    _answer(desk)
    policy = DeadlinePolicy()
    with desk.uow() as uow:
        ico = open_regulator_case(uow, uow.cases.get(REF), their_reference="IC-9",
                                  letter_received=date(2027, 1, 11),
                                  respond_by=date(2027, 1, 25), policy=policy,
                                  actor="officer", now=NOW)
        assert ico.due_on == date(2027, 1, 25)  # the date the letter asks for
        assert record_decision_notice(uow, ico, outcome="not-upheld", issued_on=date(2027, 3, 1),
                                      steps="", comply_by=None, policy=policy,
                                      actor="officer", now=NOW) is None
        uow.commit()
        assert ico.status == "closed" and uow.cases.get(REF).status == "closed"


# -- a quarter with reviews, every figure counted by hand ---------------------------------


@pytest.fixture
def quarter(database_url):
    engine = create_register_engine(database_url)
    upgrade(engine)
    D = date
    with SqlUnitOfWork(engine) as uow:
        # Requests received in 2026 Q4, each answered once:
        add_case(uow, 1, received=D(2026, 10, 1), status="closed", due=D(2026, 10, 29),
                 responded=D(2026, 10, 28), in_time=True, outcome="refused",
                 exemptions=["s31(1)(a)"])  # day 19: in time; its review below
        add_case(uow, 2, received=D(2026, 10, 5), status="closed", due=D(2026, 11, 2),
                 responded=D(2026, 11, 10), in_time=False, outcome="granted")  # late
        add_case(uow, 3, received=D(2026, 10, 12), status="closed", due=D(2026, 11, 9),
                 responded=D(2026, 11, 2), in_time=True, outcome="partial",
                 exemptions=["s40(2)"])  # its review below overturns it
        add_case(uow, 4, received=D(2026, 12, 1), status="awaiting_owner", due=D(2026, 12, 30))
        uow.session.flush()
        cases = {c.reference: c for c in uow.session.query(Case)}
        # Their internal reviews, cases of their own:
        for n, of, received, due, responded, in_time, outcome in (
            (11, 1, D(2026, 11, 2), D(2026, 11, 30), D(2026, 11, 20), True, "upheld"),
            (13, 3, D(2026, 11, 16), D(2026, 12, 14), D(2026, 12, 16), False, "overturned"),
        ):
            add_case(uow, n, received=received, status="closed", due=due, regime="foia-review",
                     responded=responded, in_time=in_time, outcome=outcome)
            uow.session.flush()
            review = uow.session.query(Case).filter_by(reference=f"FOI {n:06d}/26").one()
            review.linked_case_id = cases[f"FOI {of:06d}/26"].id
        uow.commit()
    yield engine
    engine.dispose()


def test_every_figure_of_a_quarter_with_reviews_is_the_hand_count(quarter):
    figures = quarterly_statistics(SqlUnitOfWork(quarter), date(2026, 10, 1),
                                   date(2026, 12, 31), date(2026, 12, 20), DeadlinePolicy())
    assert figures == {
        "quarter": "2026Q4",
        "received": 4,  # cases 1-4; the two reviews are not new requests
        "answered_within_20_working_days": 2,  # 1 (day 19) and 3
        "answered_within_permitted_extension": 0,
        "late": 1,  # 2
        "still_open_not_yet_due": 1,  # 4
        "withdrawn": 0,
        "in_time_percent": 66.7,  # 2 of 3 answered
        "ico_band": "unsatisfactory",
        "responded": 3,
        "outcomes": {"Granted in full": 1, "Partly withheld": 1, "Withheld in full": 1},
        "exemptions": {"s31": 1, "s40": 1},
        "by_language": {"en": {"received": 4, "responded": 3, "late": 1,
                               "in_time_percent": 66.7}},
        "internal_reviews": {"received": 2, "responded": 2, "in_time": 1, "late": 1,
                             "still_open_not_yet_due": 0, "in_time_percent": 50.0,
                             "outcomes": {"overturned": 1, "upheld": 1}},
    }
    dashboard = performance(SqlUnitOfWork(quarter), date(2026, 10, 1), date(2026, 12, 31))
    assert (dashboard.responded, dashboard.in_time, dashboard.percent) == (3, 2, 66.7)
    assert (dashboard.reviews, dashboard.reviews_in_time) == (2, 1)
    assert dashboard.outcomes == {"granted": 1, "partial": 1, "refused": 1}
    assert dashboard.review_outcomes == {"overturned": 1, "upheld": 1}
    assert dashboard.exemptions == {"s31": 1, "s40": 1}
    from flows.dashboard import performance_markdown

    markdown = performance_markdown(dashboard, dashboard, date(2026, 12, 20))
    assert "| this quarter (2026-10-01 to 2026-12-31) | 3 | 2 | 66.7% | unsatisfactory |" \
        in markdown
    assert "**Internal reviews in time this quarter:** 1 of 2 (50.0%)" in markdown
    assert "overturned 1, upheld 1" in markdown


def test_a_subject_access_extension_adds_two_months_if_notified_within_the_first(desk):
    from foidesk.calendar import Extension
    from foidesk.services.clock_letters import ClockLetterError, extend

    desk.deliver_and_run(request_email(1, subject="Subject access request", body=SAR_REQUEST))
    due = extend(desk.uow(), REF, Extension.COMPLEX, "Your records span four systems.",
                 _responses(desk), actor="officer", now=datetime(2026, 11, 30, 10, tzinfo=UTC))
    assert due == date(2027, 2, 2)  # 2 Feb 2027: three months from 2 November
    desk.deliver_and_run(request_email(2, subject="Subject access request", body=SAR_REQUEST,
                                       sender="ann@example.org"),
                         now=datetime(2026, 11, 2, 10, tzinfo=UTC))
    with pytest.raises(ClockLetterError, match="must be notified"):
        extend(desk.uow(), "FOI 000002/26", Extension.COMPLEX, "Too late.", _responses(desk),
               actor="officer", now=datetime(2026, 12, 3, 10, tzinfo=UTC))
