"""The weekly performance pack (Mondays 08:00 Europe/London): a PDF of the dashboard's
figures and charts and last week's changes, with the CSV behind it, emailed to each
manager."""

from __future__ import annotations

from prefect import flow, get_run_logger

from connectors.factory import build_sender
from flows.common import load_config, outgoing, parse_now, run_name
from foidesk.bootstrap import authority_view, bootstrap
from foidesk.outbox import compose, drain, enqueue, from_authority
from foidesk.rendering import Renderer
from foidesk.services.cases import london_date
from foidesk.services.dashboard_page import teams_from_settings
from foidesk.services.weekly_pack import last_week, weekly_pack


@flow(name="report", flow_run_name=run_name("report", with_time=False))
def report(config_path: str | None = None, now: str | None = None,
           week: str | None = None) -> dict[str, object]:
    """Email last week's pack (or `week`'s) to the FOI manager and the head of service."""
    logger = get_run_logger()
    moment = parse_now(now)
    config = load_config(config_path)
    desk = bootstrap(config)
    chosen = week or last_week(london_date(moment))
    pack = weekly_pack(desk.uow(), chosen, desk.policy, teams_from_settings(config),
                       config.authority.name)
    managers = [str(a) for a in (config.escalation.manager, config.escalation.head_of_service)
                if a]
    authority = authority_view(config)
    renderer = Renderer(config.templates.override_dir)
    pdf_name, csv_name = pack.names
    with desk.uow() as uow:
        for manager in managers:
            rendered = renderer.email("weekly_pack", authority=authority, week=chosen,
                                      figures=pack.figures)
            envelope = from_authority(authority, (manager,), attachments=(
                (pdf_name, "application/pdf", pack.pdf), (csv_name, "text/csv", pack.csv)))
            enqueue(uow, f"weekly-pack:{chosen}:{manager}",
                    compose(rendered, envelope, domain=authority.foi_address.rsplit("@")[-1],
                            now=moment), envelope, case=None, now=moment)
        uow.commit()
    with build_sender(config) as sender:
        sent = drain(desk.uow, sender, outgoing, now=moment)
    logger.info("weekly pack %s sent to %s", chosen, ", ".join(managers) or "nobody")
    desk.close()
    return {"week": chosen, "sent_to": managers, "sent": len(sent.sent), "pdf": pdf_name}
