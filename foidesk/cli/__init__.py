"""The `foidesk` command line: an entry point that wires config, register and domain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from foidesk.cli import (
    cases_cmds,
    config_cmds,
    deadline,
    deploy_cmds,
    linked_cmds,
    owner_cmds,
    report_cmds,
    response_cmds,
    retention_cmds,
    run_cmds,
    triage_cmds,
)

app = typer.Typer(
    name="foidesk",
    help="Workflow automation for a UK public authority's FOI desk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
deadline.register(app)
config_cmds.register(app)
cases_cmds.register(app)
run_cmds.register(app)
owner_cmds.register(app)
response_cmds.register(app)
report_cmds.register(app)
retention_cmds.register(app)
triage_cmds.register(app)
linked_cmds.register(app)
deploy_cmds.register(app)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Work directory, rebuilt on each run.")] = Path(
        "demo"),
    welsh: Annotated[bool, typer.Option(
        "--welsh", help="A desk bound by the Welsh Language Standards, with a request "
                        "written in Welsh answered in Welsh.")] = False,
    days: Annotated[int, typer.Option(
        min=9, max=30, help="Working days to play; what the scenario does later is left "
                            "out (the internal review needs all 30).")] = 30,
) -> None:
    """Run the whole desk over about 30 working days on the embedded default (Maildir,
    SQLite, an ephemeral Prefect) and print the timeline.

    Example: foidesk demo --workdir /tmp/foidesk-demo --welsh
    """
    from rich.console import Console

    from foidesk.cli.demo import run_demo

    raise typer.Exit(run_demo(workdir.resolve(), Console(highlight=False), days=days,
                              welsh=welsh))


def main() -> None:
    # Prefect's temporary server would try to send usage telemetry, and print an error
    # on a machine that may not reach the internet: an authority decides that, not us.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect waits 20 seconds for its temporary server to start. A busy two-core machine
    # can take longer (the server migrates its new database first), and the command then
    # failed with a traceback. Waiting longer costs nothing when the server starts sooner.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    app()
