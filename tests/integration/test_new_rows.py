"""A batch's new rows (requester, case, questions, assignment, inbound message) wait in the
row buffer under ids reserved for them and are written with one INSERT per table: every
read in the transaction still sees them, rows that point at them can be written, and
the ids never meet a row written another way."""

from __future__ import annotations

from datetime import UTC, datetime

from intake_support import request_email, settings
from sqlalchemy import event, func, select

from connectors.base import FetchedMessage
from foidesk.references import ReferenceFormat
from foidesk.register.models import (
    Assignment,
    Attachment,
    Blob,
    Case,
    Message,
    Question,
    Requester,
)
from foidesk.register.row_buffer import buffered_rows, write_new
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import DeadlinePolicy, NewRequest, open_case
from foidesk.services.intake import process_batch

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TABLES = ("requesters", "cases", "questions", "assignments", "messages")


def fetched(n: int, raw: bytes) -> FetchedMessage:
    return FetchedMessage(f"1:{n}", raw, NOW, 0)


def a_case(uow: SqlUnitOfWork, n: int) -> Case:
    return open_case(uow, NewRequest(requester_name=f"R {n}", requester_email=f"r{n}@example.org",
                                     subject=f"Request {n}", received_at=NOW,
                                     questions=(("1", f"Question {n}"),)),
                     reference_format=ReferenceFormat(), policy=DeadlinePolicy(),
                     actor="test", now=NOW)


def test_a_batch_writes_each_table_s_new_rows_with_one_insert(engine):
    inserts: list[str] = []

    def listen(connection, cursor, statement, *rest) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO"):
            inserts.append(statement.split()[2].lower())

    batch = [fetched(n, request_email(n, sender=f"r{n}@example.org",
                                      subject=f"FOI request {n}: potholes in ward {n}"))
             for n in range(12)]
    event.listen(engine, "before_cursor_execute", listen)
    report = process_batch(lambda: SqlUnitOfWork(engine), batch, settings(), now=NOW)
    event.remove(engine, "before_cursor_execute", listen)
    assert len(report.registered) == 12
    # messages twice: the requests, then the acknowledgements and owner tasks (our own)
    assert {table: inserts.count(table) for table in (*TABLES, "outbox", "events")} == {
        **dict.fromkeys(TABLES, 1), "messages": 2, "outbox": 1, "events": 1}
    with SqlUnitOfWork(engine) as uow:
        rows = uow.session.execute(
            select(Case.reference, Requester.email, Message.message_id, Assignment.owner,
                   func.count(Question.id))
            .join(Requester, Case.requester_id == Requester.id)
            .join(Message, Message.case_id == Case.id).join(Assignment)
            .join(Question).where(Message.direction == "in")
            .group_by(Case.id, Case.reference, Requester.email, Message.message_id,
                      Assignment.owner)
            .order_by(Case.id)).all()
    assert [(email, message_id, questions) for _, email, message_id, _, questions in rows] == [
        (f"r{n}@example.org", f"<request-{n}@example.org>", 2) for n in range(12)]
    assert len({reference for reference, *_ in rows}) == 12


def test_a_request_and_its_repeat_in_one_batch_make_one_case(engine):
    """The second finds the first's case, whose rows still wait."""
    batch = [fetched(1, request_email(1)), fetched(2, request_email(2))]
    report = process_batch(lambda: SqlUnitOfWork(engine), batch, settings(), now=NOW)
    assert [o.decision for o in report.outcomes] == ["new_request", "new_request"]
    assert [o.registered for o in report.outcomes] == [True, False]  # one case registered
    with SqlUnitOfWork(engine) as uow:
        (case,) = uow.session.scalars(select(Case)).all()
        assert "repeat_request" in case.flags
        assert uow.session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "in", Message.case_id == case.id)) == 2


def test_one_message_twice_in_one_batch_is_registered_once(engine):
    """The second copy finds the first's message row, which still waits."""
    raw = request_email(7)
    report = process_batch(lambda: SqlUnitOfWork(engine), [fetched(1, raw), fetched(2, raw)],
                           settings(), now=NOW)
    assert [o.decision for o in report.outcomes] == ["new_request", "duplicate"]
    with SqlUnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == 1


def test_reads_writes_and_other_inserts_see_the_rows_that_wait(engine):
    with SqlUnitOfWork(engine) as uow:
        with buffered_rows(uow.session) as waiting:
            first = a_case(uow, 1)
            assert waiting.new  # nothing of it written yet
            connection = uow.session.connection()
            # A plain read of the table writes the rows first.
            assert connection.execute(select(Case.reference)).scalars().all() == [first.reference]
            assert not waiting.new
            second = a_case(uow, 2)
            message = write_new(uow.session, Message(
                case_id=second.id, direction="in", message_id="<m@example.org>", at=NOW,
                content_sha256="0" * 64, size=3), empty=("attachments",))
            # A row that points at a waiting one (through the ORM's flush) writes it first.
            uow.session.add(Blob(sha256="1" * 64, size=3, data=b"abc"))
            message.attachments.append(Attachment(filename="a.txt", content_type="text/plain",
                                                  sha256="1" * 64, size=3))
            uow.session.flush()
            # A row the ORM adds with no id of its own comes after the waiting ones, and ids
            # reserved after it come after it.
            third = a_case(uow, 3)
            by_the_orm = Requester(name="By the ORM", email="orm@example.org", created_at=NOW)
            uow.session.add(by_the_orm)
            uow.session.flush()
            fourth = a_case(uow, 4)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        requesters = dict(uow.session.execute(select(Requester.email, Requester.id)).all())
        cases = dict(uow.session.execute(select(Case.reference, Case.requester_id)).all())
        attachments = uow.session.scalars(select(Attachment.message_id)).all()
    assert len(set(requesters.values())) == 5
    assert requesters["orm@example.org"] == by_the_orm.id
    for case, n in ((first, 1), (second, 2), (third, 3), (fourth, 4)):
        assert cases[case.reference] == requesters[f"r{n}@example.org"] == case.requester.id
    assert attachments == [message.id]


def test_a_reference_held_by_a_waiting_case_is_not_given_again(engine):
    """A case imported in the same transaction under the next number (its row waiting):
    the allocator skips that number, as it skips one a committed case holds."""
    with SqlUnitOfWork(engine) as uow:
        with buffered_rows(uow.session):
            first = a_case(uow, 1)
            requester = write_new(uow.session, Requester(name="Imported", email="i@example.org",
                                                     created_at=NOW))
            taken = first.reference.replace("000001", "000002")
            write_new(uow.session, Case(reference=taken, regime="foia", status="received",
                                        requester_id=requester.id, received_at=NOW,
                                        received_on=NOW.date(), request_text="", flags=[],
                                        created_at=NOW, updated_at=NOW),
                      empty=("questions", "clock_events", "assignments", "events", "drafts",
                             "documents"))
            after = a_case(uow, 3)
        uow.commit()
    assert after.reference == first.reference.replace("000001", "000003")


def test_a_message_that_fails_leaves_no_new_row_and_the_next_takes_its_ids(engine):
    with SqlUnitOfWork(engine) as uow:
        with uow.session.begin_nested(), buffered_rows(uow.session):
            kept = a_case(uow, 1)
        try:
            with uow.session.begin_nested(), buffered_rows(uow.session):
                a_case(uow, 2)
                raise RuntimeError("the message fails")
        except RuntimeError:
            pass
        with uow.session.begin_nested(), buffered_rows(uow.session):
            after = a_case(uow, 3)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        emails = uow.session.scalars(select(Requester.email).order_by(Requester.id)).all()
        references = uow.session.scalars(select(Case.reference).order_by(Case.id)).all()
    assert emails == ["r1@example.org", "r3@example.org"]
    assert references == [kept.reference, after.reference]


def test_sql_written_out_by_hand_sees_the_rows_that_wait(engine):
    """What a textual statement reads is not known, so it writes every waiting row first."""
    from sqlalchemy import text

    with SqlUnitOfWork(engine) as uow:
        with buffered_rows(uow.session) as waiting:
            case = a_case(uow, 1)
            assert waiting.new
            assert uow.session.execute(text("SELECT reference FROM cases")).scalars().all() \
                == [case.reference]
            assert not waiting.new
        uow.commit()
