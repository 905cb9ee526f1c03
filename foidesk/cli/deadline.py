"""`foidesk deadline`: the statutory due date of a request, and why."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from foidesk.calendar import (
    ClockStop,
    Extension,
    FeePause,
    HolidayOverrides,
    ReceiptRule,
    Regime,
    RequestClock,
    compute_deadline,
)
from foidesk.cli.common import EXIT_USAGE, ConfigOption, fail, out, settings_from

DateArg = Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="Date received.")]


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def deadline(
    received: DateArg,
    regime: Annotated[Regime, typer.Option(help="Regime whose time limit applies.")] = Regime.FOIA,
    extend: Annotated[
        Extension | None,
        typer.Option(help="pit: FOIA s10(3) public interest; complex: EIR reg 7 / SAR / review."),
    ] = None,
    extension_days: Annotated[
        int | None, typer.Option(help="A PIT extension shorter than 20 working days.")
    ] = None,
    clarified: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Clarification received (restarts the clock)."),
    ] = None,
    fee_notice: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Fees notice given (s9).")
    ] = None,
    fee_paid: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Fee received (s10(2)).")
    ] = None,
    stopped: Annotated[
        list[str] | None,
        typer.Option(metavar="FROM:TO", help="Subject access: information asked for on FROM and "
                                             "received on TO (UK GDPR art. 12A; repeatable; "
                                             "FROM: alone while awaited)."),
    ] = None,
    receipt_rule: Annotated[
        ReceiptRule | None,
        typer.Option(help="Day 0 on a non-working day: ico (as is) or code-2018 (next working)."),
    ] = None,
    explain: Annotated[bool, typer.Option(help="List day 0, each day counted or skipped.")] = False,
    config: ConfigOption = None,
) -> None:
    """Print the due date of a request received on RECEIVED, then (--explain) why.

    Holiday overrides and the receipt rule come from the config when one is found.

    Example: foidesk deadline 2018-10-16 --explain
    """
    settings = settings_from(config, required=False)
    overrides = settings.calendar.overrides() if settings else HolidayOverrides()
    rule = receipt_rule or (settings.calendar.receipt_rule if settings else ReceiptRule.ICO)
    if fee_paid is not None and fee_notice is None:
        fail("--fee-paid needs --fee-notice", EXIT_USAGE)
    pauses = (FeePause(fee_notice.date(), _day(fee_paid)),) if fee_notice else ()
    try:
        stops = tuple(_stop(text) for text in stopped or ())
        if stops and regime is not Regime.SAR:
            raise ValueError("--stopped is for subject access (--regime sar): other regimes "
                             "restart on a clarification (--clarified)")
        result = compute_deadline(
            RequestClock(
                received=received.date(),
                regime=regime,
                clarified=_day(clarified),
                fee_pauses=pauses,
                extension=extend,
                extension_days=extension_days,
                receipt_rule=rule,
                stops=stops,
            ),
            overrides,
        )
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    first = result.due.isoformat() if result.due else f"stopped since {result.paused_since}"
    out.print(first, markup=False)
    if explain:
        out.print(result.explain(), markup=False)


def _stop(text: str) -> ClockStop:
    """`2026-03-05:2026-03-10`, or `2026-03-05:` while the answer is awaited."""
    asked, _, answered = text.partition(":")
    try:
        return ClockStop(date.fromisoformat(asked.strip()),
                         date.fromisoformat(answered.strip()) if answered.strip() else None)
    except ValueError as error:
        raise ValueError(f'--stopped must look like 2026-03-05:2026-03-10, got "{text}" '
                         f"({error})") from None


def register(app: typer.Typer) -> None:
    app.command()(deadline)

