"""The response from the terminal: draft, review, decide, and the clock letters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from foidesk.calendar import Extension
from foidesk.cli.common import EXIT_USAGE, ConfigOption, NowOption, fail, now_from, open_desk, out
from foidesk.register.repository import CaseNotFound

ReferenceArg = Annotated[str, typer.Argument(help="Case reference, e.g. 'FOI 000001/26'.")]
SendOption = Annotated[
    bool, typer.Option("--send/--queue", help="Send queued mail now (default), or leave it "
                                              "for the next flow run.")
]


def _run(config, now, action, *, send: bool = True):
    """Open the register, run one use case, and send what it queued."""
    from foidesk.bootstrap import response_settings
    from foidesk.drafting import DraftError
    from foidesk.services.clock_letters import ClockLetterError
    from foidesk.services.responses import ReviewRefused

    desk = open_desk(config)
    moment = now_from(now)
    try:
        result = action(desk, response_settings(desk.settings), moment)
    except CaseNotFound as error:
        fail(str(error))
    except (DraftError, ClockLetterError, ValueError) as error:
        fail(str(error), EXIT_USAGE)
    except ReviewRefused as error:
        fail(f"refused: {error}")
    if send and desk.settings.sender is not None:
        _drain(desk, moment)
    desk.close()
    return result


def _drain(desk, now: datetime) -> None:
    from connectors.factory import build_sender
    from flows.common import outgoing
    from foidesk.outbox import drain

    with build_sender(desk.settings) as sender:
        drain(desk.uow, sender, outgoing, now=now)


def draft(
    reference: ReferenceArg,
    from_file: Annotated[
        Path | None, typer.Option("--from", exists=True, dir_okay=False,
                                  help="Answers: TOML (.toml) or the plain format.")
    ] = None,
    starter: Annotated[
        bool, typer.Option(help="Print a starting answers file with the owners' replies.")
    ] = False,
    submit: Annotated[bool, typer.Option(help="Send it to the reviewer at once.")] = False,
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Render the response from the officer's answers and store it as a new draft version
    (`--starter` prints a file to fill in, with the owners' replies quoted).

    Example: foidesk draft "FOI 000001/26" --from answers.toml --submit
    """
    from foidesk.drafting import parse_plain, parse_toml
    from foidesk.services.responses import create_draft, submit_for_review

    if starter:
        print(_starter(reference, config))
        return
    if from_file is None:
        fail("give --from FILE (or --starter to print one to fill in)", EXIT_USAGE)
    text = from_file.read_text(encoding="utf-8")
    parse = parse_toml if from_file.suffix == ".toml" else parse_plain

    def action(desk, settings, moment):
        made = create_draft(desk.uow(), reference, parse(text), settings, actor="cli",
                            now=moment)
        reviewer = submit_for_review(desk.uow(), reference, settings, actor="cli",
                                     now=moment) if submit else None
        return made.version, reviewer

    version, reviewer = _run(config, now, action, send=send)
    out.print(f"{reference}: draft v{version}"
              + (f" sent to {reviewer} for approval" if reviewer else ""), markup=False)


def _starter(reference: str, config) -> str:
    from sqlalchemy import select

    from foidesk.drafting import answers_starter
    from foidesk.mail import parse
    from foidesk.register.models import Message

    desk = open_desk(config)
    with desk.uow() as uow:
        try:
            case = uow.cases.get(reference)
        except CaseNotFound as error:
            fail(str(error))
        rows = uow.session.scalars(select(Message).where(
            Message.case_id == case.id, Message.triage == "owner_contribution")).all()
        contributions = [(row.from_addr, parse(row.raw).text) for row in rows if row.raw]
        questions = [(q.number, q.text) for q in case.questions]
    desk.close()
    return answers_starter(questions, contributions)


def attach(
    reference: ReferenceArg,
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False,
                                                help="The files to add.")],
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Add files the officer holds to a case as documents that may be released; each is
    checked for hidden and personal data at once.

    Example: foidesk attach "FOI 000001/26" figures.xlsx policy.pdf
    """
    import mimetypes

    from foidesk.services.documents import add_document

    def action(desk, settings, moment):
        with desk.uow() as uow:
            case = uow.cases.get(reference)
            added = [add_document(uow, case, path.name,
                                  mimetypes.guess_type(path.name)[0] or
                                  "application/octet-stream", path.read_bytes(),
                                  source="officer (foidesk attach)", actor="cli", now=moment)
                     for path in files]
            uow.commit()
            return [(d.number, d.filename, len(d.findings)) for d in added]

    for number, name, findings in _run(config, now, action, send=False):
        out.print(f"{reference}: document {number} {name}: "
                  + (f"{findings} findings (see foidesk case)" if findings
                     else "nothing hidden found"), markup=False)


def submit(reference: ReferenceArg, send: SendOption = True, now: NowOption = None,
           config: ConfigOption = None) -> None:
    """Send the latest draft to the authorised reviewer, the letter attached.

    Example: foidesk submit "FOI 000001/26"
    """
    from foidesk.services.responses import submit_for_review

    reviewer = _run(config, now, lambda desk, settings, moment: submit_for_review(
        desk.uow(), reference, settings, actor="cli", now=moment), send=send)
    out.print(f"{reference}: sent to {reviewer} for approval", markup=False)


def approve(
    reference: ReferenceArg,
    reviewer: Annotated[str, typer.Option("--as", help="The reviewer deciding (email).")],
    comment: Annotated[str, typer.Option(help="A note for the record.")] = "",
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Approve the draft under review as REVIEWER: the response is sent (or, with no email
    address, written out as the letter to print and post) and the case closes.

    Example: foidesk approve "FOI 000001/26" --as decision.maker@example.gov.uk
    """
    _decide(reference, "approve", reviewer, comment, send, now, config)
    _letter_to_post(reference, config)


def reject(
    reference: ReferenceArg,
    reviewer: Annotated[str, typer.Option("--as", help="The reviewer deciding (email).")],
    reason: Annotated[str, typer.Option(help="What must change.")],
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Send the draft back to the officer with the reason.

    Example: foidesk reject "FOI 000001/26" --as decision.maker@example.gov.uk --reason "..."
    """
    _decide(reference, "reject", reviewer, reason, send, now, config)


def _letter_to_post(reference: str, config) -> None:
    """The approved letter as a PDF in this folder, when the requester has no email."""
    from foidesk.services.responses import latest_draft, letter_file_name

    desk = open_desk(config)
    with desk.uow() as uow:
        case = uow.cases.get(reference)
        draft = latest_draft(case)
        if draft.status != "sent" or (case.requester and case.requester.email):
            desk.close()
            return
        path = Path(letter_file_name(uow, case, draft, final=True))
        path.write_bytes(draft.pdf)
    desk.close()
    out.print(f"no email address: print {path} and post it", markup=False)


def _decide(reference, decision, reviewer, comment, send, now, config) -> None:
    from foidesk.services.responses import decide

    made = _run(config, now, lambda desk, settings, moment: decide(
        desk.uow(), reference, decision, reviewer, settings, comment=comment, via="cli",
        now=moment), send=send)
    out.print(f"{reference}: draft v{made.version} {made.status}", markup=False)


def clarify(
    reference: ReferenceArg,
    question: Annotated[str, typer.Option(help="What the requester must clarify.")],
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Ask the requester to clarify (s1(3)); the clock stops until they reply.

    Example: foidesk clarify "FOI 000001/26" --question "Which years do you mean?"
    """
    from foidesk.services.clock_letters import request_clarification

    _run(config, now, lambda desk, settings, moment: request_clarification(
        desk.uow(), reference, question, settings, actor="cli", now=moment,
        lapse_months=desk.settings.chase.clarification_lapse_months), send=send)
    out.print(f"{reference}: clarification requested; the clock has stopped", markup=False)


def fee_notice(
    reference: ReferenceArg,
    amount: Annotated[str, typer.Option(help="The fee, in pounds (e.g. 25.00).")],
    detail: Annotated[str, typer.Option(help="How the fee is made up.")] = "",
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Send a fees notice (s9): the clock pauses until the fee is paid.

    Example: foidesk fee-notice "FOI 000001/26" --amount 25.00
    """
    from foidesk.services.clock_letters import fees_notice

    _run(config, now, lambda desk, settings, moment: fees_notice(
        desk.uow(), reference, amount, settings, detail=detail, actor="cli", now=moment),
        send=send)
    out.print(f"{reference}: fees notice sent; the clock is paused", markup=False)


def fee_paid(
    reference: ReferenceArg,
    on: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="Date the fee arrived.")],
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Record the fee as paid (s10(2)): the clock restarts, the paused days disregarded.

    Example: foidesk fee-paid "FOI 000001/26" 2026-11-20
    """
    from foidesk.services.clock_letters import fee_paid as record_payment

    due = _run(config, now, lambda desk, settings, moment: record_payment(
        desk.uow(), reference, on.date(), settings, actor="cli", now=moment), send=send)
    out.print(f"{reference}: paid; due {due}", markup=False)


def extend(
    reference: ReferenceArg,
    kind: Annotated[Extension, typer.Argument(help="pit (FOIA s10(3)) or complex (EIR reg 7).")],
    reason: Annotated[str, typer.Option(help="Why, for the letter and the record.")],
    exemptions: Annotated[str, typer.Option(help="For pit: the exemptions considered.")] = "",
    days: Annotated[int | None, typer.Option(help="pit: fewer than 20 working days.")] = None,
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Extend the time limit, with the notice to the requester, by day 20 at the latest.

    Example: foidesk extend "FOI 000001/26" pit --reason "Weighing s31" --exemptions "section 31"
    """
    from foidesk.services.clock_letters import extend as extend_case

    due = _run(config, now, lambda desk, settings, moment: extend_case(
        desk.uow(), reference, kind, reason, settings, exemptions=exemptions, days=days,
        actor="cli", now=moment), send=send)
    out.print(f"{reference}: extended; due {due}", markup=False)


def refuse(
    reference: ReferenceArg,
    ground: Annotated[str, typer.Argument(help="s12 (cost limit) or s14 (vexatious).")],
    reason: Annotated[str, typer.Option(help="The explanation for the letter.")],
    send: SendOption = True,
    now: NowOption = None,
    config: ConfigOption = None,
) -> None:
    """Draft a refusal of the whole request under s12 or s14 and send it for review.

    Example: foidesk refuse "FOI 000001/26" s12 --reason "Over 18 hours to locate"
    """
    from foidesk.drafting import DraftContent, Outcome
    from foidesk.services.responses import create_draft, submit_for_review

    if ground not in ("s12", "s14"):
        fail(f'ground must be s12 or s14, got "{ground}"', EXIT_USAGE)

    def action(desk, settings, moment):
        content = DraftContent(Outcome.REFUSED, [ground], {}, reason)
        create_draft(desk.uow(), reference, content, settings, actor="cli", now=moment)
        return submit_for_review(desk.uow(), reference, settings, actor="cli", now=moment)

    reviewer = _run(config, now, action, send=send)
    out.print(f"{reference}: {ground} refusal drafted and sent to {reviewer}", markup=False)


def register(app: typer.Typer) -> None:
    for command in (attach, draft, submit, approve, reject, clarify, extend, refuse):
        app.command()(command)
    app.command("fee-notice")(fee_notice)
    app.command("fee-paid")(fee_paid)
