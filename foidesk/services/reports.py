"""What managers see: caseload, due soon, overdue, owners, performance, and the quarterly
statistics, computed by SQL aggregation on indexed columns (status, due_on, responded_at),
never by loading every case into Python."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from foidesk.calendar import (
    KIND_OF,
    RULES,
    Extension,
    Kind,
    Regime,
    WorkingDayCalendar,
    add_months,
    add_working_days,
    working_days_before,
    working_days_between,
)
from foidesk.cases import OPEN_STATUSES
from foidesk.register.models import Assignment, Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import DeadlinePolicy

OPEN = [s.value for s in OPEN_STATUSES]
# Each case is counted in its own category: a request in its quarter's timeliness, an
# internal review among the reviews, never one in place of the other.
REQUEST_REGIMES = [r for r, kind in KIND_OF.items() if kind is Kind.REQUEST]
INFORMATION_REGIMES = [r for r in REQUEST_REGIMES if r != "sar"]  # FOI and EIR statistics
REVIEW_REGIMES = [r for r, kind in KIND_OF.items() if kind is Kind.REVIEW]
ICO_BANDS = ((95.0, "good"), (90.0, "adequate"), (0.0, "unsatisfactory"))
OUTCOME_CATEGORIES = {
    "granted": "Granted in full",
    "partial": "Partly withheld",
    "partial-ncnd": "Partly withheld",
    "refused": "Withheld in full",
    "not-held": "Information not held",
    "ncnd": "Neither confirm nor deny",
    "lapsed": "Lapsed or withdrawn",
}


def ico_band(percent: float | None) -> str:
    if percent is None:
        return "no responses yet"
    return next(label for floor, label in ICO_BANDS if percent >= floor)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


# -- the dashboard ------------------------------------------------------------------------


def caseload(uow: SqlUnitOfWork) -> list[dict[str, Any]]:
    """Open cases by state and regime."""
    with uow:
        rows = uow.session.execute(
            select(Case.status, Case.regime, func.count())
            .where(Case.status.in_(OPEN)).group_by(Case.status, Case.regime)
            .order_by(Case.status, Case.regime)
        ).all()
    return [{"status": s, "regime": r, "cases": n} for s, r, n in rows]


def due_soon(uow: SqlUnitOfWork, today: date, policy: DeadlinePolicy,
             within: int = 5) -> list[dict[str, Any]]:
    """Open cases due within `within` working days, with owner and what is missing."""
    limit = add_working_days(today, within, WorkingDayCalendar(overrides=policy.overrides))
    return _listing(uow, and_(Case.due_on >= today, Case.due_on <= limit), today, policy)


def overdue(uow: SqlUnitOfWork, today: date, policy: DeadlinePolicy) -> list[dict[str, Any]]:
    return _listing(uow, Case.due_on < today, today, policy)


def _listing(uow: SqlUnitOfWork, condition, today: date,
             policy: DeadlinePolicy) -> list[dict[str, Any]]:
    with uow:
        found = uow.session.execute(
            select(Case.id, Case.reference, Case.regime, Case.status, Case.subject, Case.due_on)
            .where(Case.status.in_(OPEN), Case.due_on.is_not(None), condition)
            .order_by(Case.due_on, Case.reference)
        ).all()
        ids = [row.id for row in found]
        owners: dict[int, list[str]] = {}
        for case_id, owner in uow.session.execute(
            select(Assignment.case_id, Assignment.owner).where(
                Assignment.case_id.in_(ids), Assignment.state.in_(["pending", "holding"]))
        ):
            owners.setdefault(case_id, []).append(owner)
    rows = []
    for row in found:
        workdays = WorkingDayCalendar(RULES[Regime(row.regime)].scope, policy.overrides)
        left = working_days_between(today, row.due_on, workdays)
        missing = owners.get(row.id)
        rows.append({
            "reference": row.reference, "subject": row.subject, "status": row.status,
            "due_on": row.due_on.isoformat(), "working_days_left": left,
            "days_late": max(0, -left), "owner": ", ".join(missing or []) or "FOI team",
            "missing": (f"information from {', '.join(missing)}" if missing
                        else waiting_for(row.status)),
        })
    return rows


def waiting_for(status: str) -> str:
    """What a case in `status` waits for next, once no owner still owes information."""
    return {"received": "acknowledgement", "acknowledged": "an owner or a draft",
            "drafting": "the draft response", "in_review": "the reviewer's decision",
            "approved": "sending", "reopened": "a fresh response"}.get(status, status)


def owners(uow: SqlUnitOfWork) -> list[dict[str, Any]]:
    """Outstanding assignments per owner and their average working days to supply."""
    with uow:
        rows = uow.session.execute(
            select(
                Assignment.owner,
                func.sum(case((Assignment.state.in_(["pending", "holding"]), 1), else_=0)),
                func.avg(Assignment.supply_working_days),
                func.count(Assignment.supply_working_days),
            ).group_by(Assignment.owner).order_by(Assignment.owner)
        ).all()
    return [{"owner": owner, "outstanding": int(open_ or 0),
             "average_working_days_to_supply": round(float(avg), 1) if avg is not None else None,
             "supplied": int(n)} for owner, open_, avg, n in rows]


@dataclass
class Performance:
    """In-time figures for a period, counted the ICO's way (a permitted extension met is in
    time), and what the period's responses were."""

    start: date
    end: date
    responded: int = 0
    in_time: int = 0
    reviews: int = 0
    reviews_in_time: int = 0
    pit_extensions: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    exemptions: dict[str, int] = field(default_factory=dict)
    review_outcomes: dict[str, int] = field(default_factory=dict)
    # Responses by the language the request was answered in: (responded, in time). The
    # Welsh Language Standards: answering in Welsh must not cause delay.
    by_language: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return round(100 * self.in_time / self.responded, 1) if self.responded else None

    def percent_in(self, language: str) -> float | None:
        responded, in_time = self.by_language.get(language, (0, 0))
        return round(100 * in_time / responded, 1) if responded else None

    @property
    def band(self) -> str:
        return ico_band(self.percent)


def performance(uow: SqlUnitOfWork, start: date, end: date) -> Performance:
    """Responses sent from `start` to `end` inclusive."""
    window = and_(Case.responded_at >= _start(start),
                  Case.responded_at < _start(end + timedelta(days=1)))
    result = Performance(start, end)
    with uow:
        is_review = Case.regime.in_(REVIEW_REGIMES)
        is_request = Case.regime.in_(REQUEST_REGIMES)
        first = uow.session.execute(
            select(
                func.sum(case((is_request, 1), else_=0)),
                func.sum(case((and_(is_request, Case.in_time.is_(True)), 1), else_=0)),
                func.sum(case((is_review, 1), else_=0)),
                func.sum(case((and_(is_review, Case.in_time.is_(True)), 1), else_=0)),
                func.sum(case((and_(is_request, Case.extension == "pit"), 1), else_=0)),
            ).where(window)
        ).one()
        (result.responded, result.in_time, result.reviews, result.reviews_in_time,
         result.pit_extensions) = (int(v or 0) for v in first)
        result.outcomes = {
            outcome: n for outcome, n in uow.session.execute(
                select(Case.outcome, func.count()).where(window, is_request)
                .group_by(Case.outcome)).all() if outcome
        }
        result.review_outcomes = {
            outcome: n for outcome, n in uow.session.execute(
                select(Case.outcome, func.count()).where(window, is_review)
                .group_by(Case.outcome)).all() if outcome
        }
        result.by_language = {
            language or "en": (int(n), int(on_time or 0)) for language, n, on_time in
            uow.session.execute(
                select(Case.language, func.count(),
                       func.sum(case((Case.in_time.is_(True), 1), else_=0)))
                .where(window, is_request).group_by(Case.language)).all()
        }
        counted: Counter[str] = Counter()
        for (exemptions,) in uow.session.execute(select(Case.exemptions)
                                                 .where(window, is_request)):
            counted.update(_section(e) for e in exemptions or [])
        result.exemptions = dict(counted.most_common())
    return result


def _section(citation: str) -> str:
    """s31(1)(a) -> s31; reg 12(5)(b) stays itself."""
    text = citation.strip()
    if text.lower().startswith("reg"):
        return text
    return text.split("(", 1)[0]


def rolling_year(today: date) -> tuple[date, date]:
    return add_months(today, -12), today


def quarter_of(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    return start, add_months(start, 3) - timedelta(days=1)


# -- quarterly statistics -----------------------------------------------------------------


def parse_quarter(text: str) -> tuple[date, date]:
    """"2026Q3" -> 1 July 2026 to 30 September 2026."""
    match = re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", text.strip())
    if not match:
        raise ValueError(f'--quarter must look like 2026Q3, got "{text}"')
    year, number = int(match.group(1)), int(match.group(2))
    return quarter_of(date(year, 3 * number - 2, 1))


def quarterly_statistics(uow: SqlUnitOfWork, start: date, end: date, today: date,
                         policy: DeadlinePolicy) -> dict[str, Any]:
    """The Cabinet Office's quarterly categories for FOI and EIR requests received in the
    quarter, and the internal reviews received in it, each counted in its own category."""
    columns = (Case.reference, Case.regime, Case.received_on, Case.status, Case.due_on,
               Case.responded_due_on, Case.responded_at, Case.in_time, Case.extension,
               Case.extension_days, Case.outcome, Case.exemptions, Case.language)
    in_quarter = and_(Case.received_on >= start, Case.received_on <= end)
    with uow:
        rows = uow.session.execute(
            select(*columns).where(in_quarter, Case.regime.in_(INFORMATION_REGIMES))).all()
        reviews = uow.session.execute(
            select(*columns).where(in_quarter, Case.regime.in_(REVIEW_REGIMES))).all()
    timeliness = _timeliness(rows, today, policy)
    outcomes: Counter[str] = Counter()
    exemptions: Counter[str] = Counter()
    for row in rows:
        if row.responded_at is not None and row.status != "withdrawn":
            outcomes[OUTCOME_CATEGORIES.get(row.outcome or "", row.outcome or "unknown")] += 1
            exemptions.update(_section(e) for e in row.exemptions or [])
    return {
        "quarter": f"{start.year}Q{(start.month - 1) // 3 + 1}",
        "received": len(rows),
        **timeliness,
        "outcomes": dict(sorted(outcomes.items())),
        "exemptions": dict(exemptions.most_common()),
        "by_language": _by_language(rows, today, policy),
        "internal_reviews": _review_figures(reviews, today, policy),
    }


def _by_language(rows, today: date, policy: DeadlinePolicy) -> dict[str, dict[str, Any]]:
    """Requests received by the language they were written and answered in, each with its
    own timeliness: answering in Welsh must not cause delay (Welsh Language Standards)."""
    languages: dict[str, list] = {}
    for row in rows:
        languages.setdefault(row.language or "en", []).append(row)
    out = {}
    for language, group in sorted(languages.items()):
        figures = _timeliness(group, today, policy)
        out[language] = {"received": len(group), "responded": figures["responded"],
                         "late": figures["late"], "in_time_percent": figures["in_time_percent"]}
    return out


def _timeliness(rows, today: date, policy: DeadlinePolicy) -> dict[str, Any]:
    """Answered within the time limit, within a permitted extension, late, still open."""
    within_20 = within_extension = late = pending = withdrawn = 0
    for row in rows:
        if row.status == "withdrawn":
            withdrawn += 1
            continue
        if row.responded_at is None:
            if row.due_on is not None and row.due_on < today:
                late += 1
            else:
                pending += 1
            continue
        if not row.in_time:
            late += 1
        elif row.extension and row.responded_at.date() > _original_due(row, policy):
            within_extension += 1
        else:
            within_20 += 1
    in_time = within_20 + within_extension
    responded = sum(1 for r in rows if r.responded_at is not None)
    percent = round(100 * in_time / responded, 1) if responded else None
    return {
        "answered_within_20_working_days": within_20,
        "answered_within_permitted_extension": within_extension,
        "late": late,
        "still_open_not_yet_due": pending,
        "withdrawn": withdrawn,
        "in_time_percent": percent,
        "ico_band": ico_band(percent),
        "responded": responded,
    }


def _review_figures(reviews, today: date, policy: DeadlinePolicy) -> dict[str, Any]:
    """Internal reviews received in the quarter: their own timeliness and outcomes."""
    figures = _timeliness(reviews, today, policy)
    return {
        "received": len(reviews),
        "responded": figures["responded"],
        "in_time": (figures["answered_within_20_working_days"]
                    + figures["answered_within_permitted_extension"]),
        "late": figures["late"],
        "still_open_not_yet_due": figures["still_open_not_yet_due"],
        "in_time_percent": figures["in_time_percent"],
        "outcomes": dict(sorted(Counter(r.outcome for r in reviews if r.responded_at is not None
                                        and r.outcome).items())),
    }


def _original_due(row, policy: DeadlinePolicy) -> date:
    """The due date before its extension (clarifications and fee pauses kept), to tell
    "within 20 working days" from "within a permitted extension"."""
    rule = RULES[Regime(row.regime)]
    due = row.responded_due_on or row.due_on
    if rule.months is not None:
        return add_months(due, -rule.extra_for(Extension(row.extension)))
    workdays = WorkingDayCalendar(rule.scope, policy.overrides)
    extra = row.extension_days or rule.extra_for(Extension(row.extension))
    return working_days_before(due, extra, workdays)
