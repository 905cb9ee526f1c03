"""Microsoft Graph and Entra ID as they answer on the wire, for the only fakes we allow.

Graph runs behind respx (httpx's transport), Entra ID's token endpoint behind
requests-mock (msal uses requests), so the real connector, httpx and msal all run.
Payloads follow Microsoft's documented shapes: delta pages with @odata.nextLink
and @odata.deltaLink, @removed entries, error bodies {"error": {"code", "message"}},
410 for an expired sync state, 429 with Retry-After, and a new id after a move.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import respx

GRAPH = "https://graph.microsoft.com/v1.0"
LOGIN = "https://login.microsoftonline.com"


@dataclass
class StoredMessage:
    id: str
    folder: str
    mime: bytes
    received: datetime


@dataclass
class FakeGraph:
    mailbox: str = "foi@contoso.gov.uk"
    folders: dict[str, dict] = field(default_factory=dict)  # id -> {displayName, parent}
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    throttle_next: int = 0  # answer this many requests with 429 first
    expired_tokens: set[str] = field(default_factory=set)
    bearer_tokens_seen: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    _snapshots: dict[str, frozenset[str]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.folders["inbox"] = {"displayName": "Inbox", "parent": None}

    # -- helpers for tests --------------------------------------------------------

    def deliver(self, mime: bytes, folder: str = "inbox") -> str:
        message_id = self._new_id()
        self.messages[message_id] = StoredMessage(message_id, folder, mime, datetime.now(UTC))
        return message_id

    def in_folder(self, path: str) -> list[bytes]:
        folder = self._folder_by_path(path)
        if folder is None:
            return []
        found = [m for m in self.messages.values() if m.folder == folder]
        return [m.mime for m in sorted(found, key=lambda m: m.received)]

    def expire_delta_tokens(self) -> None:
        self.expired_tokens |= set(self._snapshots)

    def _folder_by_path(self, path: str) -> str | None:
        if path.lower() == "inbox":
            return "inbox"
        parent = None
        for name in path.split("/"):
            match = [fid for fid, f in self.folders.items()
                     if f["displayName"] == name and f["parent"] == parent]
            if not match:
                return None
            parent = match[0]
        return parent

    def _new_id(self) -> str:
        # Graph ids are long opaque base64 strings.
        raw = f"AAMkAGI2TG93AAA={next(self._ids):06d}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    # -- the HTTP side ----------------------------------------------------------------

    def install(self, router: respx.MockRouter) -> None:
        router.route(host="graph.microsoft.com").mock(side_effect=self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bearer_tokens_seen.add(request.headers.get("Authorization", ""))
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return _error(429, "TooManyRequests",
                          "Application is over its MailboxConcurrency limit.",
                          headers={"Retry-After": "2"})
        path = unquote(urlsplit(str(request.url)).path).removeprefix("/v1.0")
        user = f"/users/{self.mailbox}"
        if not path.startswith(user):
            return _error(404, "ErrorInvalidUser", f"The requested user '{path}' is invalid.")
        rest = path[len(user):]
        routes = [
            (r"^/mailFolders/([^/]+)/messages/delta$", "GET", self._delta),
            (r"^/messages/([^/]+)/\$value$", "GET", self._value),
            (r"^/messages/([^/]+)/move$", "POST", self._move),
            (r"^/mailFolders$", "GET", self._list_folders),
            (r"^/mailFolders$", "POST", self._create_folder),
            (r"^/mailFolders/([^/]+)/childFolders$", "GET", self._list_folders),
            (r"^/mailFolders/([^/]+)/childFolders$", "POST", self._create_folder),
            (r"^/sendMail$", "POST", self._send_mail),
        ]
        for pattern, method, handler in routes:
            match = re.match(pattern, rest)
            if match and request.method == method:
                return handler(request, *match.groups())
        return _error(400, "BadRequest", f"Unsupported request {request.method} {rest}")

    def _delta(self, request: httpx.Request, folder: str) -> httpx.Response:
        query = parse_qs(urlsplit(str(request.url)).query)
        token = query.get("$deltatoken", [None])[0]
        skip = query.get("$skiptoken", [None])[0]
        if token in self.expired_tokens or skip in self.expired_tokens:
            return _error(410, "SyncStateNotFound",
                          "The sync state generation is not found or has expired.")
        page_size = 10
        prefer = request.headers.get("Prefer", "")
        if match := re.search(r"odata\.maxpagesize=(\d+)", prefer):
            page_size = int(match.group(1))
        if skip:
            state = json.loads(base64.urlsafe_b64decode(skip + "=="))
            known, pending = frozenset(state["known"]), state["pending"]
        else:
            known = self._snapshots.get(token, frozenset()) if token else frozenset()
            current = sorted(
                (m for m in self.messages.values() if m.folder == folder),
                key=lambda m: m.received,
            )
            pending = [{"id": m.id} for m in current if m.id not in known]
            pending += [{"id": i, "@removed": {"reason": "deleted"}} for i in sorted(known)
                        if i not in self.messages or self.messages[i].folder != folder]
        page, rest = pending[:page_size], pending[page_size:]
        value = []
        for entry in page:
            if "@removed" in entry:
                value.append(entry)
            elif entry["id"] in self.messages:
                stored = self.messages[entry["id"]]
                value.append({
                    "@odata.etag": 'W/"CQAAABYAAAB"',
                    "id": stored.id,
                    "receivedDateTime": stored.received.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "internetMessageId": _message_id(stored.mime),
                })
        base = f"{GRAPH}/users/{self.mailbox}/mailFolders/{folder}/messages/delta"
        body: dict = {"@odata.context": f"{GRAPH}/$metadata#Collection(message)", "value": value}
        seen = known | {e["id"] for e in page if "@removed" not in e}
        seen -= {e["id"] for e in page if "@removed" in e}
        if rest:
            state = {"known": sorted(seen), "pending": rest}
            skiptoken = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
            body["@odata.nextLink"] = f"{base}?$skiptoken={skiptoken}"
        else:
            new_token = f"dt{len(self._snapshots) + 1:04d}"
            self._snapshots[new_token] = frozenset(seen)
            body["@odata.deltaLink"] = f"{base}?$deltatoken={new_token}"
        return httpx.Response(200, json=body)

    def _value(self, request: httpx.Request, message_id: str) -> httpx.Response:
        stored = self.messages.get(message_id)
        if stored is None:
            return _not_found()
        return httpx.Response(200, content=stored.mime, headers={"Content-Type": "text/plain"})

    def _move(self, request: httpx.Request, message_id: str) -> httpx.Response:
        stored = self.messages.pop(message_id, None)
        if stored is None:
            return _not_found()
        destination = json.loads(request.content)["destinationId"]
        if destination not in self.folders:
            self.messages[message_id] = stored
            return _error(404, "ErrorInvalidIdMalformed", "Id is malformed.")
        moved = StoredMessage(self._new_id(), destination, stored.mime, stored.received)
        self.messages[moved.id] = moved  # Graph gives a moved message a new id
        return httpx.Response(201, json={"id": moved.id, "parentFolderId": destination})

    def _list_folders(self, request: httpx.Request, parent: str | None = None) -> httpx.Response:
        wanted = None
        query = parse_qs(urlsplit(str(request.url)).query).get("$filter", [""])[0]
        if match := re.match(r"displayName eq '(.*)'$", query):
            wanted = match.group(1).replace("''", "'")
        value = [
            {"id": fid, "displayName": f["displayName"], "parentFolderId": f["parent"] or "root",
             "childFolderCount": 0, "unreadItemCount": 0, "totalItemCount": 0}
            for fid, f in self.folders.items()
            if f["parent"] == parent and fid != "inbox"
            and (wanted is None or f["displayName"] == wanted)
        ]
        return httpx.Response(200, json={"@odata.context": "...", "value": value})

    def _create_folder(self, request: httpx.Request, parent: str | None = None) -> httpx.Response:
        name = json.loads(request.content)["displayName"]
        folder_id = self._new_id()
        self.folders[folder_id] = {"displayName": name, "parent": parent}
        return httpx.Response(201, json={"id": folder_id, "displayName": name,
                                         "parentFolderId": parent or "root"})

    def _send_mail(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Content-Type") != "text/plain":
            return _error(400, "ErrorMimeContentInvalid", "MIME content must be base64 text/plain.")
        self.sent.append(base64.b64decode(request.content))
        return httpx.Response(202)


def _not_found() -> httpx.Response:
    return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _message_id(mime: bytes) -> str:
    match = re.search(rb"^Message-ID:\s*(\S+)", mime, re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode() if match else ""


def _error(status: int, code: str, message: str, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": message,
                        "innerError": {"date": "2026-11-26T09:00:00",
                                       "request-id": "5e7a3c1b-0000-4000-8000-000000000000"}}},
        headers=headers,
    )


def install_entra(mocker, tenant: str, *, secret: str, token: str = "eyJ0eXAiOiJKV1QifQ.fake.sig"):
    """Entra ID's discovery and token endpoints (msal's client-credentials flow)."""
    mocker.get(
        f"{LOGIN}/common/discovery/instance",
        json={
            "tenant_discovery_endpoint": f"{LOGIN}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{
                "preferred_network": "login.microsoftonline.com",
                "preferred_cache": "login.windows.net",
                "aliases": ["login.microsoftonline.com", "login.windows.net",
                            "login.microsoft.com", "sts.windows.net"],
            }],
        },
    )
    mocker.get(
        f"{LOGIN}/{tenant}/v2.0/.well-known/openid-configuration",
        json={
            "token_endpoint": f"{LOGIN}/{tenant}/oauth2/v2.0/token",
            "authorization_endpoint": f"{LOGIN}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{LOGIN}/{tenant}/oauth2/v2.0/devicecode",
            "issuer": f"{LOGIN}/{tenant}/v2.0",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
        },
    )

    def token_response(request, context):
        form = parse_qs(request.text)
        if form.get("client_secret") != [secret]:
            context.status_code = 401
            return {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided. "
                "Ensure the secret being sent in the request is the client secret value.",
                "error_codes": [7000215],
            }
        return {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": token}

    mocker.post(f"{LOGIN}/{tenant}/oauth2/v2.0/token", json=token_response)
