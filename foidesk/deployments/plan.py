"""One prefect.yaml for every desk a Prefect server runs: an intake (or watch) per mailbox,
the casework and report deployments per authority, on work queues whose priorities keep
a backlog in one mailbox from starving another authority's chase and escalate runs.

prefect.yaml in the repository is the template: entrypoints, schedules and descriptions
come from it; this module only multiplies it out per authority and mailbox.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from foidesk.config import Settings
from foidesk.deployments.limits import Limit, limits_of

POOL = "foidesk"
# Where the Prefect server must keep the limits' leases so that a restart keeps them.
LEASES_ON_DISK = "prefect.server.concurrency.lease_storage.filesystem"


@dataclass(frozen=True)
class Queue:
    """A work queue of the pool. Prefect hands a free worker slot to the queue with the
    lowest priority number first; a queue's limit caps how many of its runs go at once."""

    name: str
    priority: int
    description: str


QUEUES = (
    Queue("casework", 1, "Chasing, escalation, drafting and reviewers' decisions: first."),
    Queue("intake", 2, "Mailbox intake and watches."),
    Queue("reports", 3, "Dashboards and the weekly pack."),
)
QUEUE_OF = {"chase": "casework", "escalate": "casework", "respond": "casework",
            "review-decision": "casework", "intake": "intake", "watch": "intake",
            "dashboard": "reports", "report": "reports"}
WATCH_HOURS = 1  # a watch runs for an hour; the hourly schedule starts the next


@dataclass(frozen=True)
class Desk:
    """One authority's config, as the workers will find it."""

    config_path: str
    settings: Settings


@dataclass(frozen=True)
class Plan:
    deployments: list[dict[str, Any]]
    queues: tuple[Queue, ...]
    limits: list[Limit]
    intake_queue_limit: int | None  # slots intake may take, leaving the rest to casework


class PlanError(ValueError):
    """Desks that cannot share one Prefect server as configured."""


def plan(desks: list[Desk], template: list[dict[str, Any]], *,
         worker_slots: int | None = None) -> Plan:
    """Every deployment for these desks, from prefect.yaml's `template` deployments.
    With `worker_slots` (workers times each worker's --limit), intake may hold all but two
    of them, so chase and escalate always find a slot."""
    _check_keys(desks)
    by_name = {spec["name"]: spec for spec in template}
    made: list[dict[str, Any]] = []
    for desk in desks:
        key = desk.settings.authority.key
        for name, spec in by_name.items():
            if name == "intake":
                made += _per_mailbox(desk, spec, key)
            else:
                made.append(_deployment(spec, _named(name, key, None), desk, {}))
    limits = {limit.name: limit for desk in desks for limit in limits_of(desk.settings)}
    spare = None if worker_slots is None else max(1, worker_slots - 2)
    return Plan(made, QUEUES, sorted(limits.values(), key=lambda lim: lim.name), spare)


def _check_keys(desks: list[Desk]) -> None:
    keys = [desk.settings.authority.key for desk in desks]
    if len(desks) > 1 and not all(keys):
        missing = [d.config_path for d in desks if not d.settings.authority.key]
        raise PlanError("authority.key: every config needs one when several share a Prefect "
                        f"server (missing in {', '.join(missing)})")
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise PlanError(f'authority.key: "{key}" is used by two configs')
        seen.add(key)


def _named(kind: str, key: str, mailbox: str | None) -> str:
    """`intake` alone; `norfolk`, `norfolk-environment` with a key (the flow's name is
    already in the full name: intake/norfolk)."""
    parts = [part for part in (key, mailbox) if part]
    return "-".join(parts) or kind


def _per_mailbox(desk: Desk, spec: dict[str, Any], key: str) -> list[dict[str, Any]]:
    settings, out = desk.settings, []
    policy = settings.deployment
    for mailbox in settings.mailbox_names():
        extra = {"mailbox": mailbox} if mailbox else {}
        name = _named("intake", key, mailbox)
        poll = policy.fallback_poll_every_seconds if policy.watch else policy.poll_every_seconds
        intake = _deployment(spec, name, desk, extra)
        intake["schedules"] = [{"interval": poll, "timezone": "Europe/London"}]
        out.append(intake)
        if policy.watch:
            out.append(_watch(name, desk, extra))
    return out


def _watch(name: str, desk: Desk, extra: dict[str, Any]) -> dict[str, Any]:
    spec = {
        "name": name, "entrypoint": "flows/watch.py:watch",
        "description": "Wait for new mail (IMAP IDLE, Graph delta) and run intake only when "
                       "some arrives; a heartbeat event every few minutes.",
        "parameters": {"config_path": None, "hours": WATCH_HOURS},
        "schedules": [{"interval": WATCH_HOURS * 3600, "timezone": "Europe/London"}],
        "concurrency_limit": 1,
    }
    return _deployment(spec, name, desk, extra)


def _deployment(spec: dict[str, Any], name: str, desk: Desk,
                extra: dict[str, Any]) -> dict[str, Any]:
    made = copy.deepcopy(spec)
    made["name"] = name
    kind = made["entrypoint"].rsplit(":", 1)[1].replace("_", "-")
    made["parameters"] = {**(made.get("parameters") or {}), "config_path": desk.config_path,
                          **extra}
    made["work_pool"] = {"name": POOL, "work_queue_name": QUEUE_OF.get(kind, "casework")}
    made["tags"] = sorted({*made.get("tags", []), *_tags(desk)})
    return made


def _tags(desk: Desk) -> set[str]:
    key = desk.settings.authority.key
    return {f"authority:{key}"} if key else set()


def setup_commands(made: Plan) -> list[str]:
    """The Prefect CLI commands that create the pool, its queues and the limits
    (each is safe to run again: an existing one is reported, not changed), and what the
    limits need of the Prefect server."""
    lines = [f"prefect work-pool create {POOL} --type process"]
    for queue in made.queues:
        limit = ""
        if queue.name == "intake" and made.intake_queue_limit is not None:
            limit = f" --limit {made.intake_queue_limit}"
        lines.append(f"prefect work-queue create {queue.name} --pool {POOL} "
                     f"--priority {queue.priority}{limit}")
    lines += [f"prefect gcl create {limit.name} --limit {limit.slots}" for limit in made.limits]
    if made.limits:
        lines += ["# The limits' slots are held under leases: run the Prefect server with",
                  f"# PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE={LEASES_ON_DISK}",
                  "# or a restart loses the leases of the runs in flight, and their slots are",
                  "# never given back (README, a real installation)."]
    return lines
