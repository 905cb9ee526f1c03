"""Subject access under the Data (Use and Access) Act 2025: known answers for the month, its
stops and its extension, each vector beside the words of the law that fix it."""

from __future__ import annotations

from datetime import date

import pytest

from foidesk.calendar import (
    ClockStop,
    Extension,
    Regime,
    RequestClock,
    compute_deadline,
)

D = date.fromisoformat

# UK GDPR art. 12(3): "without undue delay and in any event within one month of receipt";
# ICO: "the corresponding calendar date in the next month", "the last day of the following
# month" when there is none, and "the next working day" when it falls on a weekend or a
# public holiday.
MONTH_VECTORS = [
    ("2026-03-03", "2026-04-07"),  # 3 Apr is Good Friday, 6 Apr Easter Monday
    ("2026-01-31", "2026-03-02"),  # no 31 Feb: the last day, Sat 28 Feb, then Monday
    ("2028-01-31", "2028-02-29"),  # leap year: 29 Feb 2028 is a Tuesday
    ("2028-02-29", "2028-03-29"),  # from a leap day: the corresponding date exists
    ("2026-12-24", "2027-01-25"),  # 24 Jan 2027 is a Sunday
]


@pytest.mark.parametrize(("received", "due"), MONTH_VECTORS)
def test_one_calendar_month_with_the_ico_s_month_end_and_working_day_rules(received, due):
    assert compute_deadline(RequestClock(D(received), Regime.SAR)).due == D(due)


# UK GDPR art. 12A (inserted by DUAA 2025 s76, in force 5 February 2026): where the
# controller "reasonably requires further information in order to identify the
# information or processing activities to which [the] request relates", "the period
# beginning with the day on which the controller makes the request and ending with the day
# on which the controller receives the information does not count towards" the time limit.
def _stop_due(received: str, asked: str, answered: str) -> date:
    clock = RequestClock(D(received), Regime.SAR,
                         stops=(ClockStop(D(asked), D(answered)),))
    due = compute_deadline(clock).due
    assert due is not None
    return due


@pytest.mark.parametrize(
    ("received", "asked", "answered", "due"),
    [
        ("2026-03-02", "2026-03-05", "2026-03-10", "2026-04-08"),  # 2 Apr + 6 days
        # 2 Apr + 1 day = Good Friday 3 Apr; Easter Monday 6 Apr; so Tuesday 7 Apr
        ("2026-03-02", "2026-03-05", "2026-03-05", "2026-04-07"),
        ("2026-01-31", "2026-02-02", "2026-02-03", "2026-03-02"),  # 28 Feb + 2 days
        ("2028-01-30", "2028-02-01", "2028-02-01", "2028-03-01"),  # leap: 29 Feb + 1 day
        # 20 Dec + 12 days = 1 Jan 2027, New Year's Day; then the weekend, and Monday
        # 4 January is Scotland's 2 January holiday (observed): Tuesday 5 January
        ("2026-11-20", "2026-11-23", "2026-12-04", "2027-01-05"),
    ],
)
def test_an_art_12a_stop_does_not_count_from_the_day_asked_to_the_day_answered(
        received, asked, answered, due):
    assert _stop_due(received, asked, answered) == D(due)


def test_the_days_before_the_stop_are_kept_not_restarted():
    # A restart would give 14 Apr + 1 month = 14 May; the stop keeps the days used before
    # it: 2 Apr + 41 days (5 Mar to 14 Apr) = 13 May.
    assert _stop_due("2026-03-02", "2026-03-05", "2026-04-14") == D("2026-05-13")


def test_while_the_information_is_awaited_there_is_no_due_date():
    deadline = compute_deadline(RequestClock(D("2026-03-02"), Regime.SAR,
                                             stops=(ClockStop(D("2026-03-05")),)))
    assert deadline.due is None and deadline.paused_since == D("2026-03-05")
    assert "art. 12A" in deadline.explain()


def test_two_stops_both_count_out():
    clock = RequestClock(D("2026-03-02"), Regime.SAR, stops=(
        ClockStop(D("2026-03-05"), D("2026-03-06")), ClockStop(D("2026-03-20"),
                                                               D("2026-03-22"))))
    assert compute_deadline(clock).due == D("2026-04-07")  # 2 Apr + 2 + 3 days


# UK GDPR art. 12(3): "That period may be extended by two further months where necessary,
# taking into account the complexity and number of the requests."
def test_the_complex_extension_adds_two_months_and_keeps_the_stop():
    clock = RequestClock(D("2026-03-02"), Regime.SAR, extension=Extension.COMPLEX,
                         stops=(ClockStop(D("2026-03-05"), D("2026-03-10")),))
    assert compute_deadline(clock).due == D("2026-06-08")  # 2 Jun + 6 days


def test_an_answer_before_the_question_is_refused():
    with pytest.raises(ValueError, match="before it was asked"):
        ClockStop(D("2026-03-05"), D("2026-03-04"))


# DPA 2018 s164A(3)(a) (inserted by DUAA 2025 s103, in force 19 June 2026): acknowledge
# "within the period of 30 days beginning with the day on which the complaint is received".
@pytest.mark.parametrize(("received", "due"), [
    ("2026-06-19", "2026-07-17"),  # day 30 is Saturday 18 July: not extended, so Friday
    ("2026-12-10", "2027-01-08"),  # day 1 is the day of receipt
])
def test_a_data_protection_complaint_is_acknowledged_within_30_days(received, due):
    assert compute_deadline(RequestClock(D(received), Regime.DP_COMPLAINT)).due == D(due)
