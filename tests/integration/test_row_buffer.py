"""The rows a message adds wait in the row buffer and are written in bulk when it is done:
the same rows as the ORM writes, seen by any read in the same transaction, and dropped
with a message that fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from foidesk.cases import CaseStatus
from foidesk.outbox import Envelope, compose, enqueue
from foidesk.references import ReferenceFormat
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Case, Event, Message, OutboxItem
from foidesk.register.row_buffer import buffered_rows
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, NewRequest, move_case, open_case

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)


def a_case(uow: SqlUnitOfWork, n: int) -> Case:
    return open_case(uow, NewRequest(requester_name=f"R {n}", requester_email=f"r{n}@example.org",
                                     subject=f"Request {n}", received_at=NOW),
                     reference_format=ReferenceFormat(), policy=DeadlinePolicy(),
                     actor="test", now=NOW)


def queue(uow: SqlUnitOfWork, case: Case, key: str) -> None:
    envelope = Envelope(sender="foi@example.gov.uk", to=(case.requester.email,))
    message = compose(RenderedEmail("Subject", "Thank you.", None), envelope,
                      domain="example.gov.uk", now=NOW)
    enqueue(uow, key, message, envelope, case=case, now=NOW)


def act(uow: SqlUnitOfWork, n: int) -> Case:
    case = a_case(uow, n)
    record_event(uow, case, "noted", actor="test", now=NOW, after={"n": n}, detail=f"note {n}")
    record_event(uow, case, "bare", actor="test", now=NOW)
    queue(uow, case, f"ack:{n}")
    return case


def trail(engine) -> list[tuple]:
    """Every event, outbox and sent-message row, without ids and dates."""
    with SqlUnitOfWork(engine) as uow:
        session = uow.session
        events = [(e.case.reference if e.case else None, e.action, e.actor, e.before, e.after,
                   e.detail) for e in session.scalars(select(Event).order_by(Event.id))]
        outbox = [(o.idempotency_key, o.case.reference, o.status, o.recipients, o.attempts)
                  for o in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
        sent = [(m.case_id is not None, m.direction, m.delivery_status, m.to_addrs, m.size > 0)
                for m in session.scalars(select(Message).order_by(Message.id))]
    return [events, outbox, sent]


def test_buffered_rows_are_the_rows_the_orm_writes(engine, tmp_path):
    with SqlUnitOfWork(engine) as uow:
        for n in range(3):
            with uow.session.begin_nested(), buffered_rows(uow.session):
                act(uow, n)
        uow.commit()
    by_orm = create_register_engine(f"sqlite:///{tmp_path / 'by-orm.db'}")
    upgrade(by_orm)
    with SqlUnitOfWork(by_orm) as uow:
        for n in range(3):
            act(uow, n)
        uow.commit()
    buffered = trail(engine)
    assert buffered == trail(by_orm)
    assert len(buffered[0]) == 9 and len(buffered[1]) == 3  # registered, noted, bare


def test_a_read_in_the_same_transaction_sees_the_waiting_rows(engine):
    with SqlUnitOfWork(engine) as uow, uow.session.begin_nested(), \
            buffered_rows(uow.session):
        case = act(uow, 1)
        uow.session.flush()  # the case has its id (the ORM's rows), the events still wait
        assert [e.action for e in uow.cases.events(case)] == ["case_registered", "noted", "bare"]
        assert uow.session.scalar(select(OutboxItem.idempotency_key)) == "ack:1"


def test_the_same_key_twice_in_one_message_is_queued_once(engine):
    with SqlUnitOfWork(engine) as uow:
        with uow.session.begin_nested(), buffered_rows(uow.session):
            case = act(uow, 1)
            queue(uow, case, "ack:1")
        uow.commit()
    assert [row[0] for row in trail(engine)[1]] == ["ack:1"]


def test_a_message_that_fails_takes_its_waiting_rows_with_it(engine):
    with SqlUnitOfWork(engine) as uow:
        with uow.session.begin_nested(), buffered_rows(uow.session):
            act(uow, 1)
        with pytest.raises(RuntimeError), uow.session.begin_nested(), \
                buffered_rows(uow.session):
            act(uow, 2)
            raise RuntimeError("the second message fails")
        uow.commit()
    events, outbox, sent = trail(engine)
    assert {reference for reference, *_ in events} == {"FOI 000001/26"}
    assert [row[0] for row in outbox] == ["ack:1"] and len(sent) == 1


def test_a_new_case_s_status_waits_and_is_written_once_with_the_others(engine):
    """Cases opened in the transaction move without an UPDATE each: while their rows wait,
    the status goes into the row; once the rows are written (a query of the cases wrote
    them), their last status is written with one statement for all of them. Either way
    it reads as the case's status after."""
    statements: list[str] = []

    def listen(connection, cursor, statement, *rest) -> None:
        statements.append(statement.lstrip().upper())

    with SqlUnitOfWork(engine) as uow:
        with uow.session.begin_nested(), buffered_rows(uow.session):
            event.listen(engine, "before_cursor_execute", listen)
            cases = [a_case(uow, n) for n in range(3)]
            for case in cases:
                move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor="test", now=LATER)
            assert not any(s.startswith(("UPDATE", "INSERT INTO CASES")) for s in statements)
            assert uow.session.scalar(select(Case.status).where(Case.id == cases[0].id)) == \
                "acknowledged"  # the query wrote the waiting rows first
            assert sum(s.startswith("INSERT INTO CASES") for s in statements) == 1
            for case in cases:
                move_case(uow, case, CaseStatus.AWAITING_OWNER, actor="test", now=LATER)
            assert not any(s.startswith("UPDATE") for s in statements)
            assert all(case.status == "awaiting_owner" for case in cases)
        event.remove(engine, "before_cursor_execute", listen)
        uow.commit()
    assert sum(s.startswith("UPDATE CASES") for s in statements) == 1
    with engine.connect() as connection:
        assert connection.execute(select(Case.status, Case.updated_at)).all() == \
            [("awaiting_owner", LATER)] * 3
    actions = [row[1:] for row in trail(engine)[0]]
    assert actions.count(("status_changed", "test", {"status": "received"},
                          {"status": "acknowledged"}, "")) == 3


def test_a_case_committed_earlier_moves_at_once(engine):
    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)
        uow.commit()
    with SqlUnitOfWork(engine) as uow, uow.session.begin_nested(), \
            buffered_rows(uow.session) as waiting:
        case = uow.cases.get("FOI 000001/26")
        move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor="test", now=LATER)
        assert not waiting.moves  # its row is updated now, in this transaction
        assert uow.session.connection().execute(select(Case.status)).scalar_one() == \
            "acknowledged"


def test_events_written_together_keep_their_details_on_their_own_events(engine):
    """On SQLite the events' ids are chosen above the largest (one INSERT for all of them):
    each detail row still belongs to the event that carried it, beside events the ORM
    wrote in the same transaction."""
    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)  # its event through the ORM, outside the buffer
        uow.session.flush()
        with uow.session.begin_nested(), buffered_rows(uow.session):
            for n in range(4):
                record_event(uow, case, f"step {n}", actor="test", now=NOW,
                             after={"n": n} if n % 2 else None, detail=f"detail {n}")
        record_event(uow, case, "after", actor="test", now=NOW, detail="by the ORM")
        uow.commit()
    events, _, _ = trail(engine)
    assert [(action, after, detail) for _, action, _, _, after, detail in events] == [
        ("case_registered", events[0][4], ""), ("step 0", None, "detail 0"),
        ("step 1", {"n": 1}, "detail 1"), ("step 2", None, "detail 2"),
        ("step 3", {"n": 3}, "detail 3"), ("after", None, "by the ORM")]
