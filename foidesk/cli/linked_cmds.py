"""Cases linked to a case, from the terminal: a review or complaint that came by post, the
Commissioner's investigation and its decision notice, and a subject access identity check."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from foidesk.cli.common import EXIT_USAGE, ConfigOption, NowOption, fail, now_from, open_desk, out
from foidesk.cli.response_cmds import ReferenceArg, SendOption, _drain, _run
from foidesk.register.repository import CaseNotFound


def review(
    reference: ReferenceArg,
    grounds: Annotated[str, typer.Option(help="What the requester complains of, in their words.")],
    received: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="When the request for review "
                                                                "arrived; default: --now.")
    ] = None,
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Open the internal review of a case (of a subject access request: the complaint,
    DPA s164A) that did not come by email. The original case is not changed.

    Example: foidesk review "FOI 000001/26" --grounds "The exemption does not apply."
    """
    from foidesk.bootstrap import intake_settings
    from foidesk.cases import CaseStatus
    from foidesk.services.cases import LONDON, move_case
    from foidesk.services.reviews import LinkRefused, Suffixes, open_review, open_review_of

    desk = open_desk(config)
    moment = now_from(now)
    arrived = received.replace(hour=9, tzinfo=LONDON) if received else moment
    settings = intake_settings(desk.settings)
    try:
        with desk.uow() as uow:
            original = uow.cases.get(reference)
            if (already := open_review_of(uow, original)) is not None:
                fail(f"{reference} already has an open review: {already.reference}")
            opened = open_review(uow, original, received_at=arrived, grounds=grounds,
                                 policy=desk.policy,
                                 suffixes=Suffixes(settings.authority.review_suffix,
                                                   settings.authority.complaint_suffix),
                                 actor="cli", now=moment)
            uow.session.flush()
            _acknowledge(uow, opened, settings, moment)
            move_case(uow, opened, CaseStatus.ACKNOWLEDGED, actor="cli", now=moment,
                      detail="acknowledged")
            uow.commit()
            made, due = opened.reference, opened.due_on
    except CaseNotFound as error:
        fail(str(error))
    except LinkRefused as error:
        fail(str(error), EXIT_USAGE)
    if send and desk.settings.sender is not None:
        _drain(desk, moment)
    desk.close()
    out.print(f"{made} due {due} (the review of {reference})", markup=False)


def _acknowledge(uow, case, settings, now) -> None:
    """The review's acknowledgement, as intake sends it for a mailed request for review."""
    from foidesk.services.cases import NewRequest
    from foidesk.services.intake.by_hand import _as_message
    from foidesk.services.intake.notices import notify
    from foidesk.triage import Decision, Triage

    requester = case.requester
    request = NewRequest(requester.name if requester else "",
                         requester.email if requester else None, case.subject,
                         case.received_at)
    note = _as_message(case, request, case.request_text, settings)
    notify(uow, settings, "review_acknowledgement", case, note,
           Triage(Decision.REVIEW_REQUEST, "review registered by hand"), now,
           unthreaded=True, received_on=case.received_on)


def regulator(
    reference: ReferenceArg,
    their_reference: Annotated[str, typer.Option("--their-reference",
                                                 help="The Commissioner's case reference.")],
    received: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"],
                                               help="When the Commissioner's letter arrived.")],
    respond_by: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The date the letter asks us "
                                                                "to respond by; default 20 "
                                                                "working days.")
    ] = None,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Record that the Information Commissioner (or the Scottish Information Commissioner)
    has opened a complaint about a case: a linked case, chased like any other.

    Example: foidesk regulator "FOI 000001/26" --their-reference IC-1234-A1B2 --received 2027-01-11
    """
    from foidesk.services.regulator import open_regulator_case

    def act(desk, settings, moment):
        with desk.uow() as uow:
            made = open_regulator_case(
                uow, uow.cases.get(reference), their_reference=their_reference,
                letter_received=received.date(),
                respond_by=respond_by.date() if respond_by else None, policy=desk.policy,
                actor="cli", now=moment)
            uow.commit()
            return made.reference, made.due_on

    made, due = _run(config, now, act, send=False)
    out.print(f"{made} due {due} (the Commissioner's {their_reference})", markup=False)


def decision_notice(
    reference: ReferenceArg,
    outcome: Annotated[str, typer.Option(help="upheld, partly-upheld or not-upheld.")],
    issued: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"],
                                             help="The date of the decision notice.")],
    steps: Annotated[str, typer.Option(help="The steps it requires (none: leave out).")] = "",
    comply_by: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The date to comply by; "
                                                                "default 35 days from the notice.")
    ] = None,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Record the Commissioner's decision notice on its case: the outcome, the steps and the
    date to comply (which re-opens the request for a fresh response), and the appeal date.

    Example: foidesk decision-notice "FOI 000001/26-ICO" --outcome upheld --issued 2027-03-01
    """
    from foidesk.services.regulator import appeal_deadline, record_decision_notice

    def act(desk, settings, moment):
        with desk.uow() as uow:
            case = uow.cases.get(reference)
            reopened = record_decision_notice(
                uow, case, outcome=outcome, issued_on=issued.date(), steps=steps,
                comply_by=comply_by.date() if comply_by else None, policy=desk.policy,
                actor="cli", now=moment)
            uow.commit()
            appeal = appeal_deadline(uow, case)
            return case.due_on, reopened.reference if reopened else None, appeal

    due, reopened, appeal = _run(config, now, act, send=False)
    if reopened:
        out.print(f"{reference}: comply by {due}; {reopened} re-opened for a fresh response",
                  markup=False)
    else:
        out.print(f"{reference}: closed, no steps required", markup=False)
    if appeal:
        out.print(f"appeal to {appeal[1]} by {appeal[0]}", markup=False)


def identity(
    reference: ReferenceArg,
    what: Annotated[str, typer.Option(help="What would confirm the requester's identity.")],
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Subject access: ask the requester to confirm their identity; the clock stops until
    they do (UK GDPR art. 12A), the days before kept.

    Example: foidesk identity "FOI 000003/26" --what "A copy of a utility bill with your address"
    """
    from foidesk.services.clock_letters import request_identity

    _run(config, now, lambda desk, settings, moment: request_identity(
        desk.uow(), reference, what, settings, actor="cli", now=moment,
        lapse_months=desk.settings.chase.clarification_lapse_months), send=send)
    out.print(f"{reference}: identity requested; the clock has stopped", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(review)
    app.command()(regulator)
    app.command("decision-notice")(decision_notice)
    app.command()(identity)

