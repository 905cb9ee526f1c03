"""Moves after a commit: one run at a time moves a mailbox's messages, and a message
another run has moved is not moved again (two MOVEs of one message at once leave two
copies of it in the processed folder)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from intake_support import request_email, settings

from connectors.maildir import MaildirMailbox
from foidesk.register import leases
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import cursor as moves
from foidesk.services.intake import mark_moved, move_pending, pending_moves, process_batch

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
KEY = settings().mailbox_key


def registered_inbox(engine, tmp_path) -> tuple[MaildirMailbox, list[str]]:
    """A Maildir inbox of two requests, both registered and not yet moved."""
    inbox = MaildirMailbox(tmp_path / "in")
    for n in (1, 2):
        inbox.inbox.add(request_email(n, sender=f"r{n}@example.org"))
    batch = inbox.fetch(None)
    process_batch(lambda: SqlUnitOfWork(engine), batch.messages, settings(), now=NOW,
                  cursor=(None, batch.cursor))
    return inbox, [m.provider_id for m in batch.messages]


def test_a_run_waits_for_another_runs_moves_and_does_not_move_them_again(engine, tmp_path):
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    inbox, ids = registered_inbox(engine, tmp_path)
    other = leases.new_holder()
    assert leases.acquire(uow, moves.move_lease(KEY), other)  # another run is moving
    moved: list[int] = []
    waiting = threading.Thread(target=lambda: moved.append(move_pending(uow, inbox, KEY)))
    waiting.start()
    time.sleep(0.5)
    assert waiting.is_alive() and len(inbox.inbox) == 2  # it waits and moves nothing yet
    inbox.mark_processed(ids)  # what the other run does, then it records that and lets go
    mark_moved(uow(), ids, KEY)
    leases.release(uow, moves.move_lease(KEY), other)
    waiting.join(timeout=30)
    assert moved == [0]
    assert len(inbox.processed) == 2 and len(inbox.inbox) == 0  # each message there once


def test_a_run_that_cannot_take_the_moves_leaves_them_for_the_next_poll(
        engine, tmp_path, monkeypatch):
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    inbox, ids = registered_inbox(engine, tmp_path)
    other = leases.new_holder()
    assert leases.acquire(uow, moves.move_lease(KEY), other)
    monkeypatch.setattr(moves, "MOVE_WAIT_SECONDS", 0.2)
    assert move_pending(uow, inbox, KEY) == 0
    assert sorted(pending_moves(uow(), KEY)["processed"]) == sorted(ids)  # nothing lost
    leases.release(uow, moves.move_lease(KEY), other)
    assert move_pending(uow, inbox, KEY) == 2  # the next poll moves them
    assert len(inbox.processed) == 2 and pending_moves(uow(), KEY)["processed"] == []
