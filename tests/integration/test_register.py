"""The register on SQLite and on a real PostgreSQL: the same tests, the same answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from foidesk.calendar import HolidayOverrides, Regime
from foidesk.cases import CaseStatus, IllegalTransition
from foidesk.references import ReferenceFormat
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import downgrade, upgrade
from foidesk.register.models import Event, Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import (
    ClockEventKind,
    DeadlinePolicy,
    NewRequest,
    recompute_open_deadlines,
    record_clock_event,
    register_case,
    transition,
)

NOW = datetime(2018, 10, 16, 9, 30, tzinfo=UTC)
POLICY = DeadlinePolicy()


def new_case(engine, *, received=NOW, regime=Regime.FOIA, policy=POLICY) -> str:
    return register_case(
        SqlUnitOfWork(engine),
        NewRequest(
            requester_name="A Requester",
            requester_email="requester@example.org",
            subject="Live facial recognition",
            received_at=received,
            regime=regime,
            questions=(("1", "Has your force used LFR?"), ("3a", "What was the protocol?")),
        ),
        reference_format=ReferenceFormat(),
        policy=policy,
        actor="test",
        now=received,
    )


def load(engine, reference):
    uow = SqlUnitOfWork(engine)
    with uow:
        case = uow.cases.get(reference)
        events = uow.cases.events(case)
        return case, [(e.action, e.before, e.after, e.detail) for e in events]


def test_a_registered_case_has_a_reference_due_date_questions_and_an_audit_event(engine):
    reference = new_case(engine)
    case, events = load(engine, reference)
    assert reference == "FOI 000001/18"
    assert case.status == "received"
    assert case.received_on == date(2018, 10, 16)
    assert case.due_on == date(2018, 11, 13)
    assert case.received_at == NOW
    assert [(q.number, q.text) for q in case.questions] == [
        ("1", "Has your force used LFR?"),
        ("3a", "What was the protocol?"),
    ]
    assert events == [
        (
            "case_registered",
            None,
            {
                "reference": "FOI 000001/18",
                "status": "received",
                "regime": "foia",
                "received_on": "2018-10-16",
                "due_on": "2018-11-13",
            },
            "",
        )
    ]


def test_day_zero_is_the_uk_date_even_late_in_the_evening_utc(engine):
    # 23:30 UTC on 15 October 2018 is 00:30 on 16 October in London (BST).
    reference = new_case(engine, received=datetime(2018, 10, 15, 23, 30, tzinfo=UTC))
    case, _ = load(engine, reference)
    assert case.received_on == date(2018, 10, 16)
    assert case.due_on == date(2018, 11, 13)


def test_references_count_up_per_year_and_restart_in_a_new_year(engine):
    first = new_case(engine)
    second = new_case(engine)
    next_year = new_case(engine, received=datetime(2019, 1, 3, 10, tzinfo=UTC))
    assert (first, second, next_year) == ("FOI 000001/18", "FOI 000002/18", "FOI 000001/19")


def test_a_reference_already_taken_outside_the_sequence_is_skipped(engine):
    first = new_case(engine)
    with engine.begin() as connection:  # as a case imported by hand would take it
        connection.execute(text("UPDATE cases SET reference = 'FOI 000002/18' "
                                "WHERE reference = :first"), {"first": first})
    assert new_case(engine) == "FOI 000003/18"


def test_every_transition_is_audited_with_before_and_after(engine):
    reference = new_case(engine)
    transition(SqlUnitOfWork(engine), reference, CaseStatus.ACKNOWLEDGED, actor="officer", now=NOW)
    case, events = load(engine, reference)
    assert case.status == "acknowledged"
    assert events[-1] == (
        "status_changed", {"status": "received"}, {"status": "acknowledged"}, ""
    )


def test_an_illegal_transition_changes_nothing(engine):
    reference = new_case(engine)
    with pytest.raises(IllegalTransition, match=r"FOI 000001/18: cannot move from 'received'"):
        transition(SqlUnitOfWork(engine), reference, CaseStatus.RESPONDED, actor="x", now=NOW)
    case, events = load(engine, reference)
    assert case.status == "received"
    assert len(events) == 1


def test_a_fees_notice_stops_the_clock_and_payment_restarts_it(engine):
    reference = new_case(engine, received=datetime(2018, 10, 1, 9, tzinfo=UTC))
    transition(SqlUnitOfWork(engine), reference, CaseStatus.ACKNOWLEDGED, actor="o", now=NOW)
    due = record_clock_event(
        SqlUnitOfWork(engine), reference, ClockEventKind.FEE_NOTICE, date(2018, 10, 15),
        policy=POLICY, actor="officer", now=NOW,
    )
    assert due is None
    case, _ = load(engine, reference)
    assert case.status == "fee_pending"
    due = record_clock_event(
        SqlUnitOfWork(engine), reference, ClockEventKind.FEE_PAID, date(2018, 10, 24),
        policy=POLICY, actor="officer", now=NOW,
    )
    assert due == date(2018, 11, 8)
    case, events = load(engine, reference)
    assert case.status == "awaiting_owner"
    assert case.deadline_version == 3
    changes = [(b, a) for action, b, a, _ in events if action == "deadline_changed"]
    assert changes == [
        ({"due_on": "2018-10-29", "deadline_version": 1},
         {"due_on": None, "deadline_version": 2}),
        ({"due_on": None, "deadline_version": 2},
         {"due_on": "2018-11-08", "deadline_version": 3}),
    ]


def test_clarification_restarts_the_clock_from_its_receipt(engine):
    reference = new_case(engine, received=datetime(2018, 10, 1, 9, tzinfo=UTC))
    record_clock_event(
        SqlUnitOfWork(engine), reference, ClockEventKind.CLARIFICATION_REQUESTED,
        date(2018, 10, 2), policy=POLICY, actor="officer", now=NOW,
    )
    due = record_clock_event(
        SqlUnitOfWork(engine), reference, ClockEventKind.CLARIFICATION_RECEIVED,
        date(2018, 10, 16), policy=POLICY, actor="mailbox", now=NOW,
    )
    assert due == date(2018, 11, 13)
    case, _ = load(engine, reference)
    assert case.status == "acknowledged"


def test_an_unlawful_extension_is_refused_and_nothing_is_recorded(engine):
    reference = new_case(engine, regime=Regime.FOISA)
    with pytest.raises(ValueError, match="foisa allows no 'pit' extension"):
        record_clock_event(
            SqlUnitOfWork(engine), reference, ClockEventKind.EXTENSION_PIT, date(2018, 11, 1),
            policy=POLICY, actor="officer", now=NOW,
        )
    case, events = load(engine, reference)
    assert case.extension is None and case.clock_events == [] and len(events) == 1


def test_a_holiday_override_recomputes_open_cases_with_an_audit_event(engine):
    open_ref = new_case(engine)
    closed_ref = new_case(engine)
    for status in ("acknowledged", "clarification_requested", "withdrawn"):
        transition(SqlUnitOfWork(engine), closed_ref, CaseStatus(status), actor="o", now=NOW)
    policy = DeadlinePolicy(overrides=HolidayOverrides(add={date(2018, 11, 5): "Proclaimed"}))
    moved = recompute_open_deadlines(
        SqlUnitOfWork(engine), policy, actor="cli", now=NOW, why="holiday proclaimed"
    )
    assert moved == [(open_ref, date(2018, 11, 13), date(2018, 11, 14))]
    case, events = load(engine, open_ref)
    assert case.due_on == date(2018, 11, 14)
    assert events[-1] == (
        "deadline_changed",
        {"due_on": "2018-11-13", "deadline_version": 1},
        {"due_on": "2018-11-14", "deadline_version": 2},
        "holiday proclaimed",
    )
    assert load(engine, closed_ref)[0].due_on == date(2018, 11, 13)
    again = recompute_open_deadlines(SqlUnitOfWork(engine), policy, actor="cli", now=NOW, why="x")
    assert again == []


def test_the_audit_trail_cannot_be_edited_or_deleted(engine):
    new_case(engine)
    with engine.connect() as connection:
        with pytest.raises(SQLAlchemyError, match="append-only"):
            connection.execute(text("UPDATE events SET actor = 'someone else'"))
        connection.rollback()
        with pytest.raises(SQLAlchemyError, match="append-only"):
            connection.execute(text("DELETE FROM events"))
        connection.rollback()
    uow = SqlUnitOfWork(engine)
    with uow:
        assert uow.session.scalars(select(Event.actor)).all() == ["test"]


def _message(direction: str, message_id: str) -> Message:
    return Message(
        direction=direction, message_id=message_id, at=NOW, content_sha256="0" * 64, size=10
    )


def test_a_message_id_is_unique_per_direction(engine):
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.session.add_all([_message("in", "<a@x>"), _message("out", "<a@x>")])
        uow.commit()
    with uow, pytest.raises(IntegrityError):
        uow.session.add(_message("in", "<a@x>"))
        uow.commit()


def test_an_outbox_key_can_be_queued_only_once(engine):
    def item() -> OutboxItem:
        return OutboxItem(
            idempotency_key="ack:FOI 000001/18", recipients="r@example.org", subject="Ack",
            raw=b"Subject: Ack\r\n\r\nHello\r\n", created_at=NOW,
        )

    uow = SqlUnitOfWork(engine)
    with uow:
        uow.session.add(item())
        uow.commit()
    with uow, pytest.raises(IntegrityError):
        uow.session.add(item())
        uow.commit()


def test_leaving_the_unit_of_work_without_commit_rolls_back(engine):
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.session.add(_message("in", "<never@x>"))
    with uow:
        assert uow.session.scalars(select(Message)).all() == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(engine):
    downgrade(engine, "base")
    with engine.connect() as connection:
        tables = connection.dialect.get_table_names(connection)
    assert set(tables) <= {"alembic_version"}
    upgrade(engine)
    assert new_case(engine) == "FOI 000001/18"


def test_migration_0007_moves_event_details_out_and_keeps_events_append_only(database_url):
    engine = create_register_engine(database_url)
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO events (at, actor, action, before, after, detail) VALUES "
            "('2024-01-01 00:00:00.000000', 'officer', 'status_changed', "
            "'{\"status\": \"received\"}', NULL, 'from jane@example.org')"))
    upgrade(engine)
    with engine.connect() as connection:
        skeleton = connection.execute(text("SELECT actor, before, detail FROM events")).one()
        moved = connection.execute(text("SELECT detail FROM event_details")).scalar_one()
        with pytest.raises(SQLAlchemyError, match="append-only"):
            connection.execute(text("UPDATE events SET detail = 'x'"))
    with SqlUnitOfWork(engine) as uow:
        [event] = uow.session.scalars(select(Event)).all()
        assert (event.before, event.detail) == ({"status": "received"}, "from jane@example.org")
    engine.dispose()
    assert skeleton == ("officer", None, "") and moved == "from jane@example.org"


# SQLite's reflection cannot read an index on an expression (cases' upper(reference)):
# PostgreSQL's run compares it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_models_and_the_migrations_describe_the_same_schema(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from foidesk.register.models import Base

    engine = create_register_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_listing_cases_by_reference_reads_only_those(engine):
    first, second, third = (new_case(engine) for _ in range(3))
    with SqlUnitOfWork(engine) as uow:
        assert {c.reference for c in uow.cases.list(references=[first, third])} == {first, third}
        assert uow.cases.list(statuses=["closed"], references=[second]) == []
        assert uow.cases.list(references=[]) == []
        assert len(uow.cases.list()) == 3
