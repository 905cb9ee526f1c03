"""The FOI calendar: working days, regimes, clock events and "why this date"."""

from foidesk.calendar.deadlines import (
    Deadline,
    FeePause,
    RequestClock,
    Step,
    StepKind,
    add_months,
    add_working_days,
    compute_deadline,
    working_days_before,
    working_days_between,
)
from foidesk.calendar.regimes import RULES, Extension, ReceiptRule, Regime, RegimeRule, rule_for
from foidesk.calendar.workdays import (
    Holiday,
    HolidayOverrides,
    HolidayScope,
    WorkingDayCalendar,
)

__all__ = [
    "RULES",
    "Deadline",
    "Extension",
    "FeePause",
    "Holiday",
    "HolidayOverrides",
    "HolidayScope",
    "ReceiptRule",
    "Regime",
    "RegimeRule",
    "RequestClock",
    "Step",
    "StepKind",
    "WorkingDayCalendar",
    "add_months",
    "add_working_days",
    "compute_deadline",
    "rule_for",
    "working_days_before",
    "working_days_between",
]
