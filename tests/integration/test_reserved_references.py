"""A batch acted on whole takes its references' numbers from its sequence 25 at a time
and gives back those it did not use, in the same transaction: references stay in order
with no gap, on both backends, when a case already holds a number, when the batch is done
again message by message, and when two intakes register at once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from intake_support import request_email, settings
from sqlalchemy import select, text

from connectors.base import FetchedMessage
from foidesk.references import ReferenceFormat, SequenceScope
from foidesk.register.allocator import (
    ReservedOutsideTheirTransaction,
    allocate_reference,
    reserving_references,
)
from foidesk.register.database import create_register_engine
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_batch

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def requests(first: int, count: int, mailbox: str = "a") -> list[FetchedMessage]:
    """New requests from as many requesters (no repeat, no reply limit reached)."""
    return [FetchedMessage(f"{mailbox}:{n}", request_email(
        n, sender=f"r{n}@example.org", subject=f"FOI request {n}: potholes in ward {n}"),
        NOW, 0) for n in range(first, first + count)]


def run(engine, batch: list[FetchedMessage], mailbox: str = "test") -> list[str | None]:
    report = process_batch(lambda: SqlUnitOfWork(engine), batch, settings(mailbox), now=NOW)
    return [outcome.reference for outcome in report.outcomes]


def references(numbers) -> list[str]:
    return [f"FOI {n:06d}/26" for n in numbers]


def last_value(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT last_value FROM reference_sequences WHERE scope = '2026'")).scalar_one()


@pytest.fixture
def whole(monkeypatch) -> None:
    """Fails a test whose batch was done again message by message, where numbers are
    not reserved (a reference handed out twice would be caught there by the unique key
    and hidden)."""
    from foidesk.services.intake import process

    def message_by_message(*args, **kwargs):
        raise AssertionError("the batch was done again message by message")

    monkeypatch.setattr(process, "_message_by_message", message_by_message)


def test_a_batch_numbers_its_requests_in_order_and_gives_back_the_numbers_left(engine, whole):
    assert run(engine, requests(1, 30)) == references(range(1, 31))  # two reservations
    assert last_value(engine) == 30  # the 20 left of the second given back
    assert run(engine, requests(31, 1)) == references([31])


def test_a_number_whose_reference_a_case_holds_is_skipped(engine, whole):
    run(engine, requests(1, 1))
    with engine.begin() as connection:  # as a case imported by hand would take it
        connection.execute(text("UPDATE cases SET reference = 'FOI 000003/26'"))
    assert run(engine, requests(2, 3)) == references([2, 4, 5])
    assert last_value(engine) == 5


def test_a_batch_done_again_message_by_message_leaves_no_gap(engine, monkeypatch):
    from foidesk.services.intake import process

    opened = process._process
    failing = request_email(4, sender="r4@example.org",
                            subject="FOI request 4: potholes in ward 4")

    def fails_once_its_case_is_opened(uow, provider_id, raw, *args):
        outcome = opened(uow, provider_id, raw, *args)
        if raw == failing:
            raise RuntimeError("the fourth message fails after its case was opened")
        return outcome

    monkeypatch.setattr(process, "_process", fails_once_its_case_is_opened)
    got = run(engine, requests(1, 30))
    assert got[3] is None  # quarantined, its number given back with its savepoint
    assert [ref for ref in got if ref] == references(range(1, 30))
    assert last_value(engine) == 29


def test_two_intakes_registering_at_once_never_share_a_reference(engine, whole):
    second = create_register_engine(engine.url.render_as_string(hide_password=False))
    got: dict[str, list] = {}
    start = threading.Barrier(2)

    def intake(name: str, on, first: int) -> None:
        start.wait()
        got[name] = run(on, requests(first, 60, name), mailbox=name)

    threads = [threading.Thread(target=intake, args=("a", engine, 1)),
               threading.Thread(target=intake, args=("b", second, 101))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.dispose()
    both = got["a"] + got["b"]
    assert sorted(both) == references(range(1, 121))  # none twice, none missing
    assert last_value(engine) == 120
    with SqlUnitOfWork(engine) as uow:
        assert uow.session.scalar(select(Case.id).where(Case.reference.is_(None))) is None


def test_a_continuous_sequence_renders_each_request_by_its_own_year(engine):
    fmt = ReferenceFormat(scope=SequenceScope.CONTINUOUS)
    with SqlUnitOfWork(engine) as uow:
        with reserving_references(uow.session.connection()):
            got = [allocate_reference(uow.session, fmt, day)
                   for day in (date(2026, 12, 31), date(2027, 1, 4), date(2026, 12, 31))]
        uow.commit()
    assert got == ["FOI 000001/26", "FOI 000002/27", "FOI 000003/26"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT last_value FROM reference_sequences "
                                       "WHERE scope = 'all'")).scalar_one() == 3


def test_reserved_numbers_are_not_handed_out_in_a_savepoint(engine):
    with SqlUnitOfWork(engine) as uow, reserving_references(uow.session.connection()):
        allocate_reference(uow.session, ReferenceFormat(), date(2026, 11, 2))
        with pytest.raises(ReservedOutsideTheirTransaction), uow.session.begin_nested():
            allocate_reference(uow.session, ReferenceFormat(), date(2026, 11, 2))
