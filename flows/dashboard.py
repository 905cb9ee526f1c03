"""The managers' dashboard: keyed Prefect artifacts, updated hourly and after each intake
and response, computed by SQL aggregation in foidesk.services.reports."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import flow, get_client, task
from prefect.artifacts import MarkdownArtifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.common import load_config, parse_now, run_name
from foidesk.bootstrap import Desk, bootstrap
from foidesk.language import LANGUAGE_NAMES
from foidesk.services.cases import LONDON, london_date
from foidesk.services.dashboard_page import (
    STATUS_WORDS,
    artifact_keys,
    people_rows,
    teams_from_settings,
)
from foidesk.services.reports import (
    Performance,
    caseload,
    due_soon,
    overdue,
    owners,
    performance,
    quarter_of,
    rolling_year,
)


@task(cache_policy=NO_CACHE)
def publish_tables(desk: Desk, today, as_of: str = "") -> dict[str, int]:
    """The caseload, due-soon, overdue and owners tables."""
    as_of = as_of or today.isoformat()
    teams = teams_from_settings(desk.settings)
    keys = artifact_keys(desk.settings)
    tables = {
        "foi-caseload": ([{"Status": STATUS_WORDS.get(r["status"], r["status"]),
                           "Regime": r["regime"], "Cases": r["cases"]}
                          for r in caseload(desk.uow())], "Open cases by state and regime"),
        "foi-due-soon": (people_rows(due_soon(desk.uow(), today, desk.policy), teams, late=False),
                         "Cases due within 5 working days, with team and what is missing"),
        "foi-overdue": (people_rows(overdue(desk.uow(), today, desk.policy), teams, late=True),
                        "Overdue cases: how late, the team and what is missing"),
        "foi-owners": ([{"Team": teams.of(r["owner"]), "Owner": r["owner"],
                         "Outstanding": r["outstanding"],
                         "Average working days to supply":
                             r["average_working_days_to_supply"], "Supplied": r["supplied"]}
                        for r in owners(desk.uow())],
                       "Outstanding assignments per team and owner; average working days to "
                       "supply"),
    }
    empty = {"foi-caseload": "No case is open.",
             "foi-due-soon": "No case is due in the next 5 working days.",
             "foi-overdue": "No case is overdue.",
             "foi-owners": "No owner has been given any work yet."}
    for key, (rows, description) in tables.items():
        create_table_artifact(key=keys.named(key), table=rows or [{"note": empty[key]}],
                              description=f"{description} (as of {as_of})")
    return {key: len(rows) for key, (rows, _) in tables.items()}


@task(cache_policy=NO_CACHE)
def publish_performance(desk: Desk, today) -> str:
    """In-time % this quarter and over 12 months against the ICO's bands."""
    quarter = performance(desk.uow(), *quarter_of(today))
    year = performance(desk.uow(), *rolling_year(today))
    markdown = performance_markdown(quarter, year, today)
    create_markdown_artifact(key=artifact_keys(desk.settings).named("foi-performance"),
                             markdown=markdown,
                             description="In-time performance against the ICO's bands")
    return markdown


def _by_language(year: Performance) -> list[str]:
    """Responses by the language they were written in, once there is more than one: the
    Welsh Language Standards require that answering in Welsh causes no delay."""
    if len(year.by_language) < 2:
        return []
    parts = [f"{LANGUAGE_NAMES.get(code, code)} {responded:,} "
             f"({year.percent_in(code):.1f}% in time)"
             for code, (responded, _) in sorted(year.by_language.items())]
    return [f"**Responses by language (12 months):** {', '.join(parts)}", ""]


def performance_markdown(quarter: Performance, year: Performance, today) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}%"

    def share(part: int, whole: int) -> str:
        return "n/a" if not whole else f"{100 * part / whole:.1f}%"

    lines = [
        f"# FOI performance at {today:%d %B %Y}",
        "",
        "| period | responses | in time | in-time % | ICO band |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| this quarter ({quarter.start} to {quarter.end}) | {quarter.responded} | "
        f"{quarter.in_time} | {pct(quarter.percent)} | {quarter.band} |",
        f"| rolling 12 months | {year.responded} | {year.in_time} | {pct(year.percent)} | "
        f"{year.band} |",
        "",
        "ICO bands: good at 95% or more, adequate 90-95%, unsatisfactory below 90%. A case "
        "answered within a permitted extension counts as in time.",
        "",
        "Each case counts once, in its own category: a request when it is answered, an "
        "internal review (a case of its own) when the review is done.",
        "",
        *_by_language(year),
        f"**Internal reviews in time this quarter:** {quarter.reviews_in_time} of "
        f"{quarter.reviews} ({share(quarter.reviews_in_time, quarter.reviews)})",
        "",
        f"**Internal reviews in time (12 months):** {year.reviews_in_time} of {year.reviews} "
        f"({share(year.reviews_in_time, year.reviews)})",
        "",
        "**Internal review outcomes (12 months):** "
        + (", ".join(f"{name} {count}" for name, count in sorted(year.review_outcomes.items()))
           or "none"),
        "",
        f"**Public-interest extensions used (12 months):** {year.pit_extensions}",
        "",
        "## Outcomes (12 months)",
        "",
    ]
    lines += [f"- {name}: {count}" for name, count in sorted(year.outcomes.items())] or ["- none"]
    lines += ["", "## Top exemptions (12 months)", ""]
    lines += [f"- {name}: {count}" for name, count in list(year.exemptions.items())[:10]] or [
        "- none"]
    return "\n".join(lines)


@task(cache_policy=NO_CACHE)
def publish_pages(desk: Desk, today, moment, only: list[str] | None = None) -> int:
    """foi-dashboard, and one foi-case-<ref> page for every open case (or, after an
    intake, for the cases it touched: a page per open case per intake would add hundreds
    of artifact rows a poll to Prefect's database on a busy desk)."""
    from foidesk.cases import OPEN_STATUSES
    from foidesk.services.dashboard_page import case_markdown, dashboard_markdown
    from foidesk.services.reviews import linked_to, original_of
    from foidesk.views import case_document

    teams = teams_from_settings(desk.settings)
    keys = artifact_keys(desk.settings)
    # The UI shows an artifact key's page with its latest description rendered as markdown
    # above the version list (checked in headless Chromium: tables, links and data-URL
    # images all render), so the page is also the description: Artifacts, then the key,
    # and the manager sees it all.
    page = dashboard_markdown(desk.uow(), today, desk.policy, teams, moment, keys)
    create_markdown_artifact(key=keys.named("foi-dashboard"), markdown=page, description=page)
    with desk.uow() as uow:
        cases = uow.cases.list(statuses=[s.value for s in OPEN_STATUSES], references=only)
        pages = [(c.reference, case_document(c, uow.cases.events(c), today, desk.policy,
                                             linked_to=original_of(uow, c),
                                             linked=linked_to(uow, c))) for c in cases]
    publish_markdown({keys.case(reference): case_markdown(document, teams, moment, keys)
                      for reference, document in pages})
    return len(pages)


# Case pages are sent to the Prefect server this many at a time: each is one call, and
# after a backlog they would otherwise wait for each other's round trips.
PAGE_CALLS_AT_ONCE = 8


def publish_markdown(pages: dict[str, str]) -> None:
    """Each page (artifact key -> markdown, also its description) as a markdown artifact
    of this run, a few calls at a time over one client."""
    if not pages:
        return

    async def publish_all() -> None:
        at_once = asyncio.Semaphore(PAGE_CALLS_AT_ONCE)
        async with get_client() as client:

            async def publish(key: str, text: str) -> None:
                async with at_once:
                    await MarkdownArtifact(key=key, markdown=text,
                                           description=text).acreate(client)

            await asyncio.gather(*(publish(key, text) for key, text in pages.items()))

    asyncio.run(publish_all())


@flow(name="dashboard", flow_run_name=run_name("dashboard"))
def dashboard(config_path: str | None = None, now: str | None = None,
              cases: list[str] | None = None) -> dict[str, int]:
    """Refresh the managers' artifacts: caseload, due soon, overdue, owners, performance;
    the case pages of every open case, or only of `cases`."""
    desk = bootstrap(load_config(config_path))
    counts = refresh(desk, parse_now(now), cases)
    desk.close()
    return counts


def refresh(desk: Desk, moment: datetime, cases: list[str] | None = None) -> dict[str, int]:
    """The dashboard's three tasks, in the flow that calls this: the dashboard flow, or an
    intake that has just registered `cases` (as tasks of its own, not a subflow, whose
    run would cost the poll a few blocking calls to the Prefect server)."""
    today = london_date(moment)
    moment = moment.astimezone(LONDON)
    counts = publish_tables(desk, today, f"{moment:%d %B %Y %H:%M}")
    counts["foi-case pages"] = publish_pages(desk, today, moment, cases)
    publish_performance(desk, today)
    return counts
