"""The rows a message adds wait in the row buffer and are written in bulk when it is done:
the same rows as the ORM writes, seen by any read in the same transaction, and dropped
with a message that fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from foidesk.outbox import Envelope, compose, enqueue
from foidesk.references import ReferenceFormat
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Case, Event, Message, OutboxItem
from foidesk.register.row_buffer import buffered_rows
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, NewRequest, open_case

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


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
