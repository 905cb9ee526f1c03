"""A Microsoft 365 mailbox and sender through Microsoft Graph (httpx + msal).

Microsoft blocked EWS in Exchange Online from 1 October 2026; Graph is how
Microsoft 365 authorities connect. New mail comes from a delta query on the
folder, whose `@odata.deltaLink` (or `@odata.nextLink` mid-way) is the cursor;
410 Gone means the sync state expired and the folder is read again. Raw MIME
comes from `/$value`, so the register sees the message exactly as it arrived;
sending posts our MIME to `sendMail`, so our Message-ID and threading headers
survive.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

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

log = logging.getLogger(__name__)

GRAPH = "https://graph.microsoft.com/v1.0"
RETRY_STATUSES = {429, 500, 502, 503, 504}
WELL_KNOWN = {"inbox": "inbox", "junk email": "junkemail", "archive": "archive"}


class GraphClient:
    """HTTP to Graph: bearer token, Retry-After on 429/503, one refresh on 401.

    Every failure becomes a typed error carrying Graph's error code and message.
    """

    def __init__(
        self,
        token: Callable[[], str],
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        max_wait: float = 120.0,
    ) -> None:
        self._token = token
        self._http = http or httpx.Client(timeout=60.0)
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._max_wait = max_wait

    def request(
        self, method: str, url: str, *, ok: Sequence[int] = (200,), **kwargs: Any
    ) -> httpx.Response:
        """Send one request; return the response when its status is in `ok`."""
        url = url if url.startswith("http") else f"{GRAPH}{url}"
        extra_headers = kwargs.pop("headers", {})
        refreshed = False
        for attempt in range(1, self._max_attempts + 1):
            headers = {**extra_headers, "Authorization": f"Bearer {self._token()}"}
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as error:
                if attempt == self._max_attempts:
                    raise TransientError(f"Graph {method} {_path(url)}: {error}") from None
                self._sleep(min(2**attempt, self._max_wait))
                continue
            if response.status_code in ok:
                return response
            if response.status_code == 401 and not refreshed:
                refreshed = True
                invalidate = getattr(self._token, "invalidate", None)
                if invalidate:
                    invalidate()
                continue
            if response.status_code in RETRY_STATUSES and attempt < self._max_attempts:
                wait = _retry_after(response, default=min(2**attempt, self._max_wait))
                log.info("Graph %s %s: %s, retrying in %ss", method, _path(url),
                         response.status_code, wait)
                self._sleep(min(wait, self._max_wait))
                continue
            raise _error(method, url, response)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


def _path(url: str) -> str:
    return url.removeprefix(GRAPH).split("?")[0]


def _error(method: str, url: str, response: httpx.Response) -> ConnectorError:
    try:
        body = response.json().get("error", {})
        said = f"{body.get('code', '')}: {body.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        said = response.text[:200]
    text = f"Graph {method} {_path(url)}: HTTP {response.status_code}: {said}"
    if response.status_code in (401, 403):
        return LoginError(text)
    if response.status_code in RETRY_STATUSES:
        return TransientError(text)
    return ProtocolError(text)


@dataclass(frozen=True)
class GraphSettings:
    mailbox: str
    folder: str = "Inbox"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    batch_size: int = 100
    poll_seconds: float = 60.0


class GraphMailbox(ClosingContext):
    """One folder of a Microsoft 365 mailbox as a foidesk mailbox."""

    def __init__(self, settings: GraphSettings, client: GraphClient) -> None:
        self.settings = settings
        self.client = client
        self._user = f"/users/{quote(settings.mailbox, safe='@')}"
        self._folder_ids: dict[str, str] = {}

    def _delta_start(self) -> str:
        folder = self._folder_id(self.settings.folder, create=False)
        return (
            f"{GRAPH}{self._user}/mailFolders/{folder}/messages/delta"
            "?$select=id,receivedDateTime,internetMessageId"
        )

    def fetch(self, cursor: str | None, limit: int | None = None) -> Batch:
        """One page of the delta query: new messages with their MIME, removals, the cursor."""
        limit = limit or self.settings.batch_size
        link = json.loads(cursor)["link"] if cursor else self._delta_start()
        headers = {"Prefer": f"odata.maxpagesize={limit}"}
        resync = False
        try:
            page = self.client.request("GET", link, headers=headers).json()
        except ProtocolError as error:
            if "HTTP 410" not in str(error):
                raise
            log.warning("Graph delta state expired (410): reading the folder again")
            resync = True
            page = self.client.request("GET", self._delta_start(), headers=headers).json()
        messages, removed = [], []
        for item in page.get("value", []):
            if "@removed" in item:
                removed.append(item["id"])
                continue
            raw = self.client.request(
                "GET", f"{self._user}/messages/{item['id']}/$value"
            ).content
            arrived = item.get("receivedDateTime")
            messages.append(
                FetchedMessage(
                    provider_id=item["id"],
                    raw=raw,
                    arrived_at=datetime.fromisoformat(arrived) if arrived else None,
                    size=len(raw),
                )
            )
        next_link = page.get("@odata.nextLink")
        link = next_link or page.get("@odata.deltaLink")
        if link is None:
            raise ProtocolError("Graph delta page had neither @odata.nextLink nor deltaLink")
        return Batch(
            messages=messages,
            cursor=json.dumps({"link": link}),
            more=next_link is not None,
            resync=resync,
            removed=removed,
        )

    def mark_processed(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.processed_folder)

    def quarantine(self, provider_ids: Sequence[str]) -> None:
        self._move(provider_ids, self.settings.quarantine_folder)

    def _move(self, provider_ids: Sequence[str], folder: str) -> None:
        """POST /messages/{id}/move; a message already gone (404) was moved before."""
        destination = self._folder_id(folder, create=True)
        for message_id in provider_ids:
            try:
                self.client.request(
                    "POST", f"{self._user}/messages/{message_id}/move",
                    json={"destinationId": destination}, ok=(200, 201),
                )
            except ProtocolError as error:
                if "HTTP 404" not in str(error):
                    raise

    def _folder_id(self, path: str, *, create: bool) -> str:
        """The id of a folder given as "FOI/Processed", creating missing levels if asked."""
        if path.lower() in WELL_KNOWN:
            return WELL_KNOWN[path.lower()]
        if path in self._folder_ids:
            return self._folder_ids[path]
        parent: str | None = None
        for name in path.split("/"):
            base = f"{self._user}/mailFolders" + (f"/{parent}/childFolders" if parent else "")
            escaped = name.replace("'", "''")
            found = self.client.request(
                "GET", base, params={"$filter": f"displayName eq '{escaped}'"}
            ).json()["value"]
            if found:
                parent = found[0]["id"]
            elif create:
                parent = self.client.request(
                    "POST", base, json={"displayName": name}, ok=(201,)
                ).json()["id"]
            else:
                raise ConnectorError(f"Graph: folder {path!r} not found in {self.settings.mailbox}")
        assert parent is not None
        self._folder_ids[path] = parent
        return parent

    def watch(self, timeout: float) -> bool:
        """Graph pushes only to a public webhook: poll instead, every `poll_seconds`."""
        time.sleep(min(timeout, self.settings.poll_seconds))
        return True

    def close(self) -> None:
        self.client.close()


class GraphSender(BatchSender):
    """Sends our MIME through `POST /users/{mailbox}/sendMail` (HTTP 202)."""

    def __init__(self, mailbox: str, client: GraphClient) -> None:
        self.client = client
        self._user = f"/users/{quote(mailbox, safe='@')}"

    def send(self, message: OutgoingMessage) -> SendResult:
        """Graph takes the recipients from the MIME headers, as sent."""
        try:
            self.client.request(
                "POST", f"{self._user}/sendMail",
                content=base64.b64encode(message.raw),
                headers={"Content-Type": "text/plain"},
                ok=(202,),
            )
        except ConnectorError as error:
            return SendResult(ok=False, error=str(error), transient=error.transient)
        return SendResult(ok=True, provider_id=message_id_of(message.raw))

    def close(self) -> None:
        self.client.close()
