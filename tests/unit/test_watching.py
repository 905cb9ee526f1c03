"""The watch loop starts an intake only when there is work, and says so in its heartbeat."""

from __future__ import annotations

import pytest

from connectors.errors import ConnectorError, LoginError, TransientError
from foidesk.services.intake.watching import watch_mailbox


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Mailbox:
    """Wakes as scripted: True (mail may have come), False (the wait timed out) or an
    exception; each wait takes the time it was given."""

    def __init__(self, clock: Clock, wakes: list) -> None:
        self.clock, self.wakes, self.waits = clock, list(wakes), []

    def watch(self, timeout: float) -> bool:
        self.waits.append(timeout)
        self.clock.now += timeout
        wake = self.wakes.pop(0) if self.wakes else False
        if isinstance(wake, Exception):
            raise wake
        return wake


def test_an_intake_runs_only_when_a_wake_finds_work():
    clock = Clock()
    box = Mailbox(clock, [True, False, True, True])
    work = iter([False, True, False, True])  # first look, then after each True wake
    runs, beats = [], []
    report = watch_mailbox(box, lambda: next(work), lambda: runs.append(clock.now),
                           lambda r: beats.append(r.intakes), seconds=1000,
                           wait_seconds=300, clock=clock, sleep=lambda s: None)
    assert len(runs) == 2 and report.intakes == 2
    assert report.waits == 4 and box.waits == [300, 300, 300, 100]  # never past the end
    assert beats == [0, 1, 1, 1]  # a heartbeat after every wait, with the count so far


def test_mail_waiting_when_the_watch_starts_is_taken_at_once():
    clock = Clock()
    runs = []
    watch_mailbox(Mailbox(clock, []), lambda: True, lambda: runs.append(clock.now),
                  lambda r: None, seconds=10, wait_seconds=10, clock=clock,
                  sleep=lambda s: None)
    assert runs[0] == 0.0


def test_a_dropped_connection_is_waited_out_and_a_refusal_stops_the_watch():
    clock = Clock()
    dropped = TransientError("IMAP: connection reset")
    box = Mailbox(clock, [dropped, True])
    slept: list[float] = []
    report = watch_mailbox(box, lambda: True, lambda: None, lambda r: None, seconds=50,
                           wait_seconds=20, clock=clock, sleep=slept.append)
    assert report.errors == 1 and slept == [10.0]
    refused = Mailbox(Clock(), [LoginError("IMAP: login refused")])
    with pytest.raises(ConnectorError, match="login refused"):
        watch_mailbox(refused, lambda: False, lambda: None, lambda r: None, seconds=50,
                      wait_seconds=20, clock=refused.clock, sleep=lambda s: None)
