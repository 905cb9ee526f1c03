"""`foidesk cases`, `foidesk case`, `foidesk new` and `foidesk recompute-deadlines`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
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
from foidesk.references import file_stem
from foidesk.register.repository import CaseNotFound
from foidesk.services.cases import (
    ClockEventKind,
    NewRequest,
    london_date,
    recompute_open_deadlines,
    record_clock_event,
)
from foidesk.services.reviews import linked_to, original_of
from foidesk.views import case_document, cases_document
from foidesk.wording import count


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
    out.print(count(len(document["cases"]), "case"), markup=False)


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
        document = case_document(found, uow.cases.events(found), today, desk.policy,
                                 linked_to=original_of(uow, found),
                                 linked=linked_to(uow, found))
    desk.close()
    if as_json:
        _print_json(document)
        return
    _print_case(document)


def new(
    subject: Annotated[str, typer.Option(help="What the request is about.")],
    requester: Annotated[str, typer.Option(help="Requester's name.")],
    email: Annotated[str | None, typer.Option(help="Requester's email address.")] = None,
    address: Annotated[
        str | None, typer.Option(help="Requester's postal address (lines separated by commas "
                                      "or newlines).")
    ] = None,
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
    text: Annotated[
        str | None, typer.Option(help="The request's words, when not split into questions.")
    ] = None,
    how: Annotated[str, typer.Option(help="How it arrived, for the audit trail.")] = "by post",
    letter_to: Annotated[
        Path | None, typer.Option(help="Where to write the acknowledgement letter when there "
                                       "is no email address (default: <reference>-"
                                       "acknowledgement.pdf here).")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send/--queue", help="Send the acknowledgement and the owner's "
                                                  "task now (default), or at the next run.")
    ] = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Register a request that did not come by email (post, phone, counter): it is
    acknowledged (by email, or a letter to print) and routed like a mailed one.

    Example: foidesk new --subject "Speed cameras" --requester "A. Person" --received 2026-11-02
    """
    from foidesk.bootstrap import intake_settings
    from foidesk.services.intake.by_hand import register_by_hand

    desk = open_desk(config)
    moment = now_from(now)
    received_at = now_from(received) if received else moment
    questions = tuple((str(i), q) for i, q in enumerate(question or [], start=1))
    words = text or "\n".join(f"{n}. {q}" for n, q in questions) or subject
    postal = "\n".join(part.strip() for part in (address or "").replace(",", "\n").splitlines()
                       if part.strip()) or None
    done = register_by_hand(
        desk.uow(),
        NewRequest(
            requester_name=requester, requester_email=email, subject=subject,
            received_at=received_at, regime=regime or desk.settings.authority.default_regime,
            questions=questions, postal_address=postal,
        ),
        intake_settings(desk.settings), text=words, how=how, actor="cli", now=moment,
    )
    if send and desk.settings.sender is not None:
        from foidesk.cli.response_cmds import _drain

        _drain(desk, moment)
    desk.close()
    out.print(f"{done.reference} due {done.due_on}", markup=False)
    if done.letter is not None:
        path = letter_to or Path(f"{file_stem(done.reference)}-acknowledgement.pdf")
        path.write_bytes(done.letter.pdf)
        out.print(f"acknowledgement: a letter to print and post, written to {path}",
                  markup=False)
    else:
        out.print(f"acknowledgement: emailed to {email}" if send and desk.settings.sender
                  else f"acknowledgement: queued for {email}", markup=False)
    out.print(f"routed to {done.owner}" if done.owner else
              "routed to the FOI team: no routing rule matched", markup=False)



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
    out.print(f"{count(len(moved), 'due date')} changed", markup=False)


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
    for key in ("regime", "language", "status", "subject", "received_on", "due_on",
                "working_days_left",
                "deadline_version", "extension", "outcome", "responded_at", "in_time",
                "external_reference"):
        value = document[key]
        table.add_row(key.replace("_", " "), "" if value is None else str(value))
    requester = document["requester"]
    table.add_row("requester", f"{requester['name']} <{requester['email'] or 'no email'}>")
    if document["linked_to"]:
        table.add_row("about", _link_line(document["linked_to"]))
    for link in document["linked_cases"]:
        table.add_row("linked", _link_line(link))
    out.print(table)
    for question in document["questions"]:
        out.print(f"  {question['number']}. {question['text']}", markup=False)
    if document["documents"]:
        out.print("Documents:", markup=False)
    for item in document["documents"]:
        found = (f"{len(item['findings'])} findings" if item["findings"]
                 else "nothing hidden found")
        out.print(f"  {item['number']}. {item['filename']} ({item['size']:,} bytes, from "
                  f"{item['source']}): {item['decision']}; {found}", markup=False)
        for finding in item["findings"]:
            out.print(f"       - {finding}", markup=False)
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


def _link_line(link: dict[str, Any]) -> str:
    """`FOI 000001/26-IR (foia-review, closed, upheld, in time)`."""
    facts = [link["regime"], link["status"]]
    if link["outcome"]:
        facts.append(link["outcome"])
    if link["in_time"] is not None:
        facts.append("in time" if link["in_time"] else "late")
    elif link["due_on"]:
        facts.append(f"due {link['due_on']}")
    return f"{link['reference']} ({', '.join(facts)})"


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
