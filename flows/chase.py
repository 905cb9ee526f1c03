"""The daily chase and escalation flows (weekdays 08:00 Europe/London)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from connectors.base import Sender
from connectors.factory import build_sender
from flows.common import load_config, outgoing, parse_now, run_name
from foidesk.bootstrap import Desk, bootstrap, chase_settings
from foidesk.outbox import DrainReport, drain
from foidesk.services.cases import LONDON
from foidesk.services.chasing import ChaseReport, ChaseSettings, run_chase
from foidesk.services.clock_letters import lapse_clarifications
from foidesk.services.dashboard_page import artifact_keys
from foidesk.wording import count


@task(cache_policy=NO_CACHE)
def plan_and_queue(desk: Desk, settings: ChaseSettings, kind: str, now) -> ChaseReport:
    """Plan today's steps and queue one digest per recipient (logged under keys)."""
    return run_chase(desk.uow(), settings, now=now, kind=kind)


@task(cache_policy=NO_CACHE)
def drain_outbox(desk: Desk, sender: Sender, now) -> DrainReport:
    """Send every queued message exactly once (never retried: the outbox is)."""
    return drain(desk.uow, sender, outgoing, now=now)


def _run(kind: str, config_path: str | None, now: str | None) -> dict[str, int]:
    logger = get_run_logger()
    moment = parse_now(now)
    config = load_config(config_path)
    desk = bootstrap(config)
    report = plan_and_queue(desk, chase_settings(config), kind, moment)
    if kind == "escalate":
        lapsed = lapse_clarifications(desk.uow(), now=moment,
                                      months=config.chase.clarification_lapse_months)
        if lapsed:
            logger.info("closed as lapsed (no clarification): %s", ", ".join(lapsed))
    with build_sender(config) as sender:
        sent = drain_outbox(desk, sender, moment)
    create_markdown_artifact(
        key=artifact_keys(config).named(f"foi-{kind}"),
        markdown=chase_markdown(kind, report, desk, moment),
        description=f"{kind} run: {count(report.emails, 'digest')}",
    )
    logger.info("%s: %s, %s sent", kind, count(report.emails, "digest"), len(sent.sent))
    desk.close()
    return {"digests": report.emails, "items": sum(map(len, report.digests.values())),
            "sent": len(sent.sent)}


STEP_NAMES = {
    "reminder_before": "reminder before the owner's date", "reminder_due": "due today",
    "reminder_overdue": "overdue reminder", "escalate_deputy": "escalated to the deputy",
    "escalate_manager": "escalated to the FOI manager",
    "escalate_head": "escalated to the head of service",
}


def chase_markdown(kind: str, report: ChaseReport, desk: Desk, moment) -> str:
    """What the run sent: case, step and recipient; or, when nothing, why, and what is
    still overdue."""
    from foidesk.services.cases import london_date
    from foidesk.services.reports import overdue

    keys = artifact_keys(desk.settings)
    case_link = keys.case_link
    local = moment.astimezone(LONDON)
    lines = [f"# {kind.title()} run, {local:%A %d %B %Y}", "",
             f"As of {local:%d %B %Y %H:%M} (UK time).", ""]
    rows = sorted((key.split("|")[0], STEP_NAMES.get(key.split("|")[2], key.split("|")[2]),
                   recipient) for recipient, keys in report.digests.items() for key in keys)
    if rows:
        lines += ["| Case | Step | Sent to |", "| --- | --- | --- |"]
        lines += [f"| {case_link(ref)} | {step} | {to} |" for ref, step, to in rows]
    else:
        late = overdue(desk.uow(), london_date(moment), desk.policy)
        lines.append(f"No {'escalation' if kind == 'escalate' else 'reminder'} was due today: "
                     "each step due had already been sent.")
        if late:
            lines.append(f"{count(len(late), 'case')} overdue: "
                         + ", ".join(case_link(r["reference"]) for r in late)
                         + f" (see {keys.named('foi-dashboard')}).")
    return "\n".join(lines)


@flow(name="chase", log_prints=True, flow_run_name=run_name("chase", with_time=False))
def chase(config_path: str | None = None, now: str | None = None) -> dict[str, int]:
    """Remind owners before, on and after their internal due date; one digest each."""
    return _run("chase", config_path, now)


@flow(name="escalate", log_prints=True,
      flow_run_name=run_name("escalate", with_time=False))
def escalate(config_path: str | None = None, now: str | None = None) -> dict[str, int]:
    """Climb the ladder: deputy, FOI manager, head of service, as deadlines near and pass."""
    return _run("escalate", config_path, now)
