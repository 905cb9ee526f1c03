"""A queued message's row claimed while its envelope is already on its way.

The drain commits a row `sending` (with the last message's result) before its message can
be delivered: that is what keeps a crash from sending it twice. On PostgreSQL that
statement is a round trip to the database server, and SMTP's MAIL and RCPT, which deliver
nothing, are two more to the mail server. A sender that `takes_claims` is handed a
ClaimedMessage instead of the message: it gives the envelope while the claim's statement
runs on a worker thread, and `confirm()` waits for that commit before it hands over the
message for DATA. On SQLite the statement runs at once, in this thread (it waits on no
server), and `confirm()` has nothing to wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClaimedMessage:
    """A message's envelope, and its bytes once its row is committed `sending`.

    A sender calls `confirm()` once, before anything that could deliver the message (SMTP's
    DATA); it gives the message to send, or None when the message is not to be sent
    (another drain took it), and the sender then drops the transaction and reports
    nothing for it. If it raises, nothing may be delivered."""

    sender: str
    recipients: tuple[str, ...]
    confirm: Callable[[], Any]


class ClaimStatements:
    """Runs each claim's statement now, or on one worker thread (`threaded`), one at a time."""

    def __init__(self, threaded: bool) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="foidesk-claim") \
            if threaded else None
        self._running: Future | None = None

    def start(self, statement: Callable[[], Any]) -> Callable[[], Any]:
        """`statement` begun; what it returns, from the function given back (which waits)."""
        if self._pool is None:
            value = statement()
            return lambda: value
        self._running = self._pool.submit(statement)
        return self._running.result

    def settle(self) -> None:
        """Wait for a statement still running (whatever became of it: the caller has
        already failed, or will read its result)."""
        if self._running is not None:
            with suppress(Exception):
                self._running.result()
            self._running = None

    def close(self) -> None:
        self.settle()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
