"""Migration 0009 on a register the previous release made: its demo's register, where an
internal review had rewritten FOI 000001/26. The original's first response comes back
from the audit trail, and the review becomes a case of its own."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.reports import performance, quarterly_statistics
from foidesk.services.reviews import linked_to, original_of

BEFORE = Path(__file__).parents[1] / "data" / "registers" / "demo-before-0009.db"


def _migrated(tmp_path):
    copy = tmp_path / "register.db"
    shutil.copy(BEFORE, copy)
    engine = create_register_engine(f"sqlite:///{copy}")
    upgrade(engine)
    return engine


def test_the_original_gets_back_its_regime_due_date_and_first_response(tmp_path):
    engine = _migrated(tmp_path)
    with SqlUnitOfWork(engine) as uow:
        original = uow.cases.get("FOI 000001/26")
        assert (original.regime, original.status) == ("foia", "closed")
        assert original.due_on == date(2026, 12, 1)  # from its registration, not the review's
        assert original.outcome == "partial-ncnd"
        assert original.exemptions == ["s24(2)", "s31(3)"]
        assert original.responded_at.date() == date(2026, 11, 13)
        assert original.in_time is True
        assert [d.kind for d in original.drafts] == ["response"]
        assert all(e.kind != "review_requested" for e in original.clock_events)
        [review] = linked_to(uow, original)
        assert review.reference == "FOI 000001/26-IR"
        assert (review.regime, review.status, review.outcome) == ("foia-review", "closed",
                                                                  "upheld")
        assert review.received_on == date(2026, 11, 25)
        assert review.due_on == date(2026, 12, 24)
        assert review.responded_at.date() == date(2026, 12, 1) and review.in_time is True
        assert [d.kind for d in review.drafts] == ["review"]
        assert original_of(uow, review).reference == "FOI 000001/26"
        actions = [e.action for e in uow.cases.events(original)]
        assert actions[-1] == "review_split"
        assert "restored" in uow.cases.events(original)[-1].detail
    engine.dispose()


def test_after_the_migration_the_quarter_counts_the_request_and_the_review_apart(tmp_path):
    engine = _migrated(tmp_path)
    figures = quarterly_statistics(SqlUnitOfWork(engine), date(2026, 10, 1),
                                   date(2026, 12, 31), date(2026, 12, 1), DeadlinePolicy())
    # FOI 000001/26 (answered on day 9) and FOI 000002/26 (EIR, open, due 4 December):
    # the subject access request FOI 000003/26 is not an FOI statistic.
    assert figures["received"] == 2
    assert figures["responded"] == 1
    assert figures["answered_within_20_working_days"] == 1
    assert figures["in_time_percent"] == 100.0
    assert figures["internal_reviews"]["received"] == 1
    assert figures["internal_reviews"]["in_time"] == 1
    assert figures["internal_reviews"]["outcomes"] == {"upheld": 1}
    quarter = performance(SqlUnitOfWork(engine), date(2026, 10, 1), date(2026, 12, 31))
    assert (quarter.responded, quarter.in_time, quarter.reviews, quarter.reviews_in_time) \
        == (1, 1, 1, 1)
    engine.dispose()


def test_the_migration_is_a_no_op_the_second_time(tmp_path):
    engine = _migrated(tmp_path)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        assert len(linked_to(uow, uow.cases.get("FOI 000001/26"))) == 1
    engine.dispose()
