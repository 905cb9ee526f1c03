"""The `foidesk` command line: an entry point that wires config, register and domain."""

from __future__ import annotations

import typer

from foidesk.cli import (
    cases_cmds,
    config_cmds,
    deadline,
    owner_cmds,
    report_cmds,
    response_cmds,
    run_cmds,
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


def main() -> None:
    app()
