"""Nothing lost, nothing twice: a crash at any step, then a rerun, gives one case and one
acknowledgement; duplicates and repeats never make a second case."""

from __future__ import annotations

import mailbox as stdlib_mailbox
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from intake_support import OWNER, request_email, settings
from servers import smtp_server
from sqlalchemy import func, select

from connectors.base import OutgoingMessage
from connectors.maildir import MaildirMailbox, MaildirSender
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.outbox import recipients_of
from foidesk.register.models import Case, Event, Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
STEPS = ["after_fetch", "after_parse", "after_message", "before_commit", "after_commit",
         "before_send", "after_send", "before_move"]


class Crash(BaseException):
    """The process dies here (as KeyboardInterrupt would: no `except Exception` catches it)."""


def crash_once_at(step: str):
    fired = []

    def checkpoint(name: str) -> None:
        if name == step and not fired:
            fired.append(name)
            raise Crash(step)

    return checkpoint


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def uow_factory(engine):
    return lambda: SqlUnitOfWork(engine)


def count(engine, model) -> int:
    with SqlUnitOfWork(engine) as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def sent_to(outbox_path, address: str) -> list:
    box = stdlib_mailbox.Maildir(outbox_path)
    found = [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.keys()]  # noqa: SIM118
    return [m for m in found if address in str(m["To"])]


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_then_a_rerun_gives_one_case_and_one_acknowledgement(
    step, engine, tmp_path
):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1))
    with pytest.raises(Crash):
        run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW, outgoing=outgoing,
                   checkpoint=crash_once_at(step))
    run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW, outgoing=outgoing)
    run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW, outgoing=outgoing)
    assert count(engine, Case) == 1
    assert len(sent_to(tmp_path / "out", "jane@example.org")) == 1
    assert len(sent_to(tmp_path / "out", OWNER)) == 1
    assert inbox.keys_in("inbox") == [] and len(inbox.keys_in("processed")) == 1
    with SqlUnitOfWork(engine) as uow:
        statuses = uow.session.scalars(select(OutboxItem.status)).all()
    assert statuses == ["sent", "sent"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_over_smtp_a_crash_after_the_server_took_it_is_never_sent_twice(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    inbox.inbox.add(request_email(1))
    with smtp_server() as server:
        sender = SmtpSender(SmtpSettings(host=server.host, port=server.port, security="plain"))
        with pytest.raises(Crash):
            run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                       outgoing=outgoing, checkpoint=crash_once_at("after_send"))
        report = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                            outgoing=outgoing)
        acks = [r for _, r, _ in server.handler.received if "jane@example.org" in r]
        sender.close()
    assert len(acks) == 1
    assert report.unknown == 1  # SMTP cannot say whether it went: flagged, not resent
    with SqlUnitOfWork(engine) as uow:
        actions = uow.session.scalars(select(Event.action)).all()
    assert "delivery_unknown" in actions


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_temporary_refusal_is_retried_on_the_next_run_and_sent_once(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    inbox.inbox.add(request_email(1))
    with smtp_server() as server:
        server.handler.refuse["jane@example.org"] = "451 4.3.0 try again later"
        sender = SmtpSender(SmtpSettings(host=server.host, port=server.port, security="plain"))
        first = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                           outgoing=outgoing)
        assert first.send_failures == 1
        del server.handler.refuse["jane@example.org"]
        run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW, outgoing=outgoing)
        acks = [r for _, r, _ in server.handler.received if "jane@example.org" in r]
        sender.close()
    assert len(acks) == 1


def test_the_same_message_delivered_twice_makes_one_case(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1))
    inbox.inbox.add(request_email(1))
    report = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                        outgoing=outgoing)
    assert report.counts == {"new_request": 1, "duplicate": 1}
    assert count(engine, Case) == 1
    assert len(sent_to(tmp_path / "out", "jane@example.org")) == 1
    assert len(inbox.keys_in("processed")) == 2 and inbox.keys_in("inbox") == []


def test_a_near_identical_request_within_30_days_is_linked_not_registered(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1))
    run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW, outgoing=outgoing)
    again = request_email(2, body="Under the FOI Act please tell me:\n\n1. How many potholes "
                                  "were reported in 2025?\n2. How many were repaired within "
                                  "28 days?\n\nThanks.\n")
    inbox.inbox.add(again)
    report = run_intake(uow_factory(engine), inbox, sender, settings(),
                        now=datetime(2026, 11, 9, 10, 0, tzinfo=UTC), outgoing=outgoing)
    assert report.registered == []
    assert count(engine, Case) == 1
    with SqlUnitOfWork(engine) as uow:
        case = uow.cases.get("FOI 000001/26")
        assert "repeat_request" in case.flags
        assert [e.action for e in uow.cases.events(case)][-1] == "repeat_request_linked"
    subjects = sorted(str(m["Subject"]) for m in sent_to(tmp_path / "out", "jane@example.org"))
    # one acknowledgement, and a note that we already have it: no second acknowledgement
    assert subjects == ["[FOI 000001/26] Freedom of Information request: potholes",
                        "[FOI 000001/26] We already have your request"]


def test_a_message_over_the_size_limit_is_quarantined_with_a_reason(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1, body="x" * 5000))
    report = run_intake(uow_factory(engine), inbox, sender, settings(size_limit=2000), now=NOW,
                        outgoing=outgoing)
    assert report.counts == {"quarantined": 1}
    assert len(inbox.keys_in("quarantine")) == 1
    with SqlUnitOfWork(engine) as uow:
        row = uow.session.scalar(select(Message).where(Message.direction == "in"))
    assert row.triage == "quarantined" and "over the 2,000-byte limit" in row.triage_reason
    assert count(engine, Case) == 0


def test_a_different_message_reusing_a_message_id_is_not_taken_for_a_duplicate(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1))
    inbox.inbox.add(request_email(1, sender="other@example.org",
                                  body="Please tell me how many bridges you inspected.\n"))
    report = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                        outgoing=outgoing)
    assert report.counts == {"new_request": 2}
    assert count(engine, Case) == 2
    assert len(sent_to(tmp_path / "out", "other@example.org")) == 1


def test_a_message_reusing_an_id_delivered_twice_makes_one_case(engine, tmp_path):
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    inbox.inbox.add(request_email(1))
    reused = request_email(1, sender="other@example.org",
                           body="Please tell me how many bridges you inspected.\n")
    inbox.inbox.add(reused)
    inbox.inbox.add(reused)  # the second copy of the message that reused the id
    report = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                        outgoing=outgoing)
    assert report.counts == {"new_request": 2, "duplicate": 1}
    assert count(engine, Case) == 2
    assert len(sent_to(tmp_path / "out", "other@example.org")) == 1


def test_a_poll_sends_all_it_queued_unless_a_cap_is_named(engine, tmp_path):
    """No default cap: the poll that registers a request sends its mail; an explicit
    `intake.max_send_per_poll` leaves the rest, pending, for the next poll."""
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")
    for n in range(1, 4):
        inbox.inbox.add(request_email(n, sender=f"r{n}@example.org"))
    capped = run_intake(uow_factory(engine), inbox, sender, settings(max_send=2), now=NOW,
                        outgoing=outgoing)
    assert capped.sent == 2
    rest = run_intake(uow_factory(engine), inbox, sender, settings(), now=NOW,
                      outgoing=outgoing)
    assert rest.sent == 4  # three acknowledgements and three owner tasks in all
    with SqlUnitOfWork(engine) as uow:
        assert uow.session.scalars(select(OutboxItem.status)).all() == ["sent"] * 6


def batch(*raws: bytes):
    from connectors.base import FetchedMessage

    return [FetchedMessage(f"{n}", raw, NOW, len(raw)) for n, raw in enumerate(raws, 1)]


def statements_of(engine, run) -> list[str]:
    """The SQL `run` sends (a listener on this engine alone: the register's own connect
    listeners stay)."""
    from sqlalchemy import event

    seen: list[str] = []

    def heard(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", heard)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", heard)
    return seen


def test_a_batch_that_fails_nowhere_is_written_whole_without_savepoints(engine):
    from foidesk.services.intake import process_batch

    messages = batch(*(request_email(n, sender=f"r{n}@example.org") for n in (1, 2, 3)))
    said = statements_of(engine, lambda: process_batch(uow_factory(engine), messages,
                                                       settings(), now=NOW))
    assert not [s for s in said if "SAVEPOINT" in s.upper()]
    outbox_inserts = [s for s in said if s.startswith("INSERT INTO outbox")]
    assert len(outbox_inserts) == 1  # the batch's rows together, not a message's
    assert count(engine, Case) == 3 and count(engine, OutboxItem) == 6


def test_a_message_that_fails_in_a_batch_is_quarantined_alone_and_the_rest_commit(
        engine, monkeypatch):
    import foidesk.services.intake.process as process
    from foidesk.services.intake import process_batch

    real = process._process

    def failing(uow, provider_id, raw, *rest):
        if b"budget line 2" in raw:
            raise ValueError("a bug met in acting on this message")
        return real(uow, provider_id, raw, *rest)

    monkeypatch.setattr(process, "_process", failing)
    messages = batch(*(request_email(n, sender=f"r{n}@example.org",
                                     body=f"Please tell me about budget line {n}.\n")
                       for n in (1, 2, 3)))
    report = process_batch(uow_factory(engine), messages, settings(), now=NOW)
    assert [o.decision for o in report.outcomes] == ["new_request", "quarantined",
                                                     "new_request"]
    assert "a bug met in acting on this message" in report.outcomes[1].reason
    with SqlUnitOfWork(engine) as uow:
        references = uow.session.scalars(select(Case.reference).order_by(Case.id)).all()
        keys = uow.session.scalars(select(OutboxItem.idempotency_key)).all()
    assert references == ["FOI 000001/26", "FOI 000002/26"]  # no number lost to the failure
    acknowledged = [k for k in keys if k.startswith("acknowledgement:")]
    assert len(acknowledged) == len(set(acknowledged)) == 2  # once each, the retry added none
    assert any(k.startswith("quarantined:") for k in keys)  # the team hears of the second
