"""`foidesk assign` and `foidesk supplied`: an officer's hands on the owner loop."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from foidesk.cli.common import EXIT_USAGE, ConfigOption, NowOption, fail, now_from, open_desk, out
from foidesk.register.repository import CaseNotFound


def assign(
    reference: Annotated[str, typer.Argument(help="Case reference.")],
    owner: Annotated[str, typer.Argument(help="The owner's email address.")],
    deputy: Annotated[str | None, typer.Option(help="Deputy for escalations.")] = None,
    due: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Internal due date (default: config)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Close the other open assignments (reassign).")
    ] = False,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Assign a case to an owner and queue their task email (sent by the next flow run).

    Example: foidesk assign "FOI 000001/26" roads@example.gov.uk --due 2026-12-01
    """
    from foidesk.bootstrap import chase_settings
    from foidesk.services.assignments import assign_owner, reassign

    desk = open_desk(config)
    action = reassign if replace else assign_owner
    try:
        assignment = action(desk.uow(), reference, owner, chase_settings(desk.settings),
                            deputy=deputy, due=due.date() if due else None, actor="cli",
                            now=now_from(now))
    except CaseNotFound as error:
        fail(str(error))
    finally:
        desk.close()
    out.print(f"{reference}: assigned to {owner}, due {assignment.internal_due_on}", markup=False)


def supplied(
    reference: Annotated[str, typer.Argument(help="Case reference.")],
    owner: Annotated[
        str | None, typer.Option(help="Only this owner's part (default: every open part).")
    ] = None,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Mark an owner's part supplied (after a holding reply, or information by hand).

    Example: foidesk supplied "FOI 000001/26" --owner roads@example.gov.uk
    """
    from foidesk.services.assignments import mark_supplied

    desk = open_desk(config)
    try:
        marked = mark_supplied(desk.uow(), reference, owner=owner, actor="cli",
                               now=now_from(now), policy=desk.policy)
    except CaseNotFound as error:
        fail(str(error))
    except LookupError as error:
        fail(str(error), EXIT_USAGE)
    finally:
        desk.close()
    out.print(f"{reference}: supplied by {', '.join(marked)}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(assign)
    app.command()(supplied)
