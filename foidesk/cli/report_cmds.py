"""`foidesk stats` and `foidesk disclosure-log`: what managers and the public read."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from foidesk.cli.common import EXIT_USAGE, ConfigOption, NowOption, fail, now_from, open_desk, out


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def stats(
    quarter: Annotated[str, typer.Option(help="The quarter, e.g. 2026Q3.")],
    format: Annotated[Format, typer.Option(help="table, csv or json.")] = Format.TABLE,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Quarterly statistics in the Cabinet Office's categories, in-time % the ICO's way.

    Example: foidesk stats --quarter 2026Q3 --format csv
    """
    from foidesk.services.cases import london_date
    from foidesk.services.reports import parse_quarter, quarterly_statistics

    try:
        start, end = parse_quarter(quarter)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    desk = open_desk(config)
    figures = quarterly_statistics(desk.uow(), start, end, london_date(now_from(now)),
                                   desk.policy)
    desk.close()
    if format is Format.JSON:
        print(json.dumps(figures, indent=2))
        return
    rows = _flatten(figures)
    if format is Format.CSV:
        writer = csv.writer(sys.stdout)
        writer.writerow(["measure", "value"])
        writer.writerows(rows)
        return
    table = Table(title=f"FOI statistics {figures['quarter']}")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    for name, value in rows:
        table.add_row(name, str(value))
    out.print(table)


def _flatten(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    """`internal_reviews: outcomes: upheld` -> 1: nested figures as one measure per row."""
    rows: list[tuple[str, object]] = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}: ")
        else:
            rows.append((f"{prefix}{key}", "" if value is None else value))
    return rows


def disclosure_log(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for index.html and the CSV.")],
    config: ConfigOption = None,
) -> None:
    """Write the disclosure log (static HTML and CSV) of closed cases, requesters removed.

    Example: foidesk disclosure-log --out public/disclosure-log
    """
    from foidesk.bootstrap import authority_view
    from foidesk.rendering import Renderer
    from foidesk.services.disclosure import write_log

    desk = open_desk(config)
    count = write_log(desk.uow(), out_dir, Renderer(desk.settings.templates.override_dir),
                      authority_view(desk.settings))
    desk.close()
    out.print(f"wrote {count} entr{'y' if count == 1 else 'ies'} to {out_dir}", markup=False)


def report(
    week: Annotated[str | None, typer.Option(help="The ISO week, e.g. 2026-W48; default: "
                                                  "last week.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the PDF and the CSV.")]
    = Path("."),
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """The weekly performance pack by hand: the dashboard's figures and charts and the week's
    changes as a PDF, with the CSV of the cases behind it.

    Example: foidesk report --week 2026-W48 --out reports
    """
    from foidesk.services.cases import london_date
    from foidesk.services.dashboard_page import teams_from_settings
    from foidesk.services.weekly_pack import last_week, weekly_pack

    chosen = week or last_week(london_date(now_from(now)))
    desk = open_desk(config)
    try:
        pack = weekly_pack(desk.uow(), chosen, desk.policy, teams_from_settings(desk.settings),
                           desk.settings.authority.name)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    finally:
        desk.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_name, csv_name = pack.names
    (out_dir / pdf_name).write_bytes(pack.pdf)
    (out_dir / csv_name).write_bytes(pack.csv)
    out.print(f"wrote {out_dir / pdf_name} and {out_dir / csv_name}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(stats)
    app.command()(report)
    app.command("disclosure-log")(disclosure_log)
