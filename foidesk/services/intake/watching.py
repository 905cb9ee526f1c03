"""Watching a mailbox: start an intake only when there is something to do.

A two-minute poll is 720 flow runs a day per mailbox whether or not mail came; a watch
waits on the mailbox (IMAP IDLE; a short sleep where the server cannot push) and, when it
wakes, looks cheaply (one fetch of at most one message, one read of the register) before
starting an intake. What it leaves in Prefect is one flow run per batch of arrivals and a
heartbeat event per wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake.cursor import poll_state


@dataclass
class WatchReport:
    """What one watch did: how often it waited, woke, and started an intake."""

    waits: int = 0
    woke: int = 0
    intakes: int = 0
    errors: int = 0


def work_waiting(uow_factory: Callable[[], SqlUnitOfWork], mailbox, mailbox_key: str) -> bool:
    """True when a message waits in the mailbox, or a move or a send was left undone."""
    state = poll_state(uow_factory(), mailbox_key)
    if state.outbox_waiting or any(state.moves.values()):
        return True
    return bool(mailbox.fetch(state.cursor, limit=1).messages)


def watch_mailbox(mailbox, has_work: Callable[[], bool], run_intake: Callable[[], object],
                  heartbeat: Callable[[WatchReport], None], *, seconds: float,
                  wait_seconds: float, clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> WatchReport:
    """Wait, look, run intake when there is work, for `seconds`; a heartbeat after every
    wait. A dropped connection is waited out (the next wait reconnects); a refused login
    or a missing folder stops the watch with the error."""
    report = WatchReport()
    end = clock() + seconds
    woke = True  # look first: mail may have come while nobody watched
    while True:
        try:
            if woke and has_work():
                report.woke += 1
                run_intake()
                report.intakes += 1
            if clock() >= end:
                return report
            report.waits += 1
            woke = mailbox.watch(timeout=max(1.0, min(wait_seconds, end - clock())))
        except Exception as error:  # a connector's error says whether it is transient
            if not getattr(error, "transient", False):
                raise
            report.errors += 1
            woke = True
            sleep(min(10.0, max(0.0, end - clock())))
        heartbeat(report)
