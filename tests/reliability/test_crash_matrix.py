"""SIGKILL at every step of intake, chase and respond, then rerun: every request is
registered once and every acknowledgement, chaser and response is sent exactly once.

Each run is a real process (crash_child.py) killed by the kernel, not an exception: no
`finally`, no rollback, no flush. The rerun finds what the dead process left (an open
transaction rolled back by the database, an outbox row left `sending`, a message not yet
moved) and finishes the work. The result must equal a run that was never killed.
"""

from __future__ import annotations

import mailbox as stdlib_mailbox
import signal
import subprocess
import sys
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from crash_desk import DAY, RESPOND_DAY, intake, prepare_response
from intake_support import OWNER, REF, request_email
from servers import create_database
from sqlalchemy import func, select

from connectors.maildir import MaildirMailbox
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Case, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork

CHILD = Path(__file__).with_name("crash_child.py")
REQUESTERS = ("jane@example.org", "raj@example.org")

# One batch (two requests), one commit: kills inside the batch's transaction (after the
# first message's savepoint, mid-second, before the commit) and after it.
INTAKE_POINTS = ["after_fetch:1", "after_parse:1", "after_message:1", "after_parse:2",
                 "after_message:2", "before_commit:1", "after_commit:1", "before_send:1",
                 "after_send:1", "after_send:2", "after_send:3", "after_send:4", "before_move:1"]
CHASE_POINTS = ["after_commit:1", "after_commit:2", "before_send:1", "before_send:2",
                "after_send:1", "after_send:2"]
RESPOND_POINTS = ["after_commit:1", "before_send:1", "after_send:1"]


def run_child(job: str, url: str, workdir: Path, kill_at: str = "none") -> int:
    done = subprocess.run([sys.executable, str(CHILD), job, url, str(workdir), kill_at],
                          capture_output=True, text=True, timeout=120)
    if kill_at == "none":
        assert done.returncode == 0, done.stderr[-3000:]
    return done.returncode


def sent(workdir: Path) -> Counter[tuple[str, str]]:
    """Every message the desk sent: (To, Subject) with how many times."""
    box = stdlib_mailbox.Maildir(workdir / "out", create=True)
    return Counter((str(m["To"]), str(m["Subject"])) for m in box)


def new_desk(url: str, workdir: Path, job: str) -> None:
    """The register and mailbox as they stand before `job` runs."""
    engine = create_register_engine(url)
    upgrade(engine)
    engine.dispose()
    inbox = MaildirMailbox(workdir / "in")
    for n, address in enumerate(REQUESTERS, start=1):
        inbox.inbox.add(request_email(n, sender=address))
    if job == "intake":
        return
    intake(url, workdir, lambda _: None)
    if job == "respond":
        inbox.inbox.add(request_email(3, sender=OWNER, subject=f"Re: [{REF}] potholes",
                                      body="The figures: 1,204 reported, 1,100 repaired."))
        intake(url, workdir, lambda _: None, now=RESPOND_DAY)
        prepare_response(url, workdir, REF)


def fresh_url(tmp_path: Path, name: str, postgres_admin_url: str | None = None) -> str:
    if postgres_admin_url is None:
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    return create_database(postgres_admin_url, name)


_CLEAN_RUNS: dict[tuple[str, bool], Counter[tuple[str, str]]] = {}


def clean_run(job: str, tmp_path: Path, admin_url: str | None) -> Counter[tuple[str, str]]:
    """What `job` sends when never killed: run once per job and database kind, since
    every kill point of the job compares against the same reference."""
    key = (job, admin_url is None)
    if key not in _CLEAN_RUNS:
        clean_dir, clean_url = tmp_path / "clean", fresh_url(tmp_path, "clean", admin_url)
        new_desk(clean_url, clean_dir, job)
        run_child(job, clean_url, clean_dir)
        _CLEAN_RUNS[key] = sent(clean_dir)
    return _CLEAN_RUNS[key]


def crash_then_rerun(job: str, kill_at: str, tmp_path: Path, admin_url: str | None = None):
    crashed_dir = tmp_path / "crashed"
    expected = clean_run(job, tmp_path, admin_url)
    crashed_url = fresh_url(tmp_path, "crashed", admin_url)
    new_desk(crashed_url, crashed_dir, job)
    assert run_child(job, crashed_url, crashed_dir, kill_at) == -signal.SIGKILL, (
        f"{kill_at} was never reached")
    run_child(job, crashed_url, crashed_dir)
    run_child(job, crashed_url, crashed_dir)  # a second rerun finds nothing to do
    return expected, sent(crashed_dir), crashed_url, crashed_dir


def register_state(url: str) -> tuple[int, list[str]]:
    engine = create_register_engine(url)
    with SqlUnitOfWork(engine) as uow:
        cases = uow.session.scalar(select(func.count()).select_from(Case))
        statuses = sorted(set(uow.session.scalars(select(OutboxItem.status))))
    engine.dispose()
    return cases, statuses


@pytest.mark.parametrize("kill_at", INTAKE_POINTS)
def test_intake_killed_at_any_step_registers_and_acknowledges_once(kill_at, tmp_path):
    expected, got, url, workdir = crash_then_rerun("intake", kill_at, tmp_path)
    assert got == expected and max(got.values()) == 1
    assert sum(1 for to, _ in got if to in REQUESTERS) == 2  # one acknowledgement each
    assert register_state(url) == (2, ["sent"])
    inbox = MaildirMailbox(workdir / "in")
    assert inbox.keys_in("inbox") == [] and len(inbox.keys_in("processed")) == 2


@pytest.mark.parametrize("kill_at", CHASE_POINTS)
def test_chase_killed_at_any_step_sends_each_chaser_once(kill_at, tmp_path):
    expected, got, url, _ = crash_then_rerun("chase", kill_at, tmp_path)
    assert got == expected and max(got.values()) == 1
    assert len([s for _, s in got if "need your attention" in s]) == 2  # owner and deputy
    assert register_state(url)[1] == ["sent"]


@pytest.mark.parametrize("kill_at", RESPOND_POINTS)
def test_respond_killed_at_any_step_sends_the_response_once(kill_at, tmp_path):
    expected, got, url, _ = crash_then_rerun("respond", kill_at, tmp_path)
    assert got == expected and max(got.values()) == 1
    assert [s for to, s in got if to == REQUESTERS[0] and "Response" in s]
    assert register_state(url)[1] == ["sent"]


@pytest.mark.parametrize("kill_at", ["after_parse:2", "after_send:2", "before_move:1"])
def test_intake_killed_on_postgresql_registers_and_acknowledges_once(
        kill_at, tmp_path, postgres_admin_url):
    expected, got, url, _ = crash_then_rerun("intake", kill_at, tmp_path, postgres_admin_url)
    assert got == expected and max(got.values()) == 1
    assert register_state(url) == (2, ["sent"])


def test_the_clean_runs_send_what_the_matrix_compares(tmp_path):
    """The reference itself: two acknowledgements and two owner tasks, nothing else."""
    url = fresh_url(tmp_path, "ref")
    new_desk(url, tmp_path, "intake")
    run_child("intake", url, tmp_path)
    got = sent(tmp_path)
    assert sorted(to for to, _ in got.elements()) == sorted([*REQUESTERS, OWNER, OWNER])
    assert DAY.year == 2026


@pytest.mark.parametrize("kill_at", ["after_parse:2", "before_send:2", "after_send:2",
                                     "before_move:1"])
def test_over_smtp_a_kill_never_sends_twice_and_flags_the_one_in_flight(
        kill_at, tmp_path, monkeypatch):
    """SMTP cannot say what it received, so the one message in flight when the process
    died is marked `unknown` and the FOI team is told, never sent again: at most once.
    Killed after the server took it, it went once; killed before, a person resends it."""
    from servers import smtp_server

    url = fresh_url(tmp_path, "smtp")
    new_desk(url, tmp_path, "intake")
    with smtp_server() as smtp:
        monkeypatch.setenv("FOIDESK_CRASH_SMTP", f"{smtp.host}:{smtp.port}")
        assert run_child("intake", url, tmp_path, kill_at) == -signal.SIGKILL
        run_child("intake", url, tmp_path)
        run_child("intake", url, tmp_path)
        delivered = Counter((r, str(message_from_bytes(content, policy=policy.default)[
            "Subject"])) for _, rcpts, content in smtp.handler.received for r in rcpts)
    engine = create_register_engine(url)
    with SqlUnitOfWork(engine) as uow:
        statuses = Counter(uow.session.scalars(select(OutboxItem.status)))
    engine.dispose()
    assert max(delivered.values()) == 1  # never twice
    in_flight = kill_at.startswith(("before_send", "after_send"))
    assert statuses == (Counter(sent=3, unknown=1) if in_flight else Counter(sent=4))
    assert sum(delivered.values()) == (3 if kill_at.startswith("before_send") else 4)
