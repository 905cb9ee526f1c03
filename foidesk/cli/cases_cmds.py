"""`foidesk cases`, `foidesk case`, `foidesk new` and `foidesk recompute-deadlines`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from foidesk.calendar import Regime, WorkingDayCalendar, add_working_days
from foidesk.cases import OPEN_STATUSES, CaseStatus, IllegalTransition
from foidesk.cli.common import (
    EXIT_USAGE,
    ConfigOption,
    JsonOption,
    NowOption,
    fail,
    now_from,
    open_desk,
    out,
)
from foidesk.register.repository import CaseNotFound
from foidesk.services.cases import (
    ClockEventKind,
    NewRequest,
    london_date,
    recompute_open_deadlines,
    record_clock_event,
    register_case,
)
from foidesk.views import case_document, cases_document


def cases(
    status: Annotated[
        list[str] | None,
        typer.Option(
            metavar="STATUS", help="Only these statuses (repeatable); 'open' (default) or 'all'."
        ),
    ] = None,
    due_within: Annotated[
        int | None,
        typer.Option(
            min=0, metavar="N", help="Only cases due within N working days (overdue included)."
        ),
    ] = None,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """List cases, soonest due first.

    Example: foidesk cases --due-within 5 --json
    """
    statuses = _statuses(status or ["open"])
    desk = open_desk(config)
    today = london_date(now_from(now))
    limit = None
    if due_within is not None:
        workdays = WorkingDayCalendar(overrides=desk.policy.overrides)
        limit = add_working_days(today, due_within, workdays)
    with desk.uow() as uow:
        found = uow.cases.list(statuses=statuses, due_on_or_before=limit)
        document = cases_document(found, today, desk.policy)
    desk.close()
    if as_json:
        _print_json(document)
        return
    table = Table(title=f"Cases as of {today.isoformat()}")
    for column in ("Reference", "Regime", "Status", "Received", "Due", "Days left"):
        table.add_column(column, no_wrap=True)
    table.add_column("Subject")
    for row in document["cases"]:
        left = row["working_days_left"]
        table.add_row(
            row["reference"],
            row["regime"],
            row["status"],
            row["received_on"],
            row["due_on"] or "stopped",
            "" if left is None else str(left),
            row["subject"],
        )
    out.print(table)
    out.print(f"{len(document['cases'])} case(s)", markup=False)


def case(
    reference: Annotated[str, typer.Argument(help="Case reference, e.g. 'FOI 003787/18'.")],
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Show one case: its details, why its due date is what it is, and its timeline.

    Example: foidesk case "FOI 000001/26" --json
    """
    desk = open_desk(config)
    today = london_date(now_from(now))
    with desk.uow() as uow:
        try:
            found = uow.cases.get(reference)
        except CaseNotFound as error:
            fail(str(error))
        document = case_document(found, uow.cases.events(found), today, desk.policy)
    desk.close()
    if as_json:
        _print_json(document)
        return
    _print_case(document)


def new(
    subject: Annotated[str, typer.Option(help="What the request is about.")],
    requester: Annotated[str, typer.Option(help="Requester's name.")],
    email: Annotated[str | None, typer.Option(help="Requester's email address.")] = None,
    received: Annotated[
        str | None, typer.Option(help="When it was received (ISO); default: --now.")
    ] = None,
    regime: Annotated[
        Regime | None, typer.Option(help="Default: the authority's (FOISA in Scotland, else FOIA).")
    ] = None,
    question: Annotated[
        list[str] | None,
        typer.Option(metavar="TEXT", help="A numbered item of the request (repeatable)."),
    ] = None,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Register a request that did not come by email (post, phone, counter).

    Example: foidesk new --subject "Speed cameras" --requester "A. Person" --received 2026-11-02
    """
    desk = open_desk(config)
    moment = now_from(now)
    received_at = now_from(received) if received else moment
    reference = register_case(
        desk.uow(),
        NewRequest(
            requester_name=requester,
            requester_email=email,
            subject=subject,
            received_at=received_at,
            regime=regime or desk.settings.authority.default_regime,
            questions=tuple((str(i), text) for i, text in enumerate(question or [], start=1)),
        ),
        reference_format=desk.reference_format,
        policy=desk.policy,
        actor="cli",
        now=moment,
    )
    with desk.uow() as uow:
        due = uow.cases.get(reference).due_on
    desk.close()
    out.print(f"{reference} due {due}", markup=False)


def clock(
    reference: Annotated[str, typer.Argument(help="Case reference.")],
    event: Annotated[ClockEventKind, typer.Argument(help="What happened to the clock.")],
    on: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="The date it happened.")
    ],
    days: Annotated[
        int | None, typer.Option(help="Working days of a PIT extension (1-20; default 20).")
    ] = None,
    note: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Record a clock event (clarification, fees notice, extension) and print the new due date.

    Example: foidesk clock "FOI 000001/26" fee_notice --on 2026-11-10
    """
    desk = open_desk(config)
    try:
        due = record_clock_event(
            desk.uow(),
            reference,
            event,
            on.date(),
            policy=desk.policy,
            actor="cli",
            now=now_from(now),
            days=days,
            note=note,
        )
    except (CaseNotFound, IllegalTransition) as error:
        fail(str(error))
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    finally:
        desk.close()
    out.print(f"{reference} due {due or 'stopped'}", markup=False)


def recompute_deadlines(
    reason: Annotated[str, typer.Option(help="Why, for the audit trail (e.g. 'holiday added').")],
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Recompute every open case's due date after the calendar config changed.

    Example: foidesk recompute-deadlines --reason "bank holiday proclaimed for 2027-06-07"
    """
    desk = open_desk(config)
    moved = recompute_open_deadlines(
        desk.uow(), desk.policy, actor="cli", now=now_from(now), why=reason
    )
    desk.close()
    for reference, old, new_due in moved:
        out.print(f"{reference}: {old} -> {new_due}", markup=False)
    out.print(f"{len(moved)} due date(s) changed", markup=False)


def _statuses(wanted: list[str]) -> list[str] | None:
    if "all" in wanted:
        return None
    chosen: set[str] = set()
    for name in wanted:
        if name == "open":
            chosen |= {s.value for s in OPEN_STATUSES}
            continue
        try:
            chosen.add(CaseStatus(name).value)
        except ValueError:
            known = ", ".join(["open", "all", *(s.value for s in CaseStatus)])
            fail(f'--status must be one of {known}, got "{name}"', EXIT_USAGE)
    return sorted(chosen)


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def _print_case(document: dict[str, Any]) -> None:
    table = Table(show_header=False, title=document["reference"])
    for key in ("regime", "status", "subject", "received_on", "due_on", "working_days_left",
                "deadline_version", "extension", "outcome"):
        value = document[key]
        table.add_row(key.replace("_", " "), "" if value is None else str(value))
    requester = document["requester"]
    table.add_row("requester", f"{requester['name']} <{requester['email'] or 'no email'}>")
    out.print(table)
    for question in document["questions"]:
        out.print(f"  {question['number']}. {question['text']}", markup=False)
    out.print("Why this date:", markup=False)
    for line in document["deadline_explanation"]:
        out.print(f"  {line}", markup=False)
    timeline = Table(title="Timeline")
    for column in ("When (UTC)", "Who", "What"):
        timeline.add_column(column, no_wrap=True)
    timeline.add_column("Change")
    timeline.add_column("Detail")
    for event in document["events"]:
        timeline.add_row(
            event["at"][:16].replace("T", " "),
            event["actor"],
            event["action"],
            _change(event["before"] or {}, event["after"] or {}),
            event["detail"],
        )
    out.print(timeline)


def _change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """`status: received -> acknowledged`, one line per key that changed."""
    lines = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new_value = before.get(key), after.get(key)
        if key not in before:
            lines.append(f"{key}: {new_value}")
        elif old != new_value:
            lines.append(f"{key}: {old} -> {new_value}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command()(cases)
    app.command()(case)
    app.command()(new)
    app.command()(clock)
    app.command("recompute-deadlines")(recompute_deadlines)
