"""Statutory due dates, with the clock events that move them and the reasons why.

`compute_deadline` is a pure function: the same request facts and calendar
always give the same date, so the register can recompute every open case when
a holiday is proclaimed, and "why this date" can be shown day by day.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from foidesk.calendar.regimes import (
    KIND_OF,
    Extension,
    Kind,
    ReceiptRule,
    Regime,
    RegimeRule,
    rule_for,
)
from foidesk.calendar.workdays import HolidayOverrides, WorkingDayCalendar
from foidesk.wording import count


@dataclass(frozen=True)
class FeePause:
    """A fees notice (FOIA s9) and, once it arrives, the payment.

    FOIA s10(2): the working days from the day the notice is given to the day the
    fee is received, both inclusive, are disregarded. Until the fee arrives
    (`paid` is None) the clock stands still and there is no due date.
    """

    notice: date
    paid: date | None = None

    def __post_init__(self) -> None:
        if self.paid is not None and self.paid < self.notice:
            raise ValueError(
                f"fee paid on {self.paid} is before the fees notice of {self.notice}"
            )


@dataclass(frozen=True)
class ClockStop:
    """UK GDPR art. 12A(3): "the period beginning with the day on which the controller
    makes the request and ending with the day on which the controller receives the
    information does not count" towards the time limit. Until the answer arrives
    (`answered` is None) there is no due date."""

    asked: date
    answered: date | None = None

    def __post_init__(self) -> None:
        if self.answered is not None and self.answered < self.asked:
            raise ValueError(f"information received on {self.answered} is before it was "
                             f"asked for on {self.asked}")

    @property
    def days(self) -> int:
        """Calendar days that do not count, both ends included."""
        return 0 if self.answered is None else (self.answered - self.asked).days + 1


@dataclass(frozen=True)
class RequestClock:
    """Everything about a request that decides its due date."""

    received: date
    regime: Regime = Regime.FOIA
    clarified: date | None = None  # when the requester's clarification arrived (s1(3))
    clarification_sought: date | None = None  # asked and not yet answered: the clock stops
    fee_pauses: tuple[FeePause, ...] = ()
    extension: Extension | None = None
    extension_days: int | None = None  # PIT extension shorter than the 20-day maximum
    receipt_rule: ReceiptRule = ReceiptRule.ICO
    stops: tuple[ClockStop, ...] = ()  # subject access: art. 12A stops, the days kept


class StepKind(StrEnum):
    START = "start"
    COUNTED = "counted"
    SKIPPED = "skipped"
    NOTE = "note"


@dataclass(frozen=True)
class Step:
    """One line of "why this date"."""

    day: date
    kind: StepKind
    text: str
    number: int | None = None  # the working day's number when counted


@dataclass(frozen=True)
class Deadline:
    """A computed due date, or None while the clock is stopped, with its reasons."""

    due: date | None
    regime: Regime
    start: date
    steps: tuple[Step, ...] = field(default_factory=tuple)
    basis: tuple[str, ...] = ()
    paused_since: date | None = None

    def explain(self) -> str:
        """A readable account: the law applied, day 0, each day counted or skipped and why."""
        lines = [f"Regime: {self.regime.value}"]
        lines += [f"  {text}" for text in self.basis]
        for step in self.steps:
            stamp = f"{step.day.isoformat()} {step.day:%a}"
            if step.kind is StepKind.COUNTED:
                lines.append(f"{stamp}  day {step.number:>2}{_suffix(step.text)}")
            elif step.kind is StepKind.SKIPPED:
                lines.append(f"{stamp}  skipped: {step.text}")
            elif step.kind is StepKind.START:
                lines.append(f"{stamp}  day  0: {step.text}")
            else:
                lines.append(f"{stamp}  note: {step.text}")
        if self.due is None:
            lines.append(f"No due date: the clock stopped on {self.paused_since}.")
        else:
            lines.append(f"Due: {self.due.isoformat()} ({self.due:%A %d %B %Y})")
        return "\n".join(lines)


def _suffix(text: str) -> str:
    return f": {text}" if text else ""


def compute_deadline(
    clock: RequestClock, overrides: HolidayOverrides | None = None
) -> Deadline:
    """The due date of a request under its regime, counting working days or months.

    Kept for the run: a backlog's requests share a few dates of receipt, and the same
    facts and calendar always give the same (immutable) deadline."""
    key = (clock, (overrides or HolidayOverrides()).key)  # None counts no day, as empty does
    deadline = _KEPT.get(key)
    if deadline is None:
        if len(_KEPT) >= KEPT_DEADLINES:
            _KEPT.clear()
        deadline = _KEPT[key] = _computed_deadline(clock, overrides)
    return deadline


KEPT_DEADLINES = 4096
_KEPT: dict[tuple, Deadline] = {}


def _computed_deadline(clock: RequestClock, overrides: HolidayOverrides | None) -> Deadline:
    rule = rule_for(clock.regime)
    workdays = WorkingDayCalendar(rule.scope, overrides)
    if clock.clarification_sought is not None:
        start, steps = _day_zero(clock, workdays)
        steps.append(Step(clock.clarification_sought, StepKind.NOTE,
                          "clarification sought (s1(3)): no due date until the reply"))
        return Deadline(None, clock.regime, start, tuple(steps), (rule.citation,),
                        clock.clarification_sought)
    if rule.months is not None:
        return _month_deadline(clock, rule, workdays)
    if rule.calendar_days is not None:
        return _calendar_day_deadline(clock, rule, workdays)
    return _working_day_deadline(clock, rule, workdays)


# What arrived on day 0, for cases that are not requests.
DAY_ZERO = {
    Kind.REVIEW: "request for an internal review received",
    Kind.DP_COMPLAINT: "complaint received",
    Kind.REGULATOR: "the Commissioner's letter received",
}

# Where each regime says a clarification starts the time for compliance again.
RESTART_CITATION: dict[Regime, str] = {
    Regime.FOIA: "FOIA s1(3), s10(6)",
    Regime.EIR: "EIR reg 9(4)",
    Regime.FOISA: "FOISA s1(3), s10(1)(b)",
    Regime.EIRS: "EIRs reg 9(4)",
}


def _day_zero(clock: RequestClock, workdays: WorkingDayCalendar) -> tuple[date, list[Step]]:
    """Day 0: the date of receipt, or of the clarification that restarts the clock."""
    steps: list[Step] = []
    start = clock.received
    reason = DAY_ZERO.get(KIND_OF.get(clock.regime.value), "request received")
    if clock.clarified is not None:
        if clock.clarified < clock.received:
            raise ValueError(
                f"clarification on {clock.clarified} is before receipt on {clock.received}"
            )
        steps.append(Step(clock.received, StepKind.NOTE, "request received"))
        start = clock.clarified
        reason = ("clarification received: the clock restarts in full "
                  f"({RESTART_CITATION.get(clock.regime, 'FOIA s1(3), s10(6)')})")
    if clock.receipt_rule is ReceiptRule.CODE_2018:
        rolled = workdays.next_working_day(start)
        if rolled != start:
            why = workdays.non_working_reason(start)
            steps.append(Step(start, StepKind.NOTE, f"{reason} on a non-working day ({why})"))
            start = rolled
            reason = "treated as received on the next working day (s45 Code of Practice 2018)"
    steps.append(Step(start, StepKind.START, reason))
    return start, steps


def _working_day_deadline(
    clock: RequestClock, rule: RegimeRule, workdays: WorkingDayCalendar
) -> Deadline:
    start, steps = _day_zero(clock, workdays)
    basis = [rule.citation]
    target = rule.working_days or 0
    original_target = target
    if clock.extension is not None:
        extra = rule.extra_for(clock.extension)
        if clock.extension_days is not None:
            if not 1 <= clock.extension_days <= extra:
                raise ValueError(
                    f"a {clock.extension.value} extension is 1 to {extra} working days, "
                    f"got {clock.extension_days}"
                )
            extra = clock.extension_days
        target += extra
        basis.append((rule.extension_citations or {})[clock.extension])
    pauses = _pauses_after(clock, rule, start)
    if pauses:
        basis.append(rule.fee_citation)
    counted = 0
    day = start
    while counted < target:
        day += timedelta(days=1)
        pause = next((p for p in pauses if p.notice <= day), None) if pauses else None
        if pause is not None and pause.paid is None:
            steps.append(Step(day, StepKind.NOTE, "fees notice given: the clock stops until paid"))
            return Deadline(None, clock.regime, start, tuple(steps), tuple(basis), day)
        if pause is not None and day <= pause.paid:  # type: ignore[operator]
            steps.append(Step(day, StepKind.SKIPPED, "fees notice period, disregarded"))
            continue
        if pause is not None:
            pauses.remove(pause)
        reason = workdays.non_working_reason(day)
        if reason is not None:
            steps.append(Step(day, StepKind.SKIPPED, reason))
            continue
        counted += 1
        note = ""
        if counted == original_target and target != original_target:
            note = "the original due date, before the extension"
        steps.append(Step(day, StepKind.COUNTED, note, counted))
    return Deadline(day, clock.regime, start, tuple(steps), tuple(basis))


def _pauses_after(clock: RequestClock, rule: RegimeRule, start: date) -> list[FeePause]:
    """The fee pauses that fall after day 0, in date order; a regime without them refuses."""
    if clock.fee_pauses and not rule.fee_pause:
        raise ValueError(f"{rule.regime.value} has no fees notice that pauses the clock")
    return sorted(
        (p for p in clock.fee_pauses if p.notice >= start), key=lambda p: p.notice
    )


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` later, or the last day of that month if there is none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _month_deadline(
    clock: RequestClock, rule: RegimeRule, workdays: WorkingDayCalendar
) -> Deadline:
    """UK GDPR art. 12(3): a calendar month, moved on by the days of any art. 12A stop, then
    to the next working day if need be."""
    if clock.fee_pauses:
        raise ValueError(f"{rule.regime.value} has no fees notice that pauses the clock")
    start, steps = _day_zero(clock, workdays)
    basis = [rule.citation]
    months = rule.months or 1
    if clock.extension is not None:
        months += rule.extra_for(clock.extension)
        basis.append((rule.extension_citations or {})[clock.extension])
    stops = sorted((s for s in clock.stops if s.asked >= start), key=lambda s: s.asked)
    if stops:
        basis.append(STOP_CITATION)
    for stop in stops:
        if stop.answered is None:
            steps.append(Step(stop.asked, StepKind.NOTE, "information sought (UK GDPR art. "
                              "12A): the clock stops until it arrives"))
            return Deadline(None, clock.regime, start, tuple(steps), tuple(basis), stop.asked)
        steps.append(Step(stop.asked, StepKind.NOTE,
                          f"information sought: {count(stop.days, 'day')} to {stop.answered} "
                          "do not count (UK GDPR art. 12A)"))
    corresponding = add_months(start, months)
    if corresponding.day != start.day:
        steps.append(
            Step(corresponding, StepKind.NOTE, "no corresponding date: the last day of the month")
        )
    else:
        steps.append(
            Step(corresponding, StepKind.NOTE,
                 f"the corresponding date {count(months, 'month')} later")
        )
    due = corresponding + timedelta(days=sum(stop.days for stop in stops))
    if due != corresponding:
        steps.append(Step(due, StepKind.NOTE, "moved on by the days the clock stopped"))
    due = _next_working(due, steps, workdays)
    return Deadline(due, clock.regime, start, tuple(steps), tuple(basis))


STOP_CITATION = ("UK GDPR art. 12A: while the controller waits for information it reasonably "
                 "requires, from the day it asks to the day it receives it, the time does not "
                 "count")


def _next_working(due: date, steps: list[Step], workdays: WorkingDayCalendar) -> date:
    while (reason := workdays.non_working_reason(due)) is not None:
        steps.append(Step(due, StepKind.SKIPPED, reason))
        due += timedelta(days=1)
    return due


def _calendar_day_deadline(
    clock: RequestClock, rule: RegimeRule, workdays: WorkingDayCalendar
) -> Deadline:
    """"The period of N days beginning with the day on which it is received": day 1 is
    the day of receipt. The law does not extend the period past a weekend or holiday, so
    the desk's date is the last working day on or before its end."""
    start, steps = _day_zero(clock, workdays)
    last = start + timedelta(days=(rule.calendar_days or 1) - 1)
    steps.append(Step(last, StepKind.NOTE, f"day {rule.calendar_days} of the period beginning "
                      "with the day of receipt"))
    due = last
    while (reason := workdays.non_working_reason(due)) is not None:
        steps.append(Step(due, StepKind.SKIPPED, f"{reason}: the period is not extended, so "
                          "the day before"))
        due -= timedelta(days=1)
    return Deadline(due, clock.regime, start, tuple(steps), (rule.citation,))


def working_days_between(
    start: date, end: date, workdays: WorkingDayCalendar
) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end >= start:
        return workdays.count_working_days(start, end)
    return -workdays.count_working_days(end, start)


def add_working_days(start: date, days: int, workdays: WorkingDayCalendar) -> date:
    """The `days`-th working day after `start` (day 0)."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if workdays.is_working_day(day):
            counted += 1
    return day


def working_days_before(day: date, days: int, workdays: WorkingDayCalendar) -> date:
    """The `days`-th working day before `day`."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    found = 0
    while found < days:
        day -= timedelta(days=1)
        if workdays.is_working_day(day):
            found += 1
    return day
