"""An Exchange Server (on premises) mailbox and sender through exchangelib (EWS).

For Exchange Server on premises only: Microsoft blocked EWS in Exchange Online on
1 October 2026 (allow-listed apps keep it until 1 April 2027); Microsoft 365
authorities use the Graph connector. New items are found with FindItem by
DateTimeReceived and read as MIME with GetItem; the cursor is the newest
received time handed out and the ids handed out at that time, so no item is
skipped or given twice when several arrive in the same second.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from exchangelib import (
    BASIC,
    DELEGATE,
    NTLM,
    Account,
    Build,
    Configuration,
    Credentials,
    Folder,
    Message,
    Version,
)
from exchangelib.errors import (
    ErrorFolderNotFound,
    ErrorItemNotFound,
    ErrorServerBusy,
    EWSError,
    TransportError,
    UnauthorizedError,
)
from exchangelib.ewsdatetime import EWSDateTime

from connectors.base import (
    Batch,
    BatchSender,
    ClosingContext,
    FetchedMessage,
    OutgoingMessage,
    SendResult,
)
from connectors.errors import ConnectorError, LoginError, ProtocolError, TransientError
from connectors.mime import message_id_of
from connectors.redact import redact_logger

log = logging.getLogger(__name__)
# exchangelib logs request headers (Authorization included) from these loggers.
for _name in ("exchangelib.util", "exchangelib.protocol", "exchangelib.services.common"):
    redact_logger(_name)


@dataclass(frozen=True)
class EwsSettings:
    primary_smtp_address: str
    username: str
    server: str | None = None  # None: autodiscover
    folder: str = "Inbox"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    batch_size: int = 100
    auth: str = "ntlm"  # ntlm (on-premises default) | basic
    exchange_build: tuple[int, int, int, int] | None = (15, 1, 2507, 6)  # Exchange 2016 CU


def connect_account(settings: EwsSettings, password: Callable[[], str]) -> Account:
    """An exchangelib Account; no request is made until the first operation."""
    credentials = Credentials(settings.username, password())
    if settings.server is None:
        return Account(settings.primary_smtp_address, credentials=credentials,
                       autodiscover=True, access_type=DELEGATE)
    version = Version(build=Build(*settings.exchange_build)) if settings.exchange_build else None
    config = Configuration(
        server=settings.server, credentials=credentials,
        auth_type=BASIC if settings.auth == "basic" else NTLM, version=version,
    )
    return Account(settings.primary_smtp_address, config=config, autodiscover=False,
                   access_type=DELEGATE)


def _translate(what: str, error: Exception) -> ConnectorError:
    """exchangelib's errors as ours, with what Exchange said."""
    text = f"EWS {what}: {error.__class__.__name__}: {error}"
    if isinstance(error, UnauthorizedError):
        return LoginError(text)
    if isinstance(error, ErrorServerBusy | TransportError):
        return TransientError(text)
    return ProtocolError(text)


class EwsMailbox(ClosingContext):
    """One folder of an on-premises Exchange mailbox as a foidesk mailbox."""

    def __init__(self, settings: EwsSettings, account: Account) -> None:
        self.settings = settings
        self.account = account
        self._folders: dict[str, Folder] = {}

    def _source(self) -> Folder:
        if self.settings.folder.lower() == "inbox":
            return self.account.inbox
        return self._folder(self.settings.folder, create=False)

    def fetch(self, cursor: str | None, limit: int | None = None) -> Batch:
        """Items received at or after the cursor's time, oldest first, minus those handed out."""
        limit = limit or self.settings.batch_size
        state = json.loads(cursor) if cursor else {"after": None, "seen": []}
        seen = set(state["seen"])
        try:
            query = self._source().all()
            if state["after"]:
                query = query.filter(
                    datetime_received__gte=EWSDateTime.fromisoformat(state["after"])
                )
            found = list(
                query.order_by("datetime_received").only("id", "changekey", "datetime_received")
                [: limit + len(seen) + 1]
            )
            fresh = [item for item in found if item.id not in seen]
            chosen = fresh[:limit]
            bodies = {}
            if chosen:
                for item in self.account.fetch(ids=chosen, only_fields=["mime_content", "size"]):
                    if not isinstance(item, Exception):
                        bodies[item.id] = item
        except EWSError as error:
            raise _translate("fetch", error) from None
        messages = []
        for item in chosen:
            full = bodies.get(item.id)
            if full is None or full.mime_content is None:
                continue  # deleted between FindItem and GetItem
            raw = bytes(full.mime_content)
            received = item.datetime_received
            arrived = datetime.fromtimestamp(received.timestamp(), UTC) if received else None
            messages.append(
                FetchedMessage(
                    provider_id=item.id,
                    raw=raw,
                    arrived_at=arrived,
                    size=full.size or len(raw),
                )
            )
        return Batch(
            messages=messages,
            cursor=json.dumps(_advance(state, chosen)),
            more=len(fresh) > limit,
        )

    def mark_processed(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.processed_folder)

    def quarantine(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.quarantine_folder)

    def _move(self, provider_ids: Sequence[str], folder: str) -> None:
        """MoveItem; an item no longer there (ErrorItemNotFound) was moved before."""
        if not provider_ids:
            return
        try:
            target = self._folder(folder, create=True)
            results = self.account.bulk_move(
                ids=[(item_id, None) for item_id in provider_ids], to_folder=target
            )
        except EWSError as error:
            raise _translate(f"move to {folder!r}", error) from None
        for result in results:
            if isinstance(result, ErrorItemNotFound):
                continue
            if isinstance(result, Exception):
                raise _translate(f"move to {folder!r}", result)

    def _folder(self, path: str, *, create: bool) -> Folder:
        """A folder under the mailbox root given as "FOI/Processed", created if asked."""
        if path in self._folders:
            return self._folders[path]
        parent = self.account.msg_folder_root
        for name in path.split("/"):
            try:
                parent = parent / name
            except ErrorFolderNotFound:
                if not create:
                    raise ConnectorError(f"EWS: folder {path!r} not found") from None
                folder = Folder(parent=parent, name=name, folder_class="IPF.Note")
                folder.save()
                parent = folder
        self._folders[path] = parent
        return parent

    def watch(self, timeout: float) -> bool:
        """Poll: EWS streaming notifications are not used here."""
        time.sleep(min(timeout, 60))
        return True

    def close(self) -> None:
        self.account.protocol.close()


def _advance(state: dict, chosen: list) -> dict:
    """The cursor after handing out `chosen`: the newest received time and its ids."""
    if not chosen:
        return state
    newest = max(item.datetime_received for item in chosen)
    at_newest = [item.id for item in chosen if item.datetime_received == newest]
    if state["after"] and datetime.fromisoformat(state["after"]) == newest:
        at_newest = sorted(set(state["seen"]) | set(at_newest))
    return {"after": newest.isoformat(), "seen": at_newest}


class EwsSender(BatchSender):
    """Sends our MIME with CreateItem (MessageDisposition=SendOnly)."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            Message(account=self.account, mime_content=message.raw).send(save_copy=False)
        except EWSError as error:
            failure = _translate("send", error)
            return SendResult(ok=False, error=str(failure), transient=failure.transient)
        return SendResult(ok=True, provider_id=message_id_of(message.raw))

    def close(self) -> None:
        self.account.protocol.close()
