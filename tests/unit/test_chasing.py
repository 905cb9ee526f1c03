"""The chase plan: dates, catch-up after a missed run, keys that make reruns idempotent."""

from __future__ import annotations

from datetime import date

from foidesk.calendar import HolidayScope, WorkingDayCalendar
from foidesk.chasing import AssignmentFacts, CaseFacts, Schedule, Step, plan_today

UK = WorkingDayCalendar(HolidayScope.UK)
OWNER = AssignmentFacts(7, "owner@x.gov.uk", "deputy@x.gov.uk", internal_due_on=date(2026, 7, 17),
                        assigned_on=date(2026, 7, 2))


def case(status="awaiting_owner", due=date(2026, 7, 31), version=1, assignment=OWNER):
    return CaseFacts("FOI 000001/26", status, due, version, (assignment,))


def steps(on, **kwargs):
    return [(s.step, s.role) for s in plan_today(case(**kwargs), Schedule(), UK, on)]


def test_nothing_is_due_before_the_first_reminder():
    assert steps(date(2026, 7, 14)) == []


def test_the_reminder_before_skips_the_northern_ireland_holiday():
    # 2 working days before Friday 17 July is Wednesday 15 July.
    assert steps(date(2026, 7, 15)) == [(Step.REMINDER_BEFORE, "owner")]


def test_after_a_missed_run_only_the_latest_reminder_is_sent():
    planned = plan_today(case(), Schedule(), UK, date(2026, 7, 23))
    reminders = [s for s in planned if s.step in (Step.REMINDER_BEFORE, Step.REMINDER_DUE,
                                                  Step.REMINDER_OVERDUE)]
    assert [(s.step, s.planned_on) for s in reminders] == [
        (Step.REMINDER_OVERDUE, date(2026, 7, 23))]


def test_keys_change_with_the_deadline_version_so_a_new_plan_is_followed():
    first = plan_today(case(version=1), Schedule(), UK, date(2026, 7, 15))[0]
    second = plan_today(case(version=2), Schedule(), UK, date(2026, 7, 15))[0]
    assert first.key != second.key and first.key.endswith("|v1")


def test_stopped_clocks_and_finished_cases_are_never_chased():
    for status in ("clarification_requested", "fee_pending", "withdrawn", "closed", "responded"):
        assert steps(date(2026, 7, 17), status=status) == []


def test_the_manager_hears_five_working_days_out_unless_a_response_is_approved():
    assert (Step.ESCALATE_MANAGER, "manager") in steps(date(2026, 7, 24))
    assert (Step.ESCALATE_MANAGER, "manager") not in steps(date(2026, 7, 24), status="approved")
    assert (Step.ESCALATE_MANAGER, "manager") not in steps(date(2026, 7, 23))


def test_an_away_owner_s_reminder_goes_to_the_deputy_with_the_reason():
    away = AssignmentFacts(7, "owner@x.gov.uk", "deputy@x.gov.uk", date(2026, 7, 17),
                           date(2026, 7, 2), owner_away_on=date(2026, 7, 17))
    [step] = [s for s in plan_today(case(assignment=away), Schedule(), UK, date(2026, 7, 17))]
    assert (step.step, step.role) == (Step.REMINDER_DUE, "deputy")
    assert "out of the office" in step.why


def test_each_overdue_reminder_knows_which_repeat_it_is():
    # Due Fri 17 July; overdue reminders every 2 working days: 21, 23, 27, 29 and 31 July,
    # then 5 August (Scotland's 3 August holiday skipped): on 4 August the fifth is latest.
    numbers = {}
    for day in (date(2026, 7, 21), date(2026, 7, 23), date(2026, 7, 27), date(2026, 8, 4)):
        [reminder] = [s for s in plan_today(case(), Schedule(), UK, day)
                      if s.step is Step.REMINDER_OVERDUE]
        numbers[day] = reminder.repeat
    assert numbers == {date(2026, 7, 21): 1, date(2026, 7, 23): 2, date(2026, 7, 27): 3,
                       date(2026, 8, 4): 5}
