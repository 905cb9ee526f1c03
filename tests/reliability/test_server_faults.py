"""The servers fail under the desk: Dovecot stops mid-batch, PostgreSQL restarts mid-run,
SMTP answers 4xx and 5xx or hangs up in the middle of DATA. After recovery nothing is
lost or duplicated, and one recipient's permanent failure does not hold up the rest."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from imapclient import IMAPClient
from intake_support import NOW, request_email, server_config, settings
from servers import (
    IMAP_USERS,
    create_database,
    dovecot_server,
    restartable_postgres,
    smtp_server,
)
from sqlalchemy import func, select

from connectors.base import OutgoingMessage
from connectors.errors import TransientError
from connectors.imap import ImapMailbox, ImapSettings
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.outbox import drain, recipients_of
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Case, Event, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

REQUESTERS = [f"r{n}@example.org" for n in range(6)]
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def requests() -> list[bytes]:
    return [request_email(n, sender=address, subject=f"FOI request {n}: topic {n * 37}",
                          body=f"Under the FOI Act please tell me about budget line {n * 7919}.")
            for n, address in enumerate(REQUESTERS)]


def at_nth(point: str, n: int, action):
    seen = Counter()

    def checkpoint(name: str) -> None:
        seen[name] += 1
        if name == point and seen[name] == n:
            action()

    return checkpoint


def acknowledgements(smtp) -> Counter[str]:
    return Counter(r for _, rcpts, _ in smtp.handler.received for r in rcpts if r in REQUESTERS)


def folder_counts(dovecot, folder: str) -> tuple[int, int]:
    client = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False)
    client.login("foi", IMAP_USERS["foi"])
    left = client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"]
    done = client.folder_status("FOI/Processed", ["MESSAGES"])[b"MESSAGES"]
    client.logout()
    return left, done


def test_dovecot_stopped_mid_batch_then_back_loses_and_repeats_nothing(tmp_path):
    engine = create_register_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    with dovecot_server(IMAP_USERS) as dovecot, smtp_server() as smtp:
        admin = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False)
        admin.login("foi", IMAP_USERS["foi"])
        admin.create_folder("Faults")
        admin.multiappend("Faults", requests())
        admin.logout()
        mailbox = ImapMailbox(ImapSettings(host=dovecot.host, port=dovecot.imap_port,
                                           username="foi", security="plain", folder="Faults"),
                              password=lambda: IMAP_USERS["foi"],
                              reconnect_delays=(0.1, 0.2))
        sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
        uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
        with pytest.raises(TransientError, match="IMAP"):
            run_intake(uow, mailbox, sender, settings(), now=NOW, outgoing=outgoing,
                       checkpoint=at_nth("after_message", 3, dovecot.stop))
        assert folder_counts_or_none(dovecot) is None  # it really was down
        dovecot.start()
        run_intake(uow, mailbox, sender, settings(), now=NOW, outgoing=outgoing)
        mailbox.close()
        sender.close()
        assert folder_counts(dovecot, "Faults") == (0, len(REQUESTERS))
        assert acknowledgements(smtp) == Counter(REQUESTERS)
    with SqlUnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == len(REQUESTERS)
    engine.dispose()


def folder_counts_or_none(dovecot):
    try:
        return folder_counts(dovecot, "Faults")
    except OSError:
        return None


def test_postgresql_restarted_mid_run_loses_and_repeats_nothing(tmp_path):
    from connectors.maildir import MaildirMailbox

    with restartable_postgres() as postgres, smtp_server() as smtp:
        engine = create_register_engine(create_database(postgres.url, "faults"))
        upgrade(engine)
        inbox = MaildirMailbox(tmp_path / "in")
        for raw in requests():
            inbox.inbox.add(raw)
        sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
        uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
        failures = []
        for checkpoint in (at_nth("after_commit", 2, postgres.restart),
                           at_nth("after_send", 3, postgres.restart), lambda _: None):
            try:
                run_intake(uow, inbox, sender, settings(), now=NOW, outgoing=outgoing,
                           checkpoint=checkpoint)
            except Exception as error:  # a cut connection mid-transaction: rerun
                failures.append(type(error).__name__)
        run_intake(uow, inbox, sender, settings(), now=NOW, outgoing=outgoing)
        sender.close()
        with SqlUnitOfWork(engine) as session:
            cases = session.session.scalar(select(func.count()).select_from(Case))
            statuses = set(session.session.scalars(select(OutboxItem.status)))
        engine.dispose()
        assert cases == len(REQUESTERS)
        assert inbox.keys_in("inbox") == [] and len(inbox.keys_in("processed")) == 6
        assert max(acknowledgements(smtp).values()) == 1  # never twice
        # At most the message in flight at the restart is unknown; the rest went once each.
        assert statuses <= {"sent", "unknown"}
        assert sum(acknowledgements(smtp).values()) >= len(REQUESTERS) - 1


def test_postgresql_restarted_between_two_messages_of_a_drain_costs_it_nothing(tmp_path):
    """The drain keeps one connection for its statement a message: one that the server
    closed while it was idle is let go before it is used, so the drain goes on, every
    message once, none left `unknown` (the ping the pool gives a connection, kept)."""
    from connectors.maildir import MaildirSender
    from foidesk.outbox import Envelope, compose, enqueue
    from foidesk.rendering import RenderedEmail

    with restartable_postgres() as postgres:
        engine = create_register_engine(create_database(postgres.url, "held"))
        upgrade(engine)
        with SqlUnitOfWork(engine) as uow:
            for address in REQUESTERS:
                envelope = Envelope(sender="foi@example.gov.uk", to=(address,))
                enqueue(uow, f"test:{address}", compose(
                    RenderedEmail("Your request", "Thank you.", None), envelope,
                    domain="example.gov.uk", now=NOW), envelope, case=None, now=NOW)
            uow.commit()
        sender = MaildirSender(tmp_path / "out")
        report = drain(lambda: SqlUnitOfWork(engine), sender, outgoing, now=NOW,
                       checkpoint=at_nth("after_send", 2, postgres.restart))
        with SqlUnitOfWork(engine) as uow:
            statuses = list(uow.session.scalars(select(OutboxItem.status)))
        engine.dispose()
    assert sorted(report.sent) == sorted(f"test:{address}" for address in REQUESTERS)
    assert statuses == ["sent"] * len(REQUESTERS) and not report.unknown
    assert len(list((tmp_path / "out" / "new").iterdir())) == len(REQUESTERS)


def test_smtp_4xx_5xx_and_a_hang_up_during_data(tmp_path):
    """451 for one requester (sent on the next run), 550 for another (failed, reported,
    and the rest still go), and a hang-up after DATA for a third (the server has it but
    we cannot know: reported, never sent twice)."""
    from connectors.maildir import MaildirMailbox

    engine = create_register_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    inbox = MaildirMailbox(tmp_path / "in")
    for raw in requests():
        inbox.inbox.add(raw)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    with smtp_server() as smtp:
        smtp.handler.refuse[REQUESTERS[1]] = "451 4.7.1 greylisted, try again later"
        smtp.handler.refuse[REQUESTERS[2]] = "550 5.1.1 no such mailbox"
        smtp.handler.drop_after_data.add(REQUESTERS[3])
        sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
        first = run_intake(uow, inbox, sender, settings(), now=NOW, outgoing=outgoing)
        del smtp.handler.refuse[REQUESTERS[1]]
        smtp.handler.drop_after_data.clear()
        later = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)
        drain(uow, sender, outgoing, now=later)
        drain(uow, sender, outgoing, now=later)
        sender.close()
        got = acknowledgements(smtp)
    assert first.send_failures == 2 and first.unknown == 1
    assert got == Counter({r: 1 for r in REQUESTERS if r != REQUESTERS[2]})
    with SqlUnitOfWork(engine) as session:
        rows = {recipients_of(i)[0]: i.status for i in session.session.scalars(
            select(OutboxItem)) if recipients_of(i)[0] in REQUESTERS}
        actions = Counter(session.session.scalars(select(Event.action)))
    engine.dispose()
    assert rows[REQUESTERS[1]] == "sent" and rows[REQUESTERS[2]] == "failed"
    assert rows[REQUESTERS[3]] == "unknown"
    assert actions["delivery_failed"] == 1 and actions["delivery_unknown"] == 1


def test_the_intake_flow_retries_a_lost_imap_connection_and_prefect_shows_it(
        tmp_path, prefect_harness, monkeypatch):
    """Dovecot goes down while the flow sends; the move task fails, Prefect retries it
    (2 s later), Dovecot is back, and the run completes. The retry is in the task's
    state history."""
    from prefect.client.orchestration import get_client

    from flows.intake import intake

    with dovecot_server(IMAP_USERS) as dovecot, smtp_server() as smtp:
        admin = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False)
        admin.login("foi", IMAP_USERS["foi"])
        admin.create_folder("FlowFaults")
        admin.multiappend("FlowFaults", requests()[:2])
        admin.logout()
        path = tmp_path / "foidesk.toml"
        path.write_text(server_config(dovecot, smtp, tmp_path / "register.db", "FlowFaults",
                                      imap_password_env="FOIDESK_FAULTS_IMAP_PASSWORD"))
        monkeypatch.setenv("FOIDESK_FAULTS_IMAP_PASSWORD", IMAP_USERS["foi"])

        def outage() -> None:  # down as soon as the first acknowledgement is out
            while not smtp.handler.received:
                time.sleep(0.01)
            dovecot.stop()
            time.sleep(1.0)
            dovecot.start()

        threading.Thread(target=outage, daemon=True).start()
        counts = intake(config_path=str(path), now="2026-11-02T10:00")
        assert counts["new_request"] == 2
        assert folder_counts(dovecot, "FlowFaults") == (0, 2)
        assert sorted(acknowledgements(smtp)) == REQUESTERS[:2]
    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_task_runs() if r.name.startswith("mark_processed")]
        states = {s.name for r in runs for s in client.read_task_run_states(r.id)}
    assert "AwaitingRetry" in states or "Retrying" in states, states
