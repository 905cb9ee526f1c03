"""`foidesk run FLOW` and `foidesk watch`: run the Prefect flows from the command line."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from foidesk.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    now_from,
    one_line_errors,
    out,
    settings_from,
)
from foidesk.wording import count

run_app = typer.Typer(no_args_is_help=True, help="Run one flow once, here and now.")


@run_app.command("intake")
def run_intake(config: ConfigOption = None, now: NowOption = None,
               debug: DebugOption = False) -> None:
    """Poll the FOI mailbox once: register, acknowledge, route and file every message.

    Example: foidesk run intake --config foidesk.toml --now 2026-11-26T09:00
    """
    settings_from(config)  # a broken config fails here with key-named errors
    now_from(now)
    from flows.intake import intake

    with one_line_errors(debug):
        counts = intake(config_path=str(config) if config else None, now=now,
                        wait_for_servers=False)
    out.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing new",
              markup=False)


@run_app.command("chase")
def run_chase(config: ConfigOption = None, now: NowOption = None,
              debug: DebugOption = False) -> None:
    """Send today's reminders to owners (one digest per owner).

    Example: foidesk run chase --now 2026-11-20T08:00
    """
    _run_daily("chase", config, now, debug)


@run_app.command("escalate")
def run_escalate(config: ConfigOption = None, now: NowOption = None,
                 debug: DebugOption = False) -> None:
    """Climb today's escalation ladder: deputy, FOI manager, head of service.

    Example: foidesk run escalate --now 2026-11-20T08:00
    """
    _run_daily("escalate", config, now, debug)


@run_app.command("dashboard")
def run_dashboard(config: ConfigOption = None, now: NowOption = None,
                  debug: DebugOption = False) -> None:
    """Refresh the managers' Prefect artifacts (caseload, due soon, overdue, owners,
    performance).

    Example: foidesk run dashboard
    """
    settings_from(config)
    now_from(now)
    from flows.dashboard import dashboard

    with one_line_errors(debug):
        counts = dashboard(config_path=str(config) if config else None, now=now)
    out.print(", ".join(f"{k}: {v}" for k, v in counts.items()), markup=False)


def _run_daily(kind: str, config, now: str | None, debug: bool) -> None:
    settings_from(config)
    now_from(now)
    from flows.chase import chase, escalate

    flow = chase if kind == "chase" else escalate
    with one_line_errors(debug):
        result = flow(config_path=str(config) if config else None, now=now)
    out.print(f"{kind}: {count(result['digests'], 'digest')}, {count(result['items'], 'item')}, "
              f"{result['sent']} sent", markup=False)


def watch(
    config: ConfigOption = None,
    poll_minutes: Annotated[
        float, typer.Option(min=0.01, help="Longest wait between runs (IDLE wakes it sooner).")
    ] = 25.0,
    max_runs: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many intake runs.")
    ] = None,
    for_minutes: Annotated[
        float | None, typer.Option(min=0.01, help="Stop after this many minutes.")
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Wait for new mail (IMAP IDLE where the server pushes; polling otherwise) and run
    intake only when some has come.

    Example: foidesk watch --config /etc/foidesk/foidesk.toml
    """
    settings = settings_from(config)
    assert settings is not None
    import flows.intake  # noqa: F401 - Prefect's logging is set up on import

    with one_line_errors(debug):
        runs = _watch(settings, config, poll_minutes, max_runs, for_minutes)
    out.print(f"watch: {count(runs, 'intake run')}", markup=False)


def _watch(settings, config, poll_minutes: float, max_runs: int | None,
           for_minutes: float | None) -> int:
    """The watch flow's loop, here: an intake run only when there is work."""
    from connectors.factory import build_mailbox
    from flows.intake import intake
    from foidesk.bootstrap import bootstrap, mailbox_key
    from foidesk.services.intake.watching import watch_mailbox, work_waiting

    desk = bootstrap(settings)
    key = mailbox_key(settings.mailbox)
    runs = 0

    class Enough(Exception):
        pass

    def run_intake() -> None:
        nonlocal runs
        intake(config_path=str(config) if config else None)
        runs += 1
        if max_runs is not None and runs >= max_runs:
            raise Enough

    with build_mailbox(settings) as mailbox, contextlib.suppress(Enough):
        watch_mailbox(mailbox, lambda: work_waiting(desk.uow, mailbox, key), run_intake,
                      lambda report: None,
                      seconds=float("inf") if for_minutes is None else for_minutes * 60,
                      wait_seconds=poll_minutes * 60)
    desk.close()
    return runs


def serve(config: ConfigOption = None) -> None:
    """Serve every deployment (intake, chase, escalate, dashboard, respond, review-decision)
    from this one process, on their schedules, until stopped.

    Example: foidesk serve --config /etc/foidesk/foidesk.toml
    """
    settings_from(config)
    from flows.serve import serve_all

    serve_all(str(config.resolve()) if config else None)


def register(app: typer.Typer) -> None:
    app.add_typer(run_app, name="run")
    app.command()(watch)
    app.command()(serve)
