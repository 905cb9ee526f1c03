"""The managers' landing page and one page per open case, as markdown a Prefect artifact
shows: figures with red, amber and green, two charts, and tables whose references open the
case's own page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from foidesk import charts, wording
from foidesk.calendar import WorkingDayCalendar, add_months, rule_for, working_days_between
from foidesk.cases import OPEN_STATUSES
from foidesk.register.models import Assignment, Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import LONDON, DeadlinePolicy
from foidesk.services.reports import due_soon, overdue, performance, quarter_of, rolling_year

SOON = 5  # working days
FOI_TEAM = "FOI team"
STATUS_WORDS = {
    "received": "received", "acknowledged": "acknowledged, no owner yet",
    "awaiting_owner": "waiting for the owner", "drafting": "being drafted",
    "in_review": "with the reviewer", "approved": "approved, sending",
    "clarification_requested": "waiting for the requester's clarification",
    "fee_pending": "waiting for the fee", "reopened": "fresh response owed",
}


@dataclass(frozen=True)
class ArtifactKeys:
    """The Prefect artifact keys of one authority's pages. On a server that serves several
    authorities each key starts with the authority's key (`norfolk-foi-caseload`), so no
    authority's page is overwritten by, or links to, another's."""

    authority: str = ""

    def named(self, name: str) -> str:
        return f"{self.authority}-{name}" if self.authority else name

    def case(self, reference: str) -> str:
        """`FOI 000001/26-IR` -> `foi-case-foi-000001-26-ir` (Prefect keys: a-z, 0-9, -)."""
        return self.named("foi-case-" + re.sub(r"[^a-z0-9]+", "-", reference.lower()).strip("-"))

    def case_link(self, reference: str) -> str:
        return f"[{reference}](/artifacts/key/{self.case(reference)})"


def artifact_keys(settings) -> ArtifactKeys:
    return ArtifactKeys(settings.authority.key)


@dataclass(frozen=True)
class Teams:
    """Owner addresses by the team (routing rule) a manager knows them as."""

    by_address: dict[str, str]

    def of(self, address: str | None) -> str:
        if not address:
            return FOI_TEAM
        return self.by_address.get(address.lower(), address.split("@")[0].replace(".", " "))


def teams_from_settings(settings) -> Teams:
    """Owners and deputies by the routing rule (team) that names them."""
    found: dict[str, str] = {}
    for rule in settings.routing:
        for address in (rule.owner, rule.deputy):
            if address:
                found.setdefault(str(address).lower(), rule.name)
    return Teams(found)


def dashboard_markdown(uow: SqlUnitOfWork, today: date, policy: DeadlinePolicy, teams: Teams,
                       as_of: datetime, keys: ArtifactKeys = ArtifactKeys()) -> str:
    """foi-dashboard: how are we doing, at a glance, in the order a manager asks."""
    soon = due_soon(uow, today, policy, within=SOON)
    late = overdue(uow, today, policy)
    still_open = open_cases(uow, today, policy, teams)
    quarter = performance(uow, *quarter_of(today))
    year = performance(uow, *rolling_year(today))
    months = months_in_time(uow, today)
    local = as_of.astimezone(LONDON)
    by_month = charts.data_url(charts.in_time_by_month(months))
    team_chart = charts.data_url(charts.open_cases_by_team(by_team(still_open)))
    lines = [
        "# FOI dashboard", "",
        f"As of {local:%A} {local.day} {local:%B %Y, %H:%M} (UK time). Refreshed after every "
        "intake and "
        "response, and every hour.", "",
        "| | Open cases | Due in 5 working days | Overdue | In time this quarter | "
        "In time, 12 months |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| | **{len(still_open)}** | **{len(soon)}** {_rag(len(soon), amber=True)} | "
        f"**{len(late)}** {_rag(len(late))} | {_percent(quarter.percent)} | "
        f"{_percent(year.percent)} |", "",
        f"This quarter {_in_time(quarter)} ({quarter.band}); over 12 months "
        f"{_in_time(year)} ({year.band}). The ICO's lines: 90% adequate, 95% good.", "",
        *_in_welsh(year),
        f"![In-time % by month for 12 months]({by_month})",
        "",
        f"![Open cases by owner team]({team_chart})",
        "",
        "## Overdue", "",
    ]
    lines += _table(late, teams, keys, late=True) or ["No case is overdue."]
    lines += ["", f"## Due in the next {SOON} working days", ""]
    lines += _table(soon, teams, keys, late=False) or [
        f"No case is due in the next {SOON} working days."]
    lines += ["", "Each reference opens the case's own page: details, why its date is what "
              "it is, questions, owners, documents and timeline."]
    return "\n".join(lines)


def _in_welsh(year) -> list[str]:
    """A line for requests answered in Welsh, once there are any: the Welsh Language
    Standards require that answering in Welsh causes no delay."""
    welsh, _ = year.by_language.get("cy", (0, 0))
    if not welsh:
        return []
    english = year.percent_in("en")
    return [f"Answered in Welsh over 12 months: {welsh:,} "
            f"{'response' if welsh == 1 else 'responses'}, "
            f"{_percent(year.percent_in('cy'))} in time (in English: {_percent(english)}).", ""]


def people_rows(rows: list[dict[str, Any]], teams: Teams, *, late: bool) -> list[dict]:
    """Due-soon or overdue rows as a manager reads them, in the order that fits a laptop
    screen: the case, its team, what it waits for, when it was due, how late, the subject."""
    out = []
    for row in rows:
        owners = [o.strip() for o in row["owner"].split(",")] if row["owner"] != FOI_TEAM \
            else []
        days = row["working_days_left"]
        out.append({
            "Case": row["reference"],
            "Team": ", ".join(sorted({teams.of(o) for o in owners})) or FOI_TEAM,
            "Waiting for": _missing(row, teams),
            "Due": row["due_on"],
            ("Late by" if late else "Time left"):
                wording.count(-days, "working day") if late else wording.days_left(days),
            "Subject": row["subject"],
        })
    return out


def _table(rows: list[dict[str, Any]], teams: Teams, keys: ArtifactKeys, *,
           late: bool) -> list[str]:
    if not rows:
        return []
    when = "Late by" if late else "Time left"
    out = [f"| Case | Subject | Team | Due | {when} | Waiting for |",
           "| --- | --- | --- | --- | --- | --- |"]
    for row in people_rows(rows, teams, late=late):
        due = date.fromisoformat(row["Due"])
        out.append(f"| {keys.case_link(row['Case'])} | {_cell(row['Subject'])} | {row['Team']} | "
                   f"{due.day} {due:%b %Y} | {row[when]} | {_cell(row['Waiting for'])} |")
    return out


def _missing(row: dict[str, Any], teams: Teams) -> str:
    text = row["missing"]
    for address in re.findall(r"[\w.+-]+@[\w.-]+", text):
        text = text.replace(address, teams.of(address))
    return text


@dataclass(frozen=True)
class OpenCase:
    reference: str
    team: str
    state: str  # on time | at risk | late


def open_cases(uow: SqlUnitOfWork, today: date, policy: DeadlinePolicy,
                teams: Teams) -> list[OpenCase]:
    with uow:
        cases = uow.session.execute(
            select(Case.id, Case.reference, Case.regime, Case.due_on)
            .where(Case.status.in_([s.value for s in OPEN_STATUSES]))).all()
        owners: dict[int, str] = {}
        for case_id, owner in uow.session.execute(
                select(Assignment.case_id, Assignment.owner).where(
                    Assignment.state.in_(["pending", "holding"]))):
            owners.setdefault(case_id, owner)
    found = []
    for row in cases:
        state = "on time"
        if row.due_on is not None:
            workdays = WorkingDayCalendar(rule_for(row.regime).scope, policy.overrides)
            left = working_days_between(today, row.due_on, workdays)
            state = "late" if left < 0 else "at risk" if left <= SOON else "on time"
        found.append(OpenCase(row.reference, teams.of(owners.get(row.id)), state))
    return found


def by_team(cases: list[OpenCase]) -> list[tuple[str, int, int, int]]:
    names = sorted({c.team for c in cases})
    return [(name, *(sum(1 for c in cases if c.team == name and c.state == state)
                     for state in ("on time", "at risk", "late"))) for name in names]


def months_in_time(uow: SqlUnitOfWork, today: date) -> list[tuple[str, float | None]]:
    start = add_months(date(today.year, today.month, 1), -11)
    months = []
    for n in range(12):
        first = add_months(start, n)
        last = add_months(first, 1) - timedelta(days=1)
        months.append((f"{first:%b %y}", performance(uow, first, last).percent))
    return months


def _rag(n: int, *, amber: bool = False) -> str:
    """Red, amber or green in words: a colour alone (or an emoji a browser has no font
    for) tells a reader nothing."""
    return "(green)" if n == 0 else ("(amber)" if amber else "(red)")


def _percent(value: float | None) -> str:
    if value is None:
        return "no responses yet"
    colour = "green" if value >= 95 else "amber" if value >= 90 else "red"
    return f"**{value:.1f}%** ({colour})"


def _in_time(figures) -> str:
    """"1 of 1 response was in time", "9 of 10 responses were in time"."""
    verb = "was" if figures.in_time == 1 else "were"
    return f"{figures.in_time} of {wording.count(figures.responded, 'response')} {verb} in time"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def case_markdown(document: dict[str, Any], teams: Teams, as_of: datetime,
                  keys: ArtifactKeys = ArtifactKeys()) -> str:
    """foi-case-<ref>: one case as `foidesk case` shows it, for a reader in Prefect."""
    local = as_of.astimezone(LONDON)
    d = document
    lines = [f"# {d['reference']}: {_cell(d['subject'])}", "",
             f"As of {local.day} {local:%B %Y, %H:%M} (UK time). [Back to the dashboard]"
             f"(/artifacts/key/{keys.named('foi-dashboard')})", "",
             "| | |", "| --- | --- |",
             f"| Regime | {d['regime']} |",
             *(["| Language | Welsh: the requester is written to in Welsh |"]
               if d.get("language") == "cy" else []),
             f"| Status | {STATUS_WORDS.get(d['status'], d['status'])} |",
             f"| Received | {d['received_on']} |",
             f"| Due | {d['due_on'] or 'clock stopped'} |"]
    if d["working_days_left"] is not None:
        lines.append(f"| Time left | {wording.days_left(d['working_days_left'])} |")
    if d["linked_to"]:
        lines.append(f"| About | {keys.case_link(d['linked_to']['reference'])} |")
    for link in d["linked_cases"]:
        lines.append(f"| Linked | {keys.case_link(link['reference'])} ({link['regime']}, "
                     f"{link['status']}) |")
    lines += ["", "## Why this date", "", "```", *d["deadline_explanation"], "```", ""]
    if d["questions"]:
        lines += ["## Questions", ""]
        lines += [f"{q['number']}. {_cell(q['text'])} — "
                  f"{'answered' if q['answer'] else 'not answered yet'}"
                  for q in d["questions"]]
        lines.append("")
    if d["assignments"]:
        lines += ["## Owners", "", "| Team | Owner | Their date | State |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {teams.of(a['owner'])} | {a['owner']} | {a['internal_due_on']} | "
                  f"{a['state']} |" for a in d["assignments"]]
        lines.append("")
    if d["documents"]:
        lines += ["## Documents", "", "| # | File | Decision | Check |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {x['number']} | {_cell(x['filename'])} | {x['decision']} | "
                  + (f"{len(x['findings'])} findings" if x["findings"] else "nothing hidden")
                  + " |" for x in d["documents"]]
        lines.append("")
    lines += ["## Timeline", "", "| When (UTC) | Who | What |", "| --- | --- | --- |"]
    lines += [f"| {e['at'][:16].replace('T', ' ')} | {e['actor']} | "
              f"{e['action'].replace('_', ' ')} |" for e in d["events"]]
    return "\n".join(lines)
