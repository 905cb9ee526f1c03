"""What intake costs Prefect's database: `python -m bench.prefect_cost [--polls N]`.

Starts PostgreSQL, `prefect server start` on it, Dovecot and aiosmtpd; runs the intake flow
against that server N times with nothing new (idle polls), N times with one request each
(busy polls), then the watch flow for a while with a few arrivals; after each phase counts
the rows and bytes added to flow_run, flow_run_state, task_run, task_run_state, events,
event_resources, artifact, artifact_collection and log. Prints per-run figures and the
per-mailbox per-day figures for a two-minute poll (720 runs a day) and for a watch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration"),
                str(ROOT / "tests" / "topology")]

TABLES = ("flow_run", "flow_run_state", "task_run", "task_run_state", "events",
          "event_resources", "artifact", "artifact_collection", "log")


def measure(engine) -> dict[str, tuple[int, int]]:
    """Rows and bytes (table, indexes and TOAST) of each table."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return {table: (connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one(),
                        connection.execute(text(
                            f"SELECT pg_total_relation_size('{table}')")).scalar_one())
                for table in TABLES}


def delta(after: dict, before: dict, runs: int) -> dict[str, dict[str, float]]:
    return {table: {"rows": (after[table][0] - before[table][0]) / runs,
                    "bytes": (after[table][1] - before[table][1]) / runs} for table in TABLES}


def settle(engine, seconds: float = 8.0) -> dict:
    """Events reach the database in batches: wait until two looks agree."""
    last = measure(engine)
    while True:
        time.sleep(seconds)
        now = measure(engine)
        if now == last:
            return now
        last = now


def start_prefect_server(postgres_url: str, tmp: Path, password: str, **extra: str):
    """`prefect server start` on a new database of the cluster, this process's flows
    pointed at it: (the server, an engine on Prefect's database)."""
    from prefect_processes import PrefectServer
    from servers import create_database, free_port
    from sqlalchemy import create_engine

    prefect_url = create_database(postgres_url, "prefect")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp / "home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_API_URL=f"http://127.0.0.1:{port}/api", **extra)
    server = PrefectServer({**env, "PREFECT_API_DATABASE_CONNECTION_URL":
                            prefect_url.replace("+psycopg", "+asyncpg")},
                           port, tmp / "server.log")
    server.start()
    os.environ.update(env)  # this process's flows report to that server
    os.environ["FOIDESK_BENCH_PASSWORD"] = password
    return server, create_engine(prefect_url)


def write_results(results: dict, path: Path | None) -> None:
    print(json.dumps(results, indent=2))
    if path:
        path.write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prefect_cost")
    parser.add_argument("--polls", type=int, default=30)
    parser.add_argument("--watch-seconds", type=int, default=90)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from intake_support import request_email, server_config
    from servers import IMAP_USERS, dovecot_server, restartable_postgres
    from servers import smtp_server as smtp_context

    tmp = Path(tempfile.mkdtemp(prefix="foidesk-prefect-cost-"))
    with restartable_postgres() as postgres, dovecot_server(IMAP_USERS) as dovecot, \
            smtp_context() as smtp:
        server, prefect_db = start_prefect_server(postgres.url, tmp, IMAP_USERS["foi"])
        config = tmp / "foidesk.toml"
        config.write_text(server_config(dovecot, smtp, str(tmp / "register.db"), "INBOX",
                                        imap_password_env="FOIDESK_BENCH_PASSWORD"))
        from imapclient import IMAPClient

        from flows.intake import intake
        from flows.watch import watch

        imap = IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False)
        imap.login("foi", IMAP_USERS["foi"])
        sent = [0]

        def deliver(count: int = 1) -> None:
            for _ in range(count):
                sent[0] += 1
                imap.append("INBOX", request_email(sent[0], sender=f"r{sent[0]}@example.org"))

        intake(config_path=str(config))  # migrations, folders: not part of any figure
        results: dict[str, dict] = {}
        before = settle(prefect_db)
        for _ in range(args.polls):
            intake(config_path=str(config))
        after = settle(prefect_db)
        results["idle poll (per run)"] = delta(after, before, args.polls)
        before = after
        for _ in range(args.polls):
            deliver()
            intake(config_path=str(config))
        after = settle(prefect_db)
        results["poll with one request (per run)"] = delta(after, before, args.polls)
        before = after
        arrivals = 3

        def arrive() -> None:
            for _ in range(arrivals):
                time.sleep(args.watch_seconds / (arrivals + 1))
                deliver(2)

        feeder = threading.Thread(target=arrive)
        feeder.start()
        figures = watch(config_path=str(config), hours=args.watch_seconds / 3600,
                        wait_seconds=10)
        feeder.join()
        after = settle(prefect_db)
        results[f"watch for {args.watch_seconds} s, {arrivals} arrivals (whole run)"] = delta(
            after, before, 1)
        results["watch figures"] = {"figures": figures}
        imap.logout()
        server.stop()
    write_results(results, args.json)


if __name__ == "__main__":
    main()
