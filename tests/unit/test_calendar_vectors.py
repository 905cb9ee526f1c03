"""Due dates that the law, the ICO and real letters fix: each vector is a known answer."""

from __future__ import annotations

import re
from datetime import date

import pytest

from foidesk.calendar import (
    Extension,
    FeePause,
    HolidayOverrides,
    ReceiptRule,
    Regime,
    RequestClock,
    compute_deadline,
)

D = date.fromisoformat

FOIA_VECTORS = [
    ("2018-10-16", "2018-11-13"),  # the seed letter, FOI 003787/18
    ("2014-11-17", "2014-12-16"),
    ("2014-11-26", "2014-12-29"),  # St Andrew's Day (observed, Scotland) 1 Dec 2014 skipped
    ("2014-12-02", "2015-01-05"),
    ("2014-12-19", "2015-01-22"),
    ("2014-12-24", "2015-01-27"),
    ("2015-01-05", "2015-02-02"),
    ("2014-12-01", "2014-12-31"),  # received on a (Scottish) holiday: still day 0
    ("2022-09-05", "2022-10-04"),  # the Queen's funeral, 19 Sep 2022
    ("2022-05-20", "2022-06-21"),  # Platinum Jubilee, 2-3 Jun 2022
    ("2023-04-24", "2023-05-24"),  # Coronation, 8 May 2023
    ("2018-06-28", "2018-07-27"),  # Battle of the Boyne (NI) 12 Jul 2018 skipped
    ("2018-03-26", "2018-04-25"),  # Good Friday and Easter Monday
    ("2018-03-05", "2018-04-05"),  # St Patrick's Day (observed, NI) 19 Mar 2018
]


@pytest.mark.parametrize(("received", "due"), FOIA_VECTORS)
def test_foia_due_date_is_the_twentieth_working_day_counting_every_uk_holiday(received, due):
    assert compute_deadline(RequestClock(D(received))).due == D(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2018-06-28", "2018-07-26"),  # the Boyne is not a Scottish holiday
        ("2018-03-26", "2018-04-24"),  # Easter Monday is a working day in Scotland
        ("2018-03-05", "2018-04-03"),
    ],
)
def test_foisa_counts_scottish_holidays_only(received, due):
    assert compute_deadline(RequestClock(D(received), Regime.FOISA)).due == D(due)


def test_code_of_practice_rule_rolls_a_holiday_receipt_to_the_next_working_day():
    clock = RequestClock(D("2014-12-01"), receipt_rule=ReceiptRule.CODE_2018)
    assert compute_deadline(clock).due == D("2015-01-05")


def test_code_rule_changes_nothing_for_a_request_received_on_a_working_day():
    clock = RequestClock(D("2018-10-16"), receipt_rule=ReceiptRule.CODE_2018)
    assert compute_deadline(clock).due == D("2018-11-13")


def test_eir_complex_and_voluminous_allows_forty_working_days():
    clock = RequestClock(D("2018-10-16"), Regime.EIR, extension=Extension.COMPLEX)
    assert compute_deadline(clock).due == D("2018-12-12")


def test_fees_notice_period_is_disregarded_both_days_inclusive():
    clock = RequestClock(
        D("2018-10-01"), fee_pauses=(FeePause(D("2018-10-15"), D("2018-10-24")),)
    )
    assert compute_deadline(clock).due == D("2018-11-08")


def test_unpaid_fee_stops_the_clock_with_no_due_date():
    result = compute_deadline(
        RequestClock(D("2018-10-01"), fee_pauses=(FeePause(D("2018-10-15")),))
    )
    assert result.due is None
    assert result.paused_since == D("2018-10-15")


def test_clarification_restarts_the_full_period_from_its_receipt():
    clock = RequestClock(D("2018-10-01"), clarified=D("2018-10-16"))
    assert compute_deadline(clock).due == D("2018-11-13")


def test_public_interest_extension_adds_at_most_twenty_working_days():
    full = compute_deadline(RequestClock(D("2018-10-16"), extension=Extension.PIT)).due
    assert full == D("2018-12-12")  # 40 working days after receipt
    shorter = RequestClock(D("2018-10-16"), extension=Extension.PIT, extension_days=5)
    assert compute_deadline(shorter).due == D("2018-11-20")
    with pytest.raises(ValueError, match="1 to 20 working days, got 21"):
        compute_deadline(RequestClock(D("2018-10-16"), extension=Extension.PIT, extension_days=21))


def test_an_extension_the_regime_does_not_have_is_refused():
    with pytest.raises(ValueError, match="foisa allows no 'pit' extension"):
        compute_deadline(RequestClock(D("2018-10-16"), Regime.FOISA, extension=Extension.PIT))
    with pytest.raises(ValueError, match="foia allows no 'complex' extension"):
        compute_deadline(RequestClock(D("2018-10-16"), extension=Extension.COMPLEX))


@pytest.mark.parametrize(
    ("regime", "received", "due"),
    [
        (Regime.FOIA_REVIEW, "2018-10-16", "2018-11-13"),
        (Regime.EIR_REVIEW, "2018-10-16", "2018-12-12"),
        (Regime.FOISA_REVIEW, "2018-03-26", "2018-04-24"),
    ],
)
def test_internal_review_time_limits(regime, received, due):
    assert compute_deadline(RequestClock(D(received), regime)).due == D(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2023-01-30", "2023-02-28"),  # no 30 February: the last day of the month
        ("2018-11-30", "2018-12-31"),  # 30 Dec 2018 is a Sunday
        ("2023-03-31", "2023-05-02"),  # 30 Apr 2023 a Sunday, 1 May a bank holiday
    ],
)
def test_subject_access_request_is_one_calendar_month(received, due):
    assert compute_deadline(RequestClock(D(received), Regime.SAR)).due == D(due)


def test_complex_subject_access_request_has_three_months():
    clock = RequestClock(D("2023-01-16"), Regime.SAR, extension=Extension.COMPLEX)
    assert compute_deadline(clock).due == D("2023-04-17")  # 16 Apr 2023 is a Sunday


def test_a_holiday_added_by_config_moves_the_due_date():
    overrides = HolidayOverrides(add={D("2018-11-05"): "Proclaimed holiday"})
    assert compute_deadline(RequestClock(D("2018-10-16")), overrides).due == D("2018-11-14")


def test_a_holiday_removed_by_config_is_a_working_day_again():
    overrides = HolidayOverrides(remove=frozenset({D("2014-12-01")}))
    assert compute_deadline(RequestClock(D("2014-11-26")), overrides).due == D("2014-12-24")


def test_explanation_lists_day_zero_every_counted_day_and_each_skipped_day_by_name():
    text = compute_deadline(RequestClock(D("2014-11-26"))).explain()
    lines = text.splitlines()
    assert "FOIA s10(1)" in lines[1]
    assert "2014-11-26 Wed  day  0: request received" in lines
    assert "2014-12-01 Mon  skipped: Saint Andrew's Day (observed) (Scotland)" in lines
    assert "2014-12-25 Thu  skipped: Christmas Day (all of the UK)" in lines
    assert "2014-11-29 Sat  skipped: Saturday" in lines
    counted = [line for line in lines if re.match(r"^\d{4}-\d\d-\d\d \w{3}  day +[1-9]", line)]
    assert len(counted) == 20
    assert lines[-1] == "Due: 2014-12-29 (Monday 29 December 2014)"


def test_explanation_marks_the_fee_pause_and_the_restart():
    clock = RequestClock(
        D("2018-10-01"),
        clarified=D("2018-10-02"),
        fee_pauses=(FeePause(D("2018-10-15"), D("2018-10-16")),),
    )
    text = compute_deadline(clock).explain()
    assert "clarification received: the clock restarts in full" in text
    assert "2018-10-15 Mon  skipped: fees notice period, disregarded" in text
    assert "s10(2)" in text
