"""A whole intake run: fetch, process, drain, move, batch after batch."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from foidesk.outbox import drain
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake.cursor import load_cursor, move_pending, poll_state
from foidesk.services.intake.process import process_batch
from foidesk.services.intake.settings import IntakeReport, IntakeSettings
from foidesk.services.intake.triage_ahead import TriageAhead


def run_intake(
    uow_factory: Callable[[], SqlUnitOfWork],
    mailbox,
    sender,
    settings: IntakeSettings,
    *,
    now: datetime,
    outgoing: Callable,
    checkpoint: Callable[[str], None] = lambda name: None,
    max_batches: int = 100,
) -> IntakeReport:
    """Fetch, process, drain, move, batch after batch until the mailbox has no more."""
    with TriageAhead(settings.triage, settings.size_limit) as ahead:
        return _run(uow_factory, mailbox, sender, settings, now=now, outgoing=outgoing,
                    checkpoint=checkpoint, max_batches=max_batches, ahead=ahead)


def _run(uow_factory, mailbox, sender, settings: IntakeSettings, *, now: datetime,
         outgoing: Callable, checkpoint: Callable[[str], None], max_batches: int,
         ahead: TriageAhead) -> IntakeReport:
    report = IntakeReport()
    sending = 0.0  # seconds this poll has spent draining: its budget is for sending only
    start = poll_state(uow_factory(), settings.mailbox_key)
    report.moved += move_pending(uow_factory, mailbox, settings.mailbox_key, checkpoint,
                                 start.moves)
    for n in range(max_batches):
        cursor = start.cursor if n == 0 else load_cursor(uow_factory(), settings.mailbox_key)
        batch = mailbox.fetch(cursor)
        checkpoint("after_fetch")
        report.resyncs += int(batch.resync)
        processed = process_batch(uow_factory, batch.messages, settings, now=now,
                                  checkpoint=checkpoint, cursor=(cursor, batch.cursor),
                                  ahead=ahead)
        report.counts.update(processed.counts())
        report.registered += processed.registered
        if batch.messages or start.outbox_waiting:  # an idle poll has nothing to send
            started = time.monotonic()
            sent = drain(uow_factory, sender, outgoing, now=now, checkpoint=checkpoint,
                         limit=_left(settings.max_send, report.sent),
                         budget_seconds=max(0.0, settings.send_budget_seconds - sending))
            sending += time.monotonic() - started
            report.sent += len(sent.sent)
            report.send_failures += len(sent.failed)
            report.unknown += len(sent.unknown)
        if batch.messages:  # an idle poll has nothing new to move
            report.moved += move_pending(uow_factory, mailbox, settings.mailbox_key, checkpoint)
        if not batch.more:
            break
    report.quarantined = report.counts.get("quarantined", 0)
    return report


def _left(cap: int | None, sent: int) -> int | None:
    """What an explicit `intake.max_send_per_poll` still allows this poll."""
    return None if cap is None else max(0, cap - sent)
