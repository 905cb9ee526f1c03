"""The mail servers a desk shares with other desks, as Prefect global concurrency limits.

A tenant's Microsoft Graph throttling and an SMTP relay's connection limit belong to the
server, not to one mailbox: every mailbox and authority that uses the same server takes a
slot of the same limit, so twenty councils on one Microsoft 365 tenant never open more
sessions at once than the tenant allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from foidesk.config import Settings


@dataclass(frozen=True)
class Limit:
    """One global concurrency limit: its name and how many may hold it at once."""

    name: str
    slots: int


def _name(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def _server(thing: object | None) -> str | None:
    """The server a mailbox or sender talks to: `imap-<host>`, `graph-<tenant>`; None for
    a local Maildir."""
    kind = getattr(thing, "kind", None)
    if kind in ("imap", "smtp"):
        return f"{kind}-{thing.host}"  # type: ignore[union-attr]
    if kind == "graph":
        return f"graph-{thing.tenant_id}"  # type: ignore[union-attr]
    if kind == "ews":
        return "ews-" + (thing.server  # type: ignore[union-attr]
                         or str(thing.primary_smtp_address).split("@")[-1])  # type: ignore[union-attr]
    return None


def mailbox_limit(box: object | None, slots: int = 4) -> Limit | None:
    """The limit for reading this mailbox's server."""
    server = _server(box)
    return Limit(_name("mail", server), slots) if server else None


def sender_limit(sender: object | None, slots: int = 2) -> Limit | None:
    """The limit for sending through this relay or tenant."""
    server = _server(sender)
    return Limit(_name("send", server), slots) if server else None


def limits_taken(settings: Settings) -> tuple[Limit | None, Limit | None]:
    """The mailbox's and the sender's limits an intake run takes: none until the config
    says the limits exist (`[deployment] concurrency_limits = true`)."""
    plan = settings.deployment
    if not plan.concurrency_limits:
        return None, None
    return (mailbox_limit(settings.mailbox, plan.mail_server_sessions),
            sender_limit(settings.sender, plan.relay_sessions))


def limits_of(settings: Settings) -> list[Limit]:
    """Every limit this desk's mailboxes and sender take, with the config's slot counts."""
    plan = settings.deployment
    found = [mailbox_limit(settings.for_mailbox(name).mailbox, plan.mail_server_sessions)
             for name in settings.mailbox_names()]
    found.append(sender_limit(settings.sender, plan.relay_sessions))
    return [limit for limit in found if limit is not None]
