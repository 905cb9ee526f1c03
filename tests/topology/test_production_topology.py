"""The production topology end to end: one PostgreSQL cluster holding Prefect's database
and the registers; `prefect server start` on it with its services; the `foidesk` process
pool with its work queues and limits; two `prefect worker start` processes; Dovecot with
three mailboxes of two authorities (a shared service) and aiosmtpd. Everything is laid out
by `foidesk deployments` and `prefect deploy --all`, and runs on its schedules.

Then one worker is killed with SIGKILL (its flow run with it) in the middle of an intake,
and later the Prefect server is restarted mid-cycle. Each time: the killed run is marked
Crashed, later runs recover, and every mail is registered once and acknowledged once;
no slot of a concurrency limit is left taken with no lease to give it back.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
import yaml
from imapclient import IMAPClient
from intake_support import request_email
from prefect_processes import (
    REPO,
    PrefectServer,
    Worker,
    infrastructure_pid,
    run_prefect,
    running,
    wait_until,
)
from servers import (
    create_database,
    dovecot_server,
    free_port,
    restartable_postgres,
    smtp_server,
)
from sqlalchemy import create_engine, text

from foidesk.deployments.plan import LEASES_ON_DISK

pytestmark = [pytest.mark.postgres, pytest.mark.topology]

PASSWORD = "topology test password"
MAILBOXES = {  # Dovecot user -> (authority, [mailboxes.NAME] or None)
    "norfolk": ("norfolk", None), "norfolk-eir": ("norfolk", "environment"),
    "suffolk": ("suffolk", None),
}
REFERENCES = {"norfolk": "NC {seq:06d}/{yy}", "suffolk": "SC {seq:06d}/{yy}"}
POLL_SECONDS = 10
BACKLOG = 200  # a run long enough to be killed in the middle of
ZOMBIE_SECONDS = 45  # the automation's silence window here (300 in automations/)
# How long a run that a worker took may go without starting before its deployment's slot
# is taken back (Prefect's default 300): what frees a mailbox whose run a restart left
# Submitting when the events that would arm the automation were lost with the server.
START_GRACE_SECONDS = 60


def config_text(authority: str, dovecot, smtp, register_url: str) -> str:
    box = """
kind = "imap"
host = "127.0.0.1"
port = {port}
security = "plain"
username = "{user}"
password = {{ env = "FOIDESK_TOPOLOGY_PASSWORD" }}
batch_size = 20
"""  # a fetched batch commits at once: small ones, so the backlog's run is seen mid-way
    boxes = [(user, name) for user, (owner, name) in MAILBOXES.items() if owner == authority]
    sections = "".join(
        ("\n[mailbox]" if name is None else f"\n[mailboxes.{name}]")
        + box.format(port=dovecot.imap_port, user=user) for user, name in boxes)
    return f"""
[authority]
name = "{authority.title()} Constabulary"
key = "{authority}"
foi_address = "foi@{authority}.police.uk"
team_address = "foi.team@{authority}.police.uk"
internal_domains = ["{authority}.police.uk"]

[reference]
format = "{REFERENCES[authority]}"

[database]
url = "{register_url}"
{sections}
[sender]
kind = "smtp"
host = "127.0.0.1"
port = {smtp.port}
security = "plain"

[deployment]
poll_every_seconds = {POLL_SECONDS}
concurrency_limits = true
"""


class Mail:
    """Requests delivered to the three mailboxes, each from its own requester."""

    def __init__(self, dovecot) -> None:
        self.dovecot = dovecot
        self.sent: dict[str, list[str]] = {user: [] for user in MAILBOXES}

    def deliver(self, user: str, count: int) -> None:
        with IMAPClient("127.0.0.1", port=self.dovecot.imap_port, ssl=False) as client:
            client.login(user, PASSWORD)
            for _ in range(count):
                n = sum(map(len, self.sent.values())) + 1
                requester = f"requester{n}@example.org"
                client.append("INBOX", request_email(
                    n, sender=requester, subject=f"Freedom of Information request {n}",
                    display=f"Requester {n}"))
                self.sent[user].append(requester)

    def of(self, authority: str) -> list[str]:
        return [r for user, rs in self.sent.items() for r in rs
                if MAILBOXES[user][0] == authority]

    def total(self) -> int:
        return sum(map(len, self.sent.values()))


def register_counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
        unsent = connection.execute(text(
            "SELECT count(*) FROM outbox WHERE status <> 'sent'")).scalar_one()
    return cases, unsent


def test_shared_service_on_prefect_server_survives_a_killed_worker_and_a_server_restart(
        tmp_path: Path):
    started = time.monotonic()
    figures: dict[str, object] = {}
    with restartable_postgres() as postgres, \
            dovecot_server({user: PASSWORD for user in MAILBOXES}) as dovecot, \
            smtp_server() as smtp:
        prefect_db = create_database(postgres.url, "prefect").replace(
            "postgresql+psycopg://", "postgresql+asyncpg://")
        registers = {a: create_database(postgres.url, a) for a in ("norfolk", "suffolk")}
        engines = {a: create_engine(url) for a, url in registers.items()}
        configs = {}
        for authority, url in registers.items():
            configs[authority] = tmp_path / f"{authority}.toml"
            configs[authority].write_text(config_text(authority, dovecot, smtp, url))
            _foidesk("cases", "-c", str(configs[authority]))  # first use migrates it
        empty = {a: _bytes_per_case(e, 0) for a, e in engines.items()}  # the bare schema

        home = tmp_path / "prefect-home"
        port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        client_env = {**base, "PREFECT_HOME": str(home),
                      "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                      "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                      "PREFECT_LOGGING_LEVEL": "WARNING"}
        server = PrefectServer({
            **client_env, "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            # Leases on disk, as the setup script says: in memory (Prefect's default) a
            # restart forgets the leases of the runs in flight, and their slots stay taken.
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": LEASES_ON_DISK,
            "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION":
                str(START_GRACE_SECONDS),
        }, port, tmp_path / "server.log")
        worker_env = {**client_env, "FOIDESK_HOME": str(REPO),
                      "FOIDESK_TOPOLOGY_PASSWORD": PASSWORD,
                      "PREFECT_WORKER_QUERY_SECONDS": "1",
                      "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
        workers = [Worker(f"worker-{n}", worker_env, tmp_path / f"worker-{n}.log")
                   for n in (1, 2)]
        server.start()
        with running(server, *workers):
            # The operator's steps: lay out, create the pool, queues and limits, deploy.
            plan_file, setup = tmp_path / "prefect.yaml", tmp_path / "setup.sh"
            _foidesk("deployments", "-c", str(configs["norfolk"]), "-c",
                     str(configs["suffolk"]), "--output", str(plan_file),
                     "--setup", str(setup), "--worker-slots", "8")
            for line in setup.read_text().splitlines():
                if line.startswith("prefect "):
                    run_prefect(client_env, *line.split()[1:])
            automation = yaml.safe_load(
                (REPO / "automations/crash-unresponsive-flow-runs.yaml").read_text())
            automation["trigger"]["within"] = ZOMBIE_SECONDS
            (tmp_path / "zombies.yaml").write_text(yaml.safe_dump(automation))
            run_prefect(client_env, "automation", "create", "--from-file",
                        str(tmp_path / "zombies.yaml"))
            run_prefect({**client_env, "FOIDESK_HOME": str(REPO)}, "deploy", "--all",
                        "--prefect-file", str(plan_file))
            deployments = server.deployments()
            intakes = {name: i for name, i in deployments.items() if name.startswith("intake/")}
            assert set(intakes) == {"intake/norfolk", "intake/norfolk-environment",
                                    "intake/suffolk"}
            assert {"chase/norfolk", "chase/suffolk", "escalate/suffolk"} <= set(deployments)
            queues = {q["name"]: q for q in server.post("/work_pools/foidesk/queues/filter", {})}
            assert queues["casework"]["priority"] < queues["intake"]["priority"]
            assert queues["intake"]["concurrency_limit"] == 6
            limits = {lim["name"] for lim in server.post("/v2/concurrency_limits/filter", {})}
            assert {"mail-imap-127-0-0-1", "send-smtp-127-0-0-1"} <= limits
            for worker in workers:
                worker.start()
            figures["setup seconds"] = round(time.monotonic() - started)

            mail = Mail(dovecot)

            def explain() -> str:
                runs = server.flow_runs()
                lines = [f"mail in {mail.total()}, acknowledged {_acknowledged(smtp)}, "
                         f"registers {[register_counts(e) for e in engines.values()]}"]
                names = {i: name for name, i in server.deployments().items()}
                by = Counter(f"{names.get(r['deployment_id'])}: {r['state_name']}"
                             for r in runs if r["state_type"] != "SCHEDULED")
                lines += [f"{k} x{n}" for k, n in sorted(by.items())]
                lines += [f"slots taken with no lease: {_slots_without_a_lease(server, home)}",
                          f"figures so far: {figures}"]
                # CI shows the end of the output: the summary there too, the logs here.
                print("\n".join(lines), file=sys.stderr)
                for log in (server.log, *(w.log for w in workers)):
                    lines += [f"--- {log.name}", log.read_text(errors="replace")[-2500:]]
                return "\n".join(lines)

            def settled(expected: int | None = None) -> bool:
                total = expected if expected is not None else mail.total()
                counts = [register_counts(e) for e in engines.values()]
                return (sum(c for c, _ in counts) == total and all(not u for _, u in counts)
                        and _acknowledged(smtp) >= total)

            # Scheduled cycles with mail arriving in all three mailboxes (here, then with
            # the backlog, then around the restart).
            for user in MAILBOXES:
                mail.deliver(user, 4)
            wait_until("every request registered and acknowledged", settled, 150,
                       explain=explain)
            figures["cycles seconds"] = round(time.monotonic() - started)

            # A worker dies with a run in the middle of a backlog.
            before = register_counts(engines["norfolk"])[0]
            mail.deliver("norfolk", BACKLOG)
            for user in ("norfolk-eir", "suffolk"):
                mail.deliver(user, 3)

            def backlog_begun() -> bool:
                return register_counts(engines["norfolk"])[0] - before >= 5

            def running_backlog():
                cases, unsent = register_counts(engines["norfolk"])
                if cases - before >= BACKLOG and not unsent:
                    return None  # finished: nothing left to kill it in the middle of
                for run in server.flow_runs([intakes["intake/norfolk"]]):
                    pid = infrastructure_pid(run)
                    if run["state_type"] == "RUNNING" and pid:
                        return run, pid
                return None

            # The register is read cheaply until the run is under way; only then is the
            # API asked which run it is (on a busy machine that question takes seconds).
            wait_until("the backlog's intake run under way", backlog_begun, 60, every=0.05,
                       explain=explain)
            run, pid = wait_until("the backlog's intake run in the middle", running_backlog,
                                  30, every=0.1, explain=explain)
            [victim] = [w for w in workers if w.runs_pid(pid)]
            victim.kill(pid)
            killed_at = time.monotonic()
            figures["registered when killed"] = register_counts(engines["norfolk"])[0] - before

            def crashed():
                state = server.post("/flow_runs/filter",
                                    {"flow_runs": {"id": {"any_": [run["id"]]}}})[0]
                return state["state_type"] == "CRASHED" and state
            wait_until("the killed run marked Crashed", crashed, ZOMBIE_SECONDS + 60,
                       explain=explain)
            figures["seconds to Crashed"] = round(time.monotonic() - killed_at)
            wait_until("the backlog registered and acknowledged by later runs", settled, 180,
                       explain=explain)
            figures["seconds to recover after the kill"] = round(time.monotonic() - killed_at)
            victim.start()  # systemd's Restart=always

            # The Prefect server restarts in the middle of a cycle.
            for user in MAILBOXES:
                mail.deliver(user, 5)
            wait_until("an intake run in flight", lambda: any(
                r["state_type"] in ("RUNNING", "PENDING")
                for r in server.flow_runs(list(intakes.values()))), 30, every=0.1)
            restart_at = time.monotonic()
            server.restart()
            figures["server restart seconds"] = round(time.monotonic() - restart_at)
            wait_until("everything registered and acknowledged after the restart", settled, 180,
                       explain=explain)
            figures["seconds to recover after the restart"] = round(
                time.monotonic() - restart_at)
            # The runs in flight at the restart gave their slots back (a run that is still
            # going holds its own lease; the killed run's lease runs out in its own time).
            wait_until("every slot taken held by a lease", lambda: not _slots_without_a_lease(
                server, home), 30, explain=explain)

            # Nothing lost, nothing twice, each authority's own.
            for authority, engine in engines.items():
                with engine.connect() as connection:
                    requesters = connection.execute(text(
                        "SELECT email FROM requesters")).scalars().all()
                    references = connection.execute(text(
                        "SELECT reference FROM cases")).scalars().all()
                    inbound = connection.execute(text(
                        "SELECT count(*), count(DISTINCT message_id) FROM messages "
                        "WHERE direction = 'in'")).one()
                assert sorted(requesters) == sorted(mail.of(authority)), authority
                assert len(set(references)) == len(mail.of(authority))
                prefix = REFERENCES[authority].split()[0]
                assert all(ref.startswith(prefix + " ") for ref in references)
                assert inbound[0] == inbound[1] == len(mail.of(authority))
            acknowledgements = Counter(_requester_mail(smtp))
            assert set(acknowledgements) == {r for rs in mail.sent.values() for r in rs}
            assert set(acknowledgements.values()) == {1}, "a requester heard from us twice"
            ids = [message_from_bytes(raw)["Message-ID"] for _, _, raw in smtp.handler.received]
            assert len(ids) == len(set(ids)), "a message was sent twice"
            _each_authority_sees_only_its_own_pages(server)

            runs = server.flow_runs(list(intakes.values()))
            states = Counter(r["state_type"] for r in runs if r["start_time"])
            figures.update({
                "mail in": mail.total(),
                "cases": {a: register_counts(e)[0] for a, e in engines.items()},
                "messages sent": len(smtp.handler.received),
                "intake runs by state": dict(states),
                "total seconds": round(time.monotonic() - started),
                "register bytes per case": {a: _bytes_per_case(e, empty[a])
                                            for a, e in engines.items()},
                "prefect database bytes": _database_bytes(prefect_db),
            })
            assert states["CRASHED"] >= 1 and states["COMPLETED"] >= 6
        for engine in engines.values():
            engine.dispose()
    print("TOPOLOGY " + json.dumps(figures))
    (REPO / "var").mkdir(exist_ok=True)
    (REPO / "var" / "topology.json").write_text(json.dumps(figures, indent=2) + "\n")


def _slots_without_a_lease(server: PrefectServer, home: Path) -> dict[str, int]:
    """Each concurrency limit (the mail servers', the deployments') whose taken slots are
    more than its leases on the server's disk hold: slots that nobody will give back."""
    held: Counter[str] = Counter()
    for path in (home / "concurrency_leases").glob("*.json"):
        if path.name == "expirations.json":
            continue
        try:
            lease = json.loads(path.read_text())
        except (OSError, ValueError):  # revoked or half-written while we looked
            continue
        for limit_id in lease["resource_ids"]:
            held[limit_id] += (lease.get("metadata") or {}).get("slots", 1)
    return {limit["name"]: limit["active_slots"] - held[limit["id"]]
            for limit in server.post("/v2/concurrency_limits/filter", {})
            if limit["active_slots"] > held[limit["id"]]}


def _bytes_per_case(engine, empty: int) -> int:
    """The register's growth per case over its bare schema (or, for an empty one, its
    size)."""
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
    return (size - empty) // max(cases, 1)


def _database_bytes(url: str) -> int:
    engine = create_engine(url.replace("+asyncpg", "+psycopg"))
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return size


def _foidesk(*args: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([str(Path(sys.executable).parent / "foidesk"), *args],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def _requester_mail(smtp) -> list[str]:
    """Each requester address a message was sent to (team tasks go to the team)."""
    return [rcpt for _, rcpts, _ in smtp.handler.received for rcpt in rcpts
            if rcpt.endswith("@example.org")]


def _acknowledged(smtp) -> int:
    return len(_requester_mail(smtp))


def _each_authority_sees_only_its_own_pages(server: PrefectServer) -> None:
    """Every artifact keyed for one authority names only that authority's cases."""
    artifacts = server.post("/artifacts/filter", {"limit": 200})
    keyed = [a for a in artifacts if a.get("key")]
    assert any(a["key"].startswith("norfolk-") for a in keyed)
    assert any(a["key"].startswith("suffolk-") for a in keyed)
    for artifact in keyed:
        body = json.dumps(artifact.get("data")) + (artifact.get("description") or "")
        if artifact["key"].startswith("norfolk-"):
            assert "SC 0" not in body, artifact["key"]
        elif artifact["key"].startswith("suffolk-"):
            assert "NC 0" not in body, artifact["key"]
        else:
            raise AssertionError(f"an artifact of no authority: {artifact['key']}")
