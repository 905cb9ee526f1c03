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
from foidesk.services.chasing import ChaseReport, ChaseSettings, run_chase
from foidesk.services.clock_letters import lapse_clarifications
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
    lines = [f"- **{recipient}**: {count(len(keys), 'item')}" for recipient, keys in
             sorted(report.digests.items())]
    create_markdown_artifact(
        key=f"foi-{kind}", markdown=f"# {kind.title()} {moment:%Y-%m-%d}\n\n"
                                    + ("\n".join(lines) or "Nothing due today."),
        description=f"{kind} run: {count(report.emails, 'digest')}",
    )
    logger.info("%s: %s, %s sent", kind, count(report.emails, "digest"), len(sent.sent))
    desk.close()
    return {"digests": report.emails, "items": sum(map(len, report.digests.values())),
            "sent": len(sent.sent)}


@flow(name="chase", log_prints=True, flow_run_name=run_name("chase", with_time=False))
def chase(config_path: str | None = None, now: str | None = None) -> dict[str, int]:
    """Remind owners before, on and after their internal due date; one digest each."""
    return _run("chase", config_path, now)


@flow(name="escalate", log_prints=True,
      flow_run_name=run_name("escalate", with_time=False))
def escalate(config_path: str | None = None, now: str | None = None) -> dict[str, int]:
    """Climb the ladder: deputy, FOI manager, head of service, as deadlines near and pass."""
    return _run("escalate", config_path, now)
