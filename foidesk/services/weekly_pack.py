"""The weekly performance pack: the dashboard's figures and charts and the week's changes
on one or two PDF pages, with the CSV of the cases behind them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fpdf import FPDF
from sqlalchemy import select

from foidesk import charts
from foidesk.calendar import KIND_OF, Kind
from foidesk.cases import OPEN_STATUSES
from foidesk.letter_pdf import FONTS
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import LONDON, DeadlinePolicy, london_date
from foidesk.services.dashboard_page import SOON, Teams, by_team, months_in_time, open_cases
from foidesk.services.reports import due_soon, overdue, performance, quarter_of, rolling_year

CSV_COLUMNS = ["reference", "kind", "regime", "status", "received_on", "due_on",
               "responded_on", "in_time", "team"]


def parse_week(text: str) -> tuple[date, date]:
    """"2026-W48" -> Monday 23 November to Sunday 29 November 2026 (ISO weeks)."""
    found = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    if not found:
        raise ValueError(f'--week must look like 2026-W48, got "{text}"')
    monday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    return monday, monday + timedelta(days=6)


def last_week(today: date) -> str:
    """The ISO week before `today`'s: what a Monday's pack reports."""
    year, week, _ = (today - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Pack:
    week: str
    pdf: bytes
    csv: bytes
    figures: dict[str, object]

    @property
    def names(self) -> tuple[str, str]:
        return f"foi-weekly-{self.week}.pdf", f"foi-weekly-{self.week}.csv"


def weekly_pack(uow: SqlUnitOfWork, week: str, policy: DeadlinePolicy, teams: Teams,
                authority_name: str) -> Pack:
    start, end = parse_week(week)
    today = end  # figures as they stood at the end of the week
    still_open = open_cases(uow, today, policy, teams)
    figures = _figures(uow, start, end, today, policy, len(still_open))
    month_chart = charts.in_time_by_month(months_in_time(uow, today))
    team_chart = charts.open_cases_by_team(by_team(still_open))
    pdf = _pdf(week, start, end, figures, month_chart, team_chart, authority_name)
    return Pack(week, pdf, _csv(uow, start, end, teams), figures)


def _figures(uow: SqlUnitOfWork, start: date, end: date, today: date, policy: DeadlinePolicy,
             open_count: int) -> dict[str, object]:
    window = (datetime.combine(start, time.min, LONDON).astimezone(UTC),
              datetime.combine(end + timedelta(days=1), time.min, LONDON).astimezone(UTC))
    with uow:
        rows = uow.session.execute(select(Case.regime, Case.received_on, Case.responded_at,
                                          Case.in_time)).all()
    kinds = [(KIND_OF.get(r.regime), r) for r in rows]
    received = [r for k, r in kinds if k is Kind.REQUEST and start <= r.received_on <= end]
    answered = [r for k, r in kinds if k is Kind.REQUEST and r.responded_at is not None
                and window[0] <= r.responded_at < window[1]]
    quarter = performance(uow, *quarter_of(today))
    year = performance(uow, *rolling_year(today))
    return {
        "open": open_count,
        "due_soon": len(due_soon(uow, today, policy, within=SOON)),
        "overdue": len(overdue(uow, today, policy)),
        "in_time_quarter": quarter.percent, "band_quarter": quarter.band,
        "in_time_year": year.percent, "band_year": year.band,
        "received": len(received),
        "answered": len(answered),
        "answered_late": sum(1 for r in answered if not r.in_time),
        "reviews": sum(1 for k, r in kinds if k is Kind.REVIEW
                       and start <= r.received_on <= end),
        "ico_complaints": sum(1 for k, r in kinds if k is Kind.REGULATOR
                              and start <= r.received_on <= end),
    }


def _pdf(week: str, start: date, end: date, f: dict[str, object], month_chart: bytes,
         team_chart: bytes, authority_name: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"FOI weekly performance {week}")
    pdf.set_author(authority_name)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, f"{authority_name}: FOI performance, week {week}", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, f"Monday {start.day} {start:%B %Y} to Sunday {end.day} {end:%B %Y}; "
             "figures as at the end of the week.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [
        ("Open cases", str(f["open"])),
        (f"Due in the next {SOON} working days", str(f["due_soon"])),
        ("Overdue", str(f["overdue"])),
        ("In time this quarter", _pct(f["in_time_quarter"], f["band_quarter"])),
        ("In time, rolling 12 months", _pct(f["in_time_year"], f["band_year"])),
        ("Requests received this week", str(f["received"])),
        ("Answered this week", f"{f['answered']} ({f['answered_late'] or 'none'} late)"),
        ("Internal reviews received", str(f["reviews"])),
        ("ICO complaints received", str(f["ico_complaints"])),
    ]
    for label, value in rows:
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(90, 6.5, label, border="B")
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6.5, value, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.image(io.BytesIO(month_chart), w=170)
    pdf.ln(2)
    pdf.image(io.BytesIO(team_chart), w=170)
    pdf.set_font("DejaVu", "", 8)
    pdf.ln(2)
    pdf.multi_cell(0, 4.5, "The ICO's lines: 90% adequate, 95% good. A case answered within "
                   "a permitted extension counts as in time. The cases behind these figures "
                   "are in the CSV sent with this pack.")
    return bytes(pdf.output())


def _pct(value: object, band: object) -> str:
    return "no responses" if value is None else f"{value:.1f}% ({band})"


def _csv(uow: SqlUnitOfWork, start: date, end: date, teams: Teams) -> bytes:
    """Every case open at the end of the week, and every case received or answered in it."""
    open_ = [s.value for s in OPEN_STATUSES]
    with uow:
        cases = uow.session.scalars(select(Case).order_by(Case.reference)).all()
        rows = []
        for case in cases:
            responded = london_date(case.responded_at) if case.responded_at else None
            if not (case.status in open_ or start <= case.received_on <= end
                    or (responded and start <= responded <= end)):
                continue
            owner = next((a.owner for a in case.assignments
                          if a.state in ("pending", "holding")), None)
            rows.append([case.reference, str(KIND_OF.get(case.regime, "")), case.regime,
                         case.status, case.received_on.isoformat(),
                         case.due_on.isoformat() if case.due_on else "",
                         responded.isoformat() if responded else "",
                         "" if case.in_time is None else ("yes" if case.in_time else "no"),
                         teams.of(owner)])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
