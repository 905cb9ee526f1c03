"""Statistics and dashboard tables on a register whose answers are known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from report_support import add_case

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.reports import (
    caseload,
    due_soon,
    ico_band,
    overdue,
    owners,
    performance,
    quarterly_statistics,
)

D = date
POLICY = DeadlinePolicy()
TODAY = D(2026, 10, 5)


@pytest.fixture
def register(database_url):
    engine = create_register_engine(database_url)
    upgrade(engine)
    uow = SqlUnitOfWork(engine)
    with uow:
        # Received in 2026 Q3 (1 July - 30 September):
        add_case(uow, 1, received=D(2026, 7, 1), status="closed", due=D(2026, 7, 29),
                 responded=D(2026, 7, 20), in_time=True, outcome="granted")
        add_case(uow, 2, received=D(2026, 7, 2), status="closed", due=D(2026, 8, 28),
                 responded=D(2026, 8, 20), in_time=True, outcome="partial",
                 exemptions=["s31(1)(a)", "s40(2)"], extension="pit", language="cy")
        add_case(uow, 3, received=D(2026, 7, 6), status="closed", due=D(2026, 8, 3),
                 responded=D(2026, 8, 10), in_time=False, outcome="refused",
                 exemptions=["s31(3)"])
        add_case(uow, 4, received=D(2026, 9, 1), status="awaiting_owner", due=D(2026, 9, 29),
                 owner=("roads@example.gov.uk", "pending", None))
        add_case(uow, 5, received=D(2026, 9, 28), status="drafting", due=D(2026, 10, 26),
                 owner=("roads@example.gov.uk", "supplied", 4))
        add_case(uow, 6, received=D(2026, 9, 30), status="withdrawn", due=D(2026, 10, 28))
        add_case(uow, 7, received=D(2026, 8, 3), status="closed", due=D(2026, 8, 31),
                 responded=D(2026, 8, 28), in_time=True, outcome="ncnd", exemptions=["s24(2)"],
                 language="cy")
        # Out of the quarter, and an internal review (not a new request):
        add_case(uow, 8, received=D(2026, 6, 30), status="closed", due=D(2026, 7, 28),
                 responded=D(2026, 7, 27), in_time=True, outcome="not-held")
        add_case(uow, 9, received=D(2026, 9, 10), status="closed", due=D(2026, 10, 8),
                 regime="foia-review", responded=D(2026, 9, 25), in_time=True,
                 outcome="upheld", review_outcome="upheld")
        add_case(uow, 10, received=D(2026, 10, 1), status="acknowledged", due=D(2026, 10, 7),
                 owner=("finance@example.gov.uk", "supplied", 2))
        uow.commit()
    yield engine
    engine.dispose()


def test_quarterly_statistics_in_the_cabinet_office_categories(register):
    figures = quarterly_statistics(SqlUnitOfWork(register), D(2026, 7, 1), D(2026, 9, 30),
                                   TODAY, POLICY)
    assert figures == {
        "quarter": "2026Q3",
        "received": 7,
        "answered_within_20_working_days": 2,
        "answered_within_permitted_extension": 1,
        "late": 2,  # case 3 answered late; case 4 still open and past its due date
        "still_open_not_yet_due": 1,
        "withdrawn": 1,
        "outcomes": {"Granted in full": 1, "Neither confirm nor deny": 1,
                     "Partly withheld": 1, "Withheld in full": 1},
        "exemptions": {"s31": 2, "s40": 1, "s24": 1},
        # Requests by the language they were written and answered in (cases 2 and 7 Welsh).
        "by_language": {
            "cy": {"received": 2, "responded": 2, "late": 0, "in_time_percent": 100.0},
            "en": {"received": 5, "responded": 2, "late": 2, "in_time_percent": 50.0},
        },
        "internal_reviews": {"received": 1, "responded": 1, "in_time": 1, "late": 0,
                             "still_open_not_yet_due": 0, "in_time_percent": 100.0,
                             "outcomes": {"upheld": 1}},
        "in_time_percent": 75.0,
        "ico_band": "unsatisfactory",
        "responded": 4,
    }


def test_performance_counts_responses_in_the_period_the_ico_s_way(register):
    quarter = performance(SqlUnitOfWork(register), D(2026, 7, 1), D(2026, 9, 30))
    assert (quarter.responded, quarter.in_time, quarter.percent) == (5, 4, 80.0)
    assert (quarter.reviews, quarter.reviews_in_time, quarter.pit_extensions) == (1, 1, 1)
    assert quarter.exemptions == {"s31": 2, "s40": 1, "s24": 1}
    assert quarter.by_language == {"en": (3, 2), "cy": (2, 2)}
    assert (quarter.percent_in("cy"), quarter.percent_in("en")) == (100.0, 66.7)
    assert ico_band(95.0) == "good" and ico_band(94.9) == "adequate"
    assert ico_band(89.9) == "unsatisfactory"


def test_dashboard_tables(register):
    assert caseload(SqlUnitOfWork(register)) == [
        {"status": "acknowledged", "regime": "foia", "cases": 1},
        {"status": "awaiting_owner", "regime": "foia", "cases": 1},
        {"status": "drafting", "regime": "foia", "cases": 1},
    ]
    [soon] = due_soon(SqlUnitOfWork(register), TODAY, POLICY)
    assert (soon["reference"], soon["working_days_left"], soon["missing"]) == (
        "FOI 000010/26", 2, "an owner or a draft")
    [late] = overdue(SqlUnitOfWork(register), TODAY, POLICY)
    assert (late["reference"], late["days_late"], late["owner"]) == (
        "FOI 000004/26", 4, "roads@example.gov.uk")
    assert owners(SqlUnitOfWork(register)) == [
        {"owner": "finance@example.gov.uk", "outstanding": 0,
         "average_working_days_to_supply": 2.0, "supplied": 1},
        {"owner": "roads@example.gov.uk", "outstanding": 1,
         "average_working_days_to_supply": 4.0, "supplied": 1},
    ]


def test_the_dashboard_shows_requests_answered_in_welsh_beside_english(register):
    from foidesk.services.dashboard_page import Teams, dashboard_markdown

    page = dashboard_markdown(SqlUnitOfWork(register), TODAY, POLICY, Teams({}),
                              datetime(2026, 10, 5, 9, tzinfo=UTC))
    assert ("Answered in Welsh over 12 months: 2 responses, **100.0%** (green) in time "
            "(in English: **66.7%** (red))." in page)


def test_foi_performance_lists_responses_by_language_once_there_are_two(register):
    from flows.dashboard import performance_markdown

    quarter = performance(SqlUnitOfWork(register), D(2026, 7, 1), D(2026, 9, 30))
    page = performance_markdown(quarter, quarter, TODAY)
    assert ("**Responses by language (12 months):** Welsh 2 (100.0% in time), "
            "English 3 (66.7% in time)") in page
