"""`foidesk purge`: the retention schedule, run by hand or from a deployment."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from foidesk.cli.common import EXIT_USAGE, ConfigOption, NowOption, fail, now_from, open_desk, out


def purge(
    older_than: Annotated[str, typer.Option(
        help="Erase cases finished longer ago than this: 3y, 18m, 6w or 90d.")],
    dry_run: Annotated[bool, typer.Option(help="Say what would go; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Erase the personal data of closed and withdrawn cases finished before the cut-off,
    keeping the statistics and the audit skeleton.

    Example: foidesk purge --older-than 3y --dry-run
    """
    from foidesk.services.retention import parse_age
    from foidesk.services.retention import purge as run_purge

    try:
        age = parse_age(older_than)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    desk = open_desk(config)
    report = run_purge(desk.uow(), age, now=now_from(now), actor="cli", dry_run=dry_run)
    desk.close()
    if as_json:
        print(json.dumps({"schema": "foidesk.purge/1", "cutoff": report.cutoff.isoformat(),
                          "dry_run": report.dry_run, "cases": report.references,
                          "counts": dict(report.counts)}, indent=2))
        return
    verb = "Would erase" if dry_run else "Erased"
    table = Table(title=f"{verb} personal data finished before {report.cutoff:%d %B %Y}")
    table.add_column("What")
    table.add_column("How many", justify="right")
    for name, value in report.counts.items():
        table.add_row(name, str(value))
    out.print(table)
    if report.references:
        out.print("Cases: " + ", ".join(report.references))


def register(app: typer.Typer) -> None:
    app.command()(purge)
