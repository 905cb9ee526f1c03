"""Real mail: every sisimai bounce is machine-generated and never acknowledged; every
message in CPython's own email test data goes through intake without a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from intake_support import TEAM, settings
from sqlalchemy import select

from foidesk.mail import parse
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.models import Message, OutboxItem
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import process_message
from foidesk.triage import MACHINE_GENERATED, classify

SHARED = Path(__file__).resolve().parents[3] / "shared"
BOUNCES = sorted((SHARED / "corpora" / "sisimai-bounces" / "maildir" / "bsd").glob("*.eml"))
NOT_BOUNCES = sorted((SHARED / "corpora" / "sisimai-bounces" / "maildir" / "not").glob("*.eml"))
CPYTHON = sorted((Path(__import__("email").__file__).parents[1] / "test" / "test_email" /
                  "data").glob("*"))
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


class NoCases:
    def by_message_ids(self, ids):
        return None

    def by_reference(self, reference):
        return None


def test_the_corpora_are_there():
    assert len(BOUNCES) == 629 and len(NOT_BOUNCES) == 3
    assert len(CPYTHON) > 50


def test_every_sisimai_bounce_is_classified_machine_generated():
    policy = settings().triage
    wrong = {}
    for path in BOUNCES:
        triage = classify(parse(path.read_bytes()), NoCases(), policy)
        if triage.decision not in MACHINE_GENERATED:
            wrong[path.name] = triage.decision.value
    assert wrong == {}


def test_the_sisimai_non_bounces_are_not_called_bounces_of_ours():
    policy = settings().triage
    decisions = {p.name: classify(parse(p.read_bytes()), NoCases(), policy).decision.value
                 for p in NOT_BOUNCES}
    assert decisions["is-not-bounce-01.eml"] != "bounce"
    assert decisions["is-not-bounce-02.eml"] != "bounce"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    engine = create_register_engine(f"sqlite:///{tmp_path_factory.mktemp('corpus')}/r.db")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_no_sisimai_message_is_ever_acknowledged_through_intake(register):
    for n, path in enumerate(BOUNCES):
        process_message(SqlUnitOfWork(register), f"bsd-{n}", path.read_bytes(), NOW,
                        settings(), now=NOW)
    with SqlUnitOfWork(register) as uow:
        recipients = uow.session.scalars(select(OutboxItem.recipients)).all()
        decisions = uow.session.scalars(
            select(Message.triage).where(Message.direction == "in")).all()
    assert set(recipients) <= {TEAM}  # only notices to the FOI team, never a reply
    assert "new_request" not in decisions and "quarantined" not in decisions


def test_cpython_email_test_data_goes_through_intake_without_a_crash(register):
    outcomes = [
        process_message(SqlUnitOfWork(register), f"cpython-{path.name}", path.read_bytes(), NOW,
                        settings(), now=NOW)
        for path in CPYTHON
    ]
    assert len(outcomes) == len(CPYTHON)
    assert all(o.decision for o in outcomes)
