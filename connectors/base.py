"""The two small protocols every mail system is adapted to: a mailbox and a sender.

Adding Gmail or JMAP later means one new module implementing these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from foidesk.outbox_claim import ClaimedMessage


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the mail system holds it."""

    provider_id: str  # stable: IMAP "UIDVALIDITY:UID", Graph id, EWS id, Maildir key
    raw: bytes  # the RFC 5322 bytes, untouched
    arrived_at: datetime | None  # the server's arrival time (IMAP INTERNALDATE...), aware
    size: int


@dataclass(frozen=True)
class Batch:
    """What one fetch returned, and the cursor to fetch after it.

    `resync` is True when the mail system invalidated the old cursor (IMAP
    UIDVALIDITY changed, Graph answered 410 Gone) and the folder is being read
    again from the start: the register's dedupe on Message-ID and content hash
    keeps that from creating duplicates. `more` is True when another fetch would
    return more messages at once.
    """

    messages: list[FetchedMessage]
    cursor: str | None
    more: bool = False
    resync: bool = False
    removed: list[str] = field(default_factory=list)  # provider ids gone from the folder


@runtime_checkable
class Closable(Protocol):
    """A connection that `with` closes (logs out, disconnects)."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Mailbox(Closable, Protocol):
    """Where requests arrive."""

    def fetch(self, cursor: str | None, limit: int | None = None) -> Batch:
        """The next messages after `cursor` (None: from the start), at most `limit`."""
        ...

    def mark_processed(self, provider_ids: Sequence[str]) -> None:
        """Move these messages to the processed folder (after the register committed)."""
        ...

    def quarantine(self, provider_ids: Sequence[str]) -> None:
        """Move these messages to the quarantine folder; the caller records why."""
        ...

    def watch(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for new mail; True if some may have arrived."""
        ...


@dataclass(frozen=True)
class SendResult:
    """What happened to one message: sent (with the provider's id) or not, and why."""

    ok: bool
    provider_id: str | None = None
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> server's reply
    transient: bool = False
    delivery_unknown: bool = False  # the link failed after the message was handed over


@dataclass(frozen=True)
class OutgoingMessage:
    """An RFC 5322 message we built, with its envelope."""

    raw: bytes
    sender: str
    recipients: tuple[str, ...]


@runtime_checkable
class Sender(Closable, Protocol):
    """How foidesk sends mail. One connection serves a whole batch."""

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def send_batch(self, messages: Iterable[OutgoingMessage],
                   on_result: Callable[[SendResult], None] | None = None) -> list[SendResult]:
        ...


class ClosingContext:
    """`with connector:` closes it on the way out (logs out, disconnects)."""

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class BatchSender(ClosingContext):
    """A sender whose batch is its messages sent one by one over one connection."""

    # Given ClaimedMessages by the outbox (foidesk.outbox_claim): a sender that gives a
    # message's envelope before its claim is confirmed says so.
    takes_claims = False

    def send(self, message: OutgoingMessage) -> SendResult:  # pragma: no cover - overridden
        raise NotImplementedError

    def send_claimed(self, claimed: ClaimedMessage) -> SendResult | None:
        """A claimed message sent once its claim is confirmed; None if it is not to be."""
        message = claimed.confirm()
        return None if message is None else self.send(message)

    def send_batch(self, messages: Iterable[OutgoingMessage | ClaimedMessage],
                   on_result: Callable[[SendResult], None] | None = None) -> list[SendResult]:
        """Send each message in turn over one connection. `messages` may be a generator
        (the outbox marks each row `sending` as it yields it), and `on_result` hears each
        result before the next message is taken, so a caller can record it at once. A
        claimed message that is not to be sent has no result."""
        results = []
        for message in messages:
            result = self.send_claimed(message) if isinstance(message, ClaimedMessage) \
                else self.send(message)
            if result is None:
                continue
            if on_result is not None:
                on_result(result)
            results.append(result)
        return results
