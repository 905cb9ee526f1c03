"""Properties every due date must have, whatever the date and regime."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from foidesk.calendar import (
    HolidayOverrides,
    HolidayScope,
    ReceiptRule,
    Regime,
    RequestClock,
    WorkingDayCalendar,
    compute_deadline,
    rule_for,
    working_days_between,
)

receipts = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
regimes = st.sampled_from(list(Regime))
rules = st.sampled_from(list(ReceiptRule))


@settings(max_examples=300, deadline=None)
@given(received=receipts, regime=regimes, receipt_rule=rules)
def test_a_due_date_is_always_a_working_day(received, regime, receipt_rule):
    due = compute_deadline(RequestClock(received, regime, receipt_rule=receipt_rule)).due
    assert due is not None and due > received
    assert WorkingDayCalendar(rule_for(regime).scope).is_working_day(due)


@settings(max_examples=300, deadline=None)
@given(received=receipts, later_by=st.integers(0, 40), regime=regimes, receipt_rule=rules)
def test_a_later_receipt_never_gives_an_earlier_due_date(received, later_by, regime, receipt_rule):
    later = received + timedelta(days=later_by)
    first = compute_deadline(RequestClock(received, regime, receipt_rule=receipt_rule)).due
    second = compute_deadline(RequestClock(later, regime, receipt_rule=receipt_rule)).due
    assert second >= first


# A period of calendar days "beginning with" receipt (DPA s164A) is not extended by a
# holiday: the desk's date is the last working day within it, which a holiday can only
# bring forward. Every period counted in working days or months only ever moves later.
extendable = st.sampled_from([r for r in Regime if rule_for(r).calendar_days is None])


@settings(max_examples=300, deadline=None)
@given(received=receipts, offset=st.integers(-5, 70), regime=extendable)
def test_adding_a_holiday_never_makes_a_due_date_earlier(received, offset, regime):
    holiday = received + timedelta(days=offset)
    before = compute_deadline(RequestClock(received, regime)).due
    overrides = HolidayOverrides(add={holiday: "Proclaimed"})
    after = compute_deadline(RequestClock(received, regime), overrides).due
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(start=receipts, span=st.integers(min_value=-800, max_value=800),
       scope=st.sampled_from(list(HolidayScope)))
def test_the_running_count_agrees_with_walking_the_days(start, span, scope):
    workdays = WorkingDayCalendar(scope)
    end = start + timedelta(days=span)
    low, high = sorted((start, end))
    walked = sum(workdays.is_working_day(low + timedelta(days=n))
                 for n in range(1, (high - low).days + 1))
    assert working_days_between(start, end, workdays) == (walked if end >= start else -walked)
