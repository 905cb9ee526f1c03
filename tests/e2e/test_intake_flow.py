"""The intake flow under Prefect: counts in an artifact, the CLI runs it once."""

from __future__ import annotations

import mailbox as stdlib_mailbox
import os
from datetime import UTC, datetime

import pytest
from intake_support import request_email
from typer.testing import CliRunner

CONFIG = """
[authority]
name = "Example Council"
foi_address = "foi@example.gov.uk"
team_address = "foi.officers@example.gov.uk"
internal_domains = ["example.gov.uk"]

[database]
url = "sqlite:///var/foidesk.db"

[mailbox]
kind = "maildir"
path = "var/mailbox"

[sender]
kind = "maildir"
path = "var/outbox"
"""


@pytest.fixture
def desk_dir(tmp_path, prefect_harness):
    (tmp_path / "foidesk.toml").write_text(CONFIG)
    (tmp_path / "var").mkdir()
    inbox = stdlib_mailbox.Maildir(tmp_path / "var" / "mailbox", create=True)
    inbox.add(request_email(1))
    inbox.add(request_email(2, subject="Out of Office: back Monday",
                            headers={"Auto-Submitted": "auto-replied"}))
    arrived = datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp()  # the server's arrival time
    for folder in ("new", "cur"):
        for path in (tmp_path / "var" / "mailbox" / folder).iterdir():
            os.utime(path, (arrived, arrived))
    return tmp_path


def test_the_flow_registers_acknowledges_and_leaves_a_triage_artifact(desk_dir):
    from prefect.artifacts import Artifact

    from flows.intake import intake

    counts = intake(config_path=str(desk_dir / "foidesk.toml"), now="2026-11-02T10:00")
    assert counts["new_request"] == 1 and counts["auto_reply"] == 1
    assert counts["sent"] == 2  # the acknowledgement and the unrouted-case task
    artifact = Artifact.get("intake-triage")
    page = artifact.data
    assert "# Intake, 2 November 2026 10:00 (UK time)" in page
    assert "| new request | 1 |" in page and "| auto reply | 1 |" in page
    assert "## Delivery" in page and "| sent | 2 |" in page
    assert "| sent | 2 |" not in page.split("## Delivery")[0]  # triage and delivery apart
    assert str(desk_dir) not in page and "var/mailbox" not in page  # no file paths
    assert "Registered: FOI 000001/26." in page and "FOI 000001/26" in artifact.description
    outbox = stdlib_mailbox.Maildir(desk_dir / "var" / "outbox")
    assert len(outbox.keys()) == 2


def test_after_a_backlog_only_the_oldest_cases_pages_are_written_at_once(desk_dir,
                                                                          monkeypatch):
    from prefect.artifacts import Artifact

    import flows.intake
    from flows.dashboard import dashboard

    inbox = stdlib_mailbox.Maildir(desk_dir / "var" / "mailbox")
    for n in (3, 4):
        inbox.add(request_email(n, sender=f"r{n}@example.org"))
    monkeypatch.setattr(flows.intake, "CASE_PAGES_AFTER_INTAKE", 2)
    config = desk_dir / "foidesk.toml"  # keys of its own: no other test's pages
    config.write_text(config.read_text().replace('name = "Example Council"',
                                                 'name = "Example Council"\nkey = "backlog"'))
    counts = flows.intake.intake(config_path=str(desk_dir / "foidesk.toml"),
                                 now="2026-11-02T10:00")
    assert counts["new_request"] == 3
    pages = [f"backlog-foi-case-foi-00000{n}-26" for n in (1, 2, 3)]
    assert [Artifact.get(page) is not None for page in pages] == [True, True, False]
    first = Artifact.get(pages[0])  # published a few at a time, still this run's own
    assert first.flow_run_id is not None and first.task_run_id is not None
    assert "FOI 000001/26" in first.data and first.description == first.data
    assert "FOI 000003/26" in Artifact.get("backlog-intake-triage").data  # named at once
    dashboard(config_path=str(config), now="2026-11-02T11:00")  # the hourly run
    assert Artifact.get(pages[2]) is not None


def test_foidesk_run_intake_runs_the_flow_once(desk_dir, monkeypatch):
    from foidesk.cli import app

    monkeypatch.chdir(desk_dir)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["run", "intake", "--now", "2026-11-02T10:00"])
    assert result.exit_code == 0, result.output
    assert "new_request: 1" in result.stdout and "auto_reply: 1" in result.stdout
    again = CliRunner().invoke(app, ["run", "intake"])
    assert again.exit_code == 0
    assert "new_request" not in again.stdout


def test_foidesk_watch_runs_intake_as_mail_arrives(desk_dir, monkeypatch):
    from foidesk.cli import app

    monkeypatch.chdir(desk_dir)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["watch", "--poll-minutes", "0.01", "--for-minutes",
                                      "0.05"])
    assert result.exit_code == 0, result.output
    assert "watch: 1 intake run" in result.stdout  # none while nothing new came
    outbox = stdlib_mailbox.Maildir(desk_dir / "var" / "outbox")
    to = sorted(str(outbox[key]["To"]) for key in outbox.keys())  # noqa: SIM118
    assert to == ["foi.officers@example.gov.uk", "jane@example.org"]  # once each, not twice


def test_each_registered_case_emits_a_prefect_event(desk_dir, monkeypatch):
    from prefect.events.clients import AssertingEventsClient
    from prefect.events.worker import EventsWorker

    from flows.intake import intake

    worker = EventsWorker.instance(AssertingEventsClient)
    monkeypatch.setattr(EventsWorker, "instance", lambda *args, **kwargs: worker)
    intake(config_path=str(desk_dir / "foidesk.toml"), now="2026-11-02T10:00")
    worker.drain()
    events = [e for e in worker._client.events if e.event == "foidesk.case.registered"]
    assert [e.resource.id for e in events] == ["foidesk.case.FOI-000001/26"]
    assert events[0].payload["reference"] == "FOI 000001/26"


def test_the_chase_and_escalate_flows_run_from_the_cli(desk_dir, monkeypatch):
    from foidesk.cli import app

    monkeypatch.chdir(desk_dir)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    config = desk_dir / "foidesk.toml"
    config.write_text(config.read_text() + (
        '\n[[routing]]\nname = "Roads"\nkeywords = ["pothole"]\n'
        'owner = "roads@example.gov.uk"\n'
        '\n[escalation]\nmanager = "foi.manager@example.gov.uk"\n'
    ))
    assert CliRunner().invoke(app, ["run", "intake", "--now", "2026-11-02T09:00"]).exit_code == 0
    before = CliRunner().invoke(app, ["run", "chase", "--now", "2026-11-12T08:00"])
    assert before.exit_code == 0, before.output
    assert before.stdout.strip() == "chase: 1 digest, 1 item, 1 sent"
    rerun = CliRunner().invoke(app, ["run", "chase", "--now", "2026-11-12T08:30"])
    assert rerun.stdout.strip() == "chase: 0 digests, 0 items, 0 sent"
    # due 1 December 2026 (St Andrew's Day, 30 November, skipped): 5 working days before
    manager = CliRunner().invoke(app, ["run", "escalate", "--now", "2026-11-24T08:00"])
    assert manager.stdout.strip() == "escalate: 1 digest, 1 item, 1 sent"
    escalated = _artifact("foi-escalate")
    assert ("| [FOI 000001/26](/artifacts/key/foi-case-foi-000001-26) | escalated to the FOI "
            "manager | foi.manager@example.gov.uk |") in escalated
    assert "As of 24 November 2026 08:00" in escalated
    # After the deadline, nothing new is due: the artifact says why, and what is overdue.
    CliRunner().invoke(app, ["run", "escalate", "--now", "2026-12-03T08:00"])
    quiet = _artifact("foi-escalate")
    assert "No escalation was due today" in quiet
    assert ("1 case overdue: [FOI 000001/26](/artifacts/key/foi-case-foi-000001-26) "
            "(see foi-dashboard).") in quiet


def _artifact(key: str) -> str:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def latest() -> str:
        async with get_client() as client:
            [found] = await client.read_latest_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return str(found.data)

    return asyncio.run(latest())


def test_a_poll_costs_a_few_task_runs_whatever_the_backlog(tmp_path, prefect_harness):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.intake import intake

    (tmp_path / "foidesk.toml").write_text(CONFIG.replace(
        'path = "var/mailbox"', 'path = "var/mailbox"\nbatch_size = 2'))
    (tmp_path / "var").mkdir()
    inbox = stdlib_mailbox.Maildir(tmp_path / "var" / "mailbox", create=True)
    for n in range(1, 10):
        inbox.add(request_email(n, sender=f"r{n}@example.org"))
    state = intake(config_path=str(tmp_path / "foidesk.toml"), now="2026-11-02T10:00",
                   return_state=True)
    assert state.result()["new_request"] == 9  # five batches of two
    flow_run_id = state.state_details.flow_run_id
    runs = get_client(sync_client=True).read_task_runs(
        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    assert len(runs) <= 10
    assert sorted({run.name.rsplit("-", 1)[0] for run in runs}) == [
        "drain_outbox", "ingest", "mark_processed", "publish_pages", "publish_performance",
        "publish_tables"]  # the dashboard's tasks run in the intake, not in a subflow


def test_flow_runs_are_named_for_what_and_when(desk_dir):
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.chase import chase
    from flows.intake import intake

    intake(config_path=str(desk_dir / "foidesk.toml"), now="2026-11-02T10:00")
    chase(config_path=str(desk_dir / "foidesk.toml"), now="2026-11-03T08:00")

    async def names() -> list[str]:
        async with get_client() as client:
            return [run.name for run in await client.read_flow_runs(limit=50)]

    found = asyncio.run(names())
    assert "intake maildir:mailbox 2026-11-02 10:00" in found
    assert "chase 2026-11-03" in found


def test_an_idle_poll_leaves_no_artifact_and_the_watch_flow_runs_intake_when_mail_comes(
        desk_dir):
    import threading
    import time

    from prefect.artifacts import Artifact

    from flows.intake import intake
    from flows.watch import watch

    config = str(desk_dir / "foidesk.toml")
    intake(config_path=config, now="2026-11-02T10:00")
    first = Artifact.get("intake-triage").id
    assert not intake(config_path=config, now="2026-11-02T10:02").get("new_request")
    assert Artifact.get("intake-triage").id == first  # nothing new, nothing written

    def arrive() -> None:
        time.sleep(2)
        stdlib_mailbox.Maildir(desk_dir / "var" / "mailbox").add(
            request_email(7, sender="late@example.org"))

    feeder = threading.Thread(target=arrive)
    feeder.start()
    figures = watch(config_path=config, hours=10 / 3600, wait_seconds=1)  # room for the intake
    feeder.join()
    assert figures["intakes"] == 1 and figures["waits"] >= 4
    outbox = stdlib_mailbox.Maildir(desk_dir / "var" / "outbox")
    assert sum(str(outbox[key]["To"]) == "late@example.org" for key in outbox.keys()) == 1  # noqa: SIM118
