"""An IMAP mailbox through imapclient: Dovecot, Exchange/Microsoft 365 IMAP, anything RFC 3501.

Cursor: UIDVALIDITY and the last UID handed out (RFC 3501 s2.3.1.1). Messages are
fetched with BODY.PEEK[] so \\Seen is never set before foidesk has processed them,
hundreds per UID FETCH. Processed and quarantined messages are moved with MOVE
(RFC 6851), or COPY + \\Deleted + UID EXPUNGE (RFC 4315) where MOVE is missing.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Literal

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from imapclient.exceptions import LoginError as ImapLoginError

from connectors.base import Batch, ClosingContext, FetchedMessage
from connectors.errors import ConnectorError, LoginError, ProtocolError, TransientError
from connectors.tls import client_context

log = logging.getLogger(__name__)

# RFC 2177: servers may end an IDLE after 30 minutes; re-issue it well before.
IDLE_REISSUE_SECONDS = 29 * 60
FETCH_CHUNK = 500
MOVE_CHUNK = 2000  # UIDs per MOVE: about 12 KB of command line


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    username: str
    security: Literal["tls", "starttls", "plain"] = "tls"
    verify_certificate: bool = True
    folder: str = "INBOX"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    batch_size: int = 200
    timeout: float = 60.0


Credential = Callable[[], str]  # returns a password, or an OAuth access token


class ImapMailbox(ClosingContext):
    """One IMAP folder as a foidesk mailbox. A context manager that logs out on exit."""

    def __init__(
        self,
        settings: ImapSettings,
        password: Credential | None = None,
        oauth_token: Credential | None = None,
        ssl_context: ssl.SSLContext | None = None,
        reconnect_delays: Sequence[float] = (1, 2, 4, 8, 16, 32),
    ) -> None:
        if (password is None) == (oauth_token is None):
            raise ValueError("give exactly one of password or oauth_token")
        self.settings = settings
        self._password = password
        self._oauth_token = oauth_token
        self._ssl_context = ssl_context
        self._reconnect_delays = tuple(reconnect_delays)
        self._client: IMAPClient | None = None
        self._folders_ready = False
        self._layout: tuple[str, str] | None = None  # (delimiter, personal prefix)
        self._uidnext: int | None = None  # UIDNEXT as last read by a fetch or a watch

    # -- connection -------------------------------------------------------------------

    def _ssl(self) -> ssl.SSLContext:
        return client_context(self.settings.verify_certificate, self._ssl_context)

    def _connect(self) -> IMAPClient:
        """Open, secure and authenticate a connection; errors say what the server said."""
        s = self.settings
        try:
            client = IMAPClient(
                s.host, port=s.port, ssl=s.security == "tls",
                ssl_context=self._ssl() if s.security == "tls" else None, timeout=s.timeout,
            )
        except ssl.SSLCertVerificationError as error:
            raise ConnectorError(
                f"imap: TLS certificate not trusted at {s.host}:{s.port}: {error.verify_message}"
            ) from None
        except (OSError, IMAPClientError) as error:
            raise TransientError(f"imap: cannot connect to {s.host}:{s.port}: {error}") from None
        try:
            if s.security == "starttls":
                client.starttls(self._ssl())
            if self._oauth_token is not None:
                client.oauth2_login(s.username, self._oauth_token())
            else:
                assert self._password is not None
                client.login(s.username, self._password())
        except ssl.SSLCertVerificationError as error:
            _quietly(client.shutdown)
            raise ConnectorError(
                f"imap: TLS certificate not trusted at {s.host}:{s.port}: {error.verify_message}"
            ) from None
        except ImapLoginError as error:
            _quietly(client.shutdown)
            raise LoginError(
                f"imap: login failed for {s.username} at {s.host}:{s.port}: "
                f"{_server_text(error)}"
            ) from None
        except (OSError, ssl.SSLError, IMAPClientError) as error:
            _quietly(client.shutdown)
            raise TransientError(f"imap: {s.host}:{s.port}: {_server_text(error)}") from None
        client.normalise_times = False  # keep INTERNALDATE's own zone: we store UTC
        return client

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            self._client = self._connect_with_backoff()
        return self._client

    def _connect_with_backoff(self) -> IMAPClient:
        """Connect, retrying a transient failure with exponential backoff; a login refusal
        fails at once."""
        for attempt, delay in enumerate((*self._reconnect_delays, None)):
            try:
                return self._connect()
            except TransientError as error:
                if delay is None:
                    raise
                log.warning("IMAP connect attempt %d failed (%s); retry in %ss",
                            attempt + 1, error, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    @contextmanager
    def _command(self, what: str) -> Iterator[IMAPClient]:
        """Run IMAP commands, turning failures into typed errors with the server's words.

        A dropped connection is forgotten so the next call reconnects.
        """
        try:
            yield self.client
        except ConnectorError:
            raise
        except (IMAPClientAbortError, OSError) as error:
            self._drop()
            raise TransientError(f"IMAP {what}: connection lost: {_server_text(error)}") from None
        except IMAPClientError as error:
            raise ProtocolError(f"IMAP {what}: server said: {_server_text(error)}") from None

    def _drop(self) -> None:
        if self._client is not None:
            _quietly(self._client.shutdown)
        self._client = None
        self._folders_ready = False
        self._layout = None

    def close(self) -> None:
        """Log out (RFC 3501 s6.1.3) and close the connection."""
        if self._client is not None:
            _quietly(self._client.logout)
            self._client = None

    # -- folders ----------------------------------------------------------------------

    def server_folder(self, name: str) -> str:
        """A configured folder name as this server spells it.

        Config names folders with "/" between levels ("FOI/Processed"); servers differ:
        a stock Dovecot with Maildir++ separates with "." and Courier puts personal
        folders under "INBOX.". The hierarchy delimiter comes from `LIST "" ""` (RFC
        3501 s6.3.8) and the personal prefix from NAMESPACE (RFC 2342).
        """
        with self._command("LIST and NAMESPACE") as client:
            return _spelled(name, *self._hierarchy(client))

    def _hierarchy(self, client: IMAPClient) -> tuple[str, str]:
        """(delimiter, personal namespace prefix), asked once per connection."""
        if self._layout is None:
            delimiter = "/"
            listed = client.list_folders("", "")  # RFC 3501 s6.3.8: the delimiter alone
            if listed and listed[0][1]:
                found = listed[0][1]
                delimiter = found.decode() if isinstance(found, bytes) else str(found)
            prefix = ""
            if client.has_capability("NAMESPACE"):
                personal = client.namespace().personal or ()
                if personal and personal[0][0]:
                    prefix = str(personal[0][0])
            self._layout = (delimiter, prefix)
        return self._layout

    def _ensure_folders(self, client: IMAPClient) -> None:
        """Create the processed and quarantine folders when missing (RFC 3501 s6.3.3)."""
        if self._folders_ready:
            return
        layout = self._hierarchy(client)
        for configured in (self.settings.processed_folder, self.settings.quarantine_folder):
            name = _spelled(configured, *layout)
            if not client.folder_exists(name):
                try:
                    client.create_folder(name)
                except IMAPClient.Error as error:  # another run made it first
                    if "ALREADYEXISTS" not in str(error):
                        raise
        self._folders_ready = True

    def _select(self, client: IMAPClient) -> dict[bytes, Any]:
        """SELECT the watched folder (read-write, so MOVE and EXPUNGE work)."""
        return client.select_folder(_spelled(self.settings.folder, *self._hierarchy(client)))

    # -- the Mailbox protocol ---------------------------------------------------------

    def fetch(self, cursor: str | None, limit: int | None = None) -> Batch:
        """The next messages with UID above the cursor's, at most `limit`.

        `UID SEARCH UID n:*` always returns the highest UID even when it is below
        n (RFC 3501 s6.4.8: "n:*" is "n..highest" in either order): those are
        filtered out. When UIDVALIDITY differs from the cursor's, the folder's UIDs
        were reassigned, so the whole folder is read again (`resync`).
        """
        limit = limit or self.settings.batch_size
        state = json.loads(cursor) if cursor else None
        with self._command(f"fetch from {self.settings.folder!r}") as client:
            self._ensure_folders(client)
            selected = self._select(client)
            uidvalidity = int(selected[b"UIDVALIDITY"])
            resync = state is not None and state["uidvalidity"] != uidvalidity
            last_uid = 0 if state is None or resync else int(state["last_uid"])
            found = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
            chosen = found[:limit]
            messages = self._fetch_bodies(client, uidvalidity, chosen)
        new_last = chosen[-1] if chosen else last_uid
        # What `watch` compares with: mail that comes after this fetch (during the intake
        # it starts) moves UIDNEXT past it. With more left, past the last one read.
        self._uidnext = new_last + 1 if len(found) > limit else selected.get(b"UIDNEXT")
        return Batch(
            messages=messages,
            cursor=json.dumps({"uidvalidity": uidvalidity, "last_uid": new_last}),
            more=len(found) > limit,
            resync=resync,
        )

    def _fetch_bodies(
        self, client: IMAPClient, uidvalidity: int, uids: list[int]
    ) -> list[FetchedMessage]:
        """UID FETCH BODY.PEEK[], INTERNALDATE and RFC822.SIZE, many UIDs per command."""
        messages = []
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            response = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE", "RFC822.SIZE"])
            for uid in chunk:
                data = response.get(uid)
                if data is None:
                    continue  # expunged between SEARCH and FETCH
                raw = data[b"BODY[]"]
                arrived = data.get(b"INTERNALDATE")
                if arrived is not None:
                    arrived = arrived.astimezone(UTC)
                messages.append(
                    FetchedMessage(
                        provider_id=f"{uidvalidity}:{uid}",
                        raw=raw,
                        arrived_at=arrived,
                        size=int(data.get(b"RFC822.SIZE", len(raw))),
                    )
                )
        return messages

    def mark_processed(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.processed_folder)

    def quarantine(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.quarantine_folder)

    def _move(self, provider_ids: Sequence[str], target: str) -> None:
        """MOVE (RFC 6851), else COPY + \\Deleted + UID EXPUNGE (RFC 4315 s2.1).

        Ids from an older UIDVALIDITY are skipped: those UIDs may now name other
        messages, and the message will come back through the resync.
        """
        if not provider_ids:
            return
        with self._command(f"move to {target!r}") as client:
            self._ensure_folders(client)
            target = _spelled(target, *self._hierarchy(client))
            uidvalidity = int(self._select(client)[b"UIDVALIDITY"])
            uids = [int(p.split(":")[1]) for p in provider_ids
                    if int(p.split(":")[0]) == uidvalidity]
            # Dovecot refuses a command line over 64 KB ("Too long argument"): a backlog
            # of 10,000+ moves after an outage goes in chunks.
            for start in range(0, len(uids), MOVE_CHUNK):
                self._move_uids(client, uids[start:start + MOVE_CHUNK], target)

    @staticmethod
    def _move_uids(client: IMAPClient, uids: list[int], target: str) -> None:
        if client.has_capability("MOVE"):
            try:
                client.move(uids, target)
            except IMAPClient.Error as error:
                # Another intake run moved some of them first (RFC 6851 allows NO
                # [EXPUNGEISSUED]): move whatever is still here; a repeat is harmless.
                if "EXPUNGEISSUED" not in str(error) and "no longer exist" not in str(error):
                    raise
                still_here = client.search(["UID", ",".join(map(str, uids))])
                if still_here:
                    client.move(still_here, target)
            return
        client.copy(uids, target)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()

    def watch(self, timeout: float) -> bool:
        """IDLE (RFC 2177) up to `timeout` seconds; True when the server reported a change.

        The IDLE is re-issued before the 29-minute limit; a dropped connection is
        reconnected with backoff on the next call.
        """
        deadline = time.monotonic() + timeout
        with self._command("IDLE") as client:
            selected = self._select(client)
            uidnext = selected.get(b"UIDNEXT")
            seen, self._uidnext = self._uidnext, uidnext
            if seen is not None and uidnext is not None and uidnext != seen:
                return True  # mail came while we were not idling (during the last intake)
            if not client.has_capability("IDLE"):
                time.sleep(min(timeout, 60))
                return True
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                client.idle()
                try:
                    responses = client.idle_check(timeout=min(remaining, IDLE_REISSUE_SECONDS))
                finally:
                    client.idle_done()
                if any(_is_change(r) for r in responses):
                    return True  # the fetch that follows says up to where it read


def _spelled(name: str, delimiter: str, prefix: str) -> str:
    """"FOI/Processed" as the server spells it: its delimiter between levels, under its
    personal namespace prefix; INBOX is INBOX everywhere (RFC 3501 s5.1)."""
    path = delimiter.join(part for part in name.split("/") if part)
    if path.upper() == "INBOX" or path.upper().startswith(f"INBOX{delimiter}"):
        return path
    if prefix and not path.startswith(prefix):
        return prefix + path
    return path


def _is_change(response: tuple[Any, ...]) -> bool:
    """An EXISTS or RECENT untagged response means new mail (RFC 3501 s7.3.1)."""
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def _server_text(error: BaseException) -> str:
    text = str(error)
    return text.removeprefix("b'").removesuffix("'") or error.__class__.__name__


def _quietly(action: Callable[[], Any]) -> None:
    with suppress(OSError, IMAPClientError, socket.error):
        action()
