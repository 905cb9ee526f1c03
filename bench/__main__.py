"""foidesk benchmarks: `python -m bench [--size smoke|medium|full] [--runs N]`.

Starts Dovecot, aiosmtpd and the register (SQLite, and PostgreSQL with --postgres),
runs each scenario --runs times, and prints one table of medians, each figure beside
a floor measured in the same run. These are measurements, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from imapclient import IMAPClient  # noqa: E402
from intake_support import settings as intake_settings  # noqa: E402
from servers import create_database, dovecot_server, postgres_cluster, smtp_server  # noqa: E402
from sqlalchemy import text  # noqa: E402

from connectors.base import OutgoingMessage  # noqa: E402
from connectors.imap import ImapMailbox, ImapSettings  # noqa: E402
from connectors.smtp import SmtpSender, SmtpSettings  # noqa: E402
from foidesk.outbox import recipients_of  # noqa: E402
from foidesk.register.database import create_register_engine  # noqa: E402
from foidesk.register.migrate import upgrade  # noqa: E402
from foidesk.register.unit_of_work import SqlUnitOfWork  # noqa: E402
from foidesk.services.intake import run_intake  # noqa: E402

SIZES = {
    "smoke": {"backlog": 300, "idle": (200, 1000), "sweep": (1000, 3000), "latency": 5},
    "medium": {"backlog": 2000, "idle": (1000, 10000), "sweep": (10000, 30000), "latency": 20},
    "full": {"backlog": 10000, "idle": (1000, 50000), "sweep": (10000, 100000), "latency": 50},
}
USER = {"foi": "bench-password"}
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def request(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Requester {n} <requester{n}@example.org>"
    message["To"] = "foi@example.gov.uk"
    message["Subject"] = f"FOI request {n}: potholes in ward {n % 97}"
    message["Message-ID"] = f"<bench-{n}-{time.time_ns()}@example.org>"
    message.set_content(
        f"Under the FOI Act please tell me:\n\n1. How many potholes were reported in ward "
        f"{n % 97} in 2025?\n2. How many were repaired within 28 days?\n")
    return message.as_bytes()


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def seed(admin: IMAPClient, folder: str, count: int) -> None:
    """MULTIAPPEND in chunks of 500 (RFC 3502)."""
    for start in range(0, count, 500):
        admin.multiappend(folder, [request(n) for n in range(start, min(count, start + 500))])


def register(url: str):
    engine = create_register_engine(url)
    upgrade(engine)
    return engine


def fresh_url(kind: str, tmp: Path, admin_url: str | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'r-{time.time_ns()}.db'}"
    return create_database(admin_url, "bench")


def imap_for(server, folder: str) -> ImapMailbox:
    return ImapMailbox(ImapSettings(host=server.host, port=server.imap_port, username="foi",
                                    security="plain", folder=folder, batch_size=500),
                       password=lambda: USER["foi"])


def reset_folders(admin: IMAPClient, folder: str) -> None:
    admin.select_folder("INBOX")
    for name in (folder, "FOI/Processed", "FOI/Quarantine"):
        if admin.folder_exists(name):
            admin.delete_folder(name)
    admin.create_folder(folder)


# -- B1 backlog ---------------------------------------------------------------------------


def b1_backlog(server, smtp, admin, url: str, count: int) -> dict:
    """The whole job, timed to its end: every request registered, every message it
    queues (an acknowledgement and an owner task) accepted by the SMTP server, every
    mail moved. The floor then does the same I/O with nothing in between: FETCH of the
    same backlog, the very messages foidesk sent over one SMTP connection, UID MOVE."""
    folder = "Backlog"
    reset_folders(admin, folder)
    seed(admin, folder, count)
    register(url).dispose()
    smtp.handler.received.clear()
    # In its own process, so its peak RSS is the pipeline's alone (B5's backlog figure).
    done = subprocess.run([sys.executable, "-c", BACKLOG_CHILD, str(ROOT), url, server.host,
                           str(server.imap_port), folder, smtp.host, str(smtp.port)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    sent = list(smtp.handler.received)
    assert figures["registered"] == count, figures
    assert figures["sent"] == len(sent) == 2 * count, (figures, len(sent))  # all of it
    assert figures["moved"] == count, figures
    smtp.handler.received.clear()
    floor = _floor(server, smtp, admin, folder, count, sent)
    smtp.handler.received.clear()
    pipeline = figures["seconds"]
    return {"pipeline_s": pipeline, "floor_s": floor, "ratio": pipeline / floor,
            "msgs_per_s": count / pipeline, "peak_rss_mb": figures["peak_kb"] / 1024,
            "busy": figures["cpu_seconds"] / pipeline,  # the intake's CPU, of its wall time
            "sent": len(sent)}


def _floor(server, smtp, admin, folder: str, count: int, sent: list) -> float:
    """What the mail servers alone need for the same work."""
    reset_folders(admin, folder)
    seed(admin, folder, count)
    started = time.perf_counter()
    client = IMAPClient(server.host, port=server.imap_port, ssl=False)
    client.login("foi", USER["foi"])
    client.select_folder(folder)
    uids = client.search()
    for start in range(0, len(uids), 500):
        client.fetch(uids[start:start + 500], ["BODY.PEEK[]", "INTERNALDATE"])
    with smtplib.SMTP(smtp.host, smtp.port) as connection:
        for mail_from, rcpts, content in sent:
            connection.sendmail(mail_from, rcpts, content)
    if not client.folder_exists("Floor"):
        client.create_folder("Floor")
    for start in range(0, len(uids), 2000):  # Dovecot's 64 KB command-line limit
        client.move(uids[start:start + 2000], "Floor")
    client.logout()
    return time.perf_counter() - started


BACKLOG_CHILD = r"""
import json, sys, time
from pathlib import Path
root, url, host, port, folder, smtp_host, smtp_port = sys.argv[1:8]
sys.path[:0] = [root, root + "/tests", root + "/tests/integration"]
from bench.__main__ import NOW, USER, outgoing
from intake_support import settings
from connectors.imap import ImapMailbox, ImapSettings
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.register.database import create_register_engine
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake
engine = create_register_engine(url)
mailbox = ImapMailbox(ImapSettings(host=host, port=int(port), username="foi", security="plain",
                                   folder=folder, batch_size=500), password=lambda: USER["foi"])
sender = SmtpSender(SmtpSettings(host=smtp_host, port=int(smtp_port), security="plain"))
started, cpu_started = time.perf_counter(), time.process_time()
report = run_intake(lambda: SqlUnitOfWork(engine), mailbox, sender,
                    settings(mailbox_key=f"bench-{time.time_ns()}"), now=NOW, outgoing=outgoing)
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
status = Path("/proc/self/status").read_text()  # VmHWM: this process's own peak
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu,
                  "registered": report.counts.get("new_request", 0),
                  "sent": report.sent, "moved": report.moved,
                  "peak_kb": int(next(line.split()[1] for line in status.splitlines()
                                      if line.startswith("VmHWM")))}))
"""


# -- B2 idle poll -------------------------------------------------------------------------


def b2_idle(server, smtp, admin, url: str, history: int, polls: int = 15) -> dict:
    """An intake poll with nothing new, after `history` messages were processed."""
    folder = "Idle"
    reset_folders(admin, folder)
    engine = register(url)
    key = f"idle-{time.time_ns()}"
    _seed_history(admin, engine, folder, history, key)
    mailbox = imap_for(server, folder)
    sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    timings = []
    for _ in range(polls):
        started = time.perf_counter()
        report = run_intake(uow, mailbox, sender, intake_settings(mailbox_key=key), now=NOW,
                            outgoing=outgoing)
        timings.append(time.perf_counter() - started)
        assert not report.counts and not report.resyncs, report  # truly idle
    bare = []
    client = mailbox.client
    for _ in range(polls):
        started = time.perf_counter()
        client.select_folder(folder)
        client.search(["UID", "1:*"])
        bare.append(time.perf_counter() - started)
    mailbox.close()
    sender.close()
    engine.dispose()
    return {"poll_ms": 1000 * statistics.median(timings),
            "bare_search_ms": 1000 * statistics.median(bare)}


def _seed_history(admin: IMAPClient, engine, folder: str, history: int, key: str) -> None:
    """What `history` processed messages leave behind, without running intake on each: the
    folder's UIDs used up and the mail moved to FOI/Processed, a register row per message,
    and the intake cursor at the last UID."""
    from foidesk.register.models import MailboxCursor, Message

    seed(admin, folder, history)
    status = admin.folder_status(folder, ["UIDVALIDITY", "UIDNEXT"])
    admin.select_folder(folder)
    uids = admin.search()
    if not admin.folder_exists("FOI/Processed"):
        admin.create_folder("FOI/Processed")
    for start in range(0, len(uids), 2000):  # Dovecot's 64 KB command-line limit
        admin.move(uids[start:start + 2000], "FOI/Processed")
    admin.unselect_folder()
    rows = [{"direction": "in", "message_id": f"<history-{uid}@example.org>", "at": NOW,
             "provider_id": str(uid), "content_sha256": f"{uid:064d}", "size": 900,
             "triage": "new_request", "mailbox_target": "processed", "moved": True}
            for uid in uids]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(Message.__table__.insert(), rows[start:start + 5000])
        cursor = {"uidvalidity": status[b"UIDVALIDITY"], "last_uid": status[b"UIDNEXT"] - 1}
        connection.execute(MailboxCursor.__table__.insert().values(
            mailbox=key, cursor=json.dumps(cursor), updated_at=NOW))


# -- B3 sweep -----------------------------------------------------------------------------


def b3_sweep(url: str, total: int, open_cases: int = 10000) -> dict:
    """chase + escalate + dashboard over `total` cases of which `open_cases` are open."""
    from foidesk.chasing import Schedule
    from foidesk.rendering import Renderer
    from foidesk.services import reports
    from foidesk.services.cases import DeadlinePolicy
    from foidesk.services.chasing import ChaseSettings, run_chase

    engine = register(url)
    _fill(engine, total, min(open_cases, total))
    base = intake_settings()
    settings = ChaseSettings(schedule=Schedule(), renderer=Renderer(), authority=base.authority,
                             deadlines=DeadlinePolicy(), manager="m@example.gov.uk",
                             head="h@example.gov.uk")
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    today = date(2026, 11, 20)
    now = datetime(2026, 11, 20, 8, tzinfo=UTC)

    def sweep() -> float:
        started = time.perf_counter()
        run_chase(uow(), settings, now=now, kind="chase")
        run_chase(uow(), settings, now=now, kind="escalate")
        reports.caseload(uow())
        reports.due_soon(uow(), today, DeadlinePolicy())
        reports.overdue(uow(), today, DeadlinePolicy())
        reports.owners(uow())
        reports.performance(uow(), *reports.rolling_year(today))
        return time.perf_counter() - started

    # The first sweep finds a chaser or escalation due for every open case (the worst
    # day); the second, the same day, finds them all logged (a normal poll of the sweep).
    first = sweep()
    again = sweep()
    engine.dispose()
    return {"sweep_s": first, "repeat_sweep_s": again}


def _fill(engine, total: int, open_cases: int) -> None:
    """Bulk rows: closed history plus open cases with one pending owner each."""
    from foidesk.register.models import Assignment, Case, Requester

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    rows, assignments = [], []
    with engine.begin() as connection:
        requester_id = connection.execute(
            Requester.__table__.insert().values(name="Bench", email="b@example.org",
                                                created_at=t0)).inserted_primary_key[0]
        for n in range(total):
            is_open = n < open_cases
            received = date(2026, 10, 1) + timedelta(days=n % 40) if is_open else (
                date(2023, 1, 1) + timedelta(days=n % 1000))
            rows.append({
                "reference": f"FOI {n:06d}/BENCH", "regime": "foia",
                "status": "awaiting_owner" if is_open else "closed", "subject": f"case {n}",
                "requester_id": requester_id, "received_at": t0, "received_on": received,
                "due_on": received + timedelta(days=28), "deadline_version": 1,
                "request_text": "", "flags": [], "exemptions": [],
                "responded_at": None if is_open else t0, "in_time": None if is_open else True,
                "outcome": None if is_open else "granted", "created_at": t0, "updated_at": t0,
            })
        for start in range(0, len(rows), 5000):
            connection.execute(Case.__table__.insert(), rows[start:start + 5000])
        ids = [r[0] for r in connection.execute(text(
            "SELECT id FROM cases WHERE status = 'awaiting_owner'"))]
        assignments = [{"case_id": i, "owner": f"owner{i % 50}@example.gov.uk",
                        "internal_due_on": date(2026, 11, 15) + timedelta(days=i % 10),
                        "state": "pending", "created_at": t0} for i in ids]
        for start in range(0, len(assignments), 5000):
            connection.execute(Assignment.__table__.insert(), assignments[start:start + 5000])


# -- B4 latency ---------------------------------------------------------------------------


def b4_latency(server, smtp, admin, url: str, samples: int) -> dict:
    """IDLE wakes intake; time from APPEND to the acknowledgement at the SMTP server."""
    folder = "Latency"
    reset_folders(admin, folder)
    engine = register(url)
    mailbox = imap_for(server, folder)
    sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    key = f"latency-{time.time_ns()}"
    stop = threading.Event()

    def watcher() -> None:  # what `foidesk watch` does, with the service instead of the flow
        while not stop.is_set():
            if mailbox.watch(timeout=1.0):
                run_intake(uow, mailbox, sender, intake_settings(mailbox_key=key),
                           now=datetime.now(UTC), outgoing=outgoing)

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    time.sleep(0.5)
    latencies = []
    smtp.handler.received.clear()  # an earlier run's acknowledgements must not count
    for n in range(samples):
        requester = f"requester{100000 + n}@example.org"
        started = time.perf_counter()
        admin.append(folder, request(100000 + n))
        while time.perf_counter() - started < 30 and not any(
                requester in rcpts for _, rcpts, _ in list(smtp.handler.received)):
            time.sleep(0.005)
        latencies.append(time.perf_counter() - started)
    stop.set()
    thread.join(timeout=5)
    mailbox.close()
    sender.close()
    engine.dispose()
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    return {"p50_s": statistics.median(latencies), "p95_s": p95}


# -- B5 memory ----------------------------------------------------------------------------

MEMORY_CHILD = r"""
import resource, sys, json
sys.path[:0] = [sys.argv[1] + "/tests", sys.argv[1] + "/tests/integration"]
from datetime import UTC, datetime
from pathlib import Path
from intake_support import settings
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_message
engine = create_register_engine(sys.argv[2]); upgrade(engine)
def hwm():  # this process's own peak (ru_maxrss would include the parent's, before exec)
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
idle = hwm()
raw = Path(sys.argv[3]).read_bytes()  # as a fetch hands it over: counted in the peak
outcome = process_message(SqlUnitOfWork(engine), "1", raw, datetime.now(UTC), settings(),
                          now=datetime.now(UTC))
assert outcome.decision == "new_request", outcome
print(json.dumps({"idle_kb": idle, "peak_kb": hwm(), "raw": len(raw)}))
"""
ATTACHMENT = 25 * 1024 * 1024


def _big_request(tmp: Path) -> Path:
    """A request with a 25 MB attachment (35 MB on the wire, CRLF as IMAP delivers it)."""
    path = tmp / "big-request.eml"
    if not path.exists():
        message = EmailMessage()
        message["From"] = "Requester <requester@example.org>"
        message["To"] = "foi@example.gov.uk"
        message["Subject"] = "FOI request with files"
        message["Message-ID"] = "<big@example.org>"
        message.set_content("Under the FOI Act please tell me how many potholes were "
                            "reported in 2025. My photographs are attached.")
        message.add_attachment(os.urandom(ATTACHMENT), maintype="application",
                               subtype="octet-stream", filename="evidence.bin")
        path.write_bytes(message.as_bytes().replace(b"\n", b"\r\n"))
    return path


def b5_memory(url_for: Callable[[], str], tmp: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(ROOT), url_for(),
                          str(_big_request(tmp))], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    above = (figures["peak_kb"] - figures["idle_kb"]) * 1024
    return {"attachment_peak_mb": figures["peak_kb"] / 1024,
            "above_idle_mb": above / 2**20,
            "above_idle_x_attachment": above / ATTACHMENT,
            "above_idle_x_message": above / figures["raw"]}


# -- the run ------------------------------------------------------------------------------


def median_of(runs: list[dict]) -> dict:
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print("  ", ", ".join(f"{k}={v:.3g}" for k, v in medians.items()), flush=True)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size", choices=sorted(SIZES), default="smoke")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--only", nargs="*", default=["B1", "B2", "B3", "B4", "B5"])
    parser.add_argument("--json", type=Path, help="write the medians here too")
    args = parser.parse_args()
    size = SIZES[args.size]
    tmp = Path(tempfile.mkdtemp(prefix="foidesk-bench-"))
    results: dict[str, dict] = {}
    backends = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    started = time.time()
    pg_context = postgres_cluster() if args.postgres else None
    admin_url = pg_context.__enter__() if pg_context else None
    try:
        with dovecot_server(USER) as server, smtp_server() as smtp:
            admin = IMAPClient(server.host, port=server.imap_port, ssl=False)
            admin.login("foi", USER["foi"])
            for backend in backends:
                def url(backend=backend):
                    return fresh_url(backend, tmp, admin_url)

                if "B1" in args.only:
                    results[f"B1 backlog {size['backlog']} ({backend})"] = median_of(
                        [b1_backlog(server, smtp, admin, url(), size["backlog"])
                         for _ in range(args.runs)])
                if "B2" in args.only:
                    for history in size["idle"]:
                        results[f"B2 idle poll, {history} processed ({backend})"] = median_of(
                            [b2_idle(server, smtp, admin, url(), history)
                             for _ in range(args.runs)])
                if "B3" in args.only:
                    for total in size["sweep"]:
                        results[f"B3 sweep, {total} cases ({backend})"] = median_of(
                            [b3_sweep(url(), total) for _ in range(args.runs)])
                if "B4" in args.only:
                    results[f"B4 latency, {size['latency']} samples ({backend})"] = median_of(
                        [b4_latency(server, smtp, admin, url(), size["latency"])
                         for _ in range(args.runs)])
                if "B5" in args.only:
                    results[f"B5 memory, 25 MB attachment ({backend})"] = median_of(
                        [b5_memory(url, tmp) for _ in range(args.runs)])
            admin.logout()
    finally:
        if pg_context:
            pg_context.__exit__(None, None, None)
    print(f"\nfoidesk benchmarks: size={args.size}, runs={args.runs}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{date.today()}, {time.time() - started:.0f} s\n")
    print(f"{'scenario':<48} figures (medians)")
    for name, figures in results.items():
        shown = ", ".join(f"{k}={v:.3g}" for k, v in figures.items())
        print(f"{name:<48} {shown}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbench process peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
