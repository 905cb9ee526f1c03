"""A new case's rows are written at once with Core: the very rows the ORM writes, objects
that read as loaded without asking the database, and nothing left after a rollback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from foidesk.cases import CaseStatus
from foidesk.references import ReferenceFormat
from foidesk.register.models import Assignment, Case, Question, Requester
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.register.written_at_once import (
    link,
    write_all,
    write_now,
    written_in_this_transaction,
)
from foidesk.services.cases import DeadlinePolicy, NewRequest, move_case, open_case

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def a_case(uow: SqlUnitOfWork, n: int) -> Case:
    return open_case(uow, NewRequest(requester_name=f"R {n}", requester_email=f"r{n}@example.org",
                                     subject=f"Request {n}", received_at=NOW,
                                     questions=(("1", "How many?"), ("2", "How much?"))),
                     reference_format=ReferenceFormat(), policy=DeadlinePolicy(),
                     actor="test", now=NOW, request_text="How many? How much?")


def rows(engine, model) -> list[dict]:
    table = model.__table__
    with engine.connect() as connection:
        return [{k: v for k, v in row._mapping.items() if k != "id"}
                for row in connection.execute(select(table).order_by(table.c.id))]


def test_written_rows_are_the_rows_the_orm_writes(engine):
    """Every column of each model, defaults included, as the unit of work would write it."""
    def made(tag: str) -> list:
        requester = Requester(name=f"R {tag}", email="r@example.org", created_at=NOW)
        return [requester, lambda r: Case(
            reference=f"FOI {tag}", regime="foia", status="received", requester_id=r.id,
            received_at=NOW, received_on=NOW.date(), created_at=NOW, updated_at=NOW)]

    with SqlUnitOfWork(engine) as uow:
        requester, case_of = made("A")
        uow.session.add(requester)
        uow.session.flush()
        case = case_of(requester)
        uow.session.add(case)
        uow.session.flush()
        uow.session.add_all([Question(case_id=case.id, number="1", position=0, text="Q"),
                             Assignment(case_id=case.id, owner="o@example.gov.uk",
                                        internal_due_on=NOW.date(), created_at=NOW)])
        uow.session.flush()
        requester, case_of = made("B")
        write_now(uow.session, requester)
        written = write_now(uow.session, case_of(requester))
        write_now(uow.session, Question(case_id=written.id, number="1", position=0, text="Q"))
        write_now(uow.session, Assignment(case_id=written.id, owner="o@example.gov.uk",
                                          internal_due_on=NOW.date(), created_at=NOW))
        uow.commit()
    by_orm, at_once = rows(engine, Case)
    assert at_once == {**by_orm, "reference": "FOI B", "requester_id": at_once["requester_id"]}
    assert at_once["flags"] == [] and at_once["exemptions"] == [] and at_once["language"] == "en"
    for model in (Question, Assignment):
        first, second = rows(engine, model)
        assert second == {**first, "case_id": second["case_id"]}
    people = rows(engine, Requester)
    assert people[1] == {**people[0], "name": "R B"}


def test_a_new_case_reads_as_loaded_and_leaves_nothing_to_flush(engine):
    statements = []
    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)
        assignment = write_now(uow.session, Assignment(
            case_id=case.id, owner="roads@example.gov.uk", internal_due_on=NOW.date(),
            created_at=NOW))
        link(case, "assignments", [*case.assignments, assignment], "case")
        move_case(uow, case, CaseStatus.ACKNOWLEDGED, actor="test", now=NOW)
        def count(connection, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        seen = ([q.text for q in case.questions], case.requester.email,
                [a.owner for a in case.assignments], assignment.case is case,
                case.questions[0].case is case, list(case.clock_events), list(case.drafts),
                list(case.documents), case.requester.cases == [case], case.status,
                case.linked_case_id, case.outcome)
        event.remove(engine, "before_cursor_execute", count)
        assert statements == []  # not one query to read any of it
        # Nothing to UPDATE, and only the audit events wait (outside intake's buffer).
        assert not any(uow.session.is_modified(o, include_collections=False)
                       for o in [case, case.requester, *case.questions, assignment])
        assert {type(o).__name__ for o in uow.session.new} == {"Event", "EventDetail"}
        uow.commit()
    assert seen == (["How many?", "How much?"], "r1@example.org", ["roads@example.gov.uk"],
                    True, True, [], [], [], True, "acknowledged", None, None)
    with SqlUnitOfWork(engine) as uow:
        again = uow.cases.get(case.reference)
        assert (again.status, [q.number for q in again.questions], again.requester.name,
                [a.owner for a in again.assignments]) == (
            "acknowledged", ["1", "2"], "R 1", ["roads@example.gov.uk"])


@pytest.mark.parametrize("failing", ["savepoint", "transaction"])
def test_a_rollback_takes_the_written_objects_out_of_the_session(engine, failing):
    with SqlUnitOfWork(engine) as uow:
        kept = a_case(uow, 1) if failing == "savepoint" else None
        if failing == "savepoint":
            with pytest.raises(RuntimeError), uow.session.begin_nested():
                lost = a_case(uow, 2)
                parts = [lost, lost.requester, *lost.questions]
                raise RuntimeError("the message failed")
        else:
            lost = a_case(uow, 2)
            parts = [lost, lost.requester, *lost.questions]
            uow.session.rollback()
        assert [part in uow.session for part in parts] == [False] * 4
        # SQLite gives the lost rows' ids to the next: the session takes them.
        after = a_case(uow, 3)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        references = uow.session.scalars(select(Case.reference).order_by(Case.id)).all()
        emails = uow.session.scalars(select(Requester.email).order_by(Requester.id)).all()
        questions = uow.session.scalar(select(Question.id).where(Question.case_id == after.id))
    expected = ([kept.reference] if kept else []) + [after.reference]
    assert references == expected and questions is not None
    assert emails == (["r1@example.org"] if kept else []) + ["r3@example.org"]


def test_rows_written_together_each_get_their_own_id(engine):
    """write_all: one INSERT for all (on SQLite a multi-row INSERT, its ids from the last),
    and each object has its own row's id, beside rows the ORM adds before and after."""
    statements: list[str] = []

    def listen(connection, cursor, statement, *rest) -> None:
        statements.append(statement)

    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)
        uow.session.add(Question(case_id=case.id, number="8", position=8, text="By the ORM"))
        uow.session.flush()
        texts = [f"Question {n}" for n in range(5)]
        event.listen(engine, "before_cursor_execute", listen)
        written = write_all(uow.session, [
            Question(case_id=case.id, number=str(10 + n), position=10 + n, text=text)
            for n, text in enumerate(texts)])
        event.remove(engine, "before_cursor_execute", listen)
        uow.session.add(Question(case_id=case.id, number="9", position=9, text="Then the ORM"))
        uow.commit()
        texts += ["By the ORM", "Then the ORM"]
        ids = {q.text: q.id for q in written}
    with SqlUnitOfWork(engine) as uow:
        stored = dict(uow.session.execute(select(Question.text, Question.id).where(
            Question.text.in_(texts))).all())
    assert {t: i for t, i in stored.items() if t in ids} == ids
    assert len(set(stored.values())) == 7
    assert sum(s.lstrip().upper().startswith("INSERT") for s in statements) == 1


def test_only_what_the_open_transaction_wrote_counts_as_written_in_it(engine):
    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)
        assert written_in_this_transaction(uow.session, case)
        with pytest.raises(RuntimeError), uow.session.begin_nested():
            lost = a_case(uow, 2)
            raise RuntimeError("the message failed")
        assert not written_in_this_transaction(uow.session, lost)
        uow.commit()
        assert not written_in_this_transaction(uow.session, case)
        assert not written_in_this_transaction(uow.session, uow.cases.get(case.reference))


def test_rows_written_together_above_a_gap_still_get_their_own_ids(engine):
    """On SQLite the ids of a multi-row INSERT are worked out from its last rowid: they
    must be right when the largest id is far above the others (a row given its id by
    hand), and past the rows an INSERT holds at most."""
    from foidesk.register import written_at_once

    with SqlUnitOfWork(engine) as uow:
        case = a_case(uow, 1)
        uow.session.add(Question(id=5000, case_id=case.id, number="999", position=999,
                                 text="Given its id"))
        uow.session.flush()
        texts = [f"Question {n}" for n in range(written_at_once._SQLITE_ROWS + 7)]
        written = write_all(uow.session, [
            Question(case_id=case.id, number=str(10 + n), position=10 + n, text=text)
            for n, text in enumerate(texts)])
        uow.commit()
        ids = {q.text: q.id for q in written}
    with SqlUnitOfWork(engine) as uow:
        stored = dict(uow.session.execute(select(Question.text, Question.id).where(
            Question.text.in_(texts))).all())
    assert stored == ids and len(set(ids.values())) == len(texts)
    if engine.dialect.name == "sqlite":
        assert min(ids.values()) == 5001
