"""The desk the crash matrix kills: Maildir in and out (so a rerun can ask whether a
message left), a register at DATABASE_URL, and the three jobs that send mail."""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intake_support import settings

from connectors.base import OutgoingMessage
from connectors.maildir import MaildirMailbox, MaildirSender
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.chasing import Schedule
from foidesk.drafting import parse_plain
from foidesk.outbox import drain, recipients_of
from foidesk.register.database import create_register_engine
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.chasing import ChaseSettings, run_chase
from foidesk.services.intake import run_intake
from foidesk.services.responses import (
    ResponseSettings,
    Reviewer,
    ReviewRefused,
    create_draft,
    decide,
    submit_for_review,
)

DAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHASE_DAY = DAY + timedelta(days=25)  # owner overdue, statutory deadline near: every rung
RESPOND_DAY = DAY + timedelta(days=6)
REVIEWER = "decision.maker@example.gov.uk"
ANSWERS = "Outcome: granted\n1. 1,204 potholes were reported in 2025.\n2. 1,100 of them.\n"


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def parts(url: str, workdir: Path):
    """The register, the Maildir inbox, and the sender: the Maildir outbox, or SMTP when
    FOIDESK_CRASH_SMTP=host:port names a server (which cannot say what it received)."""
    engine = create_register_engine(url)
    smtp = os.environ.get("FOIDESK_CRASH_SMTP")
    if smtp:
        host, port = smtp.rsplit(":", 1)
        sender = SmtpSender(SmtpSettings(host=host, port=int(port), security="plain"))
    else:
        sender = MaildirSender(workdir / "out")
    return engine, lambda: SqlUnitOfWork(engine), MaildirMailbox(workdir / "in"), sender


def responses() -> ResponseSettings:
    base = settings()
    return ResponseSettings(renderer=base.renderer, authority=base.authority,
                            deadlines=base.deadlines,
                            reviewers=(Reviewer(REVIEWER, frozenset({"foia"})),),
                            internal_domains=frozenset({"example.gov.uk"}))


def intake(url: str, workdir: Path, checkpoint, now: datetime = DAY) -> None:
    engine, uow, inbox, sender = parts(url, workdir)
    run_intake(uow, inbox, sender, settings(), now=now, outgoing=outgoing, checkpoint=checkpoint)
    engine.dispose()


def chase(url: str, workdir: Path, checkpoint) -> None:
    engine, uow, _, sender = parts(url, workdir)
    base = settings()
    chase_settings = ChaseSettings(schedule=Schedule(), renderer=base.renderer,
                                   authority=base.authority, deadlines=base.deadlines,
                                   manager="manager@example.gov.uk",
                                   head="head.of.service@example.gov.uk")
    for kind in ("chase", "escalate"):
        run_chase(uow(), chase_settings, now=CHASE_DAY, kind=kind)
        checkpoint("after_commit")
    drain(uow, sender, outgoing, now=CHASE_DAY, checkpoint=checkpoint)
    engine.dispose()


def prepare_response(url: str, workdir: Path, reference: str) -> None:
    """A case with its answers drafted and in review (run once, not killed)."""
    engine, uow, _, sender = parts(url, workdir)
    create_draft(uow(), reference, parse_plain(ANSWERS), responses(), actor="officer",
                 now=RESPOND_DAY)
    submit_for_review(uow(), reference, responses(), actor="officer", now=RESPOND_DAY)
    drain(uow, sender, outgoing, now=RESPOND_DAY)
    engine.dispose()


def respond(url: str, workdir: Path, checkpoint) -> None:
    engine, uow, _, sender = parts(url, workdir)
    with suppress(ReviewRefused):  # approved by the run that was killed: only sending left
        decide(uow(), "FOI 000001/26", "approve", REVIEWER, responses(), via="cli",
               now=RESPOND_DAY)
    checkpoint("after_commit")
    drain(uow, sender, outgoing, now=RESPOND_DAY, checkpoint=checkpoint)
    engine.dispose()


JOBS = {"intake": intake, "chase": chase, "respond": respond}
