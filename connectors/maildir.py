"""A local Maildir: the embedded default for the demo and for self-hosted mail.

Processed and quarantine are Maildir++ sub-folders (`.FOI.Processed`). The
cursor is the key of the last message handed out: keys from the stdlib and from
any MDA that follows the Maildir spec begin with the delivery time, so sorted
keys are arrival order. A message still in the inbox at or before the cursor
(handed out but never marked, say after a crash) is handed out again once
nothing newer waits: nothing is lost, and the register dedupes the repeat.
"""

from __future__ import annotations

import json
import mailbox
import os
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import (
    Batch,
    BatchSender,
    ClosingContext,
    FetchedMessage,
    OutgoingMessage,
    SendResult,
)
from connectors.errors import ProtocolError

_KEY = re.compile(r"^(\d+)(?:\.M(\d+))?(?:P\d+)?(?:Q(\d+))?")


def arrival_order(key: str) -> tuple[int, int, int, str]:
    """Sort key of a Maildir name `1732612345.M123456P789Q12.host`: seconds, then
    microseconds, then the delivery counter (plain string order puts M99 after M100)."""
    match = _KEY.match(key)
    if match is None:
        return (0, 0, 0, key)
    seconds, micros, counter = match.groups()
    return (int(seconds), int(micros or 0), int(counter or 0), key)


class MaildirMailbox(ClosingContext):
    """A Maildir inbox with processed and quarantine sub-folders."""

    def __init__(
        self,
        path: str | Path,
        processed_folder: str = "FOI.Processed",
        quarantine_folder: str = "FOI.Quarantine",
        batch_size: int = 200,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.inbox = mailbox.Maildir(self.path, create=True)
        self.processed = self._folder(processed_folder)
        self.quarantined = self._folder(quarantine_folder)
        self.batch_size = batch_size
        self._seen: set[str] | None = None  # the inbox at the last watch

    def _folder(self, name: str) -> mailbox.Maildir:
        return self.inbox.add_folder(name.lstrip("."))

    def fetch(self, cursor: str | None, limit: int | None = None) -> Batch:
        """The next messages after `cursor`, in arrival order; see the module docstring."""
        limit = limit or self.batch_size
        after = json.loads(cursor)["after"] if cursor else None
        keys = sorted(self.inbox.keys(), key=arrival_order)
        newer = [k for k in keys if after is None or arrival_order(k) > arrival_order(after)]
        chosen = newer[:limit]
        messages = [self._read(key) for key in chosen]
        messages = [m for m in messages if m is not None]
        last = chosen[-1] if chosen else after
        return Batch(
            messages=messages,
            cursor=json.dumps({"after": last}) if last else None,
            more=len(newer) > limit,
        )

    def _read(self, key: str) -> FetchedMessage | None:
        try:
            path = Path(self.inbox._path) / self.inbox._lookup(key)  # type: ignore[attr-defined]
            raw = path.read_bytes()
            arrived = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except (KeyError, FileNotFoundError):
            return None  # moved away between listing and reading
        return FetchedMessage(provider_id=key, raw=raw, arrived_at=arrived, size=len(raw))

    def mark_processed(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.processed)

    def quarantine(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.quarantined)

    def _move(self, provider_ids: Sequence[str], target: mailbox.Maildir) -> None:
        """Move by rename, keeping the key: atomic on one file system, and idempotent."""
        for key in provider_ids:
            try:
                relative = self.inbox._lookup(key)  # type: ignore[attr-defined]
            except KeyError:
                if self._holds(target, key):
                    continue  # already moved by an earlier, interrupted call
                raise ProtocolError(f"maildir {self.path}: no message {key!r}") from None
            source = Path(self.inbox._path) / relative  # type: ignore[attr-defined]
            os.replace(source, Path(target._path) / relative)  # type: ignore[attr-defined]
        self.inbox._refresh()  # type: ignore[attr-defined]

    @staticmethod
    def _holds(folder: mailbox.Maildir, key: str) -> bool:
        try:
            folder._lookup(key)  # type: ignore[attr-defined]
        except KeyError:
            return False
        return True

    def keys_in(self, which: str) -> list[str]:
        """Keys in "inbox", "processed" or "quarantine": for tests and the demo."""
        folder = {"inbox": self.inbox, "processed": self.processed,
                  "quarantine": self.quarantined}[which]
        return sorted(folder.keys(), key=arrival_order)

    def watch(self, timeout: float) -> bool:
        """Look at the inbox's listing once a second, up to `timeout` seconds; True when a
        message is there that was not at the last look (the first look: any message)."""
        deadline = time.monotonic() + timeout
        while True:
            names = set(self.inbox.keys())
            arrived = names - self._seen if self._seen is not None else names
            self._seen = names
            if arrived:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(1.0, remaining))

    def close(self) -> None:
        self.inbox.close()


class MaildirSender(BatchSender):
    """Writes each outgoing message into an outbox Maildir so sent mail can be inspected."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.outbox = mailbox.Maildir(Path(path), create=True)

    def send(self, message: OutgoingMessage) -> SendResult:
        key = self.outbox.add(message.raw)  # the bytes as composed, not re-serialised
        return SendResult(ok=True, provider_id=key)

    def was_sent(self, message_id: str | None) -> bool | None:
        """Whether a message with this Message-ID is in the outbox (after a crash)."""
        if not message_id:
            return None
        wanted = message_id.encode()
        for key in self.outbox.keys():  # noqa: SIM118 - Maildir iterates over messages
            head = self.outbox.get_bytes(key).split(b"\n\n", 1)[0]
            if wanted in head:
                return True
        return False

    def close(self) -> None:
        self.outbox.close()

