"""A batch triaged ahead in a real second process registers what one triaged here does."""

from __future__ import annotations

from concurrent.futures import wait
from datetime import UTC, datetime
from pathlib import Path

from intake_support import request_email, settings
from sqlalchemy import select

from connectors.base import FetchedMessage
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_batch
from foidesk.services.intake.triage_ahead import TriageAhead

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
CORPORA = Path(__file__).resolve().parents[1] / "corpora"


class ReadyAhead(TriageAhead):
    """The second process's work waited for, so that every result is taken."""

    def batch(self, raws):
        early = super().batch(raws)
        wait(early.futures)
        return early


def a_batch() -> list[FetchedMessage]:
    raws = [path.read_bytes() for path in sorted(CORPORA.rglob("*.eml"))]
    raws += [request_email(n, sender=f"r{n}@example.org",
                           subject=f"FOI request {n}: potholes in ward {n}") for n in range(20)]
    raws.append(request_email(3, sender="r3@example.org"))  # a repeat of an open case
    return [FetchedMessage(f"1:{n}", raw, NOW, 0) for n, raw in enumerate(raws)]


def run(tmp_path: Path, name: str, ahead: TriageAhead | None):
    engine = create_register_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    report = process_batch(lambda: SqlUnitOfWork(engine), a_batch(), settings(), now=NOW,
                           ahead=ahead)
    with SqlUnitOfWork(engine) as uow:
        keys = sorted(uow.session.scalars(select(OutboxItem.idempotency_key)))
    engine.dispose()
    return [(o.decision, o.reason, o.reference, o.registered) for o in report.outcomes], keys


def test_a_batch_triaged_ahead_registers_what_one_triaged_here_does(tmp_path):
    here = run(tmp_path, "here.db", None)
    with ReadyAhead(settings().triage, settings().size_limit, min_batch=20) as ahead:
        there = run(tmp_path, "there.db", ahead)
        counts = ahead.counts
    assert there == here
    assert counts.not_ready == 0 and counts.taken > len(here[0]) / 2
    assert counts.taken + counts.here == len(here[0])
    assert {"new_request", "bounce", "auto_reply", "spam"} <= {d for d, *_ in here[0]}


def test_a_batch_too_small_for_a_second_process_is_triaged_here(tmp_path):
    with TriageAhead(settings().triage, settings().size_limit, min_batch=10_000) as ahead:
        run(tmp_path, "small.db", ahead)
        assert ahead._pool is None and ahead.counts.taken == 0
