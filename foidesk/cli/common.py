"""What every command shares: options, loading config, and failing with one clear line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from foidesk.bootstrap import Desk, bootstrap
from foidesk.clock import parse_now
from foidesk.config import ConfigError, Settings, find_config, load_settings

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="Config file (default: $FOIDESK_CONFIG, then ./foidesk.toml).",
        show_default=False,
    ),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="ISO",
        help="Act as if it were this moment (ISO date or date-time, UK time if no zone).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print stable JSON for scripts.")]
DebugOption = Annotated[bool, typer.Option(
    "--debug", help="On a failure, show the traceback and Prefect's error logs as well.")]

EXIT_USAGE = 2


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line on stderr and exit non-zero."""
    err.print(f"foidesk: {message}", markup=False)
    raise typer.Exit(code)


class _Silent(logging.Filter):
    """Drops what Prefect and the connectors would print to the terminal (progress,
    retries, tracebacks): the command prints its result, or its one line of failure.
    Logs still reach the Prefect server and its UI."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


_SILENT = _Silent()


@contextmanager
def one_line_errors(debug: bool) -> Iterator[None]:
    """A mail server that refuses us (login, TLS, DNS, connection) ends the command with
    one `foidesk:` line on stderr and exit 1; `--debug` shows the traceback instead."""
    from connectors.errors import ConnectorError

    loggers = [logging.root, *(logger for logger in logging.root.manager.loggerDict.values()
                               if isinstance(logger, logging.Logger))]
    handlers = [] if debug else [
        handler for logger in loggers for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
        and getattr(handler, "stream", None) in (sys.stderr, sys.stdout)]
    for handler in handlers:  # left in place: the command ends here, and so does Prefect's
        handler.addFilter(_SILENT)  # temporary server, whose goodbye is noise too
    try:
        yield
    except ConnectorError as error:
        if debug:
            raise
        fail(str(error))


def settings_from(config: Path | None, *, required: bool = True) -> Settings | None:
    """The validated config, or exit 2 listing every problem with its key."""
    path = find_config(config)
    if path is None:
        if required:
            fail("no config found: pass --config, set FOIDESK_CONFIG, or run `foidesk init`",
                 EXIT_USAGE)
        return None
    try:
        return load_settings(path)
    except ConfigError as error:
        for problem in error.problems:
            err.print(f"{error.path}: {problem}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None


def open_desk(config: Path | None) -> Desk:
    settings = settings_from(config)
    assert settings is not None
    return bootstrap(settings)


def now_from(value: str | None) -> datetime:
    """`--now` parsed, or exit 2 saying what is wrong with it."""
    try:
        return parse_now(value)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
