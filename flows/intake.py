"""The intake flow: poll the FOI mailbox, triage and register, acknowledge, move.

Four tasks per poll whatever the backlog (retry moves, ingest every batch, drain the
outbox, move), never one task per message or per batch, and after new work the
dashboard's three. Only mailbox I/O is retried; sending is made safe by the outbox, never
by a retry.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from connectors.base import Mailbox, Sender
from connectors.factory import build_mailbox, build_sender
from flows.common import (
    load_config,
    mailbox_who,
    outgoing,
    parse_now,
    retry_only_transient,
    run_name,
    server_slot,
)
from flows.dashboard import refresh as refresh_dashboard
from foidesk.bootstrap import Desk, bootstrap, intake_settings
from foidesk.deployments.limits import limits_taken
from foidesk.outbox import DrainReport, drain
from foidesk.services.dashboard_page import artifact_keys
from foidesk.services.intake import (
    BatchReport,
    IntakeSettings,
    load_cursor,
    move_pending,
    process_batch,
)
from foidesk.services.intake.triage_ahead import TriageAhead

IO_RETRIES = {"retries": 3, "retry_delay_seconds": [2, 5, 15],
              "retry_condition_fn": retry_only_transient}


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def ingest(desk: Desk, mailbox: Mailbox, settings: IntakeSettings, now,
           max_batches: int) -> BatchReport:
    """Fetch batch after batch and register each batch in one transaction with its
    cursor: one task however large the backlog, so a poll costs Prefect the same few
    task runs whatever arrived. A retry is safe: a message is
    recognised by its Message-ID, and the cursor only moves past committed batches."""
    report = BatchReport()
    with TriageAhead(settings.triage, settings.size_limit) as ahead:
        for _ in range(max_batches):
            cursor = load_cursor(desk.uow(), settings.mailbox_key)
            batch = mailbox.fetch(cursor)
            report.outcomes += process_batch(desk.uow, batch.messages, settings, now=now,
                                             cursor=(cursor, batch.cursor),
                                             ahead=ahead).outcomes
            if not batch.more:
                break
    return report


@task(cache_policy=NO_CACHE)
def drain_outbox(desk: Desk, sender: Sender, settings: IntakeSettings, now) -> DrainReport:
    """Send every queued message exactly once (never retried: the outbox is), until none
    is left or the poll's send budget is spent."""
    return drain(desk.uow, sender, outgoing, now=now, limit=settings.max_send,
                 budget_seconds=settings.send_budget_seconds)


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def mark_processed(desk: Desk, mailbox: Mailbox, mailbox_key: str) -> int:
    """Move this mailbox's committed messages to the processed or quarantine folder."""
    return move_pending(desk.uow, mailbox, mailbox_key)


# After an intake, the case pages of at most this many of the cases it registered (the
# oldest first): each page is one call to the Prefect server, and after a backlog of
# thousands they would hold the poll for minutes. The hourly dashboard run writes the page
# of every open case, so the rest follow within the hour.
CASE_PAGES_AFTER_INTAKE = 50

DELIVERY = ("sent", "send_failed", "send_unknown")
DELIVERY_WORDS = {"sent": "sent", "send_failed": "refused by the server (a person resends)",
                  "send_unknown": "in flight when the connection dropped (see the team notice)"}


def intake_markdown(counts: Counter, registered: list[str], config, moment) -> str:
    """What one intake run did: the mailbox by name (never a file path), when, what triage
    decided, what was delivered, and the cases it registered."""
    from foidesk.services.cases import LONDON

    local = moment.astimezone(LONDON)
    lines = [f"# Intake, {local.day} {local:%B %Y %H:%M} (UK time)", "",
             f"Mailbox: {mailbox_label(config)}. This is the latest run; an older date here "
             "means no intake has run since.", "", "## Triage", "",
             "| Decision | Messages |", "| --- | ---: |"]
    triage = sorted((k, n) for k, n in counts.items() if k not in DELIVERY and n)
    lines += [f"| {k.replace('_', ' ')} | {n} |" for k, n in triage] or ["| none | 0 |"]
    lines += ["", "## Delivery", "", "| Outgoing mail | Messages |", "| --- | ---: |"]
    lines += [f"| {DELIVERY_WORDS[k]} | {counts.get(k, 0)} |" for k in DELIVERY]
    lines += ["", "Registered: " + (", ".join(registered) or "no new case") + "."]
    return "\n".join(lines)


def mailbox_label(config) -> str:
    box = config.mailbox
    if box is None:
        return "none configured"
    who = mailbox_who(box)
    folder = getattr(box, "folder", None)
    return f"{box.kind}" + (f" {who}" if who else "") + (f", folder {folder}" if folder else "")


@flow(name="intake", log_prints=True, flow_run_name=run_name("intake", with_mailbox=True))
def intake(config_path: str | None = None, now: str | None = None,
           max_batches: int = 100, wait_for_servers: bool = True,
           mailbox: str | None = None) -> dict[str, int]:
    """Poll the FOI mailbox once: register, acknowledge, route, and file every message.
    `mailbox` names one of `[mailboxes.NAME]` (default: `[mailbox]`). With
    `wait_for_servers` off (a command someone is waiting on), a refused connection fails
    the run at once instead of being retried."""
    logger = get_run_logger()
    moment = parse_now(now)
    config = load_config(config_path).for_mailbox(mailbox)
    desk = bootstrap(config)
    settings = intake_settings(config)
    counts: Counter[str] = Counter()
    registered: list[str] = []
    retried = {} if wait_for_servers else {"retries": 0}
    move, fetch = mark_processed.with_options(**retried), ingest.with_options(**retried)
    mail_server, relay = limits_taken(config)
    with server_slot(mail_server), \
            build_mailbox(config, patient=wait_for_servers) as box, \
            build_sender(config) as sender:
        move(desk, box, settings.mailbox_key)
        report = fetch(desk, box, settings, moment, max_batches)
        counts.update(report.counts())
        registered += report.registered
        with server_slot(relay):
            sent = drain_outbox(desk, sender, settings, moment)
        counts["sent"] += len(sent.sent)
        counts["send_failed"] += len(sent.failed)
        counts["send_unknown"] += len(sent.unknown)
        move(desk, box, settings.mailbox_key)
    scope = f"{config.authority.key}." if config.authority.key else ""
    for reference in registered:
        emit_event(
            event="foidesk.case.registered",
            resource={"prefect.resource.id":
                      f"foidesk.case.{scope}{reference.replace(' ', '-')}",
                      "prefect.resource.name": reference},
            payload={"reference": reference, "mailbox": settings.mailbox_key,
                     "authority": config.authority.name},
        )
    if any(counts.values()):  # an idle poll leaves no artifact: nothing to show or keep
        create_markdown_artifact(key=artifact_keys(config).named("intake-triage"),
                                 markdown=intake_markdown(counts, registered, config, moment),
                                 description=f"Intake: {', '.join(registered) or 'no new case'}")
    logger.info("intake: %s; registered %s", dict(counts), registered or "none")
    if registered or counts.get("sent"):  # new work on the dashboard at once
        refresh_dashboard(desk, moment, cases=registered[:CASE_PAGES_AFTER_INTAKE])
    desk.close()
    return dict(counts)
