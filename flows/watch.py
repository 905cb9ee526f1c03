"""The watch flow: one long-running run per mailbox that starts an intake only when mail
arrives (IMAP IDLE; a short poll where the server cannot push), instead of a flow run
every two minutes. Its schedule restarts it every hour; the intake deployment's own
schedule stays as the fallback."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.events import emit_event
from prefect.runtime import flow_run

from connectors.factory import build_mailbox
from flows.common import load_config, run_name
from flows.intake import intake
from foidesk.bootstrap import bootstrap, mailbox_key
from foidesk.services.intake.watching import WatchReport, watch_mailbox, work_waiting


@flow(name="watch", log_prints=True, flow_run_name=run_name("watch", with_mailbox=True))
def watch(config_path: str | None = None, mailbox: str | None = None, hours: float = 1.0,
          wait_seconds: float = 300.0) -> dict[str, int]:
    """Watch the mailbox for `hours`; run intake (a flow run of its own) when mail comes.
    A `foidesk.mailbox.heartbeat` event follows every wait of at most `wait_seconds`."""
    logger = get_run_logger()
    config = load_config(config_path).for_mailbox(mailbox)
    desk = bootstrap(config)
    key = mailbox_key(config.mailbox)
    resource = {"prefect.resource.id": f"foidesk.mailbox.{key}",
                "prefect.resource.name": key,
                "foidesk.authority": config.authority.key or config.authority.name}

    def heartbeat(report: WatchReport) -> None:
        emit_event(event="foidesk.mailbox.heartbeat", resource=resource,
                   related=[{"prefect.resource.id": f"prefect.flow-run.{flow_run.id}",
                             "prefect.resource.role": "flow-run"}],
                   payload={"waits": report.waits, "intakes": report.intakes,
                            "errors": report.errors})

    def run_intake() -> None:
        state = intake(config_path=config_path, mailbox=mailbox, return_state=True)
        if not state.is_completed():  # recorded as its own failed run; keep watching
            logger.warning("intake run ended %s; the watch goes on", state.name)

    with build_mailbox(config) as box:
        report = watch_mailbox(box, lambda: work_waiting(desk.uow, box, key), run_intake,
                               heartbeat, seconds=hours * 3600, wait_seconds=wait_seconds)
    desk.close()
    logger.info("watch: %s waits, %s intakes, %s dropped connections",
                report.waits, report.intakes, report.errors)
    return {"waits": report.waits, "intakes": report.intakes, "errors": report.errors}
